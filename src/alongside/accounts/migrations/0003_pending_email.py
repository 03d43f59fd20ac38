from django.db import migrations

import alongside.core.crypto


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_encrypted_email_token_expiry_name_keys")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="pending_email",
            field=alongside.core.crypto.EncryptedTextField(blank=True, default="", editable=False),
            preserve_default=False,
        ),
    ]
