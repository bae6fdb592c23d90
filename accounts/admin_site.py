from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .roles import ACCESS_ADMIN


class ShouhuAdminSite(admin.AdminSite):
    """The administration site, open only to active staff who hold the admin permission."""

    site_header = _("Shouhu administration")
    site_title = _("Shouhu administration")
    index_title = _("Reference data and settings")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.has_perm(ACCESS_ADMIN))
