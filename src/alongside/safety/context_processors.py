"""For every page: the responders' count in the header (events nobody has picked up yet, for on-duty
responders only), and whether to show the support panel once after someone wrote words that read as
high risk (`services.support`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from alongside.safety.selectors import risk_queue_count
from alongside.safety.services.support import take_support_offer


def responders(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # Lazy: only pages that render the header pay for it (`risk_queue.responder` is False for everyone else).
    return {
        "risk_queue": SimpleLazyObject(lambda: risk_queue_count(viewer=user)),
        "support_offer": SimpleLazyObject(lambda: take_support_offer(request)),
    }
