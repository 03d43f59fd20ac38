"""Seed the crisis lines a new installation shows (administrators edit them afterwards)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from alongside.safety.seed_lines import seed_crisis_lines

    seed_crisis_lines(apps.get_model("safety", "CrisisLine"))


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
