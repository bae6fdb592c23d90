"""Who must prove a second factor, and whether this session has.

Staff (anyone who can read cases or the managers' pages, and admins) must: a stolen password alone
must not open what people wrote about wanting to die. A shop's staff and police liaisons may set
one up; a shop's admins can require it of the whole shop.
"""

import time
from collections.abc import Callable
from functools import cache

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

from . import roles


def works_with_cases(user) -> bool:
    """Staff: they can read cases or the managers' pages, or use the administration site."""
    return bool(
        user.is_staff or user.is_superuser or user.has_perm(roles.WORK_QUEUE) or user.has_perm(roles.VIEW_SUMMARY)
    )


def second_factor_required(user) -> bool:
    if works_with_cases(user):
        return True
    return any(rule(user) for rule in _second_factor_rules())


@cache
def _second_factor_rules() -> list[Callable[[object], bool]]:
    """The other apps' rules (a shop's admins may require a second factor of the whole shop), named
    in SHOUHU_SECOND_FACTOR_RULES: accounts, the ground floor, imports no app above it."""
    return [import_string(path) for path in settings.SHOUHU_SECOND_FACTOR_RULES]


def second_factor_given(request: HttpRequest) -> bool:
    """Whether this session was opened (or since confirmed) with a code from an authenticator
    app or a recovery code, as django-allauth records it in the session."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def authenticated_recently(request: HttpRequest) -> bool:
    """Whether the password (and the second factor) was given within ACCOUNT_REAUTHENTICATION_TIMEOUT,
    at login or on the reauthentication page. django-allauth counts only that page; a login a
    minute ago proves as much, and asking again then costs a specialist time while someone is in
    danger."""
    records = get_authentication_records(request, request.user)
    return bool(records) and time.time() - records[-1]["at"] < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
