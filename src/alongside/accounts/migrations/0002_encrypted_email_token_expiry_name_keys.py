"""Recovery e-mail encrypted at rest (found by a keyed digest) instead of readable in two tables;
API tokens that end (expiry, password change, two-factor for staff); look-alike name keys.

Existing API tokens end with this migration: they were issued without an expiry or a password
marker, and cannot be told apart from one a staff member got without a second factor."""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import alongside.core.crypto

EMAIL_PURPOSE = "accounts.email"  # accounts.services.EMAIL_PURPOSE, frozen here


def move_emails_and_keys(apps: Any, schema_editor: Any) -> None:
    from alongside.accounts.names import person_name_keys
    from alongside.core.crypto import lookup_digest

    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("accounts", "Profile")
    NameKey = apps.get_model("accounts", "NameKey")
    EmailAddress = apps.get_model("account", "EmailAddress")
    display_names = dict(Profile.objects.values_list("user_id", "display_name"))
    seen_digests: set[str] = set()
    for user in User.objects.all():
        email = (user.email or "").strip().lower()
        if not email:
            email = (
                EmailAddress.objects.filter(user_id=user.pk).order_by("-primary", "pk").values_list("email", flat=True)
            ).first() or ""
        digest = lookup_digest(email, purpose=EMAIL_PURPOSE) if email else None
        if digest in seen_digests:
            email, digest = "", None  # one account per address, as before
        if digest:
            seen_digests.add(digest)
        # The historical model's field is plain text: encrypt here as EncryptedTextField would.
        User.objects.filter(pk=user.pk).update(
            email=alongside.core.crypto.encrypt_text(email) if email else "", email_digest=digest
        )
        names = [user.username, display_names.get(user.pk) or ""]
        keys = sorted({key for name in names if name for key in person_name_keys(name)})
        NameKey.objects.bulk_create([NameKey(user_id=user.pk, key=key) for key in keys], ignore_conflicts=True)
    EmailAddress.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.TextField(blank=True, verbose_name="e-mail"),
        ),
        migrations.AddField(
            model_name="user",
            name="email_digest",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.CreateModel(
            name="NameKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(db_index=True, max_length=200)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_keys",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("user", "key"), name="accounts_one_name_key_each")]
            },
        ),
        migrations.RunPython(move_emails_and_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=alongside.core.crypto.EncryptedTextField(blank=True, verbose_name="e-mail"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="second_factor",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_marker",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
    ]
