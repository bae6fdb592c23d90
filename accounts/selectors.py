"""Reads about users and teams, and about wrong passwords."""

import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Desk, LoginFailure, User

# Where a user's desks are kept once read: on the User object, as Django's ModelBackend keeps its
# permissions. A staff page asks for them in its view, its selectors and the navigation's count, and
# the request's user is read anew for every request, so a change of teams shows on the next page.
_DESKS = "_desks_cache"


def user_desks(user: User | AnonymousUser) -> list[str]:
    """The desks whose queue the user works, in the order of Desk: one query per User object, however
    often a request asks. team_add_member forgets them (desks_forget)."""
    if not user.is_authenticated:
        return []
    desks = getattr(user, _DESKS, None)
    if desks is None:
        own = set(user.teams.values_list("desk", flat=True))
        desks = tuple(desk for desk in Desk.values if desk in own)
        setattr(user, _DESKS, desks)
    return list(desks)


def desks_forget(user: User) -> None:
    """Read the user's desks again next time: their teams changed."""
    if hasattr(user, _DESKS):
        delattr(user, _DESKS)


def login_address(address: str) -> str | None:
    """The address wrong passwords are counted under: an IPv4 address as it is, an IPv6 one by its
    /64 network (one household or phone holds a whole /64, and could otherwise take a fresh address
    for every guess). None for what is not an address."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _wait_left(failures: QuerySet[LoginFailure], *, limit: tuple[int, int], now: datetime) -> timedelta:
    count, seconds = limit
    window = timedelta(seconds=seconds)
    recent = list(failures.filter(at__gt=now - window).order_by("-at").values_list("at", flat=True)[:count])
    if len(recent) < count:
        return timedelta(0)
    # The address may try again once the oldest of the last `count` leaves the window.
    return recent[-1] + window - now


def login_pause_left(*, login: str, address: str | None, now: datetime) -> timedelta:
    """How long this address must wait before it may give another password for this login
    (zero: it may now). The login's owner elsewhere never waits for someone else's guesses."""
    pair = _wait_left(
        LoginFailure.objects.filter(login=login.lower(), address=address),
        limit=settings.SHOUHU_LOGIN_FAILURES_PER_LOGIN_AND_ADDRESS,
        now=now,
    )
    if address is None:
        return pair
    anywhere = _wait_left(
        LoginFailure.objects.filter(address=address), limit=settings.SHOUHU_LOGIN_FAILURES_PER_ADDRESS, now=now
    )
    return max(pair, anywhere)
