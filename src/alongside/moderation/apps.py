from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "alongside.moderation"
    label = "moderation"
    verbose_name = "Moderation"
