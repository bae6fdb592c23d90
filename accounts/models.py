"""Staff, merchant and liaison logins; desks and teams. Needs nothing from the other apps."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords


class Desk(models.TextChoices):
    """The two desks of the intervention team. Alerts, cases and teams belong to one."""

    LIFE = "life", _("Life protection")
    FRAUD = "fraud", _("Anti-fraud")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: staff, merchant staff, police liaisons and integrations (API clients)."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=100)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    paging_phone = models.CharField(
        _("phone for paging"),
        max_length=32,
        blank=True,
        help_text=_("Called or messaged for urgent escalations."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("May log in to the administration site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Moved on by every change of roles: each session's signature includes it, so a change of
    # roles signs the user out everywhere, as a change of password does (see
    # _get_session_auth_hash).
    session_version = models.PositiveIntegerField(_("session version"), default=0, editable=False)

    # Password hashes and login times stay out of history; role and permission changes are in it.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "session_version"],
        m2m_fields=["groups", "user_permissions"],
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]
        permissions = [("access_admin", "Can use the administration site")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django signs each session with an HMAC of the password hash, so a new password ends
        # every session; the session version makes a change of roles do the same.
        return salted_hmac(
            "shouhu.accounts.User.session", f"{self.password}:{self.session_version}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: str) -> bool:
        return role in self.role_names


class Team(models.Model):
    """A team of specialists working one desk. A user's desks are those of their teams."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    desk = models.CharField(_("desk"), max_length=10, choices=Desk.choices)
    lead = models.ForeignKey(
        User,
        verbose_name=_("desk lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    members = models.ManyToManyField(User, verbose_name=_("members"), related_name="teams", blank=True)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["desk", "name"]

    def __str__(self) -> str:
        return self.name


# Groups carry the roles' permissions: a change to what a role may do is history too.
register(Group, app="accounts", m2m_fields=["permissions"])


class ApiToken(models.Model):
    """A credential of an integration (API client). Only a hash is stored: the key is shown once,
    when it is issued. A token can do what its scopes name, until it expires or is revoked."""

    class Scope(models.TextChoices):
        INTAKE_WRITE = "intake:write", _("Push messages and orders")
        INDICATORS_READ = "indicators:read", _("Look up indicators")
        CASES_READ = "cases:read", _("Read alerts and cases")
        ACTIONS_WRITE = "actions:write", _("Act on cases")

    user = models.ForeignKey(User, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The key is "sh_<prefix>_<secret>"; the prefix finds the row, the digest proves the secret.
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(_("digest"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        User, verbose_name=_("issued by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["digest", "last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at) and self.user.is_active


class IdempotentRequest(models.Model):
    """A POST made with an Idempotency-Key, and the answer it got: the same key again returns that
    answer and does nothing new, so a client may retry a timed-out request safely."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=200)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    # The request body's SHA-256: the same key with another body is a client error, not a retry.
    body_digest = models.CharField(_("body digest"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True)
    response = models.JSONField(_("response"), null=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_age_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.method} {self.path} {self.key}"


class AccessLog(models.Model):
    """Who read what, when and why: opening a case, revealing a phone or an address, exporting
    data, reading a case outside one's desk, looking a person up in the search. Append-only, like
    the history tables: the database refuses to change or delete a row (accounts/audit.py)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Opened")
        REVEAL = "reveal", _("Revealed personal data")
        EXPORT = "export", _("Exported")
        BREAK_GLASS = "break_glass", _("Opened outside their desk (break-glass)")
        SEARCH = "search", _("Looked up a person")

    class Purpose(models.TextChoices):
        CASEWORK = "casework", _("Working the case")
        CONTACT = "contact", _("Contacting the person")
        POLICE = "police", _("For the police or an anti-fraud centre")
        REVIEW = "review", _("Review or audit")
        EMERGENCY = "emergency", _("Emergency outside my desk")

    user = models.ForeignKey(User, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("what"), max_length=12, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=50)
    object_label = models.CharField(_("object"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    reason = models.TextField(_("reason"), blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="access_object_idx"),
            models.Index(fields=["user", "-at"], name="access_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.object_label}"


class LoginFailure(models.Model):
    """One wrong password given for a login from one client address. Logins are paused per login
    and address together (accounts.services.login_failure_record), so someone elsewhere who
    guesses at a specialist's login cannot keep the specialist out. Kept in the database, not the
    cache: the count holds through a cache outage or flush. Rows older than a day are pruned."""

    # The email as typed, lower-cased: the row exists whether or not such a login does.
    login = models.CharField(_("login"), max_length=254)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [
            models.Index(fields=["login", "address", "at"], name="login_failure_pair_idx"),
            models.Index(fields=["address", "at"], name="login_failure_address_idx"),
            models.Index(fields=["at"], name="login_failure_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.login} {self.address}"
