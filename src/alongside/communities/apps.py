from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "alongside.communities"
    label = "communities"
    verbose_name = "Communities"
