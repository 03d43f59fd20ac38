# Safety plans and their shares; crisis lines gain an online chat address and language codes.

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import alongside.core.crypto

# The seeded lines' languages (free text) as codes, so lines in a person's language can come first.
LANGUAGE_WORDS = {
    "english": "en",
    "welsh": "cy",
    "spanish": "es",
    "español": "es",
    "french": "fr",
    "français": "fr",
    "deutsch": "de",
    "italiano": "it",
    "nederlands": "nl",
    "svenska": "sv",
    "norsk": "no",
    "dansk": "da",
    "suomi": "fi",
    "日本語": "ja",
    "hindi": "hi",
    "português": "pt",
    "te reo māori": "mi",
}


def fill_language_codes(apps: Any, schema_editor: Any) -> None:
    CrisisLine = apps.get_model("safety", "CrisisLine")
    for line in CrisisLine.objects.exclude(languages=""):
        codes = []
        for word in line.languages.replace(" and ", ",").split(","):
            code = LANGUAGE_WORDS.get(word.strip().lower())
            if code and code not in codes:
                codes.append(code)
        if codes:
            line.language_codes = ",".join(codes)
            line.save(update_fields=["language_codes"])


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0003_risk_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="crisisline",
            options={
                "ordering": ["country", "position", "name"],
                "verbose_name": "crisis line",
                "verbose_name_plural": "crisis lines",
            },
        ),
        migrations.AddField(
            model_name="crisisline",
            name="chat_url",
            field=models.URLField(
                blank=True, help_text="A page where people can chat with them.", verbose_name="online chat"
            ),
        ),
        migrations.AddField(
            model_name="crisisline",
            name="language_codes",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The languages the line answers in, as codes separated by commas, like en or fr, de. People "
                    "whose browser asks for one of them see this line first. Leave empty for a line that answers "
                    "in any language."
                ),
                max_length=40,
                verbose_name="language codes",
            ),
        ),
        migrations.CreateModel(
            name="SafetyPlan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("warning_signs", alongside.core.crypto.EncryptedTextField(blank=True)),
                ("coping_strategies", alongside.core.crypto.EncryptedTextField(blank=True)),
                ("distractions", alongside.core.crypto.EncryptedTextField(blank=True)),
                ("people_to_ask", alongside.core.crypto.EncryptedTextField(blank=True)),
                ("professionals", alongside.core.crypto.EncryptedTextField(blank=True)),
                ("safer_surroundings", alongside.core.crypto.EncryptedTextField(blank=True)),
                ("reasons_for_living", alongside.core.crypto.EncryptedTextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "owner",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="safety_plan",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SafetyPlanShare",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("conversation_id", models.PositiveBigIntegerField()),
                ("shared_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("stopped_at", models.DateTimeField(blank=True, null=True)),
                (
                    "listener",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="shares", to="safety.safetyplan"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["conversation_id", "stopped_at"], name="safety_safe_convers_e2144d_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("stopped_at__isnull", True)),
                        fields=("plan", "conversation_id"),
                        name="safety_one_active_share_per_chat",
                    )
                ],
            },
        ),
        migrations.RunPython(fill_language_codes, migrations.RunPython.noop),
    ]
