"""`make chaos`: live chat under faults. Checks the delivery contract of docs/chat-protocol.md
(stored with a gap-free number before it is pushed; acks carry the number; client ids make retries
idempotent; `hello after N` resumes in order) while things break.

Everything runs on 127.0.0.1 and is this script's own: a throwaway PostgreSQL cluster (initdb into
a temporary folder, as the `postgres` OS user when run as root), a redis-server on a free port, and
two uvicorn app servers sharing them (REDIS_URL: the Redis pub/sub channel layer). It migrates,
makes one support chat (a member and a listener) per conversation, then runs, in this process:

- senders (the member and the listener of each chat, each on its own socket): every message has a
  unique client id; one unacknowledged after a drop or a timeout is sent again, with the same id,
  on a new connection;
- receivers (a second socket for the member and for the listener, on the other server from their
  sender): they record every `message` frame and, after any drop, reconnect with `hello after`
  the highest number they have shown;
- a fault injector: SIGKILL Redis and start it again, `pg_ctl restart -m fast`, SIGKILL an app
  server mid-stream and start it again, abort client connections (TCP closed, no close frame).
  After each repair it measures how long until every receiver had shown everything stored at that
  moment ("caught up"), and the first message stored after it too ("live again").
- a last fault once the senders are done ("quiet_after_redis"; `--no-quiet-tail` skips it): Redis
  killed and started again, then one message per conversation and silence, as in a real chat
  where someone writes and waits for the answer.

Clients connect to their home server and fail over to the other one when it refuses. A message
acknowledged but never shown to a receiver that stayed connected to the end counts as lost.

With `--ignore-resume` the receivers reconnect with `after` = the conversation's newest number (read
from the database), skipping what they missed: that run must report losses, which shows the checks
can see them. The default runs both and exits 1 if the normal run lost, duplicated or reordered
anything (or the ignore-resume run saw no loss). Processes and folders are removed at the end, on
Ctrl-C, SIGTERM or failure too (`--keep` keeps the folder with the server logs).

    make chaos
    PYTHONPATH=src .venv/bin/python benchmarks/chaos.py --normal-only --messages 1000 --faults 6
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SRC_DIR = REPO_DIR / "src"
for _path in (str(SRC_DIR), str(REPO_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import psycopg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, WebSocketException  # noqa: E402

HOST = "127.0.0.1"
CATCH_UP_TARGET = 10.0  # seconds from a repair until every receiver has caught up
FAULT_KINDS = ("abort_clients", "kill_redis", "restart_postgres", "kill_app_a", "abort_after_hello", "kill_app_b")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if this process dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _popen(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A child in its own session (Ctrl-C reaches only this script, which stops it) that dies with us."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - fixed commands
            command,
            cwd=REPO_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def _stop_group(proc: subprocess.Popen[bytes] | None, sig: signal.Signals = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    for signum, wait in ((sig, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signum)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --- The services: PostgreSQL, Redis, two app servers ---------------------------------------------


def _pg_bin() -> Path:
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql (apt install postgresql).")
    return versions[-1]


class Postgres:
    """A throwaway cluster in `root/pg`, owned by the `postgres` OS user when we run as root."""

    def __init__(self, root: Path) -> None:
        self.bin = _pg_bin()
        self.data = root / "pg"
        self.sockets = root / "pg-sockets"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.started = False

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = list(args)
        if os.geteuid() == 0:  # initdb refuses root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(  # noqa: S603 - fixed commands
            command,
            cwd="/",
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{result.stdout}{result.stderr}\n{self.log_tail()}")

    def init(self) -> None:
        for folder in (self.data, self.sockets):
            folder.mkdir(mode=0o700)
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.log, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        self.start()

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses={HOST} -c max_connections=200"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
            "-o", options, *extra, action,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")
        self.started = True

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if self.started and (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._pg_ctl("stop", "-m", "immediate")
        self.started = False

    def url(self, database: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def _redis_ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Redis:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.log = root / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        """Start redis-server (from the main thread: a child started from a worker thread would get
        its parent-death signal when that thread ends)."""
        self.proc = _popen(
            [
                "redis-server", "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", str(self.root),
            ],
            self.log,
        )  # fmt: skip

    def wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 20
        while not _redis_ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        _stop_group(self.proc)


class AppServer:
    def __init__(self, name: str, env: dict[str, str], root: Path) -> None:
        self.name = name
        self.env = env
        self.port = free_port()
        self.log = root / f"app-{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = _popen(
            [
                sys.executable, "-m", "uvicorn", "alongside.asgi:application", "--app-dir", "src",
                "--host", HOST, "--port", str(self.port), "--lifespan", "off", "--log-level", "warning",
                "--no-access-log", "--timeout-graceful-shutdown", "2",
            ],
            self.log,
            self.env,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"app server {self.name} exited during start-up:\n{self.log_tail()}")
            try:  # any HTTP answer will do: /healthz says 503 while a dependency is down
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
                    if sock.recv(12).startswith(b"HTTP/1.1"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"app server {self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        _stop_group(self.proc)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


# --- Set-up inside Django (this process, with the run's environment) ------------------------------


@dataclass(frozen=True)
class Chat:
    conversation_id: int
    member_id: int
    listener_id: int
    member_cookies: tuple[str, str]  # the sender's session, the receiver's session
    listener_cookies: tuple[str, str]


def _django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def make_chats(count: int, tag: str) -> list[Chat]:
    """`count` active support chats, each with a member and a listener, and two sessions for each."""
    from django.db import connections

    from alongside.accounts.enums import Role
    from alongside.chat.models import Conversation, ListenerProfile, ListenerStatus
    from alongside.chat.services import conversations as services
    from tests.personas import make_person, session_cookie

    members = []
    for index in range(count):
        listener = make_person(f"{tag}_listener_{index}", Role.LISTENER)
        ListenerProfile.objects.update_or_create(
            user=listener,
            defaults={"status": ListenerStatus.APPROVED, "languages": ["en"], "capacity": 1, "is_online": True},
        )
        members.append(make_person(f"{tag}_member_{index}"))
    for member in members:
        services.support_request(actor=member, language="en")
    services.queue_match()
    chats = []
    for member in members:
        conversation = Conversation.objects.select_related("listener").get(member=member)
        if conversation.listener is None:
            raise RuntimeError(f"no listener was matched with {member}")
        chats.append(
            Chat(
                conversation.pk,
                member.pk,
                conversation.listener.pk,
                (session_cookie(member), session_cookie(member)),
                (session_cookie(conversation.listener), session_cookie(conversation.listener)),
            )
        )
    connections.close_all()
    return chats


# --- The clients --------------------------------------------------------------------------------


class Run:
    """One run: its clients, its fault log, and the servers they talk to."""

    def __init__(self, args: argparse.Namespace, services: Services, chats: list[Chat], ignore_resume: bool) -> None:
        self.args = args
        self.services = services
        self.chats = chats
        self.ignore_resume = ignore_resume
        self.stopping = False
        self.injecting = False  # senders go on past their quota until the faults are done
        self.started = time.monotonic()
        self.rng = random.Random(args.seed + (1 if ignore_resume else 0))  # noqa: S311 - not for secrets
        self.senders: list[Sender] = []
        self.receivers: list[Receiver] = []
        self.faults: list[FaultResult] = []
        self.log_offsets: dict[str, int] = {}

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.services.apps]

    async def latest_seqs(self, conversation_ids: list[int] | None = None) -> dict[int, int]:
        """Each conversation's newest sequence number, read from the database (retried while it is down)."""
        ids = conversation_ids or [chat.conversation_id for chat in self.chats]
        for _attempt in range(600):
            try:
                async with await psycopg.AsyncConnection.connect(self.services.db_url, connect_timeout=2) as conn:
                    rows = await (
                        await conn.execute("SELECT id, last_seq FROM chat_conversation WHERE id = ANY(%s)", (ids,))
                    ).fetchall()
                    return {int(pk): int(seq) for pk, seq in rows}
            except psycopg.OperationalError:
                await asyncio.sleep(0.1)
        raise RuntimeError("the database stayed unreachable")

    def clients(self) -> list[Client]:
        return [*self.senders, *self.receivers]


class Client:
    """One WebSocket of one person in one conversation, homed on one server."""

    def __init__(self, run: Run, name: str, cookie: str, conversation_id: int, home: int) -> None:
        self.run = run
        self.name = name
        self.cookie = cookie
        self.conversation_id = conversation_id
        self.home = home
        self.ws: ClientConnection | None = None
        self.connections = 0
        self.refused = 0
        self.drops = 0

    async def connect(self) -> ClientConnection | None:
        failures = 0
        while not self.run.stopping:
            for index in (self.home, 1 - self.home):
                url = f"ws://{HOST}:{self.run.ports[index]}/ws/chat/{self.conversation_id}/"
                try:
                    ws = await connect(
                        url,
                        origin=f"http://{HOST}",  # type: ignore[arg-type]
                        additional_headers={"Cookie": f"sessionid={self.cookie}"},
                        open_timeout=5,
                        ping_interval=5,
                        ping_timeout=5,
                        close_timeout=1,
                        compression=None,
                        max_queue=None,
                    )
                except (OSError, TimeoutError, WebSocketException):
                    self.refused += 1
                    continue
                self.connections += 1
                self.ws = ws
                return ws
            failures += 1
            await asyncio.sleep(min(2.0, 0.05 * 2**failures))
        return None

    def abort(self) -> bool:
        """Close the TCP connection without a close frame."""
        ws = self.ws
        if ws is None or ws.transport is None or ws.transport.is_closing():
            return False
        ws.transport.abort()
        return True

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)


class Receiver(Client):
    """Shows every message once, in order; after any drop says `hello` with the highest number shown
    (or, with --ignore-resume, with the conversation's newest number)."""

    def __init__(self, run: Run, name: str, cookie: str, conversation_id: int, home: int) -> None:
        super().__init__(run, name, cookie, conversation_id, home)
        self.seen: set[int] = set()
        self.highest = 0  # the highest number shown
        self.contiguous = 0  # every number up to this one has been shown
        self.duplicates = 0
        self.out_of_order = 0
        self.deliveries = 0

    async def main(self) -> None:
        first = True
        while not self.run.stopping:
            ws = await self.connect()
            if ws is None:
                return
            after = self.highest
            if self.run.ignore_resume and not first:
                after = (await self.run.latest_seqs([self.conversation_id]))[self.conversation_id]
            first = False
            expected = after + 1
            try:
                await ws.send(json.dumps({"type": "hello", "after": after}))
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame.get("type") == "message":
                        self.record(int(frame["seq"]), expected)
                        expected = int(frame["seq"]) + 1
            except (ConnectionClosed, OSError):
                pass
            finally:
                self.ws = None
            if not self.run.stopping:
                self.drops += 1

    def record(self, seq: int, expected: int) -> None:
        """One `message` frame. A socket must send `after + 1`, `after + 2`, … and nothing else."""
        self.deliveries += 1
        if seq in self.seen:
            self.duplicates += 1
        elif seq != expected:
            self.out_of_order += 1
        self.seen.add(seq)
        self.highest = max(self.highest, seq)
        while self.contiguous + 1 in self.seen:
            self.contiguous += 1


@dataclass
class Outgoing:
    client_id: str
    body: str
    not_before: float
    attempts: int = 0


class Sender(Client):
    """Sends its quota at a steady pace, one at a time: each waits for its ack; after a drop or a
    timeout, the same message (same client id) goes again on a new connection."""

    ACK_TIMEOUT = 5.0

    def __init__(
        self, run: Run, name: str, cookie: str, conversation_id: int, home: int, sender_id: int, quota: int
    ) -> None:
        super().__init__(run, name, cookie, conversation_id, home)
        self.sender_id = sender_id
        interval = run.args.senders_interval
        start = time.monotonic() + run.rng.uniform(0, interval)
        self.queue = [
            Outgoing(f"{name}-{index}-{secrets.token_hex(4)}", f"{name} message {index}", start + index * interval)
            for index in range(quota)
        ]
        self.acks: dict[str, int] = {}
        self.conflicting_acks = 0  # a repeat acknowledged with another number than the first time
        self.retries = 0
        self.repeats = 0  # messages sent again on purpose after their ack (same client id)
        self.errors: Counter[str] = Counter()
        self.idle = asyncio.Event()  # everything queued is acknowledged
        self.wakeup = asyncio.Event()

    @property
    def pending(self) -> list[Outgoing]:
        return [item for item in self.queue if item.client_id not in self.acks]

    async def main(self) -> None:
        """Send what is pending; when nothing is, keep the socket open and wait for more (`add`)."""
        ws: ClientConnection | None = None
        while not self.run.stopping:
            if not self.pending and self.run.injecting:  # quota sent, faults still to come: go on
                index = len(self.queue)
                self.queue.append(
                    Outgoing(
                        f"{self.name}-{index}-{secrets.token_hex(4)}",
                        f"{self.name} message {index}",
                        time.monotonic() + self.run.args.senders_interval,
                    )
                )
            if not self.pending:
                self.idle.set()
                await self.wakeup.wait()
                self.wakeup.clear()
                continue
            self.idle.clear()
            if ws is None:
                ws = await self.connect()
                if ws is None:
                    return
            try:
                for item in self.pending:
                    delay = item.not_before - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    while item.client_id not in self.acks:
                        if self.run.stopping:
                            return
                        item.attempts += 1
                        if item.attempts > 1:
                            self.retries += 1
                        await self._send(ws, item)
                    if self.run.rng.random() < self.run.args.repeat_share:
                        self.repeats += 1  # a client that did not see its ack: the same message again
                        await self._send(ws, item)
            except (ConnectionClosed, OSError, TimeoutError):
                self.abort()
                ws = self.ws = None
                if not self.run.stopping:
                    self.drops += 1

    def add(self, client_id: str, body: str) -> None:
        self.queue.append(Outgoing(client_id, body, 0.0))
        self.idle.clear()
        self.wakeup.set()

    async def _send(self, ws: ClientConnection, item: Outgoing) -> None:
        await ws.send(json.dumps({"type": "send", "client_id": item.client_id, "body": item.body}))
        if not await self._await_answer(ws, item):
            raise ConnectionAbortedError("no answer")  # reconnect, then send it again

    async def _await_answer(self, ws: ClientConnection, item: Outgoing) -> bool:
        """True when the message was answered (acknowledged, or refused: then it is sent again)."""
        deadline = time.monotonic() + self.ACK_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), remaining))
            except TimeoutError:
                return False
            if frame.get("client_id") != item.client_id:
                continue
            if frame.get("type") == "ack":
                seq = int(frame["seq"])
                if self.acks.setdefault(item.client_id, seq) != seq:
                    self.conflicting_acks += 1
                return True
            self.errors[f"{frame.get('type')}:{frame.get('code', '')}"] += 1
            await asyncio.sleep(0.5)
            return True


# --- Faults ---------------------------------------------------------------------------------------


@dataclass
class FaultResult:
    kind: str
    at: float  # seconds into the run
    outage: float  # from the fault to its repair
    caught_up: float | None  # from the repair until every receiver had shown everything stored then
    live_again: float | None  # … and the first message stored after the repair too
    lagging: int  # receivers still behind when we stopped waiting
    detail: str = ""


async def inject(run: Run, kind: str) -> FaultResult:
    services = run.services
    began = time.monotonic()
    detail = ""
    if kind == "abort_clients":
        chosen = [c for c in run.clients() if run.rng.random() < 0.5]
        detail = f"{sum(c.abort() for c in chosen)} sockets"
    elif kind == "kill_redis":
        services.redis.kill()
        await asyncio.sleep(run.args.outage)
        services.redis.spawn()
        await asyncio.to_thread(services.redis.wait_ready)
    elif kind == "abort_after_hello":
        cut = await asyncio.gather(*(_hello_then_abort(run, chat, port) for chat in run.chats for port in run.ports))
        detail = f"{sum(cut)} sockets"
    elif kind == "restart_postgres":
        await asyncio.to_thread(services.postgres.restart)
    elif kind in ("kill_app_a", "kill_app_b"):
        server = services.apps[0 if kind == "kill_app_a" else 1]
        server.kill()
        await asyncio.sleep(run.args.outage)
        server.start()
        await asyncio.to_thread(server.wait_ready)
    else:
        raise ValueError(kind)
    repaired = time.monotonic()
    return await _measure(run, kind, began, repaired, await run.latest_seqs(), detail)


async def _hello_then_abort(run: Run, chat: Chat, port: int) -> int:
    """A phone losing its signal just after reconnecting: a new socket says `hello` with the newest
    number and its TCP connection is cut at once, before `ready`. 1 if it got that far."""
    try:
        ws = await connect(
            f"ws://{HOST}:{port}/ws/chat/{chat.conversation_id}/",
            origin=f"http://{HOST}",  # type: ignore[arg-type]
            additional_headers={"Cookie": f"sessionid={chat.listener_cookies[1]}"},
            open_timeout=5,
            compression=None,
        )
    except (OSError, TimeoutError, WebSocketException):
        return 0
    latest = (await run.latest_seqs([chat.conversation_id]))[chat.conversation_id]
    await ws.send(json.dumps({"type": "hello", "after": latest}))
    if ws.transport is not None:
        ws.transport.abort()
    return 1


async def _measure(
    run: Run, kind: str, began: float, repaired: float, stored: dict[int, int], detail: str = ""
) -> FaultResult:
    """Wait until every receiver has shown everything stored at the repair (`stored`) and the next
    message after it."""
    wait_limit = run.args.catch_up_wait if not run.ignore_resume else 3.0
    caught_up: float | None = None
    live_again: float | None = None
    while time.monotonic() - repaired < wait_limit:
        if caught_up is None and all(r.contiguous >= stored[r.conversation_id] for r in run.receivers):
            caught_up = time.monotonic() - repaired
        if all(r.contiguous > stored[r.conversation_id] for r in run.receivers):
            live_again = time.monotonic() - repaired
            break
        await asyncio.sleep(0.02)
    lagging = sum(1 for r in run.receivers if r.contiguous <= stored[r.conversation_id])
    return FaultResult(kind, began - run.started, repaired - began, caught_up, live_again, lagging, detail)


async def quiet_tail(run: Run) -> None:
    """The last fault, once the senders are done: Redis killed and started again, then exactly one
    more message per conversation (from its member), sent at once, and nothing after it. A socket
    whose server missed that push gets no later push to notice the gap by."""
    services = run.services
    members = run.senders[::2]
    for sender in members:  # a fresh message first: each member's socket is open and answering
        sender.add(f"{sender.name}-warm-{secrets.token_hex(4)}", f"{sender.name}: nearly the last message")
    await asyncio.wait([asyncio.create_task(s.idle.wait()) for s in members], timeout=run.args.catch_up_wait)
    await asyncio.sleep(1.0)
    began = time.monotonic()
    services.redis.kill()
    # channels_redis retries its subscriptions once a second while Redis is away: coming back just
    # after a retry leaves the longest wait before the next one.
    await asyncio.sleep(1.1)
    services.redis.spawn()
    await asyncio.to_thread(services.redis.wait_ready)
    repaired = time.monotonic()
    stored = await run.latest_seqs()
    for sender in members:  # on the sockets they sent on before
        sender.add(f"{sender.name}-last-{secrets.token_hex(4)}", f"{sender.name}: the last message")
    result = await _measure(run, "quiet_after_redis", began, repaired, stored, "1 message per chat, then none")
    run.faults.append(result)
    print(
        f"  fault {len(run.faults):2} (last) quiet_after_redis: repaired after {result.outage:.2f} s; "
        f"caught up {_seconds(result.caught_up)}; live again {_seconds(result.live_again)}"
    )


async def fault_loop(run: Run, schedule: list[str], spacing: float) -> None:
    await asyncio.sleep(min(3.0, spacing))
    for index, kind in enumerate(schedule):
        slot = run.started + 3.0 + index * spacing
        delay = slot - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if run.stopping:
            return
        result = await inject(run, kind)
        run.faults.append(result)
        print(
            f"  fault {index + 1:2}/{len(schedule)} {kind:<17} repaired after {result.outage:.2f} s; "
            f"caught up {_seconds(result.caught_up)}; live again {_seconds(result.live_again)}"
        )


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


# --- A run and its checks -------------------------------------------------------------------------


@dataclass
class Services:
    postgres: Postgres
    redis: Redis
    apps: list[AppServer]
    db_url: str


@dataclass
class Report:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    faults: list[FaultResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    losses: int = 0


async def run_clients(run: Run, messages: int, faults: int) -> None:
    senders_per_chat = 2
    quota = max(1, -(-messages // (len(run.chats) * senders_per_chat)))
    for index, chat in enumerate(run.chats):
        a, b = index % 2, 1 - index % 2
        sender_args = [
            (f"m{index}", chat.member_cookies[0], a, chat.member_id),
            (f"l{index}", chat.listener_cookies[0], b, chat.listener_id),
        ]
        for name, cookie, home, user_id in sender_args:
            run.senders.append(Sender(run, name, cookie, chat.conversation_id, home, user_id, quota))
        run.receivers.append(Receiver(run, f"rm{index}", chat.member_cookies[1], chat.conversation_id, b))
        run.receivers.append(Receiver(run, f"rl{index}", chat.listener_cookies[1], chat.conversation_id, a))
    sending_time = quota * run.args.senders_interval
    kinds = run.args.kinds
    if run.ignore_resume:  # what it shows is the loss from skipping, not a server's own failure
        kinds = [kind for kind in kinds if kind != "abort_after_hello"] or kinds
    schedule = [kinds[i % len(kinds)] for i in range(faults)]
    spacing = max(1.0, (sending_time - 6.0) / max(1, faults))
    run.started = time.monotonic()
    receivers = [asyncio.create_task(r.main()) for r in run.receivers]
    senders = [asyncio.create_task(s.main()) for s in run.senders]
    run.injecting = True
    injector = asyncio.create_task(fault_loop(run, schedule, spacing))
    deadline = run.started + sending_time + faults * (run.args.catch_up_wait + 8) + 60
    try:
        await asyncio.wait_for(injector, max(1.0, deadline - time.monotonic()))
        run.injecting = False
        idle = [asyncio.create_task(s.idle.wait()) for s in run.senders]
        await asyncio.wait(idle, timeout=max(1.0, deadline - time.monotonic()))
        for waiting in idle:
            waiting.cancel()
        if run.args.quiet_tail and not run.ignore_resume:
            await quiet_tail(run)
        # Drain: until every receiver has everything stored (or we give up).
        drain_until = time.monotonic() + (run.args.drain if not run.ignore_resume else 3.0)
        while time.monotonic() < drain_until:
            targets = await run.latest_seqs()
            if all(r.contiguous >= targets[r.conversation_id] for r in run.receivers):
                break
            await asyncio.sleep(0.1)
    finally:
        run.stopping = True
        for client in run.clients():
            await client.close()
        for task in [*receivers, *senders, injector]:
            task.cancel()
        await asyncio.gather(*receivers, *senders, injector, return_exceptions=True)


_RECORD_START = re.compile(r"^(\d{4}-\d\d-\d\d |(ERROR|WARNING|INFO|CRITICAL|DEBUG):)")
_LOG_PREFIX = re.compile(r"^(\d{4}-\d\d-\d\d [\d:,.]+ )?(ERROR|WARNING|CRITICAL)?:?\s*")
# The last line of a traceback: a dotted class name (psycopg.OperationalError, uvicorn...ClientDisconnected)
# or a built-in one (KeyError). Not a line of a multi-line message ("FATAL:  the database ...").
_EXCEPTION = re.compile(r"^(?:(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*|[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt))(?=:|$)")


def _server_errors(services: Services, offsets: dict[str, int]) -> Counter[str]:
    """Tracebacks the app servers logged during this run: "what was logged: the last exception"."""
    found: Counter[str] = Counter()
    for server in services.apps:
        try:
            with server.log.open("rb") as log:
                log.seek(offsets.get(server.name, 0))
                lines = log.read().decode(errors="replace").splitlines()
        except OSError:
            continue
        records: list[list[str]] = []
        for line in lines:
            if _RECORD_START.match(line) or not records:
                records.append([line])
            else:
                records[-1].append(line)
        for record in records:
            if not any(line.startswith("Traceback") for line in record[1:]):
                continue
            exceptions = [m.group(0) for line in record if (m := _EXCEPTION.match(line))]
            context = re.sub(r"\d+", "N", _LOG_PREFIX.sub("", record[0])).rstrip(":")[:70]
            found[f"{context}: {exceptions[-1] if exceptions else '?'}"] += 1
    return found


async def check(run: Run) -> Report:
    ids = [chat.conversation_id for chat in run.chats]
    async with await psycopg.AsyncConnection.connect(run.services.db_url) as conn:
        rows = await (
            await conn.execute(
                "SELECT conversation_id, seq, sender_id, client_id FROM chat_message "
                "WHERE conversation_id = ANY(%s) AND seq IS NOT NULL",
                (ids,),
            )
        ).fetchall()
        duplicate_rows = (
            await (
                await conn.execute(
                    "SELECT count(*) - count(DISTINCT (conversation_id, sender_id, client_id)) FROM chat_message "
                    "WHERE conversation_id = ANY(%s) AND client_id <> ''",
                    (ids,),
                )
            ).fetchone()
        ) or (0,)
    latest = await run.latest_seqs()
    stored: dict[tuple[int, int, str], int] = {}
    numbers: dict[int, list[int]] = {cid: [] for cid in ids}
    for conversation_id, seq, sender_id, client_id in rows:
        numbers[conversation_id].append(seq)
        if client_id:
            stored[(conversation_id, sender_id, client_id)] = seq
    gaps = sum(
        1 for cid, seqs in numbers.items() if sorted(seqs) != list(range(1, latest[cid] + 1))
    )  # numbers are 1..last_seq, each once

    sent = sum(len(s.queue) for s in run.senders)
    attempted = sum(1 for s in run.senders for item in s.queue if item.attempts)
    acked = sum(len(s.acks) for s in run.senders)
    lost_db = lost_receivers = 0
    lost_examples: list[str] = []
    receivers_of: dict[int, list[Receiver]] = {}
    for receiver in run.receivers:
        receivers_of.setdefault(receiver.conversation_id, []).append(receiver)
    for sender in run.senders:
        for client_id, seq in sender.acks.items():
            if stored.get((sender.conversation_id, sender.sender_id, client_id)) != seq:
                lost_db += 1
                lost_examples.append(f"{client_id} (ack {seq}) not stored as {seq}")
            elif any(seq not in r.seen for r in receivers_of[sender.conversation_id]):
                lost_receivers += 1
                if len(lost_examples) < 5:
                    missing = [r.name for r in receivers_of[sender.conversation_id] if seq not in r.seen]
                    lost_examples.append(f"{client_id} (seq {seq}) never shown to {', '.join(missing)}")
    undelivered = sum(1 for r in run.receivers for seq in range(1, latest[r.conversation_id] + 1) if seq not in r.seen)
    shown_twice = sum(r.duplicates for r in run.receivers)
    out_of_order = sum(r.out_of_order for r in run.receivers)
    conflicting = sum(s.conflicting_acks for s in run.senders)
    errors = Counter[str]()
    for sender in run.senders:
        errors.update(sender.errors)
    server_errors = _server_errors(run.services, run.log_offsets)

    title = (
        "--ignore-resume (receivers skip what they missed)"
        if run.ignore_resume
        else "normal (resume with hello after N)"
    )
    report = Report(title, faults=run.faults)
    caught = sorted(f.caught_up for f in run.faults if f.caught_up is not None)
    live = sorted(f.live_again for f in run.faults if f.live_again is not None)
    report.rows = [
        ("conversations / senders / receivers", f"{len(run.chats)} / {len(run.senders)} / {len(run.receivers)}"),
        ("duration", f"{time.monotonic() - run.started:.0f} s"),
        ("faults injected", str(len(run.faults))),
        ("messages sent (unique client ids)", f"{attempted} of {sent}"),
        (
            "messages sent again with the same client id (after a drop or timeout; on purpose)",
            f"{sum(s.retries for s in run.senders)}; {sum(s.repeats for s in run.senders)}",
        ),
        ("messages acknowledged", str(acked)),
        ("acknowledged messages lost: not in the database", str(lost_db)),
        ("acknowledged messages lost: never shown to a receiver", str(lost_receivers)),
        ("stored messages (incl. events) never shown, receiver x message", str(undelivered)),
        ("duplicate rows (same sender + client id)", str(duplicate_rows[0])),
        ("repeats acknowledged with another number than the first ack", str(conflicting)),
        ("conversations whose numbers are not 1..last_seq", str(gaps)),
        ("duplicates shown (a receiver got a number twice)", str(shown_twice)),
        ("out-of-order deliveries (not after + 1, after + 2, …)", str(out_of_order)),
        ("receiver reconnections", str(sum(r.drops for r in run.receivers))),
        ("sender reconnections", str(sum(s.drops for s in run.senders))),
        ("refused connection attempts (server down, dependency down)", str(sum(c.refused for c in run.clients()))),
        ("frames refused by the server (type:code x n)", ", ".join(f"{k} x {v}" for k, v in errors.items()) or "0"),
        (
            "after a repair, all receivers had everything stored then: max / median",
            f"{caught[-1]:.2f} s / {caught[len(caught) // 2]:.2f} s" if caught else "-",
        ),
        (
            "… and the first message stored after it (live again): max / median",
            f"{live[-1]:.2f} s / {live[len(live) // 2]:.2f} s" if live else "-",
        ),
        (
            f"faults not live again within {CATCH_UP_TARGET:.0f} s",
            str(sum(1 for f in run.faults if f.live_again is None or f.live_again > CATCH_UP_TARGET)),
        ),
        ("server exceptions logged", ", ".join(f"{k} x {v}" for k, v in server_errors.most_common()) or "0"),
    ]
    report.losses = lost_db + lost_receivers
    if lost_examples:
        report.rows.append(("examples", "; ".join(lost_examples[:5])))
    problems = {
        "acknowledged messages lost": lost_db + lost_receivers,
        "duplicate rows": duplicate_rows[0] + conflicting,
        "duplicates shown": shown_twice,
        "out-of-order deliveries": out_of_order,
        "gaps in stored numbers": gaps,
        f"faults after which receivers were not live again within {run.args.catch_up_wait:.0f} s": sum(
            1 for f in run.faults if f.live_again is None
        ),
    }
    report.failures = [f"{name}: {count}" for name, count in problems.items() if count]
    return report


def print_report(report: Report) -> None:
    print(f"\n### Chaos run: {report.title}\n")
    print("| measure | value |\n|---|---|")
    for name, value in report.rows:
        print(f"| {name} | {value} |")
    print(
        "\n| # | fault | at | outage until repaired | receivers had all stored at repair | live again |"
        "\n|---|---|---|---|---|---|"
    )
    for index, fault in enumerate(report.faults, 1):
        live = _seconds(fault.live_again)
        if fault.live_again is None:
            live = f"not within the wait ({fault.lagging} receivers behind)"
        elif fault.live_again > CATCH_UP_TARGET:
            live += " (over target)"
        name = fault.kind + (f" ({fault.detail})" if fault.detail else "")
        print(f"| {index} | {name} | {fault.at:.1f} s | {fault.outage:.2f} s | {_seconds(fault.caught_up)} | {live} |")
    sys.stdout.flush()


# --- Main ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def services_running(root: Path, args: argparse.Namespace) -> Iterator[Services]:
    postgres = Postgres(root)
    redis = Redis(root)
    apps: list[AppServer] = []
    try:
        print(f"PostgreSQL {postgres.bin.parent.name} on port {postgres.port}; Redis on port {redis.port}")
        postgres.init()
        redis.start()
        with psycopg.connect(postgres.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE chaos")
        db_url = postgres.url("chaos")
        env = {
            **os.environ,
            "PYTHONPATH": str(SRC_DIR),
            "DJANGO_SETTINGS_MODULE": "alongside.settings",
            "ENVIRONMENT": "development",
            "DEBUG": "false",
            "DATABASE_URL": db_url,
            "REDIS_URL": f"redis://{HOST}:{redis.port}/0",
            "DATA_DIR": str(root / "data"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "CHAT_RATE_LIMIT": "1000000",  # not what is tested here
            "LOG_LEVEL": "WARNING",
            "STATIC_FROM_SOURCE": "true",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO_DIR, env=env, check=True
        )
        _django_setup(env)
        apps = [AppServer("a", env, root), AppServer("b", env, root)]
        for app in apps:
            app.start()
        for app in apps:
            app.wait_ready()
        yield Services(postgres, redis, apps, db_url)
    finally:
        for app in apps:
            app.stop()
        redis.stop()
        postgres.stop()


def one_run(args: argparse.Namespace, services: Services, ignore_resume: bool, tag: str) -> Report:
    messages = args.messages if not ignore_resume else args.ignore_messages
    faults = args.faults if not ignore_resume else args.ignore_faults
    label = "--ignore-resume" if ignore_resume else "normal"
    print(f"\n== {label} run: {args.conversations} chats, {messages} messages, {faults} faults ==")
    chats = make_chats(args.conversations, tag)
    for app in services.apps:  # a server killed in the last run is started again
        if app.proc is None or app.proc.poll() is not None:
            app.start()
            app.wait_ready()
    run = Run(args, services, chats, ignore_resume)
    run.log_offsets = {app.name: app.log.stat().st_size if app.log.exists() else 0 for app in services.apps}

    async def go() -> Report:
        await run_clients(run, messages, faults)
        return await check(run)

    return asyncio.run(go())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--ignore-resume", action="store_true", help="only the run whose receivers skip (must lose)")
    parser.add_argument("--normal-only", action="store_true", help="only the normal run")
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--messages", type=int, default=3200, help="messages in the normal run (at least 3,000)")
    parser.add_argument("--faults", type=int, default=12, help="faults in the normal run (at least 10)")
    parser.add_argument("--ignore-messages", type=int, default=1200)
    parser.add_argument("--ignore-faults", type=int, default=6)
    parser.add_argument("--senders-interval", type=float, default=0.4, help="seconds between one sender's messages")
    parser.add_argument("--outage", type=float, default=1.5, help="seconds a killed Redis or app server stays down")
    parser.add_argument("--catch-up-wait", type=float, default=12.0, help="longest wait for receivers after a fault")
    parser.add_argument("--drain", type=float, default=10.0, help="longest wait for receivers at the end")
    parser.add_argument("--repeat-share", type=float, default=0.03, help="share of messages sent again after the ack")
    parser.add_argument(
        "--kinds",
        type=lambda text: [kind.strip() for kind in text.split(",") if kind.strip()],
        default=list(FAULT_KINDS),
        help=f"faults to inject, in turn (default: {','.join(FAULT_KINDS)})",
    )
    parser.add_argument(
        "--no-quiet-tail",
        dest="quiet_tail",
        action="store_false",
        help="skip the last fault (Redis restarted, then one message per chat and silence)",
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    args = parser.parse_args()
    unknown = set(args.kinds) - set(FAULT_KINDS)
    if unknown or not args.kinds:
        parser.error(f"--kinds: choose from {', '.join(sorted(set(FAULT_KINDS)))}")

    def interrupted(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    root = Path(tempfile.mkdtemp(prefix="alongside-chaos-"))
    root.chmod(0o755)  # the postgres user reaches its folders inside
    reports: list[tuple[bool, Report]] = []
    began = time.monotonic()
    try:
        with services_running(root, args) as services:
            if not args.ignore_resume:
                reports.append((False, one_run(args, services, False, "normal")))
            if not args.normal_only:
                reports.append((True, one_run(args, services, True, "skip")))
    except KeyboardInterrupt:
        print("\nInterrupted: stopping everything.", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\nTotal time {time.monotonic() - began:.0f} s.")
    for _ignore_resume, report in reports:
        print_report(report)
    status = 0
    for ignore_resume, report in reports:
        if ignore_resume and not report.losses:
            print("\nFAIL: the --ignore-resume run saw no loss: the checks cannot see losses.")
            status = 1
        elif not ignore_resume and report.failures:
            print(f"\nFAIL: the normal run: {'; '.join(report.failures)}")
            status = 1
    if status == 0:
        done = []
        if any(not ignore_resume for ignore_resume, _report in reports):
            done.append("the normal run kept the delivery contract under faults")
        if any(ignore_resume for ignore_resume, _report in reports):
            done.append("the --ignore-resume run reported its losses (the checks can see them)")
        print(f"\nOK: {'; '.join(done)}.")
    return status


if __name__ == "__main__":
    sys.exit(main())
