from django.apps import AppConfig

from .services import playbooks_load_defaults, scan_terms_load_defaults


def load_default_terms_after_migrate(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """An empty term list would leave the scanner blind, and an empty playbook list the
    specialists without steps: fill each with its defaults."""
    scan_terms_load_defaults(using=using)
    playbooks_load_defaults(using=using)
