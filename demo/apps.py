from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of `make demo`: the seed stories, written through the product's services."""

    name = "demo"
    verbose_name = "Demo data"
