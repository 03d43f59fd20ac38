"""Background entry points for accounts: mail, run by the task worker. They decrypt their
arguments and call a service; nothing else. (Addresses travel encrypted through the queue table.)"""

from __future__ import annotations

from django_tasks import task

from alongside.accounts import services
from alongside.core.crypto import decrypt_text


@task()
def email_notice_send(*, sealed_email: str, notice: str, token: str = "") -> None:
    services.email_notice_send(email=decrypt_text(sealed_email), notice=notice, token=token)


@task()
def password_reset_mail_send(*, sealed_email: str) -> int:
    return services.password_reset_mail_send(email=decrypt_text(sealed_email))
