from django.apps import AppConfig, apps

from .audit import app_role_grant, append_only_install
from .services import role_groups_sync


def sync_roles_after_migrate(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """Bring the role groups in line once per migrate: on the signal of the last app that has
    models, when every app's permissions exist."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    role_groups_sync(using=using)


def protect_audit_after_migrate(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """Once per migrate, when every app's tables exist: make the audit tables append-only, and
    grant the app's role its rows and no more."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    append_only_install(using=using)
    app_role_grant(using=using)
