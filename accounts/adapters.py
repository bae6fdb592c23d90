"""How django-allauth logs people in here: no sign-up, secrets under the data key ring, and a
second factor that staff cannot take away from themselves."""

import math
from datetime import timedelta

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .crypto import decrypt, encrypt
from .ratelimit import client_address
from .security import second_factor_required
from .selectors import login_address, login_pause_left
from .services import login_failure_record


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Logins are made by managers and shop admins (accounts.services.user_create).
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Setting up the first authenticator straight after logging in would otherwise ask for the
        # password twice in a minute; it proves nothing more, since whoever holds the password
        # could have set one up anyway. Changing or removing one does ask.
        request = context.request
        first_authenticator = (
            app == "allauth.mfa"
            and request is not None
            and request.user.is_authenticated
            and not Authenticator.objects.filter(user_id=request.user.pk).exists()
        )
        if first_authenticator:
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    # Wrong passwords are counted per login and client address together, in the database, in
    # place of django-allauth's count per login in the cache: with that, five wrong passwords
    # from anywhere locked the on-duty specialist out for a quarter of an hour.

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        wait = login_pause_left(
            login=_login_of(request, credentials), address=login_address(client_address(request)), now=timezone.now()
        )
        if wait > timedelta(0):
            raise forms.ValidationError(_paused_message(wait), code="too_many_login_attempts")

    def authentication_failed(self, request: HttpRequest, **credentials) -> None:
        now = timezone.now()
        address = login_address(client_address(request))
        if login_failure_record(login=_login_of(request, credentials), address=address, now=now):
            wait = login_pause_left(login=_login_of(request, credentials), address=address, now=now)
            raise forms.ValidationError(
                f"{self.error_messages['email_password_mismatch']} {_paused_message(wait)}",
                code="too_many_login_attempts",
            )


def _login_of(request: HttpRequest, credentials: dict) -> str:
    # The reauthentication page sends the password alone: the login is the signed-in user's.
    login = credentials.get("email") or credentials.get("username") or ""
    if not login and request.user.is_authenticated:
        login = request.user.email
    return login.lower()


def _paused_message(wait: timedelta) -> str:
    minutes = max(math.ceil(wait.total_seconds() / 60), 1)
    return ngettext(
        "Too many wrong passwords from your address: try again in %(minutes)d minute. The login is not "
        "locked: signing in from elsewhere works as usual.",
        "Too many wrong passwords from your address: try again in %(minutes)d minutes. The login is not "
        "locked: signing in from elsewhere works as usual.",
        minutes,
    ) % {"minutes": minutes}


class MFAAdapter(DefaultMFAAdapter):
    # allauth says only "Incorrect code." also for a right code given twice (a second login within
    # the same half-minute, which it refuses against replay): say both, and what to do.
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "Wrong code, or a code used a moment ago. Enter the code your authenticator app shows now; "
            "if you have just used it, wait for the next one (a new code every 30 seconds)."
        ),
    }

    def encrypt(self, text: str) -> str:
        # TOTP secrets and recovery-code seeds: a database dump must not let anyone make codes.
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Whoever must have a second factor may replace it (reset by an admin, or regenerate
        # recovery codes), but not switch it off.
        return not second_factor_required(authenticator.user)
