"""`home`: the anonymous home page and the crisis page, against the same bytes without Django.

Rows:
- `GET /` and `GET /help/?country=GB` from the application (uvicorn + Django).
- The reference for each: the bare ASGI app (refapp.py) under uvicorn, replaying the page's exact
  status, headers and body. `vs ref` is the page's req/s divided by its reference's, so it is
  the share of the HTTP floor that is left once Django renders the page.
- For context, a static file holding the home page's bytes, served by WhiteNoise inside the same
  Django process: Django's ASGI handler, the first two middleware and a file response, with no
  view, template or later middleware.
"""

from __future__ import annotations

from typing import Any

from harness import LOAD_COLUMNS, Context, Scenario, Table, load_row

NAME = "home"
PAGES = [("/", "home"), ("/help/?country=GB", "help-gb")]


def seed(ctx: Any) -> dict[str, Any]:
    from alongside.safety.models import CrisisLine

    if not CrisisLine.objects.filter(country="GB", is_active=True).exists():
        # Normally seeded by migration safety.0002; recreate a few lines if an existing database lost them.
        for position, (name, phone) in enumerate([("Samaritans", "116 123"), ("Emergency services", "999")]):
            CrisisLine.objects.create(country="GB", name=name, phone=phone, position=position, hours="24 hours")
    info: dict[str, Any] = {"pages": {}}
    for path, _ in PAGES:
        page = ctx.get(path)
        if page.status != 200:
            raise RuntimeError(f"{path} answered HTTP {page.status} while seeding")
        info["pages"][path] = {"queries": page.queries, "bytes": len(page.body)}
        if path == "/":
            # Same bytes as the home page, as a file WhiteNoise serves (it scans STATIC_ROOT at start-up).
            (ctx.static_dir / "home-bytes.html").write_bytes(page.body)
            info["static_path"] = ctx.static_url + "home-bytes.html"
    return info


async def run(ctx: Context) -> Table:
    seed = ctx.seed[NAME]
    scenarios = []
    for path, ref_name in PAGES:
        page = await ctx.fetch(ctx.app, path)
        if page.status != 200:
            raise RuntimeError(f"GET {path} answered HTTP {page.status}")
        scenarios.append(Scenario(f"Django GET {path}", ctx.app, path))
        scenarios.append(
            Scenario(f"ref: bare ASGI, same bytes as {path}", ctx.ref, ctx.publish_reference(ref_name, page))
        )
    scenarios.append(Scenario("context: WhiteNoise file, same bytes as /", ctx.app, seed["static_path"]))
    home, home_ref, help_gb, help_ref, static = await ctx.measure_set(scenarios)
    queries = {path: str(seed["pages"][path]["queries"]) for path, _ in PAGES}
    return Table(
        title="home: anonymous pages vs the same bytes from a bare ASGI app",
        columns=[*LOAD_COLUMNS, "DB queries"],
        rows=[
            load_row(home, home_ref, [queries["/"]]),
            load_row(home_ref, None, ["0"]),
            load_row(static, home_ref, ["0"]),
            load_row(help_gb, help_ref, [queries["/help/?country=GB"]]),
            load_row(help_ref, None, ["0"]),
        ],
        notes=[
            "`vs ref`: req/s divided by the bare-ASGI reference serving the identical response "
            "(status, headers, body). The WhiteNoise row is compared with the `/` reference.",
        ],
    )
