"""The one way a page checks who may see it.

A user without the page's permission gets 404, never 403: a merchant or a liaison must not learn
that a specialist page exists. Anonymous visitors go to the login page.

Put it outermost, above @require_POST and the like: a 405 to an outsider also says "this exists".
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.account.internal.flows.reauthentication import is_reauthentication_required
from allauth.core.exceptions import ImmediateHttpResponse, ReauthenticationRequired
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from .models import User
from .security import authenticated_recently


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: the request a view behind @portal_page or @login_required gets.
    Those decorators send anyone not signed in to the login page, so `user` is a User, never
    AnonymousUser (django-stubs' pattern); `htmx` is set on every request by HtmxMiddleware."""

    user: User
    htmx: HtmxDetails


def portal_page(permission: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def recent_authentication_ensure(request: HttpRequest) -> None:
    """Revealing personal data, exporting it and changing roles: the password or a second-factor
    code must have been given again within ACCOUNT_REAUTHENTICATION_TIMEOUT. If not, django-allauth
    asks for it and then carries out the request that was held (its middleware catches what this
    raises). Call it after the view has checked the user may act at all, so that an outsider
    still gets 404, never a question that says the thing exists.

    An htmx request cannot be held and replayed into its fragment: the whole page is sent to the
    reauthentication and comes back to where it was."""
    if authenticated_recently(request) or not is_reauthentication_required(request, app=""):
        return
    if request.headers.get("HX-Request"):
        back = request.headers.get("HX-Current-URL") or request.get_full_path()
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{reverse('account_reauthenticate')}?{urlencode({'next': back})}"
        raise ImmediateHttpResponse(response)
    raise ReauthenticationRequired


def sensitive_action(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """recent_authentication_ensure before a view whose access is already checked outside it
    (the administration site's forms). Looking (GET) is not the action."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method != "GET":
            recent_authentication_ensure(request)
        return view(request, *args, **kwargs)

    return wrapped
