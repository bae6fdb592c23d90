from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import LanguageForm, LoginForm
from .ratelimit import allow, client_address, refusal
from .roles import landing_page_for
from .services import user_set_language


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        # Per client address, and per account tried: guessing one staff password from many
        # addresses is slowed as much as guessing many from one.
        if request.method == "POST":
            tried = request.POST.get("username", "").strip().lower()[:150]
            limit, per_seconds = settings.SHOUHU_LOGIN_RATE
            address_limit, address_seconds = settings.SHOUHU_LOGIN_ADDRESS_RATE
            verdicts = [
                allow(f"login:account:{tried}", limit=limit, per_seconds=per_seconds),
                allow(f"login:ip:{client_address(request)}", limit=address_limit, per_seconds=address_seconds),
            ]
            if not all(verdicts):
                return refusal(request, per_seconds=per_seconds)
        return super().dispatch(request, *args, **kwargs)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Set a password from the one-time link a new login is emailed; then straight in."""

    template_name = "accounts/password_set.html"
    post_reset_login = True
    success_url = reverse_lazy("accounts:home")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page their role starts from."""
    landing = landing_page_for(request.user)
    if landing:
        return redirect(landing)
    return render(request, "accounts/no_portal.html")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    target = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
