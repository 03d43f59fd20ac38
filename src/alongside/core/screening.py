"""The content screening pipeline: every piece of user content passes through it before it is saved.

Contract (later apps rely on it):
- A service calls `screen_content(text=..., author=..., kind=...)` *before* saving the content,
  inside the same transaction.
- It returns a `ScreeningDecision`: `allow` (publish), `flag` (publish, and put it in front of
  moderators), or `hold` (save it, but keep it out of everyone's view except the author's until
  a moderator reviews it). Screening never deletes or silently drops what someone wrote.
- Every decision carries its reasons: which check, which rule, and a score where the check has
  one, so the person who reviews it can see why; `data` holds a check's structured detail (the
  crisis check's full assessment) for the service to act on after saving.
- `context` says where and by whom the text is written (`safety.enums.AssessContext` values: a
  listener's words in a chat, a reply to someone), so a check can read support as support.
- `where` carries what a check with per-place rules needs about the place (communities pass the
  community, the thread's title and opener, whether it is an edit); `earlier` holds the reasons
  of the checks listed before this one (the moderation rules read the crisis check's level).
- The checks are listed in `settings.SCREENING_PIPELINE`; each is a function taking a
  `ScreeningInput` and returning a list of `ScreeningReason`. The strictest action wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from alongside.core.models import BlockedTerm, ScreeningAction

_SEVERITY = {ScreeningAction.ALLOW: 0, ScreeningAction.FLAG: 1, ScreeningAction.HOLD: 2}


@dataclass(frozen=True)
class ScreeningInput:
    text: str
    author: Any | None = None
    kind: str = ""  # what is being written, e.g. "profile", "thread", "reply", "message"
    context: str = ""  # where and by whom, e.g. "reply", "listener_chat" (see the module docstring)
    where: Mapping[str, Any] | None = None
    earlier: tuple[ScreeningReason, ...] = ()


@dataclass(frozen=True)
class ScreeningReason:
    check: str  # which check produced it, e.g. "blocked_terms"
    action: ScreeningAction
    rule: str  # which rule inside the check, e.g. the matched term
    score: float | None = None
    detail: str = ""
    data: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The reason as stored beside the content, for reviewers."""
        stored: dict[str, Any] = {
            "check": self.check,
            "action": str(self.action),
            "rule": self.rule,
            "score": self.score,
            "detail": self.detail,
        }
        if self.data is not None:
            stored["data"] = dict(self.data)
        return stored


@dataclass(frozen=True)
class ScreeningDecision:
    action: ScreeningAction
    reasons: list[ScreeningReason] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.action == ScreeningAction.ALLOW

    @property
    def held(self) -> bool:
        return self.action == ScreeningAction.HOLD

    def reason_from(self, check: str) -> ScreeningReason | None:
        return next((r for r in self.reasons if r.check == check), None)

    def stored_reasons(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.reasons]


class ScreeningCheck(Protocol):
    def __call__(self, content: ScreeningInput, /) -> list[ScreeningReason]: ...


def normalise(text: str) -> str:
    """Fold look-alike characters and case, and collapse whitespace, before matching."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", folded)


def blocked_terms_check(content: ScreeningInput) -> list[ScreeningReason]:
    text = normalise(content.text)
    reasons = []
    for term in BlockedTerm.objects.all():
        needle = normalise(term.term).strip()
        if not needle:
            continue
        # Word edges are anything but a letter or digit, so "_" and "-" separate words in names too.
        pattern = rf"(?<![^\W_]){re.escape(needle)}(?![^\W_])" if term.whole_word else re.escape(needle)
        if re.search(pattern, text):
            reasons.append(
                ScreeningReason(
                    check="blocked_terms",
                    action=ScreeningAction(term.action),
                    rule=term.term,
                    detail=term.note,
                )
            )
    return reasons


def screen_content(
    *, text: str, author: Any | None = None, kind: str = "", context: str = "", where: Mapping[str, Any] | None = None
) -> ScreeningDecision:
    reasons: list[ScreeningReason] = []
    for path in settings.SCREENING_PIPELINE:
        check: ScreeningCheck = import_string(path)
        content = ScreeningInput(
            text=text, author=author, kind=kind, context=context, where=where, earlier=tuple(reasons)
        )
        reasons.extend(check(content))
    action = max((r.action for r in reasons), key=_SEVERITY.__getitem__, default=ScreeningAction.ALLOW)
    return ScreeningDecision(action=ScreeningAction(action), reasons=reasons)
