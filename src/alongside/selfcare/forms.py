from __future__ import annotations

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
