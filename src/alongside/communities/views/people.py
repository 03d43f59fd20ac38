"""A person's page, as other members see it (where a mention of them leads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alongside.accounts import selectors as account_selectors
from alongside.communities import presenters, selectors
from alongside.core.errors import NotFound


@login_required
@require_GET
def person(request: HttpRequest, pseudonym: str) -> HttpResponse:
    """Name, pseudonym, pronouns and staff badge; nothing else of the profile. Only for people the
    reader may look up (selectors.people_seen_by); anyone else is not found, existing or not."""
    among = account_selectors.users_by_pseudonyms([pseudonym]).select_related("profile")
    someone = selectors.people_seen_by(user=request.user, among=among).first()
    if someone is None:
        raise NotFound
    return render(request, "communities/person.html", {"person": someone, "author": presenters.person(someone)})
