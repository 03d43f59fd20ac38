"""`moods`: a signed-in member's 90-day mood chart page against their home page, in the same run.

Rows, measured interleaved:
- `GET /journal/moods/?days=90`: the chart drawn on the server (SVG), its summary, the day-by-day
  table, what went with better days, the check-in form and the latest check-ins, for a member with
  two check-ins a day for 90 days (180 check-ins, tagged, so the patterns are worked out too; every
  tag is decrypted).
- `GET /`: the same member's home page (the reference the issue names).
- The chart page's bytes from the bare ASGI reference app (`vs ref`): the HTTP floor.

The seed is idempotent: against a kept PostgreSQL database it reuses the data of an earlier run.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from harness import LOAD_COLUMNS, Context, Scenario, Table, fmt_ratio, load_row

NAME = "moods"
DAYS = 90
PER_DAY = 2
CONCURRENCY_MAX = 4
MEMBER = "bench_moods"


def _member() -> Any:
    from alongside.accounts import services as account_services
    from alongside.accounts.models import User

    user = User.objects.filter(username=MEMBER).first()
    if user is None:
        user = account_services.user_register(pseudonym=MEMBER, password=secrets.token_urlsafe(24))
    return user


def _check_ins(user: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from alongside.selfcare import services
    from alongside.selfcare.models import MoodCheckIn

    if MoodCheckIn.objects.filter(owner=user).count() >= DAYS * PER_DAY:
        return
    now = timezone.now()
    for day in range(DAYS):
        for slot in range(PER_DAY):
            mood = 1 + (day * 3 + slot * 2) % 5
            tags = "walk, called a friend" if mood >= 4 else ("work" if slot else "")
            checkin = services.checkin_save(actor=user, mood=mood, feelings=["tired"], tags=tags)
            MoodCheckIn.objects.filter(pk=checkin.pk).update(created_at=now - timedelta(days=day, hours=slot * 5))


def seed(ctx: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = _member()
    _check_ins(user)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    chart, home = f"/journal/moods/?days={DAYS}", "/"
    queries = {}
    for path in (chart, home):
        if client.get(path).status_code != 200:
            raise RuntimeError(f"{path} did not answer 200 while seeding")
        with CaptureQueriesContext(connection) as captured:
            body = client.get(path).content
        queries[path] = (len(captured.captured_queries), len(body))
    cookie = "; ".join(f"{morsel.key}={morsel.value}" for morsel in client.cookies.values())
    return {"chart": chart, "home": home, "cookie": cookie, "queries": queries}


async def run(ctx: Context) -> Table:
    seed = ctx.seed[NAME]
    headers = [("Cookie", seed["cookie"])]
    chart_page = await ctx.fetch(ctx.app, seed["chart"], headers=headers)
    if chart_page.status != 200 or b"mood-chart" not in chart_page.body:
        raise RuntimeError(f"GET {seed['chart']} answered HTTP {chart_page.status} without the chart")
    options = ctx.options
    ctx.options = dataclasses.replace(options, concurrency=min(options.concurrency, CONCURRENCY_MAX))
    try:
        chart, home, ref = await ctx.measure_set(
            [
                Scenario(f"Django GET mood chart page ({DAYS} days)", ctx.app, seed["chart"], headers=headers),
                Scenario("Django GET home page (same member)", ctx.app, seed["home"], headers=headers),
                Scenario(
                    "ref: bare ASGI, chart page's response",
                    ctx.ref,
                    ctx.publish_reference("moods", chart_page),
                    headers=headers,
                ),
            ]
        )
    finally:
        ctx.options = options
    chart_queries, chart_bytes = seed["queries"][seed["chart"]]
    home_queries, home_bytes = seed["queries"][seed["home"]]
    return Table(
        title=f"moods: the {DAYS}-day mood chart page against the home page, signed in",
        columns=[*LOAD_COLUMNS, "vs home", "DB queries"],
        rows=[
            load_row(chart, ref, [fmt_ratio(chart.rps, home.rps), str(chart_queries)]),
            load_row(home, ref, ["1 (home)", str(home_queries)]),
            load_row(ref, None, [fmt_ratio(ref.rps, home.rps), "0"]),
        ],
        notes=[
            f"{DAYS * PER_DAY} check-ins over {DAYS} days, tagged (every tag decrypted for the patterns). "
            f"Chart page {chart_bytes:,} bytes, {chart_queries} queries; home page {home_bytes:,} bytes, "
            f"{home_queries} queries (counted in-process by the seed with the same cookies).",
            f"{chart.concurrency} concurrent connections (at most {CONCURRENCY_MAX}), measured interleaved. "
            "`vs home`: req/s divided by the home page's.",
        ],
    )
