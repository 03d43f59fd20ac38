"""Writes for becoming a listener: quizzes passed, the code of conduct accepted, applying, an
administrator's decision (audited) and an approved listener's settings.

A declined person may train again and apply again (see chat/training.py: what they did before the
decision no longer counts, and they wait REAPPLY_AFTER from it). Approval makes a plain member's
role "listener" through the accounts services (audited there too); other roles keep theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.accounts import services as account_services
from alongside.accounts.enums import SPOKEN_LANGUAGES, Role, Topic
from alongside.chat.access.listeners import (
    REASON_ADMINS,
    REASON_APPROVED_ONLY,
    REASON_SIGN_IN,
    check_apply_permission,
    check_decide_listener_permission,
    check_edit_listener_settings_permission,
    check_train_permission,
)
from alongside.chat.enums import ListenerStatus
from alongside.chat.models import LessonResult, ListenerProfile
from alongside.chat.training import Lesson, QuizResult, listener_training_get, quiz_grade
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotAllowed, require

if TYPE_CHECKING:
    from alongside.accounts.models import User

CAPACITY_MIN, CAPACITY_MAX = 1, 5
DECISION_REASON_MAX_CHARS = 2000
# The languages a listener may listen in: the same list people choose from on their profile.
LANGUAGE_CHOICES: list[tuple[str, str]] = SPOKEN_LANGUAGES
LANGUAGE_CODES = frozenset(code for code, _name in LANGUAGE_CHOICES)


def _profile_for_update(user: User) -> ListenerProfile:
    profile, _created = ListenerProfile.objects.select_for_update().get_or_create(user=user)
    return profile


@transaction.atomic
def listener_lesson_submit(*, actor: User, lesson: Lesson, answers: Mapping[str, str]) -> QuizResult:
    """Mark a lesson's quiz. A pass is kept (a later pass replaces it); a fail keeps nothing and
    the result names the questions to look at again, never their right answers."""
    require(check_train_permission(actor), REASON_SIGN_IN)
    problems: dict[str, list[str]] = {}
    for number, question in enumerate(lesson.questions, 1):
        chosen = answers.get(question.id, "")
        if not chosen:
            problems[question.id] = [_("Please choose an answer to question %(number)d.") % {"number": number}]
        elif chosen not in {option.id for option in question.options}:
            problems[question.id] = [_("Please choose one of the answers to question %(number)d.") % {"number": number}]
    if problems:
        raise Invalid(problems)
    result = quiz_grade(lesson, answers)
    if result.passed:
        LessonResult.objects.update_or_create(
            user=actor, lesson=lesson.slug, defaults={"score": result.score, "passed_at": timezone.now()}
        )
    return result


@transaction.atomic
def listener_conduct_accept(*, actor: User) -> ListenerProfile:
    """Accept the code of conduct (again after a decline; once is enough otherwise)."""
    require(check_train_permission(actor), REASON_SIGN_IN)
    profile = _profile_for_update(actor)
    if not listener_training_get(user=actor, profile=profile).conduct_accepted:
        profile.conduct_accepted_at = timezone.now()
        profile.save(update_fields=["conduct_accepted_at", "updated_at"])
    return profile


def _not_ready_reason(lessons_left: int, conduct_accepted: bool) -> str:
    if lessons_left:
        return ngettext(
            "Please pass the last lesson first, then you can apply.",
            "Please pass the %(count)d remaining lessons first, then you can apply.",
            lessons_left,
        ) % {"count": lessons_left}
    if not conduct_accepted:
        return _("Please read and accept the code of conduct first, then you can apply.")
    return ""


@transaction.atomic
def listener_apply(*, actor: User) -> ListenerProfile:
    """Send an application: every lesson passed and the code of conduct accepted (since any earlier
    decline), and, after a decline, REAPPLY_AFTER gone by."""
    require(check_apply_permission(actor), REASON_SIGN_IN)
    profile = _profile_for_update(actor)
    if profile.status == ListenerStatus.PENDING:
        raise NotAllowed(_("Your application is already with us. An administrator will look at it soon."))
    if profile.status == ListenerStatus.APPROVED:
        raise NotAllowed(_("You are already a listener."))
    progress = listener_training_get(user=actor, profile=profile)
    if not progress.trained:
        raise NotAllowed(_not_ready_reason(len(progress.lessons_left), progress.conduct_accepted))
    if progress.waiting_to_reapply and progress.reapply_from is not None:
        raise NotAllowed(_("You can apply again from %(date)s.") % {"date": formats.date_format(progress.reapply_from)})
    profile.status = ListenerStatus.PENDING
    profile.applied_at = timezone.now()
    profile.save(update_fields=["status", "applied_at", "updated_at"])
    return profile


@transaction.atomic
def listener_decide(*, actor: User, profile: ListenerProfile, approve: bool, reason: str) -> ListenerProfile:
    """An administrator approves or declines a waiting application, with a reason the applicant
    sees. Audited. Approval makes a plain member a listener (their role)."""
    require(check_decide_listener_permission(actor, profile), REASON_ADMINS)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_("Please give a reason. The applicant will see it.")]})
    if len(reason) > DECISION_REASON_MAX_CHARS:
        raise Invalid(
            {"reason": [_("Please keep the reason under %(limit)d characters.") % {"limit": DECISION_REASON_MAX_CHARS}]}
        )
    locked = ListenerProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if locked.status != ListenerStatus.PENDING:
        raise NotAllowed(_("Only an application that is waiting for a decision can be approved or declined."))
    locked.status = ListenerStatus.APPROVED if approve else ListenerStatus.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="chat.listener.approved" if approve else "chat.listener.declined",
        target=locked,
        reason=reason,
        data={"user": locked.user_id},
    )
    applicant = locked.user
    if approve and applicant.role == Role.MEMBER:
        account_services.user_role_set(
            actor=actor, user=applicant, role=Role.LISTENER, reason="listener application approved"
        )
    for name in ("status", "decided_at", "decided_by", "decision_reason"):
        setattr(profile, name, getattr(locked, name))  # the caller's object shows the decision too
    return locked


def _choices_problem(values: Any, known: Any, *, empty: str, unknown: str) -> tuple[list[str], str]:
    """The values, de-duplicated in the order of `known`, and a problem with them ("" if none)."""
    chosen = [str(value) for value in values or []]
    if not chosen:
        return [], empty
    if set(chosen) - set(known):
        return [], unknown
    return [value for value in known if value in chosen], ""


@transaction.atomic
def listener_settings_update(
    *, actor: User, topics: list[str], languages: list[str], capacity: int | None
) -> ListenerProfile:
    """An approved listener chooses what they listen on, in which languages, and how many chats at
    once (CAPACITY_MIN to CAPACITY_MAX). At least one topic and one language."""
    profile = ListenerProfile.objects.select_for_update().filter(user=actor).first()
    require(check_edit_listener_settings_permission(actor, profile), REASON_APPROVED_ONLY)
    assert profile is not None  # the rule above says so
    problems: dict[str, list[str]] = {}
    topics, problem = _choices_problem(
        topics,
        Topic.values,
        empty=_("Please choose at least one topic you would like to listen on."),
        unknown=_("Please choose topics from the list."),
    )
    if problem:
        problems["topics"] = [problem]
    languages, problem = _choices_problem(
        languages,
        sorted(LANGUAGE_CODES),
        empty=_("Please choose at least one language you can listen in."),
        unknown=_("Please choose languages from the list."),
    )
    if problem:
        problems["languages"] = [problem]
    if capacity is None or isinstance(capacity, bool) or not CAPACITY_MIN <= capacity <= CAPACITY_MAX:
        problems["capacity"] = [
            _("Please choose between %(min)d and %(max)d chats at once.") % {"min": CAPACITY_MIN, "max": CAPACITY_MAX}
        ]
    if problems or capacity is None:
        raise Invalid(problems)
    profile.topics = topics
    profile.languages = languages
    profile.capacity = capacity
    profile.save(update_fields=["topics", "languages", "capacity", "updated_at"])
    return profile
