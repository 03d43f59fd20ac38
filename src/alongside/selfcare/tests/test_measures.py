"""The validated measures (issue 11.4): published scoring and bands; answers refused unless complete
and in range; results the member's alone, deletable, offered on the member's schedule; and PHQ-9's
question 9 above "Not at all" opening the crisis panel and raising an event for the responders."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.core.errors import Invalid
from alongside.notifications.models import Notification
from alongside.safety.models import RiskEvent
from alongside.selfcare import goals, scores, services
from alongside.selfcare.measures import GAD7, GSE, PHQ9, WHO5
from alongside.selfcare.models import MeasureResult
from tests.fixtures import ApiClient, api_for, client_for, run_tasks
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("measure", "answers", "score", "band"),
    [
        (PHQ9, [3] * 9, 27, "severe"),
        (PHQ9, [1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal"),
        (PHQ9, [2, 2, 2, 2, 2, 0, 0, 0, 0], 10, "moderate"),
        (GAD7, [1] * 7, 7, "mild"),
        (GAD7, [3, 3, 3, 3, 3, 0, 0], 15, "severe"),
        (WHO5, [3] * 5, 60, "good"),
        (WHO5, [2, 2, 2, 2, 2], 40, "low"),
        (WHO5, [1] * 5, 20, "very low"),
        (GSE, [3] * 10, 30, "typical"),
        (GSE, [4] * 10, 40, "higher"),
        (GSE, [1] * 10, 10, "lower"),
    ],
)
def test_published_scoring_and_bands(measure, answers, score, band):
    person = make_person("ash_q")
    result = services.measure_submit(actor=person, key=measure.key, answers=answers).result
    assert result.score == score
    assert measure.band(score).name == band


def test_answers_must_be_complete_and_in_range_or_nothing_is_saved():
    person = make_person("ash_q")
    for key, answers in (("phq9", [0] * 8), ("who5", [6] * 5), ("gse", [0] * 10), ("gad7", ["x"] * 7)):
        with pytest.raises(Invalid):
            services.measure_submit(actor=person, key=key, answers=answers)
    api = api_for(person)
    assert api.call("POST", "/measures/phq9", {"answers": [0] * 10}).status_code == 422
    assert api.call("POST", "/measures/nope", {"answers": [0]}).status_code == 404
    page = client_for(person).post(reverse("selfcare:measure_take", args=["gad7"]), {"q0": "2", "q1": "1"})
    assert page.status_code == 422
    text = page.content.decode()
    assert "Please answer every question" in text
    assert 'id="q0-2" name="q0" value="2" checked' in text  # what was chosen stays chosen
    assert not MeasureResult.objects.exists()


def test_phq9_question_9_opens_the_crisis_panel_and_tells_the_responders():
    person = make_person("ash_q")
    browser = client_for(person)
    intro = browser.get(reverse("selfcare:measure_take", args=["phq9"])).content.decode()
    assert "our safety team will be told" in intro  # said before they start
    calm = browser.post(reverse("selfcare:measure_take", args=["phq9"]), {f"q{i}": "0" for i in range(9)})
    assert "You don&#x27;t have to carry this alone" not in browser.get(calm["Location"]).content.decode()
    assert not RiskEvent.objects.exists()

    answers = {f"q{i}": "1" for i in range(9)}
    response = browser.post(reverse("selfcare:measure_take", args=["phq9"]), answers)
    page = browser.get(response["Location"]).content.decode()
    assert "Our safety team has been told" in page
    event = RiskEvent.objects.get()
    assert (event.subject, event.source, event.level) == (person, "questionnaire", "high")
    assert "better off dead" in event.content
    assert "Little interest" not in event.content  # only that question, never the rest
    made = api_for(person).call("POST", "/measures/phq9", {"answers": [0] * 8 + [3]}).json()
    assert made["crisis"] is True
    assert RiskEvent.objects.order_by("-pk").first().level == "crisis"  # "nearly every day"


def test_results_are_the_member_s_alone_and_can_be_deleted():
    owner, other = make_person("ash_q"), make_person("oak_q")
    result = services.measure_submit(actor=owner, key="who5", answers=[3] * 5).result
    assert client_for(other).get(reverse("selfcare:measure_result", args=[result.pk])).status_code == 404
    assert client_for(other).post(reverse("selfcare:measure_delete", args=[result.pk])).status_code == 404
    assert api_for(other).call("DELETE", f"/measures/results/{result.pk}").status_code == 404
    assert all(not m["results"] for m in api_for(other).call("GET", "/measures").json())
    assert ApiClient().call("GET", "/measures").status_code == 401
    page = client_for(owner).get(reverse("selfcare:measures")).content.decode()
    assert "Your latest: 60 of 100 (good)" in page
    assert 'aria-labelledby="who5-title who5-desc"' in page
    assert client_for(owner).post(reverse("selfcare:measure_delete", args=[result.pk])).status_code == 302
    assert not MeasureResult.objects.exists()


def test_a_schedule_offers_it_when_due_and_never_requires_it():
    person = make_person("ash_q")
    browser = client_for(person)
    browser.post(reverse("selfcare:measure_schedule", args=["gse"]), {"every_weeks": "2"})
    assert [h.due for h in scores.histories(user=person) if h.measure.key == "gse"] == [True]
    result = services.measure_submit(actor=person, key="gse", answers=[3] * 10).result
    assert [h.due for h in scores.histories(user=person) if h.measure.key == "gse"] == [False]
    MeasureResult.objects.filter(pk=result.pk).update(created_at=timezone.now() - timedelta(weeks=3))
    assert [h.due for h in scores.histories(user=person) if h.measure.key == "gse"] == [True]
    assert api_for(person).call("PUT", "/measures/gse/schedule", {"every_weeks": 3}).status_code == 422
    assert api_for(person).call("PUT", "/measures/gse/schedule", {"every_weeks": 0}).json() == {"every_weeks": 0}
    assert [h.due for h in scores.histories(user=person) if h.measure.key == "gse"] == [False]


def test_a_due_questionnaire_is_offered_once_by_the_worker_outside_quiet_hours(django_capture_on_commit_callbacks):

    person = make_person("ash_q")
    services.settings_save(actor=person, screen_for_crisis=False, quiet_start=0, quiet_end=0)  # no quiet hours
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_schedule_set(actor=person, key="who5", every_weeks=2)
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    told = Notification.objects.filter(recipient=person, subject__contains="is due")
    assert told.count() == 1
    later = DBTaskResult.objects.filter(task_path__endswith="measure_remind", status="READY").get()
    assert later.run_after > timezone.now() + timedelta(days=13)  # the next look, two weeks on
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_submit(actor=person, key="who5", answers=[3] * 5)
        run_tasks()
    assert told.count() == 1  # answered: nothing more until it is due again
    services.settings_save(actor=person, screen_for_crisis=False, quiet_start=22, quiet_end=8)
    night = timezone.make_aware(datetime(2026, 12, 2, 23, 30))
    assert timezone.localtime(goals.quiet_adjusted(person.pk, night)).hour == 8


def test_question_9_routes_even_when_the_rest_is_left_unanswered():
    person = make_person("ash_q")
    page = client_for(person).post(reverse("selfcare:measure_take", args=["phq9"]), {"q8": "2"})
    assert page.status_code == 422
    text = page.content.decode()
    assert "Our safety team has been told" in text
    assert '<div id="crisis-now" class="card crisis-panel">' in text  # shown, not hidden
    assert RiskEvent.objects.get().subject == person
    assert not MeasureResult.objects.exists()  # the incomplete questionnaire itself is not kept
    assert (
        api_for(person).call("POST", "/measures/phq9", {"answers": [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]}).status_code == 422
    )
    assert RiskEvent.objects.count() == 2
