"""The code an authenticator app shows, for the demo's published secret: `manage.py demo_code`
prints it, and the browser stories type it as a person would."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from . import stories


def code_now(secret: str = stories.DEMO_TOTP_SECRET, *, step: int = 0) -> str:
    """The six digits of this period (or `step` periods later: a code is accepted only once)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD + step
    return format_hotp_value(hotp_value(secret, counter))
