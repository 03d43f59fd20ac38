from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "alongside.chat"
    label = "chat"
    verbose_name = "Live support chat"
