"""The reference server: a bare ASGI app that replays recorded responses byte for byte.

Run by uvicorn with the same flags as the application under test. `GET /<name>` answers with
the status, headers and body the benchmark stored as `<name>.json` and `<name>.body` in
BENCH_REF_DIR (see `Context.publish_reference`), read once and kept in memory. What it measures
is everything Django does not: uvicorn, the event loop, HTTP parsing, the loopback network and
the load generator, for exactly the same bytes on the wire.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

REF_DIR = Path(os.environ.get("BENCH_REF_DIR", "."))
_NAME = re.compile(r"^/([a-z0-9][a-z0-9_-]{0,63})$")
_cache: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

_READY = (
    {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]},
    {"type": "http.response.body", "body": b"ok"},
)
_NOT_FOUND = (
    {"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]},
    {"type": "http.response.body", "body": b"no such reference"},
)


def _load(name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    try:
        meta = json.loads((REF_DIR / f"{name}.json").read_text())
        body = (REF_DIR / f"{name}.body").read_bytes()
    except OSError:
        return None
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["headers"]]
    headers.append((b"content-length", str(len(body)).encode()))
    messages = (
        {"type": "http.response.start", "status": int(meta["status"]), "headers": headers},
        {"type": "http.response.body", "body": body},
    )
    _cache[name] = messages
    return messages


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/ready":
        messages = _READY
    else:
        match = _NAME.match(path)
        name = match.group(1) if match else ""
        messages = _cache.get(name) or (_load(name) if name else None) or _NOT_FOUND
    await send(messages[0])
    await send(messages[1])
