from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alongside.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from alongside.accounts.services import mfa_secrets_reencrypt
        from alongside.core.crypto import register_rotation_hook

        register_rotation_hook("two-factor secrets", mfa_secrets_reencrypt)
