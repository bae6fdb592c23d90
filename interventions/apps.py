from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Interventions")

    def ready(self) -> None:
        # Read once the apps are ready: the receivers use the models.
        from . import live, signals

        live.install_redis_link()

        post_migrate.connect(signals.load_default_terms_after_migrate, sender=self, dispatch_uid="interventions.terms")
