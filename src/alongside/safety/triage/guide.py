"""The triage guide's conversation: what it remembers between steps, and what it says.

The conversation is a form post per step. Between steps the guide keeps a small state in the
session: the step, the suggested destination, the keys of the cues it recognised, whether to show
the support panel, and the ids of fitting communities. Never the person's words: they are read
once, on the post that carries them, and forgotten when it has been answered.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.safety.triage import communities as triage_communities
from alongside.safety.triage.cues import cue_named
from alongside.safety.triage.destinations import EXERCISE_SLUGS, Destination
from alongside.safety.triage.routing import Route, chosen, triage

SESSION_KEY = "safety_triage_guide"
MAX_CHARS = 1000
NAMED_CUES = 2  # "You mentioned A and B; ..." names at most this many

ASK, SUGGEST = "ask", "suggest"

# The quick choices, in the person's own voice, for someone who would rather not write.
CHOICES: tuple[tuple[str, Promise], ...] = (
    (Destination.LISTENER, gettext_lazy("I'd like to talk to someone")),
    (Destination.COMMUNITY, gettext_lazy("I'd like to hear from people who've been there")),
    (Destination.BREATHING, gettext_lazy("I feel tense or panicky and want to calm down")),
    (Destination.GROUNDING, gettext_lazy("I feel overwhelmed or far away and want to feel steadier")),
    (Destination.THOUGHT_RECORD, gettext_lazy("A thought keeps going round and I'd like to untangle it")),
)

# Why a destination tends to help: the second half of "You mentioned ...; <why>."
_WHY: dict[str, Promise] = {
    Destination.LISTENER: gettext_lazy("talking it through with a trained peer listener can help with that"),
    Destination.COMMUNITY: gettext_lazy("hearing from people who've been through something similar often helps"),
    Destination.BREATHING: gettext_lazy("people often find a slow breathing exercise helps with that"),
    Destination.GROUNDING: gettext_lazy(
        "people often find a 5-4-3-2-1 grounding exercise helps them feel back in the here and now"
    ),
    Destination.THOUGHT_RECORD: gettext_lazy(
        "writing the thought down and looking at it gently, in a thought record, often helps with that"
    ),
}
_WHY_CHOSEN: dict[str, Promise] = {
    Destination.LISTENER: gettext_lazy("You said you'd like to talk to someone."),
    Destination.COMMUNITY: gettext_lazy("You said you'd like to hear from people who've been there."),
    Destination.BREATHING: gettext_lazy("You said you feel tense and want to calm down."),
    Destination.GROUNDING: gettext_lazy("You said you feel overwhelmed or far away."),
    Destination.THOUGHT_RECORD: gettext_lazy("You said a thought keeps going round."),
}
_ACTION: dict[str, Promise] = {
    Destination.LISTENER: gettext_lazy("Ask to talk with a listener"),
    Destination.COMMUNITY: gettext_lazy("Browse all communities"),
    Destination.BREATHING: gettext_lazy("Start the breathing exercise"),
    Destination.GROUNDING: gettext_lazy("Start the grounding exercise"),
    Destination.THOUGHT_RECORD: gettext_lazy("Open the thought record"),
}
_ABOUT: dict[str, Promise] = {
    Destination.LISTENER: gettext_lazy(
        "A one-to-one private chat with a peer listener who has done our training. You may wait a little."
    ),
    Destination.COMMUNITY: gettext_lazy("Groups of people going through something similar: read, post or reply."),
    Destination.BREATHING: gettext_lazy("One minute of slow breathing: in for 4, out for 6."),
    Destination.GROUNDING: gettext_lazy("Notice 5 things you can see, 4 you can touch, and so on, at your own pace."),
    Destination.THOUGHT_RECORD: gettext_lazy("A worksheet to look at a hard thought and find a kinder one."),
}


@dataclass(frozen=True)
class GuideState:
    """What the guide remembers between steps (see the module docstring: never the words)."""

    step: str = ""  # "" (not started), ASK (not sure: asks which is closest) or SUGGEST
    destination: str = ""
    cues: tuple[str, ...] = ()
    method: str = ""
    support: bool = False
    communities: tuple[int, ...] = ()

    def as_session(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "destination": self.destination,
            "cues": list(self.cues),
            "method": self.method,
            "support": self.support,
            "communities": list(self.communities),
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any] | None) -> GuideState:
        """Forgiving: anything unexpected (an older shape, a hand-made cookie) means "not started"."""
        if not isinstance(data, Mapping):
            return cls()
        try:
            step = str(data.get("step", ""))
            destination = str(data.get("destination", "") or "")
            if step not in {ASK, SUGGEST} or (destination and destination not in Destination.values):
                return cls()
            return cls(
                step=step,
                destination=destination,
                cues=tuple(str(key) for key in data.get("cues", []) if cue_named(str(key))),
                method=str(data.get("method", "")),
                support=bool(data.get("support", False)),
                communities=tuple(int(pk) for pk in data.get("communities", [])),
            )
        except (TypeError, ValueError):
            return cls()


def guide_state_get(session: Mapping[str, Any]) -> GuideState:
    return GuideState.from_session(session.get(SESSION_KEY))


def guide_state_set(session: MutableMapping[str, Any], state: GuideState) -> None:
    session[SESSION_KEY] = state.as_session()


def guide_state_clear(session: MutableMapping[str, Any]) -> None:
    session.pop(SESSION_KEY, None)


def _state_of(route: Route, *, community_ids: list[int]) -> GuideState:
    return GuideState(
        step=SUGGEST if route.destination else ASK,
        destination=route.destination or "",
        cues=route.cues,
        method=route.method,
        support=route.shows_support,
        communities=tuple(community_ids),
    )


def state_from_words(*, user: Any, text: str) -> GuideState:
    """Read what someone wrote (the crisis classifier first, then the router) and decide the next
    step. `text` is not kept anywhere."""
    route = triage(text)
    community_ids: list[int] = []
    if not route.shows_support:
        # Beside another suggestion, only a community that fits closely is mentioned.
        strong = route.destination != Destination.COMMUNITY
        community_ids = triage_communities.communities_for_text(user=user, text=text, strong=strong)
    return _state_of(route, community_ids=community_ids)


def state_from_choice(*, user: Any, destination: str) -> GuideState:
    route = chosen(destination)
    community_ids = (
        triage_communities.communities_to_browse(user=user) if route.destination == Destination.COMMUNITY else []
    )
    return _state_of(route, community_ids=community_ids)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def explanation(state: GuideState) -> str:
    """Why the guide suggests what it suggests, in the guide's words (never the person's)."""
    destination = state.destination
    if state.support:
        return _(
            "Some of what you wrote sounds really heavy, so before anything else, here are people you can reach "
            "right now. You don't have to be in immediate danger to contact them."
        )
    if state.method == "choice":
        return str(_WHY_CHOSEN[destination]) + " " + _("Here's a place to start.")
    gists = []
    for key in state.cues:
        cue = cue_named(key)
        if cue is not None and cue.gist is not None and cue.weights.get(destination, 0) > 0:
            gists.append(str(cue.gist))
    why = str(_WHY[destination])
    if gists:
        return _("You mentioned %(things)s; %(why)s.") % {"things": _join(gists[:NAMED_CUES]), "why": why}
    return _("From what you wrote, this seems the closest fit: %(why)s.") % {"why": why}


@dataclass(frozen=True)
class Suggestion:
    """One place the guide can point to, as the page shows it."""

    destination: str
    title: str
    about: str
    action: str
    url: str
    communities: list[Any] = field(default_factory=list)


def destination_url(destination: str) -> str:
    if destination == Destination.LISTENER:
        return reverse("chat:start")
    if destination == Destination.COMMUNITY:
        return reverse("communities:directory")
    if destination == Destination.CRISIS:
        return reverse("safety:help")
    return reverse("safety:exercise", kwargs={"slug": EXERCISE_SLUGS[destination]})


def suggestion_for(destination: str, *, communities: list[Any] | None = None) -> Suggestion:
    return Suggestion(
        destination=destination,
        title=str(Destination(destination).label),
        about=str(_ABOUT[destination]),
        action=str(_ACTION[destination]),
        url=destination_url(destination),
        communities=communities or [],
    )


def page_context(*, user: Any, state: GuideState) -> dict[str, Any]:
    """What the guide's page shows for this state."""
    context: dict[str, Any] = {"state": state, "choices": CHOICES, "max_chars": MAX_CHARS}
    if state.step != SUGGEST:
        return context
    if state.support:
        # The panel comes first; then gentle things to do while reaching out, never a community list.
        context["others"] = [suggestion_for(d) for d in (Destination.LISTENER, Destination.GROUNDING)]
        context["others"].append(suggestion_for(Destination.BREATHING))
        context["explanation"] = explanation(state)
        return context
    found = triage_communities.communities_by_id(user=user, ids=state.communities)
    context["suggestion"] = suggestion_for(state.destination, communities=found)
    context["explanation"] = explanation(state)
    context["others"] = [suggestion_for(d) for d, _label in CHOICES if d != state.destination]
    if found and state.destination != Destination.COMMUNITY:
        context["fitting_communities"] = found
    return context
