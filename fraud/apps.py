from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_official_domains(sender: AppConfig, using: str = "default", **kwargs) -> None:
    # apps.py is read before the models exist; the services need them.
    from .services import dissuasion_scripts_load_defaults, official_domains_load_defaults

    official_domains_load_defaults(using=using)
    dissuasion_scripts_load_defaults(using=using)


class FraudConfig(AppConfig):
    name = "fraud"
    verbose_name = _("Anti-fraud")

    def ready(self) -> None:
        # Without official domains the look-alike check would pass every phishing link.
        post_migrate.connect(_load_official_domains, sender=self, dispatch_uid="fraud.official_domains")
