"""`wsgi`: the same pages served by uvicorn (ASGI: `make run`, tests, single-server set-ups) and by
gunicorn (WSGI, one sync worker: production HTTP, docs/operations.md).

Rows, all measured interleaved:
- `GET /` (home, signed out) from the application under uvicorn (the `app` server every benchmark
  uses) and from the same application under gunicorn with one sync worker (the `wsgi` server:
  same settings, environment and database, DEBUG off). `vs WSGI` is uvicorn's req/s divided by
  gunicorn's: below 1 means the ASGI path is slower than plain WSGI for the same page.
- The same two servers for `GET /communities/` with a signed-in member's session cookie.
- The bare ASGI reference app replaying the home page (`vs ref` is against it), the HTTP floor.

gunicorn's sync worker handles one connection at a time and closes it after every response, so
its rows include a new TCP connection per request (loopback); uvicorn keeps connections alive.
Item 14 of the performance issue asks for the production HTTP path to be at least as fast as the
WSGI figure measured in the same run.
"""

from __future__ import annotations

import secrets
from typing import Any

from harness import LOAD_COLUMNS, Context, Result, Scenario, Table, fmt_ratio, load_row

NAME = "wsgi"
SERVERS = ("wsgi",)
HOME = "/"
SIGNED_IN_PATH = "/communities/"
MEMBER = "bench_wsgi_reader"


def seed(ctx: Any) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from alongside.accounts import services as account_services
    from alongside.accounts.models import User

    page = ctx.get(HOME)
    if page.status != 200:
        raise RuntimeError(f"{HOME} answered HTTP {page.status} while seeding")
    user = User.objects.filter(username=MEMBER).first()
    if user is None:
        # Nobody logs in with the password: the seed signs the member in directly.
        user = account_services.user_register(pseudonym=MEMBER, password=secrets.token_urlsafe(24))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    signed_in = client.get(SIGNED_IN_PATH)  # also sets the CSRF cookie, as a browser's first visit would
    if signed_in.status_code != 200:
        raise RuntimeError(f"{SIGNED_IN_PATH} answered HTTP {signed_in.status_code} while seeding")
    cookie = "; ".join(f"{morsel.key}={morsel.value}" for morsel in client.cookies.values())
    return {"home_queries": page.queries, "cookie": cookie, "session_cookie": settings.SESSION_COOKIE_NAME}


async def _check(ctx: Context, label: str, server: Any, path: str, headers: list[tuple[str, str]]) -> int:
    page = await ctx.fetch(server, path, headers=headers)
    if page.status != 200:
        raise RuntimeError(f"{label}: GET {path} answered HTTP {page.status}: {page.body[:200]!r}")
    return len(page.body)


async def run(ctx: Context) -> Table:
    seed = ctx.seed[NAME]
    wsgi = ctx.servers["wsgi"]
    member = [("Cookie", seed["cookie"])]
    home_page = await ctx.fetch(ctx.app, HOME)
    if home_page.status != 200:
        raise RuntimeError(f"uvicorn: GET {HOME} answered HTTP {home_page.status}")
    await _check(ctx, "gunicorn", wsgi, HOME, [])
    sizes = {
        "uvicorn": await _check(ctx, "uvicorn", ctx.app, SIGNED_IN_PATH, member),
        "gunicorn": await _check(ctx, "gunicorn", wsgi, SIGNED_IN_PATH, member),
    }
    results: list[Result] = await ctx.measure_set(
        [
            Scenario(f"uvicorn (ASGI) GET {HOME}", ctx.app, HOME),
            Scenario(f"gunicorn (WSGI, 1 sync worker) GET {HOME}", wsgi, HOME),
            Scenario(f"ref: bare ASGI, same bytes as {HOME}", ctx.ref, ctx.publish_reference("wsgi-home", home_page)),
            Scenario(f"uvicorn (ASGI) GET {SIGNED_IN_PATH}, signed in", ctx.app, SIGNED_IN_PATH, headers=member),
            Scenario(f"gunicorn (WSGI) GET {SIGNED_IN_PATH}, signed in", wsgi, SIGNED_IN_PATH, headers=member),
        ]
    )
    asgi_home, wsgi_home, ref, asgi_member, wsgi_member = results
    rows = [
        load_row(asgi_home, ref, [fmt_ratio(asgi_home.rps, wsgi_home.rps)]),
        load_row(wsgi_home, ref, ["1 (WSGI)"]),
        load_row(ref, None, [fmt_ratio(ref.rps, wsgi_home.rps)]),
        load_row(asgi_member, ref, [fmt_ratio(asgi_member.rps, wsgi_member.rps)]),
        load_row(wsgi_member, ref, ["1 (WSGI)"]),
    ]
    return Table(
        title="wsgi: the same pages under uvicorn (ASGI) and gunicorn (WSGI, one sync worker)",
        columns=[*LOAD_COLUMNS, "vs WSGI"],
        rows=rows,
        notes=[
            f"Home page: uvicorn serves {fmt_ratio(asgi_home.rps, wsgi_home.rps)} of gunicorn's rate "
            f"(gunicorn {fmt_ratio(wsgi_home.rps, asgi_home.rps)} of uvicorn's). Signed in, {SIGNED_IN_PATH}: "
            f"{fmt_ratio(asgi_member.rps, wsgi_member.rps)} (gunicorn {fmt_ratio(wsgi_member.rps, asgi_member.rps)}). "
            f"{SIGNED_IN_PATH} is {sizes['uvicorn']:,} bytes from uvicorn, {sizes['gunicorn']:,} from gunicorn.",
            "`vs WSGI`: req/s divided by gunicorn's for the same page. `vs ref`: divided by the bare ASGI app "
            "replaying the home page. gunicorn's sync worker closes the connection after each response (its rows "
            "include a TCP connect per request); `server CPU` sums its master and worker processes.",
        ],
    )
