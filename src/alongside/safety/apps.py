from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "alongside.safety"
    label = "safety"
    verbose_name = "Safety"
