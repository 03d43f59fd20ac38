from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "alongside.communities"
    label = "communities"
    verbose_name = "Communities"

    def ready(self) -> None:
        from alongside.communities.authorship import author_refs_recompute
        from alongside.core.crypto import register_rotation_hook

        register_rotation_hook("anonymous authors' references", author_refs_recompute)
