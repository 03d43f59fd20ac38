"""Forms of the chat pages. Every write goes through chat.services; these only parse."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import SPOKEN_LANGUAGES, Topic
from alongside.accounts.selectors import user_display_name
from alongside.chat.models import MESSAGE_MAX_CHARS
from alongside.chat.services.conversations import FEEDBACK_MAX_CHARS, NOTE_MAX_CHARS
from alongside.core.forms import PlainErrors


class SupportRequestForm(PlainErrors, forms.Form):
    language = forms.ChoiceField(label=_("Language you'd like to talk in"), choices=SPOKEN_LANGUAGES)
    topic = forms.ChoiceField(
        label=_("What would you like to talk about? (optional)"),
        choices=[("", _("I'd rather not say")), *Topic.choices],
        required=False,
    )
    first_message = forms.CharField(
        label=_("Anything you'd like your listener to know first? (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MESSAGE_MAX_CHARS,
        required=False,
        help_text=_("You can start writing now; your listener reads it when they join."),
    )
    listener = forms.TypedChoiceField(
        label=_("Who would you like to talk with?"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, previous_listeners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previous = {person.pk: person for person in previous_listeners}
        if previous_listeners:
            cast(forms.ChoiceField, self.fields["listener"]).choices = [("", _("Whoever is free first"))] + [
                (
                    person.pk,
                    _("%(name)s again (we ask them first, then anyone free)") % {"name": user_display_name(person)},
                )
                for person in previous_listeners
            ]
        else:
            del self.fields["listener"]


class MessageForm(PlainErrors, forms.Form):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MESSAGE_MAX_CHARS
    )
    client_id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)


class RatingForm(PlainErrors, forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How was this chat for you?"),
        coerce=int,
        choices=[(5, _("5: it really helped")), (4, "4"), (3, "3"), (2, "2"), (1, _("1: it didn't help"))],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("Anything you'd like to tell us? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=FEEDBACK_MAX_CHARS,
        required=False,
        help_text=_("Your listener sees only an average of many ratings, never yours on its own."),
    )


class NoteForm(PlainErrors, forms.Form):
    note = forms.CharField(
        label=_("A note for responders (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_MAX_CHARS,
        required=False,
    )


class ReportForm(PlainErrors, forms.Form):
    reason = forms.CharField(
        label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=NOTE_MAX_CHARS
    )
