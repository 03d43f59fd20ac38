"""Run the HTTP benchmarks: `make bench`, or `python benchmarks/run.py [name ...] [options]`.

Each benchmark is a module `benchmarks/bench_<name>.py` with `NAME`, an optional `seed(ctx)`
(runs inside Django before the servers start, see seed.py), an optional `SERVERS` (names of extra
servers it needs, from EXTRA_SERVERS below) and `async def run(ctx) -> Table`.
With no names, all of them run.

Set-up, every run: a throwaway DATA_DIR (so the embedded SQLite database lives there), `migrate`,
`collectstatic` (into STATIC_ROOT, unless STATIC_FROM_SOURCE=true), the benchmarks' seeds, then
two uvicorn subprocesses on free 127.0.0.1 ports: the application (DEBUG off) and the bare ASGI
reference app, plus the extra servers the selected benchmarks ask for (`wsgi`: the same
application under gunicorn, one sync worker). DATABASE_URL / REDIS_URL, when set, are passed
through (a missing PostgreSQL database is created). Exits 1 if any request failed or answered
non-2xx; timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from harness import BENCH_DIR, CLIENTS, HOST, REPO_DIR, SRC_DIR, Context, Options, Server
from seed import MARKER, SEED_ERROR

STATIC_ROOT = REPO_DIR / "staticfiles"  # settings.STATIC_ROOT (BASE_DIR / "staticfiles")
STATIC_URL = "/static/"
MANAGE_TIMEOUT = 300

# Extra servers a benchmark can ask for with `SERVERS = ("wsgi",)`; started only when needed.
# `wsgi`: the application under gunicorn (one sync worker, same environment): alongside.wsgi, as
# production serves HTTP.
EXTRA_SERVERS: dict[str, tuple[str, str, Path, str, str]] = {
    # name: (app, kind, app_dir, ready_path, distribution that must be installed)
    "wsgi": ("alongside.wsgi:application", "gunicorn", SRC_DIR, "/healthz", "gunicorn"),
}


def discover() -> dict[str, ModuleType]:
    modules = {}
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        module = importlib.import_module(path.stem)
        modules[getattr(module, "NAME", path.stem.removeprefix("bench_"))] = module
    return modules


def parse_args(names: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmarks", nargs="*", metavar="name", help=f"benchmarks to run (default: all of {names})")
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per scenario (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per scenario (default 1)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per scenario (default 200000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved measuring rounds (default 5)")
    parser.add_argument("--client", choices=CLIENTS, default="raw", help="load generator (default raw)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args()
    unknown = [name for name in args.benchmarks if name not in names]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {names}")
    if not (0 < args.duration <= 60 and 0 <= args.warmup <= 30 and 1 <= args.concurrency <= 512):
        parser.error("keep --duration in (0, 60], --warmup in [0, 30] and --concurrency in [1, 512]")
    if not 1 <= args.rounds <= max(1, int(args.duration / 0.2)):
        parser.error("--rounds must be at least 1 and leave slices of at least 0.2 s")
    return args


# --- Set-up ----------------------------------------------------------------------------------------


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def server_env(data_dir: Path, ref_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    extra_path = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() != SRC_DIR]
    env.update(
        PYTHONPATH=os.pathsep.join([str(SRC_DIR), *extra_path]),
        DJANGO_SETTINGS_MODULE=env.get("DJANGO_SETTINGS_MODULE") or "alongside.settings",
        DATA_DIR=str(data_dir),
        DEBUG="false",
        ENVIRONMENT="development",  # production mode would redirect plain-HTTP requests to HTTPS
        LOG_LEVEL=env.get("BENCH_LOG_LEVEL", "WARNING"),
        BENCH_REF_DIR=str(ref_dir),
        PYTHONUNBUFFERED="1",
    )
    return env


def masked(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def ensure_postgres_database(url: str) -> str | None:
    """Create the database named in DATABASE_URL if the server says it does not exist."""
    import psycopg
    from psycopg import conninfo, sql

    dbname = str(conninfo.conninfo_to_dict(url).get("dbname") or "")
    try:
        psycopg.connect(url, connect_timeout=10).close()
        return None
    except psycopg.OperationalError as exc:
        if not dbname or f'database "{dbname}" does not exist' not in str(exc):
            raise RuntimeError(f"cannot connect to DATABASE_URL {masked(url)}: {exc}") from exc
    try:
        admin_url = conninfo.make_conninfo(url, dbname="postgres")
        with (
            psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn,
            contextlib.suppress(psycopg.errors.DuplicateDatabase),
        ):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.Error as exc:
        raise RuntimeError(f"database {dbname!r} does not exist and could not be created: {exc}") from exc
    return dbname


def run_step(title: str, args: list[str], env: dict[str, str]) -> str:
    started = time.monotonic()
    print(f"- {title} ...", end="", flush=True)
    proc = subprocess.run(  # noqa: S603 - our own interpreter and scripts, fixed arguments
        [sys.executable, *args],
        cwd=REPO_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=MANAGE_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        print(" failed")
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    print(f" {time.monotonic() - started:.1f} s", flush=True)
    return proc.stdout


def remove_leftovers() -> None:
    """Drop the folders of earlier runs that were killed outright (their process is gone)."""
    candidates = [*STATIC_ROOT.glob("_bench-*"), *Path(tempfile.gettempdir()).glob("alongside-bench-*")]
    for path in candidates:
        pid = path.name.removeprefix("_bench-").removeprefix("alongside-bench-").split("-")[0]
        if path.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def versions(extra: dict[str, Server]) -> str:
    text = (
        f"Django {version('django')}, uvicorn {version('uvicorn')} (uvloop {version('uvloop')}, "
        f"httptools {version('httptools')}), 1 worker, --no-access-log"
    )
    if any(server.kind == "gunicorn" for server in extra.values()):
        text += f"; gunicorn {version('gunicorn')}, 1 sync worker, no access log"
    return text


def start_extra_servers(
    stack: contextlib.ExitStack, names: set[str], env: dict[str, str], work: Path
) -> tuple[dict[str, Server], dict[str, str]]:
    """Start the extra servers asked for; return them and, per server that could not start, why."""
    servers: dict[str, Server] = {}
    errors: dict[str, str] = {}
    for name in sorted(names):
        if name not in EXTRA_SERVERS:
            errors[name] = f"unknown server {name!r} (known: {sorted(EXTRA_SERVERS)})"
            continue
        app, kind, app_dir, ready_path, dist = EXTRA_SERVERS[name]
        if version(dist) == "absent":
            errors[name] = f"{dist} is not installed in this environment (a dev dependency: `make install-dev`)"
            continue
        server = stack.enter_context(Server(name, app, app_dir, env, work, ready_path, kind=kind))
        try:
            server.wait_ready()
        except RuntimeError as exc:
            errors[name] = str(exc)
            server.stop()
            continue
        servers[name] = server
    return servers, errors


def machine_info() -> str:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores ({usable} usable), {model}, {platform.platform()}, load average {load}"


def print_header(options: Options, backend: dict[str, Any], env: dict[str, str], extra: dict[str, Server]) -> str:
    database = backend["database"]
    if env.get("DATABASE_URL"):
        database += f" at {masked(env['DATABASE_URL'])}"
    else:
        database += " (embedded default, in the throwaway DATA_DIR)"
    cache = backend["cache"] + (f" at {masked(env['REDIS_URL'])}" if env.get("REDIS_URL") else "")
    client = {
        "raw": "raw asyncio HTTP/1.1 keep-alive client",
        "httpx": "httpx.AsyncClient (HTTP/1.1 keep-alive)",
    }[options.client]
    print()
    print("## Alongside HTTP benchmarks")
    print()
    print(f"- machine: {machine_info()}")
    print(f"- Python {platform.python_version()} ({sys.executable}); {versions(extra)}")
    print(f"- database: {database}; {backend['database_detail']}")
    print(f"- cache / channel layer: {cache} / {backend['channel_layer']}")
    print(f"- server: DEBUG={backend['debug']}, ENVIRONMENT={backend['environment']}, static files "
          f"{'from source' if _is_true(env.get('STATIC_FROM_SOURCE')) else 'collected (manifest)'}")  # fmt: skip
    print(
        f"- load: {client}, {options.concurrency} concurrent connections (closed loop), "
        f"per scenario {options.warmup:g} s warm-up + {options.duration:g} s measured in {options.rounds} slices "
        f"interleaved with the scenarios it is compared with, at most {options.max_requests:,} requests"
    )
    print("- server CPU / client CPU: share of one core used during the measured window")
    busy = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if busy > cores / 2:
        print(f"- WARNING: load average {busy:.1f} on {cores} cores before starting: other work is running, "
              "expect noisy, low numbers")  # fmt: skip
    short = backend["database"].split(" ")[0] + (", Redis" if env.get("REDIS_URL") else "")
    return short


# --- Main ------------------------------------------------------------------------------------------


async def run_benchmarks(ctx: Context, selected: list[tuple[str, ModuleType]], backend_short: str) -> list[str]:
    # SIGTERM/SIGHUP cancel the benchmarks cleanly (Ctrl-C does the same through asyncio.run).
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    assert main_task is not None

    def cancel(signum: int) -> None:
        _received[:] = [signum]
        main_task.cancel()

    for signum in TERMINATING_SIGNALS:
        loop.add_signal_handler(signum, cancel, signum)
    try:
        return await _run_each(ctx, selected, backend_short)
    finally:
        for signum in TERMINATING_SIGNALS:
            loop.remove_signal_handler(signum)
            signal.signal(signum, _terminate)


async def _run_each(ctx: Context, selected: list[tuple[str, ModuleType]], backend_short: str) -> list[str]:
    failed = []
    for name, module in selected:
        print(f"\nRunning {name} ...", flush=True)
        seed_error = ctx.seed.get(name, {}).get(SEED_ERROR)
        if seed_error:
            print(f"  skipped: its seed() failed:\n{seed_error}", file=sys.stderr, flush=True)
            failed.append(name)
            continue
        missing = [server for server in getattr(module, "SERVERS", ()) if server not in ctx.servers]
        if missing:
            for server in missing:
                reason = _server_errors.get(server, "not started")
                print(f"  skipped: server {server!r} is not available: {reason}", file=sys.stderr, flush=True)
            failed.append(name)
            continue
        try:
            table = await module.run(ctx)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        table.title = f"{table.title} [{backend_short}]"
        print()
        print(table.render(), flush=True)
    return failed


TERMINATING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_received: list[int] = []
_server_errors: dict[str, str] = {}  # extra servers that could not start, and why


def _terminate(signum: int, frame: FrameType | None) -> None:
    """Outside the event loop: unwind (and stop the servers) as for Ctrl-C."""
    _received[:] = [signum]
    raise SystemExit(128 + signum)


def main() -> int:
    modules = discover()
    args = parse_args(list(modules))
    names = args.benchmarks or list(modules)
    if args.list:
        for name in names:
            summary = (modules[name].__doc__ or "").strip().splitlines()[0].removeprefix(f"`{name}`: ")
            print(f"{name:10} {summary}")
        return 0
    options = Options(
        duration=args.duration,
        warmup=args.warmup,
        concurrency=args.concurrency,
        max_requests=args.max_requests,
        client=args.client,
        rounds=args.rounds,
    )
    for signum in TERMINATING_SIGNALS:
        signal.signal(signum, _terminate)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        remove_leftovers()
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"alongside-bench-{os.getpid()}-")))
        data_dir, ref_dir = work / "data", work / "ref"
        data_dir.mkdir()
        ref_dir.mkdir()
        env = server_env(data_dir, ref_dir)
        print(f"Set-up (DATA_DIR={data_dir}):")
        if urlsplit(env.get("DATABASE_URL", "")).scheme in {"postgres", "postgresql"}:
            created = ensure_postgres_database(env["DATABASE_URL"])
            if created:
                print(f"- created PostgreSQL database {created!r}")
        run_step("manage.py migrate", ["manage.py", "migrate", "--noinput", "--verbosity", "0"], env)
        if not _is_true(env.get("STATIC_FROM_SOURCE")):
            run_step("manage.py collectstatic", ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
        static_name = f"_bench-{os.getpid()}"
        static_dir = STATIC_ROOT / static_name
        stack.callback(shutil.rmtree, static_dir, ignore_errors=True)
        seed_out = run_step(
            "seed data",
            [
                str(BENCH_DIR / "seed.py"),
                str(static_dir),
                f"{STATIC_URL}{static_name}/",
                *(modules[n].__name__ for n in names),
            ],
            env,
        )
        seeded = json.loads(next(line for line in seed_out.splitlines() if line.startswith(MARKER))[len(MARKER) :])
        app = stack.enter_context(Server("app", "alongside.asgi:application", SRC_DIR, env, work, "/healthz"))
        ref = stack.enter_context(Server("ref", "refapp:app", BENCH_DIR, env, work, "/ready"))
        print(f"- uvicorn: app on 127.0.0.1:{app.port} (pid {app.pid}), reference on 127.0.0.1:{ref.port} "
              f"(pid {ref.pid})", flush=True)  # fmt: skip
        app.wait_ready()
        ref.wait_ready()
        wanted = {server for name in names for server in getattr(modules[name], "SERVERS", ())}
        extra, server_errors = start_extra_servers(stack, wanted, env, work)
        _server_errors.update(server_errors)
        for name, server in extra.items():
            print(f"- {server.description}: {name} on {HOST}:{server.port} (pid {server.pid})", flush=True)
        for name, reason in server_errors.items():
            print(f"- server {name!r} not started: {reason}", file=sys.stderr, flush=True)
        backend_short = print_header(options, seeded["backend"], env, extra)
        seed_by_name = {name: seeded["modules"].get(modules[name].__name__, {}) for name in names}
        ctx = Context(options=options, app=app, ref=ref, ref_dir=ref_dir, seed=seed_by_name, servers=extra)
        try:
            failed = asyncio.run(run_benchmarks(ctx, [(name, modules[name]) for name in names], backend_short))
        except asyncio.CancelledError:
            print(f"\nStopped by signal {_received[0] if _received else '?'}; stopping servers.", file=sys.stderr)
            return 128 + (_received[0] if _received else signal.SIGTERM)

    errors = sum(result.errors for result in ctx.results)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nDone in {time.monotonic() - started:.0f} s: {len(ctx.results)} scenarios, {errors} failed requests"
          + (f", benchmarks that failed: {failed}" if failed else "") + f"; load average now {load}.")  # fmt: skip
    if errors or failed:
        for result in ctx.results:
            if result.errors:
                print(f"  {result.label}: {result.errors} errors {dict(result.error_kinds)}")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; servers stopped.", file=sys.stderr)
        sys.exit(130)
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        print(f"\nBenchmark set-up failed: {exc}", file=sys.stderr)
        sys.exit(2)
