"""The moderation authorization matrix: every persona through every path of the reports, the review
queue, blocking, and the feedback form. In the scene, the reporter has also blocked the reported
person (the "unblock" rows undo that block).

A community's rules are only for its hosts and administrators: its own moderators and site
moderators get not-found like everyone else. The rules in words are in `moderation/access.py`.
Not-found is exactly the answer for a report that does not exist. Staff without the two-factor
step are sent to it by the middleware (tested for every staff path in accounts), so staff here are
fully signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.accounts.models import Block
from alongside.communities.models import MemberRole, Membership, Post, PostStatus, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.moderation.enums import ReportStatus
from alongside.moderation.models import Feedback, ModeratorAway, Report, RuleSet
from alongside.moderation.services import block_from_post, feedback_submit, report_file
from tests.fixtures import ApiClient, api_for, client_for
from tests.personas import make_person

ACTORS = [
    "member",  # a member of the community who did not report
    "reporter",  # the member who reported the post
    "reported",  # the writer of the reported post
    "community_moderator",  # a moderator of this community
    "other_moderator",  # a moderator of another community only (this one is public: may read and report)
    "host",  # this community's host
    "site_moderator",
    "admin",
    "clinician",  # staff, but not a moderator
    "anonymous",
]

# fmt: off
TABLE: dict[str, tuple[int, ...]] = {
    #                  member reporter reported c_mod o_mod host site admin clin anon
    "report_form":     (200,  200,     403,     200,  200,  200, 200, 200,  200, 302),
    "report_send":     (200,  200,     403,     200,  200,  200, 200, 200,  200, 302),
    "mine":            (200,  200,     200,     200,  200,  200, 200, 200,  200, 302),
    "queue":           (404,  404,     404,     200,  200,  200, 200, 200,  404, 302),
    "decide":          (404,  404,     404,     302,  404,  302, 302, 302,  404, 302),
    "feedback_form":   (200,  200,     200,     200,  200,  200, 200, 200,  200, 200),
    "feedback_close":  (404,  404,     404,     404,  404,  404, 302, 302,  404, 302),
    "api_report":      (201,  201,     403,     201,  201,  201, 201, 201,  201, 401),
    "api_mine":        (200,  200,     200,     200,  200,  200, 200, 200,  200, 401),
    "api_queue":       (404,  404,     404,     200,  200,  200, 200, 200,  404, 401),
    "api_decide":      (404,  404,     404,     200,  404,  200, 200, 200,  404, 401),
    "block_form":      (200,  200,     403,     200,  200,  200, 200, 200,  200, 302),
    "block_send":      (302,  302,     403,     302,  302,  302, 302, 302,  302, 302),
    "blocked":         (200,  200,     200,     200,  200,  200, 200, 200,  200, 302),
    "unblock":         (404,  302,     404,     404,  404,  404, 404, 404,  404, 302),
    "api_block":       (201,  201,     403,     201,  201,  201, 201, 201,  201, 401),
    "api_blocks":      (200,  200,     200,     200,  200,  200, 200, 200,  200, 401),
    "api_unblock":     (404,  204,     404,     404,  404,  404, 404, 404,  404, 401),
    "rules_form":      (404,  404,     404,     404,  404,  200, 404, 200,  404, 302),
    "rules_save":      (404,  404,     404,     404,  404,  302, 404, 302,  404, 302),
    "rules_try":       (404,  404,     404,     404,  404,  200, 404, 200,  404, 302),
    "api_rules":       (404,  404,     404,     404,  404,  200, 404, 200,  404, 401),
    "api_rules_put":   (404,  404,     404,     404,  404,  200, 404, 200,  404, 401),
    "api_rules_try":   (404,  404,     404,     404,  404,  200, 404, 200,  404, 401),
    "claim":           (404,  404,     404,     302,  404,  302, 302, 302,  404, 302),
    "away":            (404,  404,     404,     302,  302,  302, 302, 302,  404, 302),
    "api_claim":       (404,  404,     404,     200,  404,  200, 200, 200,  404, 401),
    "api_release":     (404,  404,     404,     200,  404,  200, 200, 200,  404, 401),
    "api_away":        (404,  404,     404,     200,  200,  200, 200, 200,  404, 401),
    "log":             (404,  404,     404,     200,  404,  200, 200, 200,  404, 302),
    "transparency":    (200,  200,     200,     200,  200,  200, 200, 200,  200, 302),
    "api_log":         (404,  404,     404,     200,  404,  200, 200, 200,  404, 401),
    "api_transparency":(200,  200,     200,     200,  200,  200, 200, 200,  200, 401),
    "act_note":        (404,  404,     404,     302,  404,  302, 302, 302,  404, 302),
    "act_escalate":    (404,  404,     404,     302,  404,  302, 302, 302,  404, 302),
    "act_responders":  (404,  404,     404,     302,  404,  302, 302, 302,  404, 302),
    "api_note":        (404,  404,     404,     204,  404,  204, 204, 204,  404, 401),
    "api_escalate":    (404,  404,     404,     204,  404,  204, 204, 204,  404, 401),
    "api_responders":  (404,  404,     404,     204,  404,  204, 204, 204,  404, 401),
    "site_rules_form": (404,  404,     404,     404,  404,  404, 404, 200,  404, 302),
    "site_rules_save": (404,  404,     404,     404,  404,  404, 404, 302,  404, 302),
    "site_rules_try":  (404,  404,     404,     404,  404,  404, 404, 200,  404, 302),
    "api_site_rules":  (404,  404,     404,     404,  404,  404, 404, 200,  404, 401),
    "api_site_rules_put": (404, 404,   404,     404,  404,  404, 404, 200,  404, 401),
    "api_site_rules_try": (404, 404,   404,     404,  404,  404, 404, 200,  404, 401),
}
# fmt: on
MISSING = 987654321


RULE = "# No watches\ntype: submission\ntitle: [watches]\naction: filter\n"


@dataclass
class Scene:
    post: Post
    report: Report
    feedback: Feedback
    block: Block
    people: dict[str, Any]


def _scene() -> Scene:
    people: dict[str, Any] = {
        "member": make_person("max_member"),
        "reporter": make_person("rue_member"),
        "reported": make_person("rex_member"),
        "community_moderator": make_person("cam_member"),
        "other_moderator": make_person("oli_member"),
        "host": make_person("hal_member"),
        "site_moderator": make_person("sam_stone", Role.MODERATOR),
        "admin": make_person("ada_fern", Role.ADMIN),
        "clinician": make_person("cle_brook", Role.CLINICIAN),
    }
    room = quick_community(
        "Low days",
        Visibility.PUBLIC,
        host=people["host"],
        members=(people["member"], people["reporter"], people["reported"], people["community_moderator"]),
    )
    Membership.objects.filter(community=room, user=people["community_moderator"]).update(role=MemberRole.MODERATOR)
    other = quick_community("Elsewhere", Visibility.PUBLIC)
    Membership.objects.create(community=other, user=people["other_moderator"], role=MemberRole.MODERATOR)
    post = opening_post(start_thread(people["reported"], room, title="Deals", body="Buy cheap watches here"))
    report = report_file(actor=people["reporter"], post=post, writer_id=people["reported"].pk, reason="spam")
    feedback = feedback_submit(about="service", message="The night theme is hard to read on my phone.")
    block_from_post(actor=people["reporter"], post=post, writer_id=people["reported"].pk)
    block = Block.objects.get(blocker=people["reporter"])
    return Scene(post=post, report=report, feedback=feedback, block=block, people=people)


def _client(scene: Scene, actor: str) -> Client:
    return Client() if actor == "anonymous" else client_for(scene.people[actor])


def _api(scene: Scene, actor: str, action: str, report_id: int, post_id: int, block_id: int, slug: str) -> Any:
    caller = ApiClient() if actor == "anonymous" else api_for(scene.people[actor])
    if action == "api_rules":
        return caller.call("GET", f"/communities/{slug}/rules")
    if action == "api_rules_put":
        return caller.call("PUT", f"/communities/{slug}/rules", {"source": RULE, "enabled": True})
    if action == "api_rules_try":
        return caller.call("POST", f"/communities/{slug}/rules/dry-run", {"source": RULE})
    if action == "api_block":
        return caller.call("POST", "/blocks", {"post": post_id})
    if action == "api_blocks":
        return caller.call("GET", "/blocks")
    if action == "api_unblock":
        return caller.call("DELETE", f"/blocks/{block_id}")
    if action == "api_report":
        return caller.call("POST", "/reports", {"post": post_id, "reason": "harassment", "note": ""})
    if action == "api_mine":
        return caller.call("GET", "/reports/mine")
    if action == "api_queue":
        return caller.call("GET", "/moderation/queue")
    if action == "api_claim":
        return caller.call("POST", f"/moderation/reports/{report_id}/claim")
    if action == "api_release":
        return caller.call("DELETE", f"/moderation/reports/{report_id}/claim")
    if action == "api_away":
        return caller.call("PUT", "/moderation/away", {"away": True})
    if action in ("api_note", "api_escalate", "api_responders"):
        return caller.call("POST", f"/moderation/reports/{report_id}/{action[4:]}", {"note": "Looked twice"})
    if action == "api_site_rules":
        return caller.call("GET", "/moderation/site-rules")
    if action == "api_site_rules_put":
        return caller.call("PUT", "/moderation/site-rules", {"source": RULE, "enabled": True})
    if action == "api_site_rules_try":
        return caller.call("POST", "/moderation/site-rules/dry-run", {"source": RULE})
    if action == "api_log":
        return caller.call("GET", f"/communities/{slug}/moderation-log")
    if action == "api_transparency":
        return caller.call("GET", "/moderation/transparency")
    return caller.call("POST", f"/moderation/reports/{report_id}/decide", {"outcome": "keep", "reason": ""})


def _call(scene: Scene, actor: str, action: str, *, missing: bool = False) -> Any:
    report_id = MISSING if missing else scene.report.pk
    feedback_id = MISSING if missing else scene.feedback.pk
    post_id = MISSING if missing else scene.post.pk
    block_id = MISSING if missing else scene.block.pk
    slug = "no-such-place" if missing else scene.post.thread.community.slug
    if action.startswith("api_"):
        return _api(scene, actor, action, report_id, post_id, block_id, slug)
    client = _client(scene, actor)
    if action == "report_form":
        return client.get(reverse("moderation:report"), {"post": post_id})
    if action == "report_send":
        return client.post(reverse("moderation:report"), {"post": post_id, "reason": "harassment", "note": ""})
    if action == "mine":
        return client.get(reverse("moderation:mine"))
    if action == "queue":
        return client.get(reverse("moderation:queue"))
    if action == "decide":
        return client.post(reverse("moderation:decide", args=[report_id]), {"outcome": "keep", "reason": ""})
    if action == "claim":
        return client.post(reverse("moderation:claim", args=[report_id]), {"claim": "claim"})
    if action == "away":
        return client.post(reverse("moderation:away"), {"away": "on"})
    if action in ("act_note", "act_escalate", "act_responders"):
        return client.post(reverse("moderation:act", args=[report_id]), {"do": action[4:], "note": "Looked twice"})
    if action == "site_rules_form":
        return client.get(reverse("moderation:site_rules"))
    if action in ("site_rules_save", "site_rules_try"):
        button = "save" if action == "site_rules_save" else "dry_run"
        return client.post(reverse("moderation:site_rules"), {"source": RULE, "enabled": "on", button: "1"})
    if action == "log":
        return client.get(reverse("moderation:log", args=[slug]))
    if action == "transparency":
        return client.get(reverse("moderation:transparency"))
    if action == "feedback_form":
        return client.get(reverse("feedback"))
    if action == "block_form":
        return client.get(reverse("moderation:block"), {"post": post_id})
    if action == "block_send":
        return client.post(reverse("moderation:block"), {"post": post_id})
    if action == "blocked":
        return client.get(reverse("moderation:blocked"))
    if action == "unblock":
        return client.post(reverse("moderation:unblock", args=[block_id]))
    if action == "rules_form":
        return client.get(reverse("moderation:rules", args=[slug]))
    if action in ("rules_save", "rules_try"):
        button = "save" if action == "rules_save" else "dry_run"
        return client.post(reverse("moderation:rules", args=[slug]), {"source": RULE, "enabled": "on", button: "1"})
    return client.post(reverse("moderation:close_feedback", args=[feedback_id]), {"note": "Passed to the team"})


CELLS = [
    pytest.param(action, actor, TABLE[action][index], id=f"{action}-{actor}")
    for action in TABLE
    for index, actor in enumerate(ACTORS)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "actor", "expected"), CELLS)
def test_matrix(action: str, actor: str, expected: int) -> None:
    scene = _scene()
    response = _call(scene, actor, action)
    assert response.status_code == expected, response.content[:400]
    if expected == 302 and actor == "anonymous":
        assert "/accounts/login/" in response["Location"]
    scene.report.refresh_from_db()
    scene.feedback.refresh_from_db()
    acted = (
        (expected == 302 and actor != "anonymous")
        or expected in (201, 204)
        or (action in ("api_decide", "api_claim", "api_release", "api_away") and expected == 200)
    )
    assert (scene.report.status != ReportStatus.OPEN) == (action in ("decide", "api_decide") and acted)
    assert Block.objects.filter(pk=scene.block.pk).exists() != (action in ("unblock", "api_unblock") and acted)
    if action in ("block_send", "api_block"):
        assert Block.objects.filter(blocker=scene.people.get(actor), blocked=scene.people["reported"]).exists() == (
            acted or actor == "reporter"
        )
    assert (scene.feedback.status == "closed") == (action == "feedback_close" and acted)
    saved = RuleSet.objects.filter(community=scene.post.thread.community, enabled=True).exists()
    assert saved == (action in ("rules_save", "api_rules_put") and (acted or expected == 200))
    site_saved = RuleSet.objects.filter(community=None, enabled=True).exists()
    assert site_saved == (action in ("site_rules_save", "api_site_rules_put") and (acted or expected == 200))
    no_id = {"queue", "mine", "feedback_form", "api_queue", "api_mine", "blocked", "away", "api_away"}
    no_id |= {"transparency", "api_transparency", "site_rules_form", "site_rules_save", "site_rules_try"}
    no_id |= {"api_site_rules", "api_site_rules_put", "api_site_rules_try"}
    if expected == 404 and action not in no_id:
        # Exactly the answer for a report, feedback or post that does not exist.
        assert _call(scene, actor, action, missing=True).status_code == 404
    if action == "report_send" and expected == 200:
        assert Report.objects.filter(reporter=scene.people[actor], post=scene.post).exists() or actor == "reporter"
    assert Post.objects.get(pk=scene.post.pk).status == PostStatus.VISIBLE  # "keep" never removes
    report = Report.objects.get(pk=scene.report.pk)
    done = {
        "note": bool(report.moderator_note),
        "escalate": report.escalated_at is not None,
        "responders": report.handed_to_responders_at is not None,
    }
    for kind, happened in done.items():
        assert happened == (action in (f"act_{kind}", f"api_{kind}") and acted), kind
    claimed = Report.objects.filter(pk=scene.report.pk, claimed_by__isnull=False).exists()
    assert claimed == (action in ("claim", "api_claim") and acted)
    assert ModeratorAway.objects.exists() == (action in ("away", "api_away") and acted)


def test_the_table_covers_its_urls() -> None:
    """Every page and endpoint of reports, blocks, feedback and rules has its row here; sanctions and
    appeals have theirs in test_sanctions_matrix, which also checks the app's URLs and endpoints add
    up to both tables."""
    web = {"report_form", "report_send", "mine", "queue", "decide", "feedback_form", "feedback_close"}
    web |= {"block_form", "block_send", "blocked", "unblock", "rules_form", "rules_save", "rules_try"}
    api = {"api_report", "api_mine", "api_queue", "api_decide", "api_block", "api_blocks", "api_unblock"}
    api |= {"api_rules", "api_rules_put", "api_rules_try", "api_claim", "api_release", "api_away"}
    api |= {"api_log", "api_transparency", "api_site_rules", "api_site_rules_put", "api_site_rules_try"}
    api |= {"api_note", "api_escalate", "api_responders"}
    web |= {"claim", "away", "log", "transparency", "site_rules_form", "site_rules_save", "site_rules_try"}
    web |= {"act_note", "act_escalate", "act_responders"}
    assert set(TABLE) == web | api
