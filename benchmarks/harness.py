"""Shared machinery for the benchmarks: server processes, a bounded load generator, tables.

Nothing here talks to anything but 127.0.0.1. Every request loop is bounded both in time
(warm-up + duration, then a hard stop) and in count (`Options.max_requests` per scenario).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SRC_DIR = REPO_DIR / "src"
HOST = "127.0.0.1"

CLIENTS = ("raw", "httpx")


@dataclass
class Options:
    duration: float = 5.0
    warmup: float = 1.0
    concurrency: int = 32
    max_requests: int = 200_000
    timeout: float = 10.0
    client: str = "raw"
    rounds: int = 5


# --- Server processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if this process dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


SERVER_KINDS = ("uvicorn", "gunicorn")


class Server:
    """An HTTP server subprocess in its own process group; stopped (group-wide) on exit.

    `kind` "uvicorn": an ASGI app (`module:attr`) under uvicorn, one worker, as `make run` serves it.
    `kind` "gunicorn": a WSGI app under gunicorn, one sync worker (a master process and one worker
    process; the worker answers one connection at a time and closes it after each response).
    Both log warnings only and no access log.
    """

    def __init__(
        self,
        name: str,
        app: str,
        app_dir: Path,
        env: dict[str, str],
        log_dir: Path,
        ready_path: str,
        kind: str = "uvicorn",
    ) -> None:
        if kind not in SERVER_KINDS:
            raise ValueError(f"unknown server kind {kind!r}")
        self.name = name
        self.app = app
        self.app_dir = app_dir
        self.env = env
        self.kind = kind
        self.port = free_port()
        self.ready_path = ready_path
        self.log_path = log_dir / f"{name}-server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def description(self) -> str:
        return {"uvicorn": "uvicorn, 1 worker", "gunicorn": "gunicorn, 1 sync worker"}[self.kind]

    def command(self) -> list[str]:
        if self.kind == "gunicorn":
            return [
                sys.executable, "-m", "gunicorn", self.app,
                "--pythonpath", str(self.app_dir),
                "--bind", f"{HOST}:{self.port}",
                "--workers", "1", "--worker-class", "sync",
                "--log-level", "warning", "--no-control-socket",
            ]  # fmt: skip
        return [
            sys.executable, "-m", "uvicorn", self.app,
            "--app-dir", str(self.app_dir),
            "--host", HOST, "--port", str(self.port),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip

    def start(self) -> Server:
        log = self.log_path.open("wb")
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                self.command(),
                cwd=REPO_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        finally:
            log.close()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited during start-up.\n{self.log_tail()}")
            try:
                # Any HTTP answer means the server is up; the benchmarks judge the statuses.
                asyncio.run(fetch(self.port, self.ready_path, timeout=5.0))
                return
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} server not ready after {timeout:.0f} s ({last_error}).\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(f"  [{self.name}] {line}" for line in text.splitlines()[-lines:])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)  # the whole group: uvicorn and anything it started
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the server's processes (all their threads), from /proc.

        uvicorn is one process; gunicorn is a master and its worker. Every process in the server's
        process group is counted (the group is the server's own: `start_new_session`).
        """
        if self.proc is None:
            return None
        if self.kind == "uvicorn":
            return _process_cpu_seconds(self.pid)
        total = None
        with contextlib.suppress(OSError):
            for entry in os.scandir("/proc"):
                if entry.name.isdigit():
                    seconds = _process_cpu_seconds(int(entry.name), group=self.pid)
                    if seconds is not None:
                        total = (total or 0.0) + seconds
        return total

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _process_cpu_seconds(pid: int, group: int | None = None) -> float | None:
    """utime + stime of one process from /proc/<pid>/stat; None if gone (or not in `group`)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if group is not None and int(fields[2]) != group:  # fields[2]: process group id
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- A minimal HTTP/1.1 keep-alive client ----------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


Headers = Sequence[tuple[str, str]]


def build_request(port: int, path: str, headers: Headers = ()) -> bytes:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers)
    head = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: alongside-bench\r\nAccept: */*\r\n{extra}\r\n"
    return head.encode("latin-1")


def _request_bytes(port: int, path: str, headers: Headers) -> bytes:
    # Without extra headers, call build_request with two arguments only (a module may wrap it).
    return build_request(port, path, headers) if headers else build_request(port, path)


_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked", re.IGNORECASE)
_CLOSE = re.compile(rb"\r\nconnection:[^\r]*close", re.IGNORECASE)


class RawConnection:
    """One keep-alive connection. Fast enough to saturate a Python server from one core."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> RawConnection:
        reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 20)
        return cls(reader, writer)

    async def request(self, raw_request: bytes) -> tuple[int, bytes, bytes, bool]:
        """Send one request; return (status, head, body, server_closes)."""
        self.writer.write(raw_request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        closes = _CLOSE.search(head) is not None
        length = _LENGTH.search(head)
        if length is not None:
            body = await self.reader.readexactly(int(length.group(1)))
        elif _CHUNKED.search(head) is not None:
            body = await self._read_chunked()
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:
            body = await self.reader.read()
            closes = True
        return status, head, body, closes

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size_line = await self.reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers expected
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


def parse_headers(head: bytes) -> list[tuple[str, str]]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    headers = []
    for line in lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.strip().lower(), value.strip()))
    return headers


async def fetch(port: int, path: str, timeout: float = 10.0, headers: Headers = ()) -> Response:
    """One GET on a fresh connection (set-up and checks, not load)."""
    async with asyncio.timeout(timeout):
        conn = await RawConnection.open(port)
        try:
            status, head, body, _ = await conn.request(_request_bytes(port, path, headers))
        finally:
            conn.close()
    return Response(status, parse_headers(head), body)


# --- Load generation ---------------------------------------------------------------------------


@dataclass
class Scenario:
    label: str
    server: Server
    path: str
    client: str | None = None  # None: Options.client
    headers: Headers = ()  # extra request headers, e.g. [("Cookie", "sessionid=...")]


@dataclass
class Result:
    """One scenario, summed over its measured slices (see `measure`)."""

    label: str
    path: str
    client: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)  # seconds, requests started in a measured window
    seconds: float = 0.0  # length of the measured windows
    errors: int = 0  # non-2xx answers and failed requests, warm-up included
    error_kinds: Counter[str] = field(default_factory=Counter)
    issued: int = 0
    body_bytes: int | None = None
    server_cpu_seconds: float | None = 0.0
    client_cpu_seconds: float = 0.0
    cpu_window: float = 0.0
    warmup_latencies: list[float] = field(default_factory=list)  # to size settling time and slices
    rounds: int = 0  # measured slices it was split into

    @property
    def latency_estimate(self) -> float:
        """Median latency seen while warming up (seconds), 0 if none."""
        if not self.warmup_latencies:
            return 0.0
        return sorted(self.warmup_latencies)[len(self.warmup_latencies) // 2]

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def server_cpu(self) -> float | None:
        """Share of one core the server used while measured."""
        if self.server_cpu_seconds is None or self.cpu_window <= 0:
            return None
        return self.server_cpu_seconds / self.cpu_window

    @property
    def client_cpu(self) -> float | None:
        return self.client_cpu_seconds / self.cpu_window if self.cpu_window > 0 else None

    def percentile_ms(self, pct: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    @property
    def p50(self) -> float | None:
        return self.percentile_ms(50)

    @property
    def p99(self) -> float | None:
        return self.percentile_ms(99)


class _Slice:
    """Book-keeping for one stretch of load on one scenario.

    Counted: requests that complete inside [measure_start, end], as wrk does. Requests still
    running at `end` are waited for (so they do not spill into the next slice) but not counted.
    """

    def __init__(self, result: Result, measure_start: float, end: float, max_requests: int) -> None:
        self.result = result
        self.measure_start = measure_start
        self.end = end
        self.max_requests = max_requests
        self.capped_at: float | None = None  # when max_requests stopped new requests

    def may_start(self) -> bool:
        now = time.perf_counter()
        if now >= self.end:
            return False
        if self.result.issued >= self.max_requests:
            if self.capped_at is None:
                self.capped_at = now
            return False
        self.result.issued += 1
        return True

    def done(self, t0: float, t1: float, status: int, body_bytes: int) -> None:
        result = self.result
        if not 200 <= status < 300:
            result.errors += 1
            result.error_kinds[f"HTTP {status}"] += 1
        result.body_bytes = body_bytes
        if self.measure_start <= t1 <= self.end and self.measure_start < self.end:
            result.latencies.append(t1 - t0)
        elif t1 < self.measure_start or self.measure_start >= self.end:
            result.warmup_latencies.append(t1 - t0)

    def failed(self, kind: str) -> None:
        self.result.errors += 1
        self.result.error_kinds[kind] += 1

    @property
    def measured_seconds(self) -> float:
        stop = self.end if self.capped_at is None else max(self.measure_start, min(self.end, self.capped_at))
        return max(0.0, stop - self.measure_start)


_NETWORK_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


async def _raw_worker(port: int, path: str, headers: Headers, rec: _Slice) -> None:
    raw_request = _request_bytes(port, path, headers)
    conn: RawConnection | None = None
    try:
        while rec.may_start():
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = await RawConnection.open(port)
                status, _, body, closes = await conn.request(raw_request)
            except _NETWORK_ERRORS as exc:
                rec.failed(type(exc).__name__)
                if conn is not None:
                    conn.close()
                conn = None
                await asyncio.sleep(0.05)  # do not spin against a dead server
                continue
            rec.done(t0, time.perf_counter(), status, len(body))
            if closes:
                conn.close()
                conn = None
    except asyncio.CancelledError:
        rec.failed("timeout")
        raise
    finally:
        if conn is not None:
            conn.close()


async def _httpx_worker(client: Any, url: str, headers: Headers, rec: _Slice) -> None:
    import httpx

    try:
        while rec.may_start():
            t0 = time.perf_counter()
            try:
                response = await client.get(url, headers=list(headers))
            except httpx.HTTPError as exc:
                rec.failed(type(exc).__name__)
                await asyncio.sleep(0.05)
                continue
            rec.done(t0, time.perf_counter(), response.status_code, len(response.content))
    except asyncio.CancelledError:
        rec.failed("timeout")
        raise


async def _run_slice(result: Result, scenario: Scenario, options: Options, warmup: float, duration: float) -> None:
    """Closed-loop load on one scenario: `concurrency` workers, each sending its next request
    when the last one is answered, for warmup + duration seconds (unmeasured, then measured)."""
    server = scenario.server
    start = time.perf_counter()
    measure_start = start + warmup
    end = measure_start + duration
    rec = _Slice(result, measure_start, end, options.max_requests)
    samples: dict[str, tuple[float, float | None, float]] = {}

    def sample(key: str) -> None:
        samples[key] = (time.perf_counter(), server.cpu_seconds(), time.process_time())

    async def sample_cpu() -> None:
        await asyncio.sleep(max(0.0, measure_start - time.perf_counter()))
        sample("start")
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        sample("end")

    async def drive(workers: Sequence[Awaitable[None]]) -> None:
        tasks = [asyncio.ensure_future(worker) for worker in workers]
        sampler = asyncio.ensure_future(sample_cpu())
        try:
            # Hard stop: nobody waits on a hung request past warm-up + duration + timeout.
            await asyncio.wait(tasks, timeout=warmup + duration + options.timeout)
            if "start" in samples and "end" not in samples:
                sample("end")  # stopped early: max_requests reached
        finally:
            for task in [*tasks, sampler]:
                task.cancel()
            await asyncio.gather(*tasks, sampler, return_exceptions=True)

    if result.client == "raw":
        await drive(
            [_raw_worker(server.port, scenario.path, scenario.headers, rec) for _ in range(options.concurrency)]
        )
    else:
        import httpx

        limits = httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=options.concurrency)
        async with httpx.AsyncClient(
            base_url=f"http://{HOST}:{server.port}", limits=limits, timeout=options.timeout, trust_env=False
        ) as http:
            await drive([_httpx_worker(http, scenario.path, scenario.headers, rec) for _ in range(options.concurrency)])

    if duration <= 0:
        return
    result.rounds += 1
    result.seconds += rec.measured_seconds
    if "start" in samples and "end" in samples:
        (t0, s0, c0), (t1, s1, c1) = samples["start"], samples["end"]
        result.cpu_window += t1 - t0
        result.client_cpu_seconds += c1 - c0
        if s0 is None or s1 is None or result.server_cpu_seconds is None:
            result.server_cpu_seconds = None
        else:
            result.server_cpu_seconds += s1 - s0


SETTLE = 0.1  # least unmeasured time at the start of each measured slice (new connections)
SETTLE_MAX = 3.0
SLICE_LATENCIES = 4  # a measured slice lasts at least this many typical latencies


async def measure(scenarios: Sequence[Scenario], options: Options) -> list[Result]:
    """Warm each scenario up, then measure them interleaved: up to `rounds` rounds, each giving
    every scenario duration/rounds seconds, so a page and its reference share the same background
    load (this 2-core machine runs other work too).

    Each measured slice starts with new connections and an unmeasured settling time of about
    1.5 latencies, so that the closed loop is in its steady state when counting starts. Slow
    scenarios get fewer, longer slices: a slice lasts at least SLICE_LATENCIES latencies (down to
    one slice, i.e. no interleaving).
    """
    results = []
    for scenario in scenarios:
        client = scenario.client or options.client
        if client not in CLIENTS:
            raise ValueError(f"unknown client {client!r}")
        results.append(Result(scenario.label, scenario.path, client, options.concurrency))
    for scenario, result in zip(scenarios, results, strict=True):
        await _run_slice(result, scenario, options, warmup=options.warmup, duration=0)
    slowest = max(result.latency_estimate for result in results)
    rounds = max(1, options.rounds)
    while rounds > 1 and options.duration / rounds < SLICE_LATENCIES * slowest:
        rounds -= 1
    for _ in range(rounds):
        for scenario, result in zip(scenarios, results, strict=True):
            settle = min(SETTLE_MAX, max(SETTLE, 1.5 * result.latency_estimate))
            await _run_slice(result, scenario, options, warmup=settle, duration=options.duration / rounds)
    return results


# --- Context handed to each benchmark ----------------------------------------------------------


_REF_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Headers the reference app must not replay: the server adds its own, or they describe framing.
_NOT_REPLAYED = {"date", "server", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass
class Context:
    options: Options
    app: Server  # the Alongside ASGI application under uvicorn
    ref: Server  # the bare ASGI reference app under uvicorn (benchmarks/refapp.py)
    ref_dir: Path
    seed: dict[str, Any] = field(default_factory=dict)  # per benchmark: what its seed() returned
    servers: dict[str, Server] = field(default_factory=dict)  # extra servers a benchmark asked for (SERVERS)
    results: list[Result] = field(default_factory=list)

    async def fetch(self, server: Server, path: str, headers: Headers = ()) -> Response:
        return await fetch(server.port, path, timeout=self.options.timeout, headers=headers)

    async def measure(
        self, label: str, server: Server, path: str, client: str | None = None, headers: Headers = ()
    ) -> Result:
        """One scenario on its own."""
        return (await self.measure_set([Scenario(label, server, path, client, headers)]))[0]

    async def measure_set(self, scenarios: Sequence[Scenario]) -> list[Result]:
        """Several scenarios measured interleaved (compare these with each other)."""
        opts = self.options
        print(
            f"  measuring {len(scenarios)} scenario(s): {opts.warmup:g} s warm-up each, then {opts.rounds} "
            f"interleaved round(s) of {opts.duration / opts.rounds:g} s each ...",
            flush=True,
        )
        results = await measure(scenarios, opts)
        if results and results[0].rounds != opts.rounds:
            print(f"  (slow responses: measured in {results[0].rounds} round(s) instead)", flush=True)
        for result in results:
            print(f"  - {result.label}: {result.rps:,.0f} req/s, {result.errors} errors", flush=True)
        self.results.extend(results)
        return results

    def publish_reference(self, name: str, response: Response) -> str:
        """Have the reference app answer `/<name>` with exactly this status, headers and body."""
        if not _REF_NAME.match(name):
            raise ValueError(f"bad reference name {name!r}")
        headers = [[k, v] for k, v in response.headers if k not in _NOT_REPLAYED]
        (self.ref_dir / f"{name}.json").write_text(json.dumps({"status": response.status, "headers": headers}))
        (self.ref_dir / f"{name}.body").write_bytes(response.body)
        return f"/{name}"


# --- Tables ---------------------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        widths = [max(len(col), *(len(row[i]) for row in self.rows)) for i, col in enumerate(self.columns)]
        right = [i > 0 and any(_looks_numeric(row[i]) for row in self.rows) for i in range(len(self.columns))]

        def line(cells: Sequence[str]) -> str:
            padded = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
            return "| " + " | ".join(padded) + " |"

        rule = "|" + "|".join(
            ("-" * (w + 1) + ":") if r else ("-" * (w + 2)) for w, r in zip(widths, right, strict=True)
        )
        out = [f"### {self.title}", "", line(self.columns), rule + "|", *(line(row) for row in self.rows)]
        if self.notes:
            out += ["", *self.notes]
        return "\n".join(out)


def _looks_numeric(cell: str) -> bool:
    return bool(re.match(r"^[\d,.]+( ?[x%])?$", cell))


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.1f}")


def fmt_pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def fmt_ratio(value: float, reference: float) -> str:
    if reference <= 0:
        return "n/a"
    ratio = value / reference
    return f"{ratio:.3f}x" if ratio < 0.1 else f"{ratio:.2f}x"


LOAD_COLUMNS = ["scenario", "bytes", "req/s", "p50 ms", "p99 ms", "errors", "vs ref", "server CPU", "client CPU"]


def load_row(result: Result, reference: Result | None, extra: Sequence[str] = ()) -> list[str]:
    """One row in LOAD_COLUMNS order (+ extra cells); `vs ref` is req/s divided by the reference's."""
    return [
        result.label,
        "n/a" if result.body_bytes is None else f"{result.body_bytes:,}",
        f"{result.rps:,.0f}",
        fmt_ms(result.p50),
        fmt_ms(result.p99),
        str(result.errors) + (f" ({_kinds(result.error_kinds)})" if result.errors else ""),
        "1 (ref)" if reference is None or reference is result else fmt_ratio(result.rps, reference.rps),
        fmt_pct(result.server_cpu),
        fmt_pct(result.client_cpu),
        *extra,
    ]


def _kinds(kinds: Counter[str]) -> str:
    return ", ".join(f"{kind}: {count}" for kind, count in kinds.most_common(3))
