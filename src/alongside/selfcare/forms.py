from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.core.forms import PlainErrors
from alongside.selfcare import services
from alongside.selfcare.enums import Feeling, Mood


class EntryForm(PlainErrors, forms.Form):
    title = forms.CharField(label=_("Title (optional)"), max_length=services.TITLE_MAX, required=False)
    body = forms.CharField(
        label=_("What's on your mind?"),
        help_text=_("Only you can read this. You can use Markdown: *italic*, **bold**, lists with -."),
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    mood = forms.ChoiceField(
        label=_("How are you feeling? (optional)"),
        choices=[("", _("I'd rather not say")), *Mood.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    tags = forms.CharField(
        label=_("Tags (optional)"),
        help_text=_("Words to find it again, separated by commas: sleep, work, family."),
        max_length=services.TAGS_MAX * (services.TAG_MAX + 2),
        required=False,
    )


class SearchForm(PlainErrors, forms.Form):
    q = forms.CharField(label=_("Search your journal"), max_length=200, required=False)


class SettingsForm(PlainErrors, forms.Form):
    screen_for_crisis = forms.BooleanField(
        label=_("If something I write sounds like I'm in crisis, show me where to get help"),
        help_text=_(
            "Off unless you turn it on. Your words are read by the same check that reads posts; if they "
            "sound like a crisis, you see crisis lines and a way to talk to someone. Nobody else is told."
        ),
        required=False,
    )
    quiet_start = forms.TypedChoiceField(
        label=_("Quiet hours: no reminders from"),
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
    )
    quiet_end = forms.TypedChoiceField(
        label=_("until"), choices=[(hour, f"{hour:02d}:00") for hour in range(24)], coerce=int
    )


class CheckInForm(PlainErrors, forms.Form):
    mood = forms.ChoiceField(label=_("How are you right now?"), choices=Mood.choices, widget=forms.RadioSelect)
    feelings = forms.MultipleChoiceField(
        label=_("Any of these? (optional)"),
        choices=Feeling.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("A note (optional)"),
        max_length=services.NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tags = forms.CharField(
        label=_("What did you do today? (optional)"),
        help_text=_("Separated by commas: walk, called a friend, slept well."),
        max_length=services.TAGS_MAX * (services.TAG_MAX + 2),
        required=False,
    )


class EraseForm(PlainErrors, forms.Form):
    sure = forms.BooleanField(
        label=_("I understand: my journal, my mood check-ins and their settings will be gone for good"),
        error_messages={"required": _("Please tick the box to say you're sure. Nothing has been erased.")},
    )


class GoalForm(PlainErrors, forms.Form):
    title = forms.CharField(
        label=_("Your goal"), max_length=150, help_text=_("Something small and kind to yourself is fine.")
    )
    why = forms.CharField(
        label=_("Why it matters to you (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    steps = forms.CharField(
        label=_("Small steps (optional), one a line"),
        required=False,
        max_length=20 * 202,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = forms.DateField(
        label=_("By when (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    remind = forms.BooleanField(label=_("Send me a gentle reminder once a day"), required=False)
    remind_hour = forms.TypedChoiceField(
        label=_("At about"),
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
        initial=19,
        help_text=_("Never during your quiet hours (22:00 to 08:00 unless you change them in the journal settings)."),
    )


class ShareGoalForm(PlainErrors, forms.Form):
    community = forms.ChoiceField(label=_("Which community?"))
    message = forms.CharField(
        label=_("What you'd like to say"),
        help_text=_("Everyone who can read the community will see this, with your name."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, communities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = communities
