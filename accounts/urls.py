from django.urls import include, path, re_path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language_set, name="language"),
    path("accounts/password/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
]

# django-allauth's pages (login, logout, the second factor, reauthentication, password change and
# reset), less those a login here has no use for: there is no sign-up (managers and shop admins
# make logins), and the address is the one they entered, so no one adds or changes addresses.
allauth_patterns = [
    # The same address and name as allauth's own, which it replaces.
    path("accounts/2fa/totp/activate/", views.SecondFactorSetUpView.as_view(), name="mfa_activate_totp"),
    re_path(
        r"^accounts/(?:signup|email|confirm-email|password/set|login/code|reauthenticate/code)/", views.not_offered
    ),
    path("accounts/", include("allauth.urls")),
]
