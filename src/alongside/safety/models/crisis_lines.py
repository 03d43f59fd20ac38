"""Crisis resources by country."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class CrisisLine(models.Model):
    """A crisis line or emergency number for one country, shown on the "Get help now" page."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency services")
        CRISIS = "crisis", _("Crisis line")
        SUPPORT = "support", _("Support line")

    country = CountryField(_("country"))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CRISIS)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    sms = models.CharField(
        _("text / SMS"), max_length=80, blank=True, help_text=_("How to reach them by text, if they offer it.")
    )
    url = models.URLField(_("website"), blank=True)
    chat_url = models.URLField(_("online chat"), blank=True, help_text=_("A page where people can chat with them."))
    hours = models.CharField(_("hours"), max_length=80, blank=True, help_text=_("For example: 24 hours, every day."))
    description = models.CharField(_("who it is for"), max_length=240, blank=True)
    languages = models.CharField(_("languages"), max_length=120, blank=True)
    language_codes = models.CharField(
        _("language codes"),
        max_length=40,
        blank=True,
        help_text=_(
            "The languages the line answers in, as codes separated by commas, like en or fr, de. People whose "
            "browser asks for one of them see this line first. Leave empty for a line that answers in any language."
        ),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=100, help_text=_("Lower numbers are shown first."))
    is_active = models.BooleanField(_("shown"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "position", "name"]
        indexes = [models.Index(fields=["country", "is_active"])]
        verbose_name = _("crisis line")
        verbose_name_plural = _("crisis lines")

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def language_code_list(self) -> list[str]:
        return [code.strip().lower() for code in self.language_codes.split(",") if code.strip()]

    @property
    def sms_uri(self) -> str:
        """An `sms:` link when the text contact has a number ("Text HOME to 741741" -> sms:741741 with
        the word HOME ready to send); "" when it has none."""
        words = self.sms.split()
        digits = "".join(
            ch for word in words if any(c.isdigit() for c in word) for ch in word if ch.isdigit() or ch == "+"
        )
        if sum(ch.isdigit() for ch in digits) < 3:
            return ""
        keywords = [word for word in words if word.isalpha() and word.isupper() and word not in {"SMS", "TEXT"}]
        return f"sms:{digits}?body={keywords[0]}" if keywords else f"sms:{digits}"

    @property
    def tel_uri(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""
