from django.apps import AppConfig, apps


def sync_roles_after_migrate(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """Once per migrate (on the last app's signal), bring the role groups in line with the table."""
    last_app = list(apps.get_app_configs())[-1]
    if sender.label != last_app.label:
        return
    from .services import role_groups_sync

    role_groups_sync(using=using)
