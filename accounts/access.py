"""The one way a page checks who may see it.

A user without the page's permission gets 404, never 403: a merchant or a liaison must not learn
that a specialist page exists. Anonymous visitors go to the login page.

Put it outermost, above @require_POST and the like: a 405 to an outsider also says "this exists".
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse


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
