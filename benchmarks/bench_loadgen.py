"""`loadgen`: how fast the load generators themselves are, so the other tables can be trusted.

Both clients run in this process and share the machine's cores with the server. Against the
bare ASGI reference the server is cheap, so whichever client is slower is the bottleneck there;
against the Django home page, equal req/s from both clients means the server is the bottleneck.
"""

from __future__ import annotations

from harness import Context, Scenario, Table, fmt_ms, fmt_pct, fmt_ratio

NAME = "loadgen"


async def run(ctx: Context) -> Table:
    page = await ctx.fetch(ctx.app, "/")
    ref_path = ctx.publish_reference("loadgen-home", page)
    targets = [("bare ASGI ref (home bytes)", ctx.ref, ref_path), ("Django GET /", ctx.app, "/")]
    scenarios = [
        Scenario(f"{client} -> {target}", server, path, client)
        for target, server, path in targets
        for client in ("raw", "httpx")
    ]
    results = await ctx.measure_set(scenarios)
    rows = []
    for index, result in enumerate(results):
        baseline = results[index - index % 2]  # the raw client on the same target
        rows.append(
            [
                result.client,
                targets[index // 2][0],
                f"{result.rps:,.0f}",
                fmt_ms(result.p50),
                fmt_ms(result.p99),
                str(result.errors),
                "1 (ref)" if result is baseline else fmt_ratio(result.rps, baseline.rps),
                fmt_pct(result.server_cpu),
                fmt_pct(result.client_cpu),
            ]
        )
    return Table(
        title="loadgen: raw asyncio HTTP/1.1 client vs httpx.AsyncClient",
        columns=["client", "target", "req/s", "p50 ms", "p99 ms", "errors", "vs raw", "server CPU", "client CPU"],
        rows=rows,
        notes=[
            "A client near 100% CPU is the bottleneck; so is a server near 100% (one worker, GIL-bound). "
            "The other tables use the client chosen with --client (default: raw).",
        ],
    )
