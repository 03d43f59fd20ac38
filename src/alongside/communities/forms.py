"""HTML forms for communities. They only shape input; the rules live in services and access."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.accounts import selectors as account_selectors
from alongside.accounts.enums import Topic
from alongside.communities import presenters
from alongside.communities.models import ContentWarning, MemberRole, Visibility
from alongside.core.forms import PlainErrors

if TYPE_CHECKING:
    from alongside.accounts.models import User

BODY_HELP = _(
    "You can use Markdown: *italic*, **bold**, > for a quote, - for a list. "
    "Write @pseudonym to let someone know you mentioned them."
)
ANONYMOUS_HELP = _("Other members see 'Anonymous member'. Moderators can still see it is you.")
WARNINGS_HELP = _(
    "If your post talks about any of these, tick them. Readers who prefer it will see your post folded away "
    "until they choose to open it."
)


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes whose container carries the widget's class (for the grid), not each box."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"].pop("class", None)
        return option


def _content_warnings_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Content warnings"),
        choices=ContentWarning.choices,
        required=False,
        widget=CheckboxList(attrs={"class": "checkbox-list"}),
        help_text=WARNINGS_HELP,
    )


def _body_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
        # The service gives the kind error message; the browser must not block first.
        required=False,
        max_length=20000,
    )


class ThreadForm(PlainErrors, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    body = _body_field(_("What would you like to share?"))
    content_warnings = _content_warnings_field()
    is_anonymous = forms.BooleanField(label=_("Post anonymously"), required=False, help_text=ANONYMOUS_HELP)


class ReplyForm(PlainErrors, forms.Form):
    body = _body_field(_("Your reply"))
    content_warnings = _content_warnings_field()
    is_anonymous = forms.BooleanField(label=_("Reply anonymously"), required=False, help_text=ANONYMOUS_HELP)
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostEditForm(PlainErrors, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    body = _body_field(_("Message"))
    content_warnings = _content_warnings_field()

    def __init__(self, *args: Any, with_title: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]


class ReactionForm(PlainErrors, forms.Form):
    """The button pressed: "<kind>:on" or "<kind>:off", the state it asks for, so a form sent twice
    never undoes itself."""

    set = forms.RegexField(regex=r"\A[a-z_]{1,20}:(on|off)\Z")

    def clean_set(self) -> tuple[str, bool]:
        kind, state = self.cleaned_data["set"].split(":")
        return kind, state == "on"


class PostDeleteForm(PlainErrors, forms.Form):
    reason = forms.CharField(
        label=_("Reason (for the moderation log)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author does not see this."),
    )

    def __init__(self, *args: Any, with_reason: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_reason:
            del self.fields["reason"]


class RevealForm(PlainErrors, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to know who wrote this?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("This is kept in the audit log, with your name, every time."),
        required=False,
    )


class ThreadFlagForm(PlainErrors, forms.Form):
    """Lock/unlock or pin/unpin: the value to set."""

    value = forms.BooleanField(required=False)


class ThreadNotifyForm(PlainErrors, forms.Form):
    """Follow/stop following or mute/unmute: the value to set, and the page to come back to."""

    value = forms.BooleanField(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=2**31)


class ReviewForm(PlainErrors, forms.Form):
    reason = forms.CharField(label=_("Note for the log (optional)"), required=False, max_length=500)


class _PseudonymForm(PlainErrors, forms.Form):
    pseudonym = forms.CharField(label=_("Pseudonym"), max_length=30)

    def clean_pseudonym(self) -> User:
        person = account_selectors.user_by_pseudonym(self.cleaned_data["pseudonym"])
        if person is None:
            raise forms.ValidationError(_("No one has that pseudonym."))
        return person


class InviteForm(_PseudonymForm):
    prefix = "invite"


class BanForm(_PseudonymForm):
    prefix = "ban"
    reason = forms.CharField(
        label=_("Reason (for the moderation log)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RoleForm(_PseudonymForm):
    prefix = "role"
    role = forms.ChoiceField(label=_("Role in this community"), choices=MemberRole.choices)


class CommunityEditForm(PlainErrors, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    rules = forms.CharField(
        label=_("Rules"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One rule per line. They are shown numbered, in this order."),
    )
    visibility = forms.ChoiceField(label=_("Who can see it"), choices=Visibility.choices, widget=forms.RadioSelect)
    hold_risky_posts = forms.BooleanField(
        label=_("Hold posts that read as high risk until a moderator looks"),
        required=False,
        help_text=_(
            "Either way the writer is offered support at once and responders are told. Off: the post "
            "appears as usual, so others can answer it too."
        ),
    )

    hold_new_first_posts = forms.BooleanField(
        label=_("Hold a new account's first post here until a moderator looks"),
        required=False,
        help_text=_("New accounts are those in their first days on Alongside. The writer is told it is waiting."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = presenters.visibility_choices()  # type: ignore[attr-defined]

    def clean_rules(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["rules"].splitlines() if line.strip()]


class ReadingPreferenceForm(PlainErrors, forms.Form):
    collapsed_warnings = forms.MultipleChoiceField(
        label=_("Always collapse posts about…"),
        choices=ContentWarning.choices,
        required=False,
        widget=CheckboxList(attrs={"class": "checkbox-list"}),
        help_text=_("Posts with these warnings stay folded until you choose to open them. Nothing is hidden for good."),
    )


class TopicsForm(PlainErrors, forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("What brings you here?"),
        choices=Topic.choices,
        required=False,
        widget=CheckboxList(attrs={"class": "checkbox-list"}),
        help_text=_(
            "Optional. Only used to suggest communities for you; nobody else sees it. "
            "You can change it any time on your profile."
        ),
    )


class SearchForm(PlainErrors, forms.Form):
    q = forms.CharField(label=_("Search communities and posts"), max_length=200, required=False)


class ExperienceForm(PlainErrors, forms.Form):
    """A moderator's note on a post: shared experience, not professional advice."""

    resource = forms.CharField(
        label=_("A better resource (optional)"),
        help_text=_("A web address (https://…) or an address on this site, such as /help/."),
        max_length=300,
        required=False,
    )
