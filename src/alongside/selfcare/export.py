"""A member's own self-care data, to take away or to erase (issue 11.6).

- `export_data`: everything of theirs in this app as one JSON-ready dict (journal entries with
  their words decrypted, journal settings, mood check-ins, goals with their steps, questionnaire results and schedules).
- `journal_zip`: the journal as Markdown files in a zip, one file an entry, named by date and title,
  with the date, mood and tags at the top.
- `erase_all`: every entry, check-in, goal, questionnaire result and setting of theirs deleted, in
  one transaction; the audit log records that it happened and how many rows, never what they held.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from django.db import transaction
from django.utils import timezone

from alongside.core.audit import audit_record
from alongside.core.errors import NotFound
from alongside.selfcare.access import check_own_journal
from alongside.selfcare.models import (
    Goal,
    JournalEntry,
    JournalSettings,
    JournalShare,
    MeasureResult,
    MeasureSchedule,
    MoodCheckIn,
)

FORMAT = "alongside-selfcare/1"


def export_data(*, user: Any) -> dict[str, Any]:
    if not check_own_journal(user):
        raise NotFound()
    settings = JournalSettings.objects.filter(owner=user).first()
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "journal": [
            {
                "title": entry.title,
                "body": entry.body,
                "mood": entry.mood,
                "tags": entry.tag_list,
                "created_at": entry.created_at.isoformat(),
                "updated_at": entry.updated_at.isoformat(),
            }
            for entry in JournalEntry.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "journal_settings": {"screen_for_crisis": bool(settings and settings.screen_for_crisis)},
        "journal_shares": [
            {
                "title": share.title,
                "shared_at": share.shared_at.isoformat(),
                "reads": share.reads,
                "stopped_at": share.stopped_at.isoformat() if share.stopped_at else None,
            }
            for share in JournalShare.objects.filter(owner=user).order_by("shared_at", "pk")
        ],
        "mood_check_ins": [
            {
                "mood": checkin.mood,
                "feelings": checkin.feeling_list,
                "note": checkin.note,
                "tags": checkin.tag_list,
                "created_at": checkin.created_at.isoformat(),
            }
            for checkin in MoodCheckIn.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "questionnaires": [
            {
                "measure": result.measure,
                "answers": json.loads(result.answers),
                "score": result.score,
                "created_at": result.created_at.isoformat(),
            }
            for result in MeasureResult.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "goals": [
            {
                "title": goal.title,
                "why": goal.why,
                "due_date": goal.due_date.isoformat() if goal.due_date else None,
                "remind": goal.remind,
                "remind_hour": goal.remind_hour,
                "completed_at": goal.completed_at.isoformat() if goal.completed_at else None,
                "steps": [{"text": step.text, "done": step.done_at is not None} for step in goal.steps.all()],
                "days_worked": [day.day.isoformat() for day in goal.days.order_by("day")],
            }
            for goal in Goal.objects.filter(owner=user).order_by("created_at", "pk").prefetch_related("steps")
        ],
        "questionnaire_schedules": {
            schedule.measure: schedule.every_weeks for schedule in MeasureSchedule.objects.filter(owner=user)
        },
    }


def _file_name(entry: JournalEntry, taken: set[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", entry.title.lower()).strip("-")[:40] or "entry"
    base = f"{timezone.localtime(entry.created_at):%Y-%m-%d}-{slug}"
    name, n = f"{base}.md", 2
    while name in taken:
        name, n = f"{base}-{n}.md", n + 1
    taken.add(name)
    return name


def journal_zip(*, user: Any) -> bytes:
    if not check_own_journal(user):
        raise NotFound()
    buffer, taken = io.BytesIO(), set[str]()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in JournalEntry.objects.filter(owner=user).order_by("created_at", "pk"):
            head = [f"# {entry.title}" if entry.title else f"# {timezone.localtime(entry.created_at):%d %B %Y}", ""]
            head.append(f"Written: {timezone.localtime(entry.created_at):%Y-%m-%d %H:%M}")
            if entry.mood:
                head.append(f"Mood: {entry.get_mood_display()}")
            if entry.tag_list:
                head.append(f"Tags: {', '.join(entry.tag_list)}")
            archive.writestr(f"journal/{_file_name(entry, taken)}", "\n".join([*head, "", entry.body, ""]))
    return buffer.getvalue()


@transaction.atomic
def erase_all(*, actor: Any) -> dict[str, int]:
    if not check_own_journal(actor):
        raise NotFound()
    counts = {
        "journal_entries": JournalEntry.objects.filter(owner=actor).delete()[0],
        "mood_check_ins": MoodCheckIn.objects.filter(owner=actor).delete()[0],
        "journal_settings": JournalSettings.objects.filter(owner=actor).delete()[0],
        "journal_shares": JournalShare.objects.filter(owner=actor).delete()[0],
        "questionnaires": MeasureResult.objects.filter(owner=actor).delete()[0],
        "questionnaire_schedules": MeasureSchedule.objects.filter(owner=actor).delete()[0],
        "goals": Goal.objects.filter(owner=actor).delete()[1].get("selfcare.Goal", 0),
    }
    audit_record(actor=actor, action="selfcare.erased", target=actor, data=counts)
    return counts
