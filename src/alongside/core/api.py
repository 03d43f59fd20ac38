"""Building blocks every app's JSON API uses: input types the schema itself refuses bad values for,
one error shape, one list envelope, and the handlers that map domain errors to answers.

Every error answer is `{"detail": ..., "code": ...}`: `code` is stable and machine-readable
(`not_authenticated`, `not_allowed`, `not_found`, `invalid`, `bad_request`, `throttled`, ...),
`detail` is for people (for `invalid`, a list of `{loc, msg, type}`, one per problem).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.params import P, QueryEx
from pydantic import AfterValidator, ConfigDict, Strict

from alongside.core.errors import DomainError, Invalid, NotFound, field_errors

MAX_ID = 2**63 - 1  # larger ids cannot exist; keep them away from the database
T = TypeVar("T")


# --- Input types ----------------------------------------------------------------------------


def storable_text(value: str) -> str:
    """JSON can carry what no database column takes (NUL, lone surrogates): refuse it as bad input."""
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


Text = Annotated[str, Strict(), AfterValidator(storable_text)]
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Flag = Annotated[bool, Strict()]
PageNumber = QueryEx[int, P(ge=1, le=MAX_ID, description="Page number, from 1. Past the last page, the last page.")]


class Input(Schema):
    """Base of every request body: unknown keys are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- Answers --------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    code: str = Field(..., description="Stable and machine-readable, e.g. `not_found`, `not_allowed`.")


class Problem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class InvalidOut(Schema):
    detail: list[Problem] = Field(..., description="One entry per problem.")
    code: str = Field(..., description="Always `invalid`.")


class ListOut(Schema, Generic[T]):
    """The one envelope of every list: a page of items, and where it sits in the whole."""

    items: list[T]
    page: int
    pages: int
    count: int


def page_fields(current: Page[Any], build: Callable[[Any], T]) -> dict[str, Any]:
    """A page a selector made, as the fields of a ListOut, each item built by `build`."""
    return {
        "items": [build(item) for item in current.object_list],
        "page": current.number,
        "pages": current.paginator.num_pages,
        "count": current.paginator.count,
    }


def page_of(
    items: Sequence[Any] | QuerySet[Any], page: int, per_page: int, build: Callable[[Any], T]
) -> dict[str, Any]:
    """A page of `items` (a queryset or a list) as the fields of a ListOut, each item built by `build`."""
    return page_fields(Paginator(items, per_page).get_page(page), build)


def responses(ok: dict[int, Any], *errors: int, invalid: bool = True) -> dict[Any, Any]:
    """An endpoint's documented answers: its success shapes, the error statuses it can give (400 for
    endpoints with a JSON body: it may not parse), and 422 unless it takes no input at all."""
    result: dict[Any, Any] = dict(ok)
    if errors:
        result[frozenset(errors)] = ErrorOut
    if invalid:
        result[422] = InvalidOut
    return result


# --- Errors -> answers ----------------------------------------------------------------------


def _problems(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": ["body"] if field == "__all__" else ["body", field], "msg": message, "type": "value_error"}
        for field, messages in field_errors(error).items()
        for message in messages
    ]


def error_response(error: DomainError) -> JsonResponse:
    """A domain error in the API's shape, for answers made outside django-ninja (middleware, the
    404 handler)."""
    return JsonResponse({"detail": str(error.message), "code": error.error_code}, status=error.status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Every way a request can fail becomes `{"detail", "code"}` with the right status."""

    def answer(request: HttpRequest, detail: Any, code: str, status: int) -> HttpResponse:
        return api.create_response(request, {"detail": detail, "code": code}, status=status)

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return answer(request, str(exc.message), exc.error_code, exc.status)

    @api.exception_handler(ValidationError)
    def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return answer(request, _problems(exc), Invalid.error_code, Invalid.status)

    @api.exception_handler(SchemaValidationError)
    def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        problems = [
            # ninja names the body parameter ("payload") in `loc`: a server detail, left out so that a
            # field's `loc` reads the same as in the services' own errors: ["body", "<field>"].
            {
                "loc": [part for part in e.get("loc", ()) if part != "payload"],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors
        ]
        return answer(request, problems, Invalid.error_code, Invalid.status)

    @api.exception_handler(AuthenticationError)
    def on_not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = str(exc.message) if exc.message and exc.message != "Unauthorized" else _("Please log in first.")
        return answer(request, message, "not_authenticated", 401)

    @api.exception_handler(AuthorizationError)
    def on_not_authorized(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return answer(request, str(exc.message), "not_allowed", 403)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 401: "not_authenticated", 403: "not_allowed", 404: "not_found", 429: "throttled"}
        return answer(request, str(exc), codes.get(exc.status_code, "error"), exc.status_code)

    @api.exception_handler(Http404)
    def on_missing_route_object(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, str(NotFound.default_message()), NotFound.error_code, 404)


__all__ = [
    "MAX_ID",
    "ErrorOut",
    "Flag",
    "Id",
    "Input",
    "InvalidOut",
    "ListOut",
    "PageNumber",
    "Text",
    "install_error_handlers",
    "page_fields",
    "page_of",
    "responses",
    "storable_text",
]
