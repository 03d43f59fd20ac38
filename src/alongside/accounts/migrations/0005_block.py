import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The chat app's Block, moved here with its rows (chat 0004 renamed the table)."""

    dependencies = [("accounts", "0004_user_discreet"), ("chat", "0004_block_moves_to_accounts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Block",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "blocked",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "blocker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="blocks",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(fields=("blocker", "blocked"), name="chat_one_block_per_pair")
                        ]
                    },
                )
            ]
        ),
        migrations.RemoveConstraint(model_name="block", name="chat_one_block_per_pair"),
        migrations.AddConstraint(
            model_name="block",
            constraint=models.UniqueConstraint(fields=("blocker", "blocked"), name="one_block_per_pair"),
        ),
        migrations.AddField(model_name="block", name="from_anonymous", field=models.BooleanField(default=False)),
        migrations.AlterModelOptions(name="block", options={"ordering": ["-created_at", "-pk"]}),
    ]
