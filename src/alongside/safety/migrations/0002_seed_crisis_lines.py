"""Seed the crisis lines a new installation shows (administrators edit them afterwards)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from alongside.safety.seed_lines import LINES

    CrisisLine = apps.get_model("safety", "CrisisLine")
    if CrisisLine.objects.exists():
        return
    CrisisLine.objects.bulk_create(
        CrisisLine(
            country=country, name=name, kind=kind, phone=phone, sms=sms, url=url,
            hours=hours, description=description, languages=languages, position=(index + 1) * 10,
        )
        for index, (country, name, kind, phone, sms, url, hours, description, languages) in enumerate(LINES)
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
