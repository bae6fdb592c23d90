from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.totp.views import ActivateTOTPView
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .access import AuthenticatedHttpRequest
from .forms import LanguageForm
from .roles import landing_page_for
from .services import user_set_language


class SecondFactorSetUpView(ActivateTOTPView):
    """django-allauth's page that sets up an authenticator app. Typing a code the app made proves
    the second factor, as at login, and freshly, so the recovery codes made with it are shown at
    once without asking for the password again."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        record_authentication(self.request, self.request.user, method="mfa", type="totp", reauthenticated=True)
        return response


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Set a password from the one-time link a new login is emailed; then straight in."""

    template_name = "accounts/password_set.html"
    post_reset_login = True
    success_url = reverse_lazy("accounts:home")


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each user to the page their role starts from."""
    landing = landing_page_for(request.user)
    if landing:
        return redirect(landing)
    return render(request, "accounts/no_portal.html")


def not_offered(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


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
