"""`thread`: a signed-in member reading a 50-reply thread page, against a static file of the same bytes.

Rows, the first three measured interleaved:
- `GET /c/<slug>/t/<id>/` from the application (uvicorn + Django): session and CSRF cookies of a
  signed-in member of the community, page 1 of a thread with 50 replies (50 posts shown: the
  opening post and 49 replies, then a link to page 2), with reactions, a quoted reply, a content
  warning, an anonymous reply and the reply form.
- The same page's bytes as a static file served by WhiteNoise from the same server process
  (`vs static`): what the server does for a page of that size when no view, template or query runs.
- The same status, headers and bytes from the bare ASGI reference app (`vs ref`): the HTTP floor.
- Then, on its own: the thread page again on one connection: its latency without queueing.

Every request carries the member's cookies. At most CONCURRENCY_MAX connections are used. The
seed is idempotent: against a kept PostgreSQL database it reuses the data of an earlier run.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from harness import LOAD_COLUMNS, Context, Result, Scenario, Table, fmt_ratio, load_row

NAME = "thread"
REPLIES = 50
# The page takes tens of milliseconds: 32 connections would only queue (p50 ~ 32 / req/s, seconds)
# and stretch every measuring slice. A few connections keep the single worker saturated.
CONCURRENCY_MAX = 4
SLUG = "bench-thread-page"
AUTHORS = ["bench_reader", "bench_willow", "bench_harbour", "bench_lantern", "bench_meadow", "bench_pebble"]

# Reply text for the benchmark thread, written for it. Varied length and a little Markdown, like
# the replies people write.
_OPENERS = [
    "Thank you for writing this.",
    "I read this twice, because it sounded so much like my own week.",
    "Sending you a lot of warmth tonight.",
    "You're definitely not the only one.",
    "This really landed with me.",
    "I hope today is a little gentler.",
    "Just wanted to say I'm here and I read every word.",
]
_MIDDLES = [
    "What helped me was writing down the worry and then writing *one* thing I could do about it, even "
    "if that thing was only making a cup of tea.",
    "Some days I manage the morning walk and some days I don't, and I'm slowly learning that both are okay.",
    "When it gets loud in my head I count five things I can see, four I can hear and three I can touch. "
    "It sounds silly but it brings me back into the room.",
    "My counsellor once said that feelings are like weather: real, sometimes fierce, and they do pass. "
    "I think of that a lot.",
    "I keep a list on my phone of things that helped before:\n\n- a warm shower\n- music without words\n"
    "- texting my sister\n\nOn bad nights I just go down the list.",
    "It took me months to say any of this out loud, so please be proud that you did.",
    "> Be as patient with yourself as you would be with a friend.\n\nSomeone here told me that last year and it stuck.",
    "Sleep was the first thing to go for me too. A fixed wake-up time helped more than anything I tried at bedtime.",
]
_CLOSERS = [
    "Let us know how it goes.",
    "Take care of yourself.",
    "**You're doing better than you think.**",
    "One step at a time.",
    "",
    "Here if you want to talk more.",
]


def reply_body(index: int) -> str:
    parts = [
        _OPENERS[index % len(_OPENERS)],
        _MIDDLES[(index * 3) % len(_MIDDLES)],
        _MIDDLES[(index * 5 + 1) % len(_MIDDLES)] if index % 3 == 0 else "",
        _CLOSERS[index % len(_CLOSERS)],
    ]
    return "\n\n".join(part for part in parts if part)


def _person(pseudonym: str, role: str = "member") -> Any:
    from alongside.accounts import services as account_services
    from alongside.accounts.models import Role, User

    user = User.objects.filter(username=pseudonym).first()
    if user is None:
        # Nobody logs in with the password: the seed signs the reader in directly.
        user = account_services.user_register(pseudonym=pseudonym, password=secrets.token_urlsafe(24))
        account_services.profile_update(
            actor=user, user=user, values={"display_name": pseudonym.removeprefix("bench_").title()}
        )
    if user.role != role:
        account_services.user_role_set(actor=None, user=user, role=Role(role), reason="benchmark data")
    return user


def _thread_create() -> Any:
    """The community, its members and the thread (reused if an earlier run made them)."""
    from alongside.communities import services
    from alongside.communities.models import Community, ContentWarning, Post, ReactionKind, Thread

    admin = _person("bench_lead", "admin")
    people = [_person(name) for name in AUTHORS]
    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        community = services.community_create(
            actor=admin,
            name="Benchmark: evenings and sleep",
            slug=SLUG,
            description="A public community made by the thread benchmark.",
            rules=["Be kind.", "Share your own experience.", "Use content warnings."],
        )
        for person in people:
            services.community_join(actor=person, community=community)
    thread = Thread.objects.filter(community=community, reply_count__gte=REPLIES).first()
    if thread is not None:
        return people[0], community, thread
    thread = services.thread_create(
        actor=people[1],
        community=community,
        title="Evenings are the hardest part of the day",
        body="Once the house goes quiet my thoughts get very loud. How do you all get through the evenings?",
    )
    opening = Post.objects.get(thread=thread, is_opening=True)
    kinds = list(ReactionKind.values)
    for index in range(REPLIES):
        author = people[(index % (len(people) - 1)) + 1] if index % 4 else people[0]
        post = services.post_reply(
            actor=author,
            thread=thread,
            body=reply_body(index),
            is_anonymous=index == 7,
            content_warnings=[ContentWarning.SELF_HARM] if index == 12 else [],
            quote=opening if index == 20 else None,
        )
        for offset in range(index % 4):
            reactor = people[(index + offset + 2) % len(people)]
            if reactor != author:
                services.reaction_set(actor=reactor, post=post, kind=kinds[offset % len(kinds)], on=True)
    return people[0], community, thread


def seed(ctx: Any) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    reader, community, thread = _thread_create()
    path = f"/c/{community.slug}/t/{thread.pk}/"
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader, backend="allauth.account.auth_backends.AuthenticationBackend")
    first = client.get(path)  # sets the CSRF cookie, as a browser's first visit would
    if first.status_code != 200:
        raise RuntimeError(f"{path} answered HTTP {first.status_code} while seeding: {first.content[:300]!r}")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path)
    body = page.content
    (ctx.static_dir / "thread-bytes.html").write_bytes(body)
    cookie = "; ".join(f"{morsel.key}={morsel.value}" for morsel in client.cookies.values())
    return {
        "path": path,
        "cookie": cookie,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "queries": len(queries.captured_queries),
        "bytes": len(body),
        "posts_shown": body.count(b'id="post-'),
        "static_path": ctx.static_url + "thread-bytes.html",
    }


async def _measure(ctx: Context, path: str, static_path: str, cookie: str) -> list[Result]:
    headers = [("Cookie", cookie)]
    page = await ctx.fetch(ctx.app, path, headers=headers)
    if page.status != 200:
        raise RuntimeError(f"GET {path} answered HTTP {page.status} (is the session valid?): {page.body[:200]!r}")
    if b'name="csrfmiddlewaretoken"' not in page.body:
        raise RuntimeError(f"GET {path} did not render the reply form: not signed in as a member?")
    label = f"Django GET thread page ({REPLIES} replies)"
    throughput = await ctx.measure_set(
        [
            Scenario(label, ctx.app, path, headers=headers),
            Scenario("same server: WhiteNoise file, same bytes", ctx.app, static_path, headers=headers),
            Scenario("ref: bare ASGI, same response", ctx.ref, ctx.publish_reference("thread", page), headers=headers),
        ]
    )
    options = ctx.options
    ctx.options = dataclasses.replace(options, concurrency=1)
    try:
        unloaded = await ctx.measure(f"{label}, 1 connection", ctx.app, path, headers=headers)
    finally:
        ctx.options = options
    return [*throughput, unloaded]


async def run(ctx: Context) -> Table:
    seed = ctx.seed[NAME]
    options = ctx.options
    ctx.options = dataclasses.replace(options, concurrency=min(options.concurrency, CONCURRENCY_MAX))
    try:
        app, static, ref, unloaded = await _measure(ctx, seed["path"], seed["static_path"], seed["cookie"])
    finally:
        ctx.options = options
    return Table(
        title=f"thread: signed-in member reading a {REPLIES}-reply thread vs the same bytes served statically",
        columns=[*LOAD_COLUMNS, "vs static", "DB queries"],
        rows=[
            load_row(app, ref, [fmt_ratio(app.rps, static.rps), str(seed["queries"])]),
            load_row(static, ref, ["1 (static)", "0"]),
            load_row(ref, None, [fmt_ratio(ref.rps, static.rps), "0"]),
            load_row(unloaded, ref, [fmt_ratio(unloaded.rps, static.rps), str(seed["queries"])]),
        ],
        notes=[
            f"Page 1 of the thread: {seed['posts_shown']} posts shown, {seed['bytes']:,} bytes, "
            f"{seed['queries']} queries (counted in-process by the seed with the same cookies). Every request, "
            "to all rows, carries the member's session and CSRF cookies.",
            f"First three rows: {app.concurrency} concurrent connections (at most {CONCURRENCY_MAX} whatever "
            "--concurrency says, see CONCURRENCY_MAX), measured interleaved. Last row: one connection, so its "
            "p50/p99 are the page's own latency, not queueing.",
            "`vs static`: req/s divided by the WhiteNoise row (same uvicorn + Django process, no view). "
            "`vs ref`: divided by the bare ASGI app replaying the identical response.",
        ],
    )
