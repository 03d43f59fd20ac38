"""Crisis resources by country. (Crisis detection and responders arrive in later work.)"""

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
    hours = models.CharField(_("hours"), max_length=80, blank=True, help_text=_("For example: 24 hours, every day."))
    description = models.CharField(_("who it is for"), max_length=240, blank=True)
    languages = models.CharField(_("languages"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=100, help_text=_("Lower numbers are shown first."))
    is_active = models.BooleanField(_("shown"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "position", "name"]
        indexes = [models.Index(fields=["country", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def tel_uri(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""
