"""Every write to accounts: users, their roles and preferences, the role groups themselves."""

import hashlib
import hmac
import logging
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Model, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.history import history_notes, save_with_history

from .models import AccessLog, ApiToken, LoginFailure, Team, User
from .roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role
from .selectors import desks_forget

logger = logging.getLogger(__name__)


def role_groups_sync(*, using: str = "default") -> None:
    """Make each role's Group hold exactly the permissions of ROLE_PERMISSIONS. Idempotent."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = _permissions_named(perm_names, using=using)
        missing = set(perm_names) - {f"{p.content_type.app_label}.{p.codename}" for p in wanted}
        if missing:
            raise LookupError(f"Role {role} names permissions that do not exist: {sorted(missing)}")
        group.permissions.set(wanted)


def _permissions_named(names: Iterable[str], *, using: str) -> list[Permission]:
    query = Q()
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.using(using).filter(query).select_related("content_type"))


@transaction.atomic
def user_create(
    *,
    email: str,
    display_name: str,
    password: str | None,
    roles: Iterable[str] = (),
    by: User | None = None,
    **fields,
) -> User:
    """Create a login with the given roles. A None password makes an account that cannot log in
    by password (integrations authenticate with tokens)."""
    user = User(email=email, display_name=display_name, **fields)
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    save_with_history(user, by=by)
    if roles:
        user_set_roles(user=user, roles=roles, by=by, reason="created")
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], by: User | None, reason: str = "") -> User:
    """Replace the user's roles. Admin access follows the roles, so the two never disagree."""
    roles = [Role(role) for role in roles]
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(set(roles)):
        raise LookupError("Role groups are missing: run migrate, which creates them.")
    history_notes(user)._history_user = by
    # The reason goes on the history row as it is written: the history is append-only, so it
    # cannot be added to the row afterwards.
    history_notes(user)._change_reason = reason or None
    before = set(user.groups.values_list("name", flat=True))
    user.groups.set(groups)
    is_staff = bool(set(roles) & ADMIN_ROLES) or user.is_superuser
    if before != set(roles) or user.is_staff != is_staff:
        # New roles sign the user out of every session: none keeps what the old roles allowed.
        user.is_staff = is_staff
        user.session_version = F("session_version") + 1
        user.save(update_fields=["is_staff", "session_version"])
        user.refresh_from_db(fields=["session_version"])
    user.__dict__.pop("_role_names", None)
    return user


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def team_create(*, name: str, desk: str, lead: User | None = None, by: User | None) -> Team:
    team = Team(name=name, desk=desk, lead=lead)
    team.full_clean()
    save_with_history(team, by=by)
    return team


@transaction.atomic
def team_add_member(*, team: Team, user: User, by: User | None) -> Team:
    history_notes(team)._history_user = by
    team.members.add(user)
    desks_forget(user)
    return team


def _token_digest(secret: str) -> str:
    # The secret is 32 random bytes, so a plain SHA-256 cannot be brute-forced; no slow hash needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_issue(
    *, user: User, name: str, scopes: Iterable[str], by: User | None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for an integration. Returns the row and the key, which is never stored."""
    scopes = sorted({ApiToken.Scope(scope) for scope in scopes})
    prefix, secret = secrets.token_hex(5), secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        digest=_token_digest(secret),
        scopes=[str(scope) for scope in scopes],
        created_by=by,
        expires_at=expires_at,
    )
    save_with_history(token, by=by)
    return token, f"sh_{prefix}_{secret}"


def api_token_authenticate(key: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token this key belongs to, or None. Notes the use at most once a minute."""
    try:
        marker, prefix, secret = key.split("_", 2)
    except ValueError:
        return None
    if marker != "sh":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _token_digest(secret)):
        return None
    now = now or timezone.now()
    if not token.is_usable(now):
        return None
    stale = now - timedelta(minutes=1)
    # The row just read says whether the use is noted already: an integration posting many
    # batches a second then costs no UPDATE round trip. The condition stays in the UPDATE, so
    # concurrent requests still write it once.
    if token.last_used_at is None or token.last_used_at < stale:
        ApiToken.objects.filter(pk=token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)).update(
            last_used_at=now
        )
    return token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        save_with_history(token, by=by, update_fields=["revoked_at"])
    return token


def access_record(
    *,
    user: User,
    action: str,
    purpose: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    reason: str = "",
    address: str | None = None,
) -> AccessLog:
    """Write down one read of personal data: who, what, when, why. Append-only. What was read is a
    model instance (`obj`), or named outright for what is not one row, such as a figures table."""
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
        object_label = object_label or str(getattr(obj, "reference", obj))
    return AccessLog.objects.create(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:100],
        purpose=purpose,
        reason=reason,
        address=address or None,
    )


def access_records(
    *,
    user: User,
    action: str,
    purpose: str,
    read: Iterable[tuple[Model, str]],
    reason: str = "",
    address: str | None = None,
) -> list[AccessLog]:
    """access_record for several rows read at once (the people a search found), one log entry
    each, in one INSERT: `read` gives each row with its label."""
    rows = [
        AccessLog(
            user=user,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_label=label[:100],
            purpose=purpose,
            reason=reason,
            address=address or None,
        )
        for obj, label in read
    ]
    return AccessLog.objects.bulk_create(rows)


def login_failure_record(*, login: str, address: str | None, now: datetime) -> bool:
    """Note one wrong password for `login` from `address`. True when it was the one that pauses
    this address for this login (accounts.selectors.login_pause_left). Then the login's owner, if
    there is such a login, is emailed: once per window, however many addresses guess at it."""
    login = login.lower()
    LoginFailure.objects.create(login=login, address=address, at=now)
    # Yesterday's rows are of no use to any count: pruned here, through the age index.
    LoginFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
    limit, seconds = settings.SHOUHU_LOGIN_FAILURES_PER_LOGIN_AND_ADDRESS
    window = LoginFailure.objects.filter(login=login, at__gt=now - timedelta(seconds=seconds))
    if window.filter(address=address).count() != limit:
        return False
    paused_elsewhere = (
        window.exclude(address=address).values("address").annotate(n=Count("id")).filter(n__gte=limit).exists()
    )
    owner = User.objects.filter(email__iexact=login, is_active=True).first()
    if owner is not None and not paused_elsewhere:
        transaction.on_commit(lambda: _login_pause_tell(owner, address=address, at=now, failures=limit))
    return True


def _login_pause_tell(user: User, *, address: str | None, at: datetime, failures: int) -> None:
    """Email the owner of a login that someone is guessing at. A mail server that does not answer
    costs the email, never the login page: it is logged and left."""
    minutes = settings.SHOUHU_LOGIN_FAILURES_PER_LOGIN_AND_ADDRESS[1] // 60
    with translation.override(user.language), timezone.override(zoneinfo.ZoneInfo(user.time_zone)):
        subject = _("Wrong passwords for your Shouhu login")
        body = _(
            "%(n)d wrong passwords were given for your Shouhu login (%(email)s) from the address "
            "%(address)s, the last at %(time)s.\n\n"
            "Sign-ins to your login from that address are paused for %(minutes)d minutes. Your login "
            "is not locked: you can sign in as usual from where you work.\n\n"
            "If this was not you, tell your supervisor. Nobody got in: the passwords were wrong."
        ) % {
            "n": failures,
            "email": user.email,
            "address": address or "?",
            "time": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
            "minutes": minutes,
        }
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:  # SMTP and socket errors
        logger.warning("login pause: the email to user %s could not be sent", user.pk, exc_info=True)
