"""Becoming a listener: the lessons and their marking, the services (training, applying, an
administrator's decision, listener settings), each access rule, the pages and the admin."""

from __future__ import annotations

import inspect
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.enums import Role, Topic
from alongside.chat.access import listeners as access
from alongside.chat.enums import ListenerStatus
from alongside.chat.models import LessonResult, ListenerProfile
from alongside.chat.services import listeners as services
from alongside.chat.training import (
    CODE_OF_CONDUCT,
    LESSONS,
    REAPPLY_AFTER,
    Lesson,
    Option,
    Question,
    listener_training_get,
    quiz_grade,
)
from alongside.core.errors import NotAllowed, NotFound, field_errors
from alongside.core.models import AuditEntry
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db

ADMIN_PAGE = "/admin/chat/listenerprofile/"


def right_answers(lesson: Lesson) -> dict[str, str]:
    return {q.id: next(o.id for o in q.options if o.correct) for q in lesson.questions}


def wrong_answer(question: Question) -> str:
    return next(o.id for o in question.options if not o.correct)


def with_wrong(lesson: Lesson, count: int) -> dict[str, str]:
    """The right answers, except the first `count` questions."""
    answers = right_answers(lesson)
    for question in lesson.questions[:count]:
        answers[question.id] = wrong_answer(question)
    return answers


def train(user: Any) -> None:
    for lesson in LESSONS:
        assert services.listener_lesson_submit(actor=user, lesson=lesson, answers=right_answers(lesson)).passed
    services.listener_conduct_accept(actor=user)


def applicant(name: str = "hopeful_ear", role: str = Role.MEMBER) -> Any:
    user = make_person(name, role)
    train(user)
    services.listener_apply(actor=user)
    return user


def profile_of(user: Any) -> ListenerProfile:
    return ListenerProfile.objects.get(user=user)


def approved_listener(admin_user: Any, name: str = "ready_ear") -> Any:
    user = applicant(name)
    services.listener_decide(actor=admin_user, profile=profile_of(user), approve=True, reason="Welcome aboard.")
    return user


def problems(error: ValidationError) -> dict[str, list[str]]:
    return field_errors(error)


# --- The lessons as data, and marking ---------------------------------------------------------


def test_the_training_has_the_five_lessons_the_issue_asks_for():
    assert [lesson.slug for lesson in LESSONS] == [
        "active-listening",
        "boundaries",
        "confidentiality",
        "crisis",
        "self-care",
    ]
    for lesson in LESSONS:
        assert len(lesson.paragraphs) >= 3
        assert 3 <= len(lesson.questions) <= 4
        assert len(lesson.questions) - 1 <= lesson.pass_mark <= len(lesson.questions)
        for question in lesson.questions:
            assert sum(option.correct for option in question.options) == 1
    assert len(CODE_OF_CONDUCT) >= 5


def test_the_safety_lessons_need_every_answer_right():
    by_slug = {lesson.slug: lesson for lesson in LESSONS}
    for slug in ("boundaries", "crisis"):
        assert by_slug[slug].pass_mark == len(by_slug[slug].questions)


def test_a_question_must_have_exactly_one_right_answer():
    with pytest.raises(ValueError, match="exactly one"):
        Question(id="q1", text="?", options=(Option("a", "x", correct=True), Option("b", "y", correct=True)))
    with pytest.raises(ValueError, match="exactly one"):
        Question(id="q1", text="?", options=(Option("a", "x"), Option("b", "y")))


def test_a_pass_mark_must_fit_the_quiz():
    question = Question(id="q1", text="?", options=(Option("a", "x", correct=True), Option("b", "y")))
    with pytest.raises(ValueError, match="pass mark"):
        Lesson(slug="x", title="x", summary="x", paragraphs=(), questions=(question,), pass_mark=2)


def test_grading_counts_right_answers_and_names_the_questions_to_look_at_again():
    lesson = LESSONS[0]  # 4 questions, pass mark 3
    assert quiz_grade(lesson, right_answers(lesson)).score == 4
    one_wrong = quiz_grade(lesson, with_wrong(lesson, 1))
    assert (one_wrong.score, one_wrong.passed, one_wrong.to_review) == (3, True, ("q1",))
    two_wrong = quiz_grade(lesson, with_wrong(lesson, 2))
    assert (two_wrong.score, two_wrong.passed, two_wrong.to_review) == (2, False, ("q1", "q2"))
    unanswered = quiz_grade(lesson, {"q2": "zz"})
    assert unanswered.score == 0
    assert unanswered.to_review == ("q1", "q2", "q3", "q4")


# --- Services: the training -------------------------------------------------------------------


def test_a_passed_quiz_is_kept_and_a_later_pass_replaces_it(member):
    lesson = LESSONS[0]
    result = services.listener_lesson_submit(actor=member, lesson=lesson, answers=with_wrong(lesson, 1))
    assert result.passed
    assert LessonResult.objects.get(user=member, lesson=lesson.slug).score == 3
    services.listener_lesson_submit(actor=member, lesson=lesson, answers=right_answers(lesson))
    assert list(LessonResult.objects.filter(user=member).values_list("lesson", "score")) == [(lesson.slug, 4)]


def test_a_failed_quiz_keeps_nothing_and_says_which_questions_to_look_at(member):
    lesson = next(lesson for lesson in LESSONS if lesson.slug == "crisis")  # every answer must be right
    result = services.listener_lesson_submit(actor=member, lesson=lesson, answers=with_wrong(lesson, 1))
    assert not result.passed
    assert result.to_review == ("q1",)
    assert not LessonResult.objects.exists()


def test_every_question_needs_an_answer(member):
    lesson = LESSONS[0]
    answers = right_answers(lesson)
    del answers["q2"]
    answers["q3"] = "not-an-option"
    with pytest.raises(ValidationError) as refused:
        services.listener_lesson_submit(actor=member, lesson=lesson, answers=answers)
    assert problems(refused.value) == {
        "q2": ["Please choose an answer to question 2."],
        "q3": ["Please choose one of the answers to question 3."],
    }
    assert not LessonResult.objects.exists()


def test_accepting_the_code_of_conduct_once_is_enough(member):
    first = services.listener_conduct_accept(actor=member).conduct_accepted_at
    assert first is not None
    assert services.listener_conduct_accept(actor=member).conduct_accepted_at == first


def test_applying_needs_every_lesson_passed_and_the_code_of_conduct(member):
    for lesson in LESSONS[:-1]:
        services.listener_lesson_submit(actor=member, lesson=lesson, answers=right_answers(lesson))
    with pytest.raises(NotAllowed, match="pass the last lesson"):
        services.listener_apply(actor=member)
    last = LESSONS[-1]
    services.listener_lesson_submit(actor=member, lesson=last, answers=right_answers(last))
    with pytest.raises(NotAllowed, match="code of conduct"):
        services.listener_apply(actor=member)
    assert listener_training_get(user=member).status == ListenerStatus.TRAINING
    services.listener_conduct_accept(actor=member)
    profile = services.listener_apply(actor=member)
    assert profile.status == ListenerStatus.PENDING
    assert profile_of(member).applied_at is not None


def test_nothing_passed_means_every_lesson_is_still_to_do(member):
    with pytest.raises(NotAllowed, match="the 5 remaining lessons"):
        services.listener_apply(actor=member)


def test_an_application_is_sent_once(admin_user):
    user = applicant()
    with pytest.raises(NotAllowed, match="already with us"):
        services.listener_apply(actor=user)
    services.listener_decide(actor=admin_user, profile=profile_of(user), approve=True, reason="Yes.")
    with pytest.raises(NotAllowed, match="already a listener"):
        services.listener_apply(actor=user)


# --- Services: decisions ----------------------------------------------------------------------


def test_an_administrator_approves_with_a_reason_audited_and_the_member_becomes_a_listener(admin_user):
    user = applicant()
    profile = profile_of(user)
    services.listener_decide(actor=admin_user, profile=profile, approve=True, reason="  Lovely answers.  ")
    profile.refresh_from_db()
    assert profile.status == ListenerStatus.APPROVED
    assert (profile.decided_by, profile.decision_reason) == (admin_user, "Lovely answers.")
    assert profile.decided_at is not None
    entry = AuditEntry.objects.get(action="chat.listener.approved")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin_user.pk,
        "chat.listenerprofile",
        str(profile.pk),
    )
    assert entry.reason == "Lovely answers."
    user.refresh_from_db()
    assert user.role == Role.LISTENER
    assert AuditEntry.objects.filter(action="accounts.role.changed", target_id=str(user.pk)).exists()


def test_approval_keeps_a_staff_role(admin_user):
    user = applicant("kind_keeper", Role.MODERATOR)
    services.listener_decide(actor=admin_user, profile=profile_of(user), approve=True, reason="Welcome.")
    user.refresh_from_db()
    assert user.role == Role.MODERATOR
    assert profile_of(user).status == ListenerStatus.APPROVED


def test_declining_keeps_the_role_and_is_audited(admin_user):
    user = applicant()
    services.listener_decide(actor=admin_user, profile=profile_of(user), approve=False, reason="Not yet.")
    assert profile_of(user).status == ListenerStatus.DECLINED
    assert profile_of(user).decision_reason == "Not yet."
    user.refresh_from_db()
    assert user.role == Role.MEMBER
    assert AuditEntry.objects.get(action="chat.listener.declined").reason == "Not yet."


@pytest.mark.parametrize("approve", [True, False])
def test_a_decision_needs_a_reason(admin_user, approve):
    user = applicant()
    for reason in ("", "   ", "x" * (services.DECISION_REASON_MAX_CHARS + 1)):
        with pytest.raises(ValidationError) as refused:
            services.listener_decide(actor=admin_user, profile=profile_of(user), approve=approve, reason=reason)
        assert "reason" in problems(refused.value)
    assert profile_of(user).status == ListenerStatus.PENDING
    assert not AuditEntry.objects.filter(action__startswith="chat.listener.").exists()


def test_only_administrators_decide_and_never_on_their_own(member, moderator, listener, admin_user):
    user = applicant()
    for actor in (user, member, moderator, listener):
        with pytest.raises(NotAllowed):
            services.listener_decide(actor=actor, profile=profile_of(user), approve=True, reason="Yes.")
    other_admin = make_person("second_lead", Role.ADMIN)
    train(other_admin)
    services.listener_apply(actor=other_admin)
    with pytest.raises(NotAllowed):
        services.listener_decide(actor=other_admin, profile=profile_of(other_admin), approve=True, reason="Me!")
    assert set(ListenerProfile.objects.values_list("status", flat=True)) == {ListenerStatus.PENDING}
    assert not AuditEntry.objects.filter(action__startswith="chat.listener.").exists()


def test_only_a_waiting_application_is_decided(admin_user, member):
    services.listener_conduct_accept(actor=member)  # a profile in training
    with pytest.raises(NotAllowed, match="waiting"):
        services.listener_decide(actor=admin_user, profile=profile_of(member), approve=True, reason="Yes.")
    user = applicant()
    services.listener_decide(actor=admin_user, profile=profile_of(user), approve=True, reason="Yes.")
    with pytest.raises(NotAllowed, match="waiting"):
        services.listener_decide(actor=admin_user, profile=profile_of(user), approve=False, reason="Changed my mind.")
    assert profile_of(user).status == ListenerStatus.APPROVED


def test_a_declined_person_trains_again_and_reapplies_after_the_waiting_time(admin_user):
    user = applicant()
    services.listener_decide(actor=admin_user, profile=profile_of(user), approve=False, reason="Not yet.")
    progress = listener_training_get(user=user)
    assert len(progress.lessons_left) == len(LESSONS)
    assert not progress.conduct_accepted
    with pytest.raises(NotAllowed, match="remaining lessons"):
        services.listener_apply(actor=user)
    train(user)
    with pytest.raises(NotAllowed, match="apply again from"):
        services.listener_apply(actor=user)
    assert profile_of(user).status == ListenerStatus.DECLINED
    # The waiting time goes by (and what was done after the decision still counts).
    ListenerProfile.objects.filter(user=user).update(decided_at=timezone.now() - REAPPLY_AFTER - timedelta(minutes=1))
    LessonResult.objects.filter(user=user).update(passed_at=timezone.now())
    ListenerProfile.objects.filter(user=user).update(conduct_accepted_at=timezone.now())
    assert services.listener_apply(actor=user).status == ListenerStatus.PENDING


# --- Services: listener settings --------------------------------------------------------------


def test_an_approved_listener_saves_their_settings(admin_user):
    user = approved_listener(admin_user)
    services.listener_settings_update(
        actor=user, topics=["grief", "anxiety", "grief"], languages=["fr", "en"], capacity=3
    )
    profile = profile_of(user)
    assert profile.topics == ["anxiety", "grief"]  # in the list's order, once each
    assert profile.languages == ["en", "fr"]
    assert profile.capacity == 3


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"topics": []}, "topics"),
        ({"topics": ["astrology"]}, "topics"),
        ({"languages": []}, "languages"),
        ({"languages": ["klingon"]}, "languages"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 6}, "capacity"),
        ({"capacity": None}, "capacity"),
    ],
)
def test_listener_settings_are_checked(admin_user, values, field):
    user = approved_listener(admin_user)
    wanted: dict[str, Any] = {"topics": [Topic.GRIEF], "languages": ["en"], "capacity": 2, **values}
    with pytest.raises(ValidationError) as refused:
        services.listener_settings_update(actor=user, **wanted)
    assert list(problems(refused.value)) == [field]
    profile = profile_of(user)
    assert (profile.topics, profile.languages, profile.capacity) == ([], [], 2)


def test_only_approved_listeners_have_settings(admin_user, member, listener):
    pending = applicant()
    for actor in (member, listener, pending, admin_user):  # `listener` has the role but never trained
        with pytest.raises(NotAllowed):
            services.listener_settings_update(actor=actor, topics=["grief"], languages=["en"], capacity=2)


# --- Each access rule ---------------------------------------------------------------------------


def test_every_rule_has_its_own_test():
    rules = {name for name, _ in inspect.getmembers(access, inspect.isfunction) if name.startswith("check_")}
    tests = {name.removeprefix("test_") for name in dir(sys.modules[__name__]) if name.startswith("test_check_")}
    assert rules == tests


def _inactive() -> Any:
    user = make_person("gone_quiet")
    user.is_active = False
    return user


def test_check_train_permission(member, admin_user):
    assert access.check_train_permission(member)
    assert access.check_train_permission(admin_user)
    assert not access.check_train_permission(AnonymousUser())
    assert not access.check_train_permission(_inactive())


def test_check_apply_permission(member, listener):
    assert access.check_apply_permission(member)
    assert access.check_apply_permission(listener)
    assert not access.check_apply_permission(AnonymousUser())
    assert not access.check_apply_permission(_inactive())


def test_check_decide_listener_permission(member, moderator, admin_user):
    profile = profile_of(applicant())
    assert access.check_decide_listener_permission(admin_user, profile)
    assert not access.check_decide_listener_permission(moderator, profile)
    assert not access.check_decide_listener_permission(member, profile)
    assert not access.check_decide_listener_permission(AnonymousUser(), profile)
    own = ListenerProfile.objects.create(user=admin_user)
    assert not access.check_decide_listener_permission(admin_user, own)
    admin_user.is_active = False
    assert not access.check_decide_listener_permission(admin_user, profile)


def test_check_edit_listener_settings_permission(admin_user, member):
    user = approved_listener(admin_user)
    profile = profile_of(user)
    assert access.check_edit_listener_settings_permission(user, profile)
    assert not access.check_edit_listener_settings_permission(admin_user, profile)
    assert not access.check_edit_listener_settings_permission(member, profile)
    assert not access.check_edit_listener_settings_permission(member, None)
    for status in (ListenerStatus.TRAINING, ListenerStatus.PENDING, ListenerStatus.DECLINED):
        profile.status = status
        assert not access.check_edit_listener_settings_permission(user, profile)


def test_access_lesson(member):
    assert access.access_lesson(member, "crisis").slug == "crisis"
    with pytest.raises(NotFound):
        access.access_lesson(member, "no-such-lesson")
    with pytest.raises(NotFound):
        access.access_lesson(AnonymousUser(), "crisis")


# --- Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/chat/listen/"),
        ("get", "/chat/listen/lessons/crisis/"),
        ("get", "/chat/listen/conduct/"),
        ("post", "/chat/listen/apply/"),
        ("get", "/chat/listen/settings/"),
    ],
)
def test_the_pages_ask_visitors_to_log_in(stranger, method, path):
    response = getattr(stranger, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_overview_shows_the_lessons_and_the_way_to_apply(member):
    page = client_for(member).get("/chat/listen/").content.decode()
    for lesson in LESSONS:
        assert str(lesson.title) in page
        assert f"/chat/listen/lessons/{lesson.slug}/" in page
    assert "not an emergency service" in page
    assert "Send my application" not in page
    train(member)
    page = client_for(member).get("/chat/listen/").content.decode()
    assert page.count("Passed, ") == len(LESSONS)
    assert "Send my application" in page


def test_a_lesson_page_shows_each_question_as_a_group(member):
    lesson = LESSONS[0]
    response = client_for(member).get(f"/chat/listen/lessons/{lesson.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<fieldset") == len(lesson.questions)
    assert page.count("<legend") == len(lesson.questions)
    assert str(lesson.paragraphs[0]).replace("'", "&#x27;") in page
    assert client_for(member).get("/chat/listen/lessons/no-such-lesson/").status_code == 404


def test_passing_a_lesson_on_its_page(member):
    lesson = LESSONS[1]
    response = client_for(member).post(f"/chat/listen/lessons/{lesson.slug}/", right_answers(lesson))
    assert response.status_code == 302
    assert response["Location"] == "/chat/listen/"
    assert LessonResult.objects.get(user=member).lesson == lesson.slug


def test_failing_a_lesson_on_its_page_points_at_the_questions_not_the_answers(member):
    lesson = LESSONS[0]
    response = client_for(member).post(f"/chat/listen/lessons/{lesson.slug}/", with_wrong(lesson, 2))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You got 2 of 4 right; this lesson needs 3." in page
    assert "Have another look at question 1." in page
    assert "Have another look at question 2." in page
    assert "question 3" not in page
    assert 'id="error-summary"' in page
    assert not LessonResult.objects.exists()


def test_an_unanswered_question_is_named_plainly(member):
    lesson = LESSONS[0]
    answers = right_answers(lesson)
    del answers["q4"]
    page = client_for(member).post(f"/chat/listen/lessons/{lesson.slug}/", answers).content.decode()
    assert "Please choose an answer to question 4." in page
    assert not LessonResult.objects.exists()


def test_a_quiz_sent_with_nothing_ticked_names_every_question(member):
    page = client_for(member).post("/chat/listen/lessons/self-care/", {}).content.decode()
    for number in (1, 2, 3):
        assert f"Please choose an answer to question {number}." in page
    assert not LessonResult.objects.exists()


def test_accepting_the_code_of_conduct_on_its_page(member):
    client = client_for(member)
    page = client.get("/chat/listen/conduct/").content.decode()
    assert str(CODE_OF_CONDUCT[0]).replace("'", "&#x27;") in page
    page = client.post("/chat/listen/conduct/", {}).content.decode()  # nothing ticked: the form was still sent
    assert "Please tick the box to accept the code of conduct." in page
    assert not ListenerProfile.objects.exists()
    response = client.post("/chat/listen/conduct/", {"agree": "on"})
    assert response.status_code == 302
    assert profile_of(member).conduct_accepted_at is not None


def test_applying_on_the_page(member):
    client = client_for(member)
    refused = client.post("/chat/listen/apply/")
    assert refused.status_code == 403
    assert "remaining lessons" in refused.content.decode()
    train(member)
    assert client.post("/chat/listen/apply/").status_code == 302
    assert profile_of(member).status == ListenerStatus.PENDING
    page = client.get("/chat/listen/").content.decode()
    assert "An administrator will look at your application soon" in page
    assert "Send my application" not in page


def test_a_declined_applicant_reads_the_reason(admin_user):
    user = applicant()
    services.listener_decide(actor=admin_user, profile=profile_of(user), approve=False, reason="Please wait a little.")
    page = client_for(user).get("/chat/listen/").content.decode()
    assert "approved this time" in page
    assert "Please wait a little." in page
    assert "You are welcome to try again" in page


def test_listener_settings_page_is_for_approved_listeners(admin_user, member):
    assert client_for(member).get("/chat/listen/settings/").status_code == 403
    pending = applicant("still_waiting")
    assert client_for(pending).get("/chat/listen/settings/").status_code == 403
    user = approved_listener(admin_user)
    client = client_for(user)
    assert client.get("/chat/listen/settings/").status_code == 200
    page = client.post("/chat/listen/settings/", {"topics": [], "languages": ["en"], "capacity": "9"}).content.decode()
    assert "Please choose at least one topic you would like to listen on." in page
    assert "Please choose between 1 and 5 chats at once." in page
    assert profile_of(user).capacity == 2
    response = client.post("/chat/listen/settings/", {"topics": ["grief"], "languages": ["en"], "capacity": "4"})
    assert response.status_code == 302
    profile = profile_of(user)
    assert (profile.topics, profile.languages, profile.capacity) == (["grief"], ["en"], 4)


# --- Admin ----------------------------------------------------------------------------------------


def test_an_administrator_approves_in_the_admin_through_the_service(admin_user):
    user = applicant()
    client = client_for(admin_user)
    listing = client.get(f"{ADMIN_PAGE}?status__exact=pending").content.decode()
    assert user.username in listing
    page = f"{ADMIN_PAGE}{profile_of(user).pk}/change/"
    form = client.get(page).content.decode()
    assert 'name="decision"' in form
    assert "Boundaries, and what never to ask for: passed, 4 of 4" in form
    response = client.post(page, {"decision": "approve", "reason": "Thank you for training."})
    assert response.status_code == 302
    assert profile_of(user).status == ListenerStatus.APPROVED
    assert AuditEntry.objects.get(action="chat.listener.approved").actor_id == admin_user.pk
    user.refresh_from_db()
    assert user.role == Role.LISTENER
    # Decided: nothing more to decide on this page.
    assert 'name="decision"' not in client.get(page).content.decode()


def test_the_admin_refuses_a_decision_without_a_reason(admin_user):
    user = applicant()
    client = client_for(admin_user)
    page = f"{ADMIN_PAGE}{profile_of(user).pk}/change/"
    response = client.post(page, {"decision": "decline", "reason": ""}, follow=True)
    assert "Please give a reason. The applicant will see it." in response.content.decode()
    assert profile_of(user).status == ListenerStatus.PENDING
    assert not AuditEntry.objects.filter(action__startswith="chat.listener.").exists()


def test_the_admin_changes_no_status_by_itself(admin_user):
    user = applicant()
    client = client_for(admin_user)
    page = f"{ADMIN_PAGE}{profile_of(user).pk}/change/"
    client.post(page, {"status": "approved", "decision_reason": "sneaky", "capacity": "5"})
    profile = profile_of(user)
    assert (profile.status, profile.decision_reason, profile.capacity) == (ListenerStatus.PENDING, "", 2)
    assert client.get(f"{ADMIN_PAGE}add/").status_code == 403


def test_members_cannot_use_the_listener_admin(member):
    user = applicant()
    response = client_for(member).post(
        f"{ADMIN_PAGE}{profile_of(user).pk}/change/", {"decision": "approve", "reason": "Sure."}
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert profile_of(user).status == ListenerStatus.PENDING
