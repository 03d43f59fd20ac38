"""HTML forms for the listener training and settings. They only shape input; the rules (what a pass
is, what may be chosen) live in chat/training.py and chat/services/listeners.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import Topic
from alongside.chat.services.listeners import CAPACITY_MAX, CAPACITY_MIN, LANGUAGE_CHOICES
from alongside.chat.training import Lesson
from alongside.core.forms import PlainErrors


class QuizForm(PlainErrors, forms.Form):
    """One group of radio buttons per question (each in its own fieldset, the question its legend).
    Unanswered questions are left to the service, which names them kindly."""

    def __init__(self, *args: Any, lesson: Lesson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lesson = lesson
        for number, question in enumerate(lesson.questions, 1):
            self.fields[question.id] = forms.ChoiceField(
                label=_("%(number)d. %(question)s") % {"number": number, "question": question.text},
                choices=question.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class ConductForm(PlainErrors, forms.Form):
    agree = forms.BooleanField(
        label=_("I have read the code of conduct and I promise to keep to it."),
        error_messages={"required": _("Please tick the box to accept the code of conduct.")},
    )


class ListenerSettingsForm(PlainErrors, forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("Topics you would like to listen on"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People asking for a listener choose a topic; you are offered chats on the ones you tick."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can listen in"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Choose as many as you like (hold Ctrl or Cmd to pick more than one)."),
    )
    capacity = forms.IntegerField(
        label=_("How many chats you take at once"),
        required=False,
        widget=forms.NumberInput(attrs={"min": CAPACITY_MIN, "max": CAPACITY_MAX}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity"].help_text = _(
            "From %(min)d to %(max)d. One is fine: take only as many as you can give real attention to."
        ) % {"min": CAPACITY_MIN, "max": CAPACITY_MAX}
