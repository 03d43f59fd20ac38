from django.db import migrations


class Migration(migrations.Migration):
    """Blocking now holds everywhere, so its table moves to the accounts app (same rows)."""

    dependencies = [("chat", "0003_urgent_requests_and_responders")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("block", "accounts_block")],
            state_operations=[migrations.DeleteModel("block")],
        )
    ]
