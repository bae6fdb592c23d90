"""Language and time zone of each request, the end of idle sessions, and no copies of personal
data in caches.

Chinese is the default whatever the browser asks for (many staff machines run English
browsers); a signed-in user gets the language of their profile, a visitor the one they chose.
"""

import time
import zoneinfo
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .security import has_authenticator, second_factor_given, second_factor_required, works_with_cases


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        user = request.user
        if user.is_authenticated:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response

    def _language_for(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_authenticated and user.language in self.supported:
            return user.language
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in self.supported:
            return chosen
        return settings.LANGUAGE_CODE


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer to a signed-in person (staff, shops,
    liaisons) and on every API answer, so that neither the browser's cache nor a proxy keeps a copy
    of a case, a phone number or a report after the session ends. Static files are served before
    this (WhiteNoise) and stay cacheable; the login page and the like, to anonymous visitors, too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Asked before and after: logging in or out within the request changes the answer.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        if signed_in or request.user.is_authenticated or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True, private=True)
        return response


# The session key of the last time the user did something.
LAST_ACTIVE = "shouhu_last_active"
# Requests a page makes by itself (htmx polling) say so with this header; they are not activity.
POLL_HEADER = "X-Shouhu-Poll"


class IdleTimeoutMiddleware:
    """Sign out a session left idle for longer than its limit: SHOUHU_IDLE_TIMEOUT_STAFF for anyone
    who can read cases, SHOUHU_IDLE_TIMEOUT for shops and liaisons. A page's own polling keeps
    nothing alive; when its session has ended, htmx is told to go to the login page, so a live
    queue never goes on looking live after it has stopped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVE)
            if last is not None and now - last > idle_limit(user).total_seconds():
                logout(request)
                return self._signed_out(request)
            # Written at most once a minute, not on every request.
            if not _polling(request) and (last is None or now - last > 60):
                request.session[LAST_ACTIVE] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return _api_refusal("session_ended", "The session has ended; sign in again.", status=401)
        messages.info(request, _("You were signed out after a while without activity. Sign in again to go on."))
        return _send_to(request, "account_login")


def _polling(request: HttpRequest) -> bool:
    """A page fetching itself or its stream of changes (interventions/live.py), not a person."""
    return bool(request.headers.get(POLL_HEADER)) or request.path_info == reverse("interventions:live_events")


def idle_limit(user) -> timedelta:
    if works_with_cases(user):
        return settings.SHOUHU_IDLE_TIMEOUT_STAFF
    return settings.SHOUHU_IDLE_TIMEOUT


# What a session still waiting for its second factor may open: the pages that set one up or ask
# for it, the recovery codes just made, the language switch and logging out.
SECOND_FACTOR_PAGES = {
    "account_logout",
    "mfa_activate_totp",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "accounts:language",
}


class SecondFactorMiddleware:
    """Whoever must use a second factor (accounts.security) reaches nothing else until this
    session has been given one: the code of their authenticator app or a recovery code. Without
    an authenticator yet, they are sent to set one up; with one, to enter its code. This also
    covers sessions opened without the login form: a password-setting link, or a session from
    before the second factor was required."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        # process_view runs after the URL is resolved: resolver_match is never None here.
        match = request.resolver_match
        if match is None:
            raise RuntimeError("process_view before the URL was resolved")
        if not user.is_authenticated or match.view_name in SECOND_FACTOR_PAGES:
            return None
        # The session first: it is read anyway, while whether a shop requires one is a query.
        if second_factor_given(request) or not second_factor_required(user):
            return None
        if request.path.startswith("/api/"):
            return _api_refusal("second_factor_required", "Sign in with a second factor first.", status=403)
        if has_authenticator(user):
            return _send_to(request, "mfa_reauthenticate")
        return _send_to(request, "mfa_activate_totp")


def _send_to(request: HttpRequest, url_name: str) -> HttpResponse:
    """Redirect to a page that comes back here afterwards; htmx is told to load it whole."""
    target = f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _api_refusal(code: str, detail: str, *, status: int) -> HttpResponse:
    # Imported here: config.api loads DRF's views, whose settings import config.api back, and
    # middleware is loaded before anything else has imported DRF.
    from config.api import error_body

    return JsonResponse(error_body(code, detail), status=status)
