from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .roles import ACCESS_ADMIN


class ShouhuAdminSite(admin.AdminSite):
    """The administration site, open only to active staff who hold the admin permission."""

    site_header = _("Shouhu administration")
    site_title = _("Shouhu administration")
    index_title = _("Reference data and settings")

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # The admin has no login form of its own: it sends people to the portal's, where staff
        # give their second factor (accounts.middleware.SecondFactorMiddleware then guards every
        # admin page as it does the portal's).
        return secure_admin_login(super().login)(request, extra_context)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.has_perm(ACCESS_ADMIN))
