"""JSON API for the safety plan (mobile apps): read your own plan, and make or replace it. The same
rules as the pages (`access.plans`): a plan is its owner's alone, so these endpoints only ever
touch the caller's own plan, and nothing here can reach anyone else's."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema

from alongside.core.api import Input, Text, responses
from alongside.safety import selectors
from alongside.safety.services import plans as services

if TYPE_CHECKING:
    from alongside.accounts.models import User

router = Router(tags=["safety"])

Item = Annotated[Text, Field(max_length=services.MAX_ITEM_CHARS)]
Items = Annotated[list[Item], Field(max_length=services.MAX_ITEMS)]


class PlanSectionOut(Schema):
    key: str = Field(..., description="Stable name of the section, e.g. `warning_signs`.")
    heading: str
    prompt: str
    items: list[str]


class PlanOut(Schema):
    exists: bool = Field(..., description="False until you save a plan: `sections` are then empty.")
    sections: list[PlanSectionOut]
    updated_at: datetime | None


class PlanIn(Input):
    """Every section, each a list of short lines. A section left out is emptied (this replaces the plan)."""

    warning_signs: Items = []
    coping_strategies: Items = []
    distractions: Items = []
    people_to_ask: Items = []
    professionals: Items = []
    safer_surroundings: Items = []
    reasons_for_living: Items = []


def _me(request: HttpRequest) -> User:
    return cast("User", request.auth)  # type: ignore[attr-defined]


def _plan_out(user: User) -> PlanOut:
    plan = selectors.safety_plan_of(owner=user)
    sections = [
        PlanSectionOut(key=s.key, heading=s.heading, prompt=s.prompt, items=s.items)
        for s in selectors.safety_plan_sections(plan)
    ]
    return PlanOut(exists=plan is not None, sections=sections, updated_at=plan.updated_at if plan else None)


@router.get(
    "/safety/plan",
    response=responses({200: PlanOut}, 401, 403, invalid=False),
    summary="Your safety plan",
    description="Only ever your own. Before you make one, `exists` is false and every section is empty.",
)
def plan_read(request: HttpRequest) -> PlanOut:
    return _plan_out(_me(request))


@router.put(
    "/safety/plan",
    response=responses({200: PlanOut}, 400, 401, 403),
    summary="Make or replace your safety plan",
    description=f"Each section is a list of up to {services.MAX_ITEMS} lines of at most "
    f"{services.MAX_ITEM_CHARS} characters; blank lines are dropped.",
)
def plan_replace(request: HttpRequest, payload: PlanIn) -> PlanOut:
    user = _me(request)
    services.safety_plan_save(actor=user, sections=payload.dict())
    return _plan_out(user)
