"""Data set-up, run by run.py as a subprocess with the same environment as the server under test.

    python benchmarks/seed.py <static_dir> <static_url> <module> [<module> ...]

Calls `seed(ctx)` of each benchmark module that has one (inside Django, after `migrate` and
`collectstatic`), then prints one line `BENCH-SEED-JSON {...}`: what each seed returned (or
`{"seed_error": traceback}`), plus the database and cache backends the server will use.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = "BENCH-SEED-JSON "
SEED_ERROR = "seed_error"


@dataclass
class Page:
    status: int
    body: bytes
    queries: int


@dataclass
class SeedContext:
    static_dir: Path  # a directory inside STATIC_ROOT that WhiteNoise will serve; removed afterwards
    static_url: str  # its URL prefix, ending in "/"

    def get(self, path: str) -> Page:
        """Render `path` in-process (Django test client, no network) and count its queries."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client(HTTP_HOST="127.0.0.1")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        return Page(response.status_code, body, len(queries.captured_queries))


def backend_info() -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            version = connection.display_name
    pool = isinstance(db.get("OPTIONS"), dict) and "pool" in db["OPTIONS"]
    return {
        "database": version,
        "database_detail": f"CONN_MAX_AGE={db.get('CONN_MAX_AGE', 0)}, pool {'on' if pool else 'off'}",
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
        "debug": settings.DEBUG,
        "environment": settings.ENVIRONMENT,
    }


def main(argv: list[str]) -> int:
    import django

    django.setup()
    static_dir, static_url, *names = argv
    ctx = SeedContext(Path(static_dir), static_url)
    ctx.static_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"modules": {}}
    for name in names:
        module = importlib.import_module(name)
        seed = getattr(module, "seed", None)
        if seed is None:
            continue
        try:
            out["modules"][name] = seed(ctx) or {}
        except Exception:
            # Only this benchmark is skipped (and the run fails); the others still run.
            traceback.print_exc()
            out["modules"][name] = {SEED_ERROR: traceback.format_exc(limit=8)}
    out["backend"] = backend_info()
    print(MARKER + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
