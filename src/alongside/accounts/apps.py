from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alongside.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from alongside.accounts.adapter import record_second_factor_on_activation
        from alongside.accounts.services import email_digests_recompute, mfa_secrets_reencrypt
        from alongside.core.crypto import register_rotation_hook

        # allauth's extension point for a new authenticator (there is no adapter method for it).
        authenticator_added.connect(record_second_factor_on_activation, dispatch_uid="alongside-second-factor")
        register_rotation_hook("two-factor secrets", mfa_secrets_reencrypt)
        register_rotation_hook("recovery e-mail look-up digests", email_digests_recompute)
