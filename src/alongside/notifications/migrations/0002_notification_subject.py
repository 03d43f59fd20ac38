"""Notifications keep what they are about (a thread's title) and make their sentence when shown,
in the reader's language, instead of storing a finished sentence."""

import re
from typing import Any

from django.db import migrations

_QUOTED = re.compile(r"“(.*)”")


def text_to_subject(apps: Any, schema_editor: Any) -> None:
    Notification = apps.get_model("notifications", "Notification")
    for notification in Notification.objects.all().only("pk", "subject"):
        match = _QUOTED.search(notification.subject)
        if match:
            Notification.objects.filter(pk=notification.pk).update(subject=match.group(1)[:200])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.RenameField(model_name="notification", old_name="text", new_name="subject"),
        migrations.RunPython(text_to_subject, migrations.RunPython.noop),
    ]
