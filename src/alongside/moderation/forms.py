from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.core.forms import PlainErrors
from alongside.moderation import services
from alongside.moderation.enums import FeedbackAbout, ReportReason


class ReportForm(PlainErrors, forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything a moderator should know? (optional)"),
        help_text=_("Only moderators read this. The person is never told who reported them."),
        max_length=services.NOTE_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BlockForm(PlainErrors, forms.Form):
    also_report = forms.BooleanField(label=_("Also report this post to the moderators"), required=False)
    reason = forms.ChoiceField(
        label=_("If you report it: what is wrong with it?"),
        choices=[(value, label) for value, label in ReportReason.choices if value != ReportReason.CRISIS],
        widget=forms.RadioSelect,
        required=False,
    )
    note = ReportForm.base_fields["note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("also_report") and not data.get("reason"):
            self.add_error("reason", _("Please choose what is wrong with it, or untick “Also report”."))
        if not data.get("also_report"):
            data["reason"], data["note"] = "", ""
        return data


class DecideForm(PlainErrors, forms.Form):
    reason = forms.CharField(
        label=_("Reason (the reporters see it)"),
        max_length=services.NOTE_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseFeedbackForm(PlainErrors, forms.Form):
    note = forms.CharField(
        label=_("What you did (for the other moderators)"), max_length=services.NOTE_MAX_CHARS, required=False
    )


class FeedbackForm(PlainErrors, forms.Form):
    about = forms.ChoiceField(label=_("What is this about?"), choices=FeedbackAbout.choices, widget=forms.RadioSelect)
    community = forms.ChoiceField(label=_("Which community? (optional)"), required=False)
    link = forms.CharField(
        label=_("A link to the post or page (optional)"),
        help_text=_("Copy it from your browser's address bar."),
        max_length=services.LINK_MAX_CHARS,
        required=False,
    )
    message = forms.CharField(
        label=_("What happened?"),
        max_length=services.FEEDBACK_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reply_to = forms.CharField(
        label=_("An e-mail address for a reply (optional)"),
        help_text=_("Leave it empty to stay anonymous. Only site moderators see it."),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The honeypot: hidden from people (and from screen readers), filled in by form-filling robots.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args: Any, communities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, forms.ChoiceField)
        community.choices = [("", _("None in particular")), *communities]


class RulesForm(PlainErrors, forms.Form):
    source = forms.CharField(
        label=_("Rules, in AutoModerator's format"),
        help_text=_("Separate rules with a line of three dashes (---). Problems are shown with their line."),
        max_length=services.RULES_MAX_CHARS,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
    )
    enabled = forms.BooleanField(label=_("Apply these rules to new posts and replies"), required=False)
