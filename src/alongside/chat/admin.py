"""Administrators decide on listener applications here. Every field of a listener profile is read
only; a waiting application's page has a decision and a reason, and saving it goes through
`listener_decide` (so the audit entry is always written). Nothing else is changed from here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from alongside.chat.enums import ListenerStatus
from alongside.chat.models import ListenerProfile
from alongside.chat.services import listeners as listener_services
from alongside.chat.training import LESSONS, listener_training_get
from alongside.core.errors import NotAllowed, field_errors
from alongside.core.forms import PlainErrors

APPROVE, DECLINE = "approve", "decline"
_REFUSED = "_listener_decision_refused"  # set on the request when the service refused the decision


class ListenerDecisionForm(PlainErrors, forms.ModelForm):  # type: ignore[type-arg]
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("No decision yet")), (APPROVE, _("Approve")), (DECLINE, _("Decline"))],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed for either decision. The applicant sees it, and it is kept in the audit log."),
    )

    class Meta:
        model = ListenerProfile
        fields: list[str] = []


@admin.register(ListenerProfile)
class ListenerProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ListenerDecisionForm
    list_display = ["user", "status", "applied_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__username"]
    ordering = ["-applied_at"]
    readonly_fields = [
        "user",
        "status",
        "training",
        "conduct_accepted_at",
        "applied_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "topics",
        "languages",
        "capacity",
    ]

    @admin.display(description=_("Lessons passed"))
    def training(self, obj: ListenerProfile) -> str:
        progress = listener_training_get(user=obj.user, profile=obj)
        rows = [
            (
                lesson.title,
                _("passed, %(score)d of %(total)d") % {"score": result.score, "total": len(lesson.questions)},
            )
            if (result := progress.passed.get(lesson.slug))
            else (lesson.title, _("not passed"))
            for lesson in LESSONS
        ]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(str(name) for name in self.readonly_fields)
        if obj is not None and obj.status == ListenerStatus.PENDING:
            fields += ("decision", "reason")
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        try:
            listener_services.listener_decide(
                actor=request.user,  # type: ignore[arg-type]
                profile=obj,
                approve=decision == APPROVE,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            setattr(request, _REFUSED, True)
            for problems in field_errors(error).values():
                for problem in problems:
                    self.message_user(request, problem, messages.ERROR)
        except NotAllowed as refused:
            setattr(request, _REFUSED, True)
            self.message_user(request, str(refused.message), messages.ERROR)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if getattr(request, _REFUSED, False):
            return HttpResponseRedirect(request.path)  # back to the form, with the service's reason
        return super().response_change(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people apply through the training pages

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
