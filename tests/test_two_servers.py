"""Two app servers sharing one PostgreSQL database and one Redis (issue 8 point 6): the member on
one, the listener on the other, both writing at once. Every message reaches both sides once, in
order, with the number its sender was acknowledged with (docs/chat-protocol.md).

The servers are real uvicorn subprocesses, so they see only committed rows: the test uses
`transactional_db` and gives them DATABASE_URL for the test database pytest-django created
(`settings.DATABASES["default"]["NAME"]` inside the test). Runs only on PostgreSQL with Redis (the
embedded SQLite database in memory and the in-memory channel layer cannot be shared by processes).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect

from alongside.chat.models import Conversation, ListenerProfile, ListenerStatus, Message
from alongside.chat.services import conversations as services
from tests.personas import session_cookie

REPO_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
EACH_SIDE = 12  # messages the member and the listener each send, at the same time

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        or not os.environ.get("REDIS_URL"),
        reason="needs DATABASE_URL=postgres://… and REDIS_URL: two server processes must share the test "
        "database and the channel layer (SQLite in memory and the in-memory layer cannot be shared)",
    ),
    pytest.mark.django_db(transaction=True),  # the servers see only committed rows
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """The test database (test_<name>, per xdist worker), as pytest-django set it up."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or HOST}:{db.get('PORT') or 5432}/{quote(db['NAME'])}"


class AppServer:
    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = _free_port()
        self.log_path = log_dir / f"server-{name}.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable, "-m", "uvicorn", "alongside.asgi:application", "--app-dir", "src",
                    "--host", HOST, "--port", str(self.port), "--lifespan", "off",
                    "--log-level", "warning", "--no-access-log",
                ],
                cwd=REPO_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server {self.name} exited:\n{self.log()}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                status = connection.getresponse().status
                assert status == 200, f"server {self.name}: /healthz answered {status}\n{self.log()}"
                return
            except OSError:
                time.sleep(0.1)
            finally:
                connection.close()
        raise AssertionError(f"server {self.name} not ready in time:\n{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def two_servers(transactional_db: Any, tmp_path: Path) -> Iterator[list[AppServer]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_DIR / "src"),
        "DJANGO_SETTINGS_MODULE": "alongside.settings",
        "ENVIRONMENT": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(),
        # The cache this test process uses (its own Redis database under pytest-xdist).
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "SECRET_KEY": settings.SECRET_KEY,  # sessions made here are checked there
        "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
    }
    servers: list[AppServer] = []
    try:
        servers.extend(AppServer(name, env, tmp_path) for name in ("a", "b"))
        deadline = time.monotonic() + 30
        for server in servers:
            server.wait_ready(deadline)
        yield servers
    finally:
        for server in servers:
            server.stop()


async def _open(server: AppServer, conversation_id: int, session: str) -> ClientConnection:
    return await connect(
        f"ws://{HOST}:{server.port}/ws/chat/{conversation_id}/",
        origin=f"http://{HOST}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=5,
        compression=None,
    )


class Side:
    """One socket: what it was shown and what it was acknowledged."""

    def __init__(self, name: str, ws: ClientConnection) -> None:
        self.name = name
        self.ws = ws
        self.messages: list[dict[str, Any]] = []
        self.acks: dict[str, int] = {}
        self.ready = asyncio.Event()

    async def read(self, until_seq: int) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame["type"] == "message":
                self.messages.append(frame)
            elif frame["type"] == "ack":
                self.acks[frame["client_id"]] = frame["seq"]
            elif frame["type"] == "ready":
                self.ready.set()
            elif frame["type"] in ("error", "held"):
                raise AssertionError(f"{self.name} was refused: {frame}")
            if len(self.acks) == EACH_SIDE and self.messages and self.messages[-1]["seq"] >= until_seq:
                return

    async def send_all(self) -> None:
        await self.ready.wait()
        for index in range(EACH_SIDE):
            body = f"{self.name} says {index}"
            await self.ws.send(json.dumps({"type": "send", "client_id": f"{self.name}-{index}", "body": body}))
            await asyncio.sleep(0.01)


async def _exchange(servers: list[AppServer], conversation_id: int, sessions: dict[str, str], last: int) -> list[Side]:
    member = Side("member", await _open(servers[0], conversation_id, sessions["member"]))
    listener = Side("listener", await _open(servers[1], conversation_id, sessions["listener"]))
    sides = [member, listener]
    try:
        for side in sides:
            await side.ws.send(json.dumps({"type": "hello", "after": 0}))
        final = last + 2 * EACH_SIDE
        await asyncio.wait_for(
            asyncio.gather(*(side.read(final) for side in sides), *(side.send_all() for side in sides)), timeout=15
        )
    finally:
        for side in sides:
            await side.ws.close()
    return sides


async def _history(server: AppServer, conversation_id: int, session: str) -> list[int]:
    """A fresh socket on the other server, resuming from nothing: the whole conversation, in order."""
    ws = await _open(server, conversation_id, session)
    seqs = []
    try:
        await ws.send(json.dumps({"type": "hello", "after": 0}))
        async with asyncio.timeout(10):
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message":
                    seqs.append(frame["seq"])
                elif frame["type"] == "ready":
                    break
    finally:
        await ws.close()
    return seqs


def test_a_member_and_a_listener_on_two_servers_each_see_every_message_once_in_order(
    two_servers: list[AppServer], member: Any, listener: Any
) -> None:
    ListenerProfile.objects.update_or_create(
        user=listener,
        defaults={"status": ListenerStatus.APPROVED, "languages": ["en"], "capacity": 2, "is_online": True},
    )
    request = services.support_request(actor=member, language="en")
    services.queue_match()
    conversation = Conversation.objects.get(pk=request.conversation_id)
    assert conversation.listener == listener
    last = conversation.last_seq  # "… joined the chat"
    sessions = {"member": session_cookie(member), "listener": session_cookie(listener)}

    try:
        sides = asyncio.run(_exchange(two_servers, conversation.pk, sessions, last))
        history = asyncio.run(_history(two_servers[1], conversation.pk, sessions["member"]))
    except (TimeoutError, AssertionError) as exc:
        logs = "\n".join(f"--- server {s.name} ---\n{s.log()}" for s in two_servers)
        raise AssertionError(f"{exc!r}\n{logs}") from exc

    final = last + 2 * EACH_SIDE
    acked = {**sides[0].acks, **sides[1].acks}
    assert len(acked) == 2 * EACH_SIDE
    assert sorted(acked.values()) == list(range(last + 1, final + 1)), "acks carry the gap-free numbers"
    for side in sides:
        seqs = [frame["seq"] for frame in side.messages]
        assert seqs == list(range(1, final + 1)), f"{side.name} saw {seqs}"
        shown = {frame["client_id"]: frame["seq"] for frame in side.messages if frame["client_id"]}
        assert shown == acked, f"{side.name} was shown each message with the number its sender was acknowledged"
        bodies = {frame["client_id"]: frame["body"] for frame in side.messages if frame["client_id"]}
        assert bodies == {client_id: f"{client_id.rsplit('-', 1)[0]} says {client_id.rsplit('-', 1)[1]}"
                          for client_id in acked}  # fmt: skip
    assert history == list(range(1, final + 1))
    stored = Message.objects.filter(conversation=conversation).exclude(client_id="")
    assert sorted(stored.values_list("seq", flat=True)) == sorted(acked.values())
    conversation.refresh_from_db()
    assert conversation.last_seq == final
