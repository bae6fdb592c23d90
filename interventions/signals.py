from django.apps import AppConfig


def load_default_terms_after_migrate(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """An empty term list would leave the scanner blind: fill it with the default lists."""
    from .services import scan_terms_load_defaults

    scan_terms_load_defaults(using=using)
