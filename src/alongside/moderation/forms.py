from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.core.forms import PlainErrors
from alongside.moderation import sanctions, services
from alongside.moderation.enums import FeedbackAbout, ReportReason, SanctionKind


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


class SanctionForm(PlainErrors, forms.Form):
    kind = forms.ChoiceField(label=_("What to do"), widget=forms.RadioSelect)
    days = forms.IntegerField(
        label=_("For how many days?"),
        help_text=_("A mute lasts 1 to 28 days. Leave it empty for a ban or suspension until you lift it."),
        required=False,
        min_value=1,
        max_value=sanctions.MAX_DAYS,
    )
    reason = forms.CharField(
        label=_("Why (the person reads this)"),
        help_text=_("Plain, kind words: what was wrong, and what would be fine instead."),
        max_length=sanctions.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [
            (SanctionKind.WARN, _("Warn: a message they must read before writing here again")),
            (SanctionKind.MUTE, _("Mute here: they can read, but not write")),
            (SanctionKind.BAN, _("Ban from this community")),
            (SanctionKind.SUSPEND, _("Suspend from the whole site: they can read, but not write anywhere")),
        ]
        kind.choices = [choice for choice in kind.choices if choice[0] in kinds]


class LiftForm(PlainErrors, forms.Form):
    reason = forms.CharField(label=_("Why lift it (for the log)"), max_length=sanctions.REASON_MAX_CHARS)


class AppealForm(PlainErrors, forms.Form):
    text = forms.CharField(
        label=_("Why do you think this was wrong?"),
        help_text=_("In your own words. A different moderator from the one who acted will read it."),
        max_length=sanctions.APPEAL_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealDecideForm(PlainErrors, forms.Form):
    response = forms.CharField(
        label=_("Your answer (the person reads it)"),
        max_length=sanctions.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
