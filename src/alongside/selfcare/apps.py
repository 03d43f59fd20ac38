from django.apps import AppConfig


class SelfcareConfig(AppConfig):
    name = "alongside.selfcare"
    label = "selfcare"
    verbose_name = "Self-care"
