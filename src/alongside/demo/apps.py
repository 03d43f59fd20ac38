from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for development and demonstrations. Installed only outside production."""

    name = "alongside.demo"
    label = "demo"
    verbose_name = "Demo data"
