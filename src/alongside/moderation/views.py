"""Reporting a post, blocking its writer, the review queue, a member's own reports and blocks, the
anonymous feedback form, and sanctions with their appeals. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts import selectors as account_selectors
from alongside.chat import selectors as chat_selectors
from alongside.communities import selectors as community_selectors
from alongside.communities.services import post_url
from alongside.core.errors import Invalid, NotFound, RateLimited, errors_as_messages, errors_into, require
from alongside.moderation import access, log, rules, sanctions, selectors, services
from alongside.moderation.automod import RuleSyntaxError, parse_rules
from alongside.moderation.enums import ReportReason, SanctionKind
from alongside.moderation.forms import (
    AppealDecideForm,
    AppealForm,
    BlockForm,
    CloseFeedbackForm,
    DecideForm,
    FeedbackForm,
    LiftForm,
    ReportForm,
    RulesForm,
    SanctionForm,
)


def _someone_elses_post(request: HttpRequest) -> tuple[Any, int | None]:
    """The post named by `?post=` (or the form), one the person may read and did not write, with
    its writer's id: what they report or block."""
    post, writer_id = community_selectors.post_for_worry(
        user=request.user, post_id=request.GET.get("post") or request.POST.get("post")
    )
    require(writer_id != request.user.pk, access.REASON_OWN_POST)
    return post, writer_id


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    post, writer_id = _someone_elses_post(request)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["reason"] == ReportReason.CRISIS:
            # Not a moderation matter: the safety responders' door, with the same post.
            return redirect(f"{reverse('safety:worried')}?post={post.pk}")
        with errors_into(form):
            try:
                services.report_file(
                    actor=request.user,
                    post=post,
                    writer_id=writer_id,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except RateLimited as limited:
                form.add_error(None, str(limited.message))
                status = 429
            else:
                return render(request, "moderation/report_done.html", {"link": post_url(post)})
    return render(
        request, "moderation/report.html", {"form": form, "post": post, "link": post_url(post)}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_message(request: HttpRequest, slug: str, seq: int) -> HttpResponse:
    """Report someone else's message in a community's live room (from the room's "Report" link)."""
    community, message = chat_selectors.room_message_to_report(request.user, slug=slug, seq=seq)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with errors_into(form):
                try:
                    filed = services.message_report_file(
                        actor=request.user,
                        slug=slug,
                        seq=seq,
                        reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                    )
                except RateLimited as limited:
                    form.add_error(None, str(limited.message))
                    status = 429
                else:
                    context = {
                        "link": reverse("chat:room", args=[slug]),
                        "back_label": _("Go back to the room"),
                        "to_responders": filed is None,
                    }
                    return render(request, "moderation/report_done.html", context)
    context = {"form": form, "community": community, "message": message}
    return render(request, "moderation/report_message.html", context, status=status)


@login_required
@require_POST
def decide_message(request: HttpRequest, report_id: int) -> HttpResponse:
    access.access_message_report(request.user, report_id)
    remove = request.POST.get("outcome") == "remove"
    form = DecideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    with errors_as_messages(request):
        count = services.message_report_decide(actor=request.user, report_id=report_id, remove=remove, reason=reason)
        done = (
            _("Removed. %(count)d reporter(s) will be told.")
            if remove
            else _("Left as it is. %(count)d reporter(s) will be told.")
        )
        messages.success(request, done % {"count": count})
    return redirect("moderation:queue")


@login_required
@require_http_methods(["GET", "POST"])
def block(request: HttpRequest) -> HttpResponse:
    post, writer_id = _someone_elses_post(request)
    form = BlockForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with errors_into(form):
                try:
                    report = services.block_from_post(
                        actor=request.user,
                        post=post,
                        writer_id=writer_id,
                        report_reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                    )
                except RateLimited as limited:
                    form.add_error(None, f"{limited.message} {_('You can block them now without a report.')}")
                    status = 429
                else:
                    done = _("Blocked. You won't see their posts, and they can't reply to your threads or mention you.")
                    if report is not None:
                        done = f"{done} {_('Your report has gone to the moderators.')}"
                    messages.success(request, done)
                    return redirect(post_url(post))
    context = {"form": form, "post": post, "link": post_url(post)}
    return render(request, "moderation/block.html", context, status=status)


@login_required
@require_GET
def blocked(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/blocked.html", {"blocks": account_selectors.blocks_of(request.user)})


@login_required
@require_POST
def unblock(request: HttpRequest, block_id: int) -> HttpResponse:
    services.unblock(actor=request.user, block_id=block_id)
    messages.success(request, _("Unblocked. You'll see their posts again."))
    return redirect("moderation:blocked")


@login_required
@require_http_methods(["GET", "POST"])
def community_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's rules: its hosts edit them, try them on the last 500 posts (changing nothing),
    and save them, turned on or off. Errors name their line."""
    return _rules_page(request, access.access_rules_community(request.user, slug))


@login_required
@require_http_methods(["GET", "POST"])
def site_rules(request: HttpRequest) -> HttpResponse:
    """The site's rules, for every community: the same page, for administrators."""
    access.access_site_rules(request.user)
    return _rules_page(request, None)


def _rules_page(request: HttpRequest, community: Any) -> HttpResponse:
    here = reverse("moderation:rules", args=[community.slug]) if community else reverse("moderation:site_rules")
    saved = selectors.rule_set(community=community)
    initial = {"source": saved.source, "enabled": saved.enabled} if saved else {}
    form = RulesForm(request.POST or None, initial=initial)
    status, tried = 200, None
    if request.method == "POST":
        status = 422
        if form.is_valid() and "dry_run" in request.POST:
            try:
                parsed = parse_rules(form.cleaned_data["source"])
            except RuleSyntaxError as error:
                for problem in error.errors:
                    form.add_error("source", str(problem))
            else:
                status, tried = 200, rules.dry_run(rules=parsed, community_id=community.pk if community else None)
        elif form.is_valid():
            with errors_into(form):
                services.rules_save(
                    actor=request.user,
                    community=community,
                    source=form.cleaned_data["source"],
                    enabled=form.cleaned_data["enabled"],
                )
                messages.success(request, _("Saved. The rules apply to new posts and replies while they are on."))
                return redirect(here)
    context = {
        "community": community,
        "here": here,
        "form": form,
        "saved": saved,
        "tried": tried,
        "limit": rules.DRY_RUN_ITEMS,
        "placeholders": ["author", "body", "title", "permalink", "match"],
    }
    return render(request, "moderation/rules.html", context, status=status)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    context = {
        "reports": selectors.my_reports(user=request.user),
        "chat_reports": chat_selectors.chat_reports_by(user=request.user),
        "message_reports": selectors.my_message_reports(user=request.user),
    }
    return render(request, "moderation/mine.html", context)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    reported = selectors.report_queue(viewer=request.user)
    context: dict[str, Any] = {
        "reported": selectors.with_context(reported[: selectors.QUEUE_PAGE]),
        "reported_more": max(0, len(reported) - selectors.QUEUE_PAGE),
        "history_days": selectors.HISTORY_DAYS,
        "feedback": selectors.feedback_queue(viewer=request.user)
        if access.check_site_moderator(request.user)
        else None,
        "held": [
            (post, selectors.is_upsetting(post, [])) for post in community_selectors.held_posts_for(user=request.user)
        ],
        "reported_messages": selectors.message_report_queue(viewer=request.user),
        "chat_reports": chat_selectors.chat_reports_open(viewer=request.user)
        if access.check_site_moderator(request.user)
        else None,
        "decide_form": DecideForm(),
        "close_form": CloseFeedbackForm(),
        "upsetting_today": selectors.upsetting_handled_today(viewer=request.user),
        "break_after": settings.MODERATION_BREAK_AFTER,
        "away": selectors.is_away(user=request.user),
        "claim_minutes": settings.MODERATION_CLAIM_MINUTES,
    }
    return render(request, "moderation/queue.html", context)


@login_required
@require_POST
def claim(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report(request.user, report_id)
    on = request.POST.get("claim") != "release"
    with errors_as_messages(request):
        services.report_claim(actor=request.user, report=report, on=on)
        messages.success(request, _("It's yours: others see you are looking at it.") if on else _("Let go."))
    return redirect("moderation:queue")


@login_required
@require_POST
def act(request: HttpRequest, report_id: int) -> HttpResponse:
    """Short of deciding: a note for the other moderators, send it up to the site moderators, or hand
    its writer to the safety responders."""
    report = access.access_report(request.user, report_id)
    what = request.POST.get("do")
    form = CloseFeedbackForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with errors_as_messages(request):
        if what == "escalate":
            services.report_escalate(actor=request.user, report=report, note=note)
            messages.success(request, _("Sent to the site moderators. They have been told."))
        elif what == "responders":
            services.report_to_responders(actor=request.user, report=report, note=note)
            messages.success(request, _("The safety responders have it now. It stays here for the post itself."))
        else:
            services.report_note(actor=request.user, report=report, note=note)
            messages.success(request, _("Note saved for the other moderators."))
    return redirect("moderation:queue")


@login_required
@require_POST
def away(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("away") == "on"
    services.away_set(actor=request.user, on=on)
    done = _("You're away: we won't remind you of waiting items.") if on else _("Welcome back.")
    messages.success(request, done)
    return redirect("moderation:queue")


@login_required
@require_POST
def decide(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report(request.user, report_id)
    remove = request.POST.get("outcome") == "remove"
    form = DecideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    with errors_as_messages(request):
        count = services.report_decide(actor=request.user, report=report, remove=remove, reason=reason)
        done = (
            _("Removed. %(count)d reporter(s) will be told.")
            if remove
            else _("Left up. %(count)d reporter(s) will be told.")
        )
        messages.success(request, done % {"count": count})
    return redirect("moderation:queue")


@login_required
@require_POST
def answer_chat_report(request: HttpRequest, report_id: int) -> HttpResponse:
    if not access.check_site_moderator(request.user):
        raise NotFound()
    form = CloseFeedbackForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with errors_as_messages(request):
        services.chat_report_answer(actor=request.user, report_id=report_id, note=note)
        messages.success(request, _("Answered. The person who reported it will be told."))
    return redirect("moderation:queue")


@login_required
@require_POST
def close_feedback(request: HttpRequest, feedback_id: int) -> HttpResponse:
    feedback = access.access_feedback(request.user, feedback_id)
    form = CloseFeedbackForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with errors_as_messages(request):
        services.feedback_close(actor=request.user, feedback=feedback, note=note)
        messages.success(request, _("Marked as dealt with."))
    return redirect("moderation:queue")


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    communities = list(community_selectors.community_directory(user=request.user).order_by("name"))
    form = FeedbackForm(request.POST or None, communities=[(c.slug, c.name) for c in communities])
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return render(request, "moderation/feedback_done.html")  # a robot: thanked, nothing kept
        if not ratelimit.consume(request, action="feedback"):
            form.add_error(
                None, _("We've had several messages from your connection in a short time. Please try again later.")
            )
            status = 429
        else:
            with errors_into(form):
                slug = form.cleaned_data["community"]
                services.feedback_submit(
                    about=form.cleaned_data["about"],
                    community=next((c for c in communities if c.slug == slug), None),
                    link=form.cleaned_data["link"],
                    message=form.cleaned_data["message"],
                    reply_to=form.cleaned_data["reply_to"],
                )
                return render(request, "moderation/feedback_done.html")
    if request.method == "POST" and status == 200:
        status = 422  # the form is shown again with what to change
    context = {"form": form, "contact_email": settings.FEEDBACK_CONTACT_EMAIL}
    return render(request, "moderation/feedback.html", context, status=status)


# --- Sanctions and appeals ---------------------------------------------------------------------


def _kinds_for(user: Any, community: Any) -> list[str]:
    return [kind for kind in SanctionKind.values if access.check_impose_sanction(user, community=community, kind=kind)]


@login_required
@require_http_methods(["GET", "POST"])
def sanction(request: HttpRequest) -> HttpResponse:
    """Warn, mute, ban (or, for administrators, suspend) the writer of `?post=`, a post in a community
    the moderator moderates; an anonymous writer stays anonymous to them."""
    post, writer_id = community_selectors.post_for_sanction(
        user=request.user, post_id=request.GET.get("post") or request.POST.get("post")
    )
    community = post.thread.community
    form = SanctionForm(request.POST or None, kinds=_kinds_for(request.user, community))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with errors_into(form):
                done = sanctions.sanction_impose(
                    actor=request.user,
                    community=community,
                    user_id=writer_id,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    days=form.cleaned_data["days"],
                    post=post,
                )
                messages.success(
                    request, _("Done: %(kind)s. They have been told why.") % {"kind": done.get_kind_display()}
                )
                return redirect("moderation:queue")
    context = {"form": form, "post": post, "community": community}
    return render(request, "moderation/sanction.html", context, status=status)


def _standing(request: HttpRequest, forms_by_id: dict[int, AppealForm], status: int = 200) -> HttpResponse:
    mine = sanctions.my_sanctions(user=request.user)
    entries = [
        (each, sanctions.describe(each), forms_by_id.get(each.pk) or AppealForm(auto_id=f"appeal-{each.pk}-%s"))
        for each in mine
    ]
    return render(request, "moderation/standing.html", {"entries": entries}, status=status)


@login_required
@require_GET
def standing(request: HttpRequest) -> HttpResponse:
    """The person's own sanctions: what, why, until when; acknowledge a warning; appeal once."""
    return _standing(request, {})


@login_required
@require_POST
def acknowledge(request: HttpRequest, sanction_id: int) -> HttpResponse:
    with errors_as_messages(request):
        sanctions.sanction_acknowledge(actor=request.user, sanction_id=sanction_id)
        messages.success(request, _("Thank you for reading it. You can write again."))
    return redirect("moderation:standing")


@login_required
@require_POST
def appeal(request: HttpRequest, sanction_id: int) -> HttpResponse:
    access.access_own_sanction(request.user, sanction_id)
    form = AppealForm(request.POST, auto_id=f"appeal-{sanction_id}-%s")
    if form.is_valid():
        with errors_into(form):
            sanctions.appeal_file(actor=request.user, sanction_id=sanction_id, text=form.cleaned_data["text"])
            messages.success(request, _("Your appeal is sent. You'll hear back in your notifications."))
            return redirect("moderation:standing")
    return _standing(request, {sanction_id: form}, status=422)


@login_required
@require_GET
def sanctions_list(request: HttpRequest) -> HttpResponse:
    """What is in force in the communities this person moderates, to lift."""
    if not access.check_review_queue(request.user):
        raise NotFound()
    in_force = sanctions.sanctions_in_force(viewer=request.user)
    return render(request, "moderation/sanctions.html", {"in_force": in_force, "form": LiftForm()})


@login_required
@require_POST
def lift(request: HttpRequest, sanction_id: int) -> HttpResponse:
    access.access_sanction_to_lift(request.user, sanction_id)
    form = LiftForm(request.POST)
    with errors_as_messages(request):
        sanctions.sanction_lift(
            actor=request.user, sanction_id=sanction_id, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
        messages.success(request, _("Lifted. They have been told."))
    return redirect("moderation:sanctions")


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    if not access.check_review_queue(request.user):
        raise NotFound()
    waiting = [(each, sanctions.describe(each.sanction)) for each in sanctions.appeals_to_decide(viewer=request.user)]
    return render(request, "moderation/appeals.html", {"waiting": waiting, "form": AppealDecideForm()})


@login_required
@require_POST
def decide_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    access.access_appeal(request.user, appeal_id)
    form = AppealDecideForm(request.POST)
    overturn = request.POST.get("outcome") == "overturn"
    with errors_as_messages(request):
        sanctions.appeal_decide(
            actor=request.user,
            appeal_id=appeal_id,
            overturn=overturn,
            response=form.cleaned_data["response"] if form.is_valid() else "",
        )
        messages.success(request, _("Answered. They have been told."))
    return redirect("moderation:appeals")


# --- The moderation log and the transparency summary ---------------------------------------------


@login_required
@require_GET
def community_log(request: HttpRequest, slug: str) -> HttpResponse:
    community, page, lines = log.moderation_log(viewer=request.user, slug=slug, page=request.GET.get("page", 1))
    return render(request, "moderation/log.html", {"community": community, "page": page, "lines": lines})


@login_required
@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    status, problem = 200, ""
    try:
        month = log.parse_month(request.GET.get("month"))
    except Invalid as error:
        status, problem = 400, " ".join(error.messages)
        month = log.parse_month("")
    context = {
        "summary": log.monthly_summary(viewer=request.user, month=month),
        "months": log.recent_months(),
        "problem": problem,
    }
    return render(request, "moderation/transparency.html", context, status=status)
