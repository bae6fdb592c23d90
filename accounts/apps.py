from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Read once the apps are ready: the receivers use the models.
        from . import signals

        # Roles are data the code relies on: every migrate brings the groups in line.
        post_migrate.connect(signals.sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
        # The audit trail is append-only in the database itself.
        post_migrate.connect(signals.protect_audit_after_migrate, dispatch_uid="accounts.audit_append_only")


class ShouhuAdminConfig(admin_apps.AdminConfig):
    """The Django admin with Shouhu's site class, which checks the admin permission."""

    default = False
    default_site = "accounts.admin_site.ShouhuAdminSite"
