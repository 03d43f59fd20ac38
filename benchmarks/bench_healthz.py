"""`healthz`: the health check against the same bytes from the bare ASGI reference app.

The view runs one `SELECT 1`, plus a Redis PING on a new connection when REDIS_URL is set.
"""

from __future__ import annotations

from typing import Any

from harness import LOAD_COLUMNS, Context, Scenario, Table, load_row

NAME = "healthz"
PATH = "/healthz"


def seed(ctx: Any) -> dict[str, Any]:
    page = ctx.get(PATH)
    if page.status != 200:
        raise RuntimeError(f"{PATH} answered HTTP {page.status} while seeding: {page.body[:200]!r}")
    return {"queries": page.queries, "bytes": len(page.body)}


async def run(ctx: Context) -> Table:
    page = await ctx.fetch(ctx.app, PATH)
    if page.status != 200:
        raise RuntimeError(f"GET {PATH} answered HTTP {page.status}: {page.body[:200]!r}")
    app_result, ref_result = await ctx.measure_set(
        [
            Scenario(f"Django GET {PATH}", ctx.app, PATH),
            Scenario(f"ref: bare ASGI, same bytes as {PATH}", ctx.ref, ctx.publish_reference("healthz", page)),
        ]
    )
    return Table(
        title="healthz: health check vs the same bytes from a bare ASGI app",
        columns=[*LOAD_COLUMNS, "DB queries"],
        rows=[
            load_row(app_result, ref_result, [str(ctx.seed[NAME]["queries"])]),
            load_row(ref_result, None, ["0"]),
        ],
        notes=["With REDIS_URL set, every health check also opens a new Redis connection and sends PING."],
    )
