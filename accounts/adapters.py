"""How django-allauth logs people in here: no sign-up, secrets under the data key ring, and a
second factor that staff cannot take away from themselves."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from .crypto import decrypt, encrypt
from .security import second_factor_required


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


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        # TOTP secrets and recovery-code seeds: a database dump must not let anyone make codes.
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Whoever must have a second factor may replace it (reset by an admin, or regenerate
        # recovery codes), but not switch it off.
        return not second_factor_required(authenticator.user)
