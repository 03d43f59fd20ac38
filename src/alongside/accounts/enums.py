"""The accounts app's public vocabulary: roles and topics. Other apps may import these."""

from __future__ import annotations

from django.conf import global_settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    LISTENER = "listener", _("Peer listener")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Facilitator")
    CLINICIAN = "clinician", _("Clinician")
    ADMIN = "admin", _("Administrator")


# Roles whose people act for the service; their names always carry a badge saying so.
STAFF_ROLES = (Role.MODERATOR, Role.FACILITATOR, Role.CLINICIAN, Role.ADMIN)
# Roles that moderate every community on the site.
SITE_MODERATOR_ROLES = (Role.MODERATOR, Role.ADMIN)


class Topic(models.TextChoices):
    """Life experiences people come here with; shared by profiles and communities."""

    ANXIETY = "anxiety", _("Anxiety")
    DEPRESSION = "depression", _("Low mood and depression")
    ADDICTION = "addiction", _("Addiction and recovery")
    GRIEF = "grief", _("Grief and loss")
    PARENTING = "parenting", _("Parenting")
    CAREGIVING = "caregiving", _("Caring for someone")
    CHRONIC_ILLNESS = "chronic_illness", _("Living with illness")
    LGBTQ = "lgbtq", _("LGBTQ+ life")
    STUDENTS = "students", _("Student life")
    RELATIONSHIPS = "relationships", _("Relationships")
    LONELINESS = "loneliness", _("Loneliness")
    TRAUMA = "trauma", _("Trauma")
    WORK = "work", _("Work and money stress")
    SELF_ESTEEM = "self_esteem", _("Self-esteem")


# Languages people speak (profiles, listeners, support requests): Django's list, without regional variants.
SPOKEN_LANGUAGES = sorted(
    {(code.split("-")[0], str(name)) for code, name in global_settings.LANGUAGES if "-" not in code},
    key=lambda item: item[1],
)
