"""Chat fan-out benchmark (`make bench` runs it; or `python benchmarks/chat_fanout.py [options]`).

In one run, on this machine, one uvicorn worker each:
- a community room with 50 and with 200 connected WebSocket clients: one sender floods messages;
  we count messages delivered per second (deliveries to all receivers / time from the first send
  to the last delivery) and the send→receive latency p50/p99; then the sender paces itself at half
  the reference's delivered rate and we report the latency again. Against `ws_refapp.py`, a bare
  ASGI broadcast server, measured the same way in the same run. The application runs with the
  in-memory channel layer (SQLite) and with Redis (PostgreSQL when reachable), and stores every
  message before it is pushed (the delivery contract), the reference stores nothing.
- 1:1: a member and a listener; the member sends, the listener receives, one at a time: latency
  p50/p99 with PostgreSQL persistence (SQLite when PostgreSQL is not reachable).
Timings are reported, never asserted. The figures go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import BENCH_DIR, REPO_DIR, SRC_DIR, Server

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/alongside_bench_chat")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PACED_MAX = 600  # messages in a paced run (a server that cannot keep up would otherwise run for minutes)


# --- Seeding (runs in a subprocess with the server's environment) -----------------------------


def seed(members: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # passwords are not measured
    call_command("migrate", verbosity=0)
    from alongside.chat.access.conversations import access_conversation
    from alongside.chat.models import ListenerProfile, ListenerStatus
    from alongside.chat.services import conversations, rooms
    from alongside.communities import access as community_access
    from alongside.communities.models import Community, MemberRole, Membership
    from tests.personas import make_person, session_cookie

    stamp = str(int(time.time() * 1000))[-7:]
    host = make_person(f"bench_host_{stamp}")
    community = Community.objects.create(name=f"Bench {stamp}", slug=f"bench-{stamp}")
    Membership.objects.create(community=community, user=host, role=MemberRole.HOST)
    people = [make_person(f"bench_{stamp}_{n}") for n in range(members + 1)]
    Membership.objects.bulk_create([Membership(community=community, user=p) for p in people])
    room = rooms.room_open_set(actor=host, community_viewer=community_access.community_viewer(host, community), on=True)
    listener = make_person(f"bench_listener_{stamp}", "listener")
    ListenerProfile.objects.create(user=listener, status=ListenerStatus.APPROVED, languages=["en"], is_online=True)
    request = conversations.support_request(actor=people[0], language="en")
    conversations.queue_match()
    support_seq = access_conversation(listener, request.conversation_id).conversation.last_seq
    return {
        "room": room.pk,
        "room_seq": room.last_seq,
        "cookies": [session_cookie(p) for p in people],
        "support": request.conversation_id,
        "support_seq": support_seq,
        "member": session_cookie(people[0]),
        "listener": session_cookie(listener),
    }


# --- Clients ----------------------------------------------------------------------------------


async def _socket(port: int, path: str, cookie: str = "") -> Any:
    import websockets

    headers = {"Origin": f"http://127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    return await websockets.connect(
        f"ws://127.0.0.1:{port}{path}", additional_headers=headers, compression=None, max_queue=None, open_timeout=30
    )


async def _hello(socket: Any, after: int) -> None:
    await socket.send(json.dumps({"type": "hello", "after": after}))
    while json.loads(await socket.recv())["type"] != "ready":
        pass


def _body_time(text: str) -> float | None:
    """The send time a benchmark message carries ("bench <n> <time>"), or None for other frames."""
    at = text.find("bench ")
    if at < 0:
        return None
    end = text.find('"', at)
    return float(text[at:end].split()[2])


class Room:
    def __init__(self, port: int, path: str, cookies: list[str], after: int, app: bool) -> None:
        self.port, self.path, self.cookies, self.after, self.app = port, path, cookies, after, app
        self.sender: Any = None
        self.receivers: list[Any] = []
        self.tag = os.urandom(4).hex()  # client ids unique to this run (the same id again is a retry)

    async def open(self, clients: int) -> None:
        self.sender = await _socket(self.port, self.path, self.cookies[0] if self.app else "")
        for n in range(clients):
            self.receivers.append(await _socket(self.port, self.path, self.cookies[1 + n] if self.app else ""))
        if self.app:
            for socket in [self.sender, *self.receivers]:
                await _hello(socket, self.after)
        asyncio.get_running_loop().create_task(self._drain_sender())

    async def _drain_sender(self) -> None:
        try:
            async for _frame in self.sender:
                pass
        except Exception:  # noqa: S110 - closed at the end
            pass

    async def close(self) -> None:
        for socket in [self.sender, *self.receivers]:
            await socket.close()

    def frame(self, n: int) -> str:
        body = f"bench {n} {time.time():.6f}"
        if self.app:
            return json.dumps({"type": "send", "client_id": f"b{self.tag}-{n}", "body": body})
        return json.dumps({"type": "message", "body": body})

    async def run(self, messages: int, rate: float | None) -> tuple[float, list[float], int]:
        """Send `messages` (flat out, or at `rate` a second); returns (elapsed, latencies, deliveries)."""
        latencies: list[float] = []
        expected = messages * len(self.receivers)
        done = asyncio.Event()
        counted = [0]
        last = [0.0]

        async def receive(socket: Any) -> None:
            got = 0
            while got < messages:
                text = await socket.recv()
                sent = _body_time(text)
                if sent is None:
                    continue
                now = time.time()
                latencies.append(now - sent)
                last[0] = now
                got += 1
                counted[0] += 1
                if counted[0] >= expected:
                    done.set()

        tasks = [asyncio.create_task(receive(s)) for s in self.receivers]
        start = time.time()
        for n in range(messages):
            await self.sender.send(self.frame(n))
            if rate:
                await asyncio.sleep(max(0.0, start + (n + 1) / rate - time.time()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=120)
        for task in tasks:
            task.cancel()
        return (last[0] or time.time()) - start, latencies, counted[0]


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


async def fanout(port: int, path: str, cookies: list[str], after: int, app: bool, clients: int, messages: int,
                 paced_rate: float | None) -> dict[str, Any]:  # fmt: skip
    room = Room(port, path, cookies, after, app)
    await room.open(clients)
    elapsed, latencies, delivered = await room.run(messages, None)
    result = {
        "delivered": delivered,
        "expected": messages * clients,
        "rate": delivered / elapsed if elapsed > 0 else 0.0,
        "p50": _pct(latencies, 0.5),
        "p99": _pct(latencies, 0.99),
    }
    if paced_rate:
        count = min(PACED_MAX, max(20, int(paced_rate * 3)))  # about 3 s of sending
        if app:
            room.tag = os.urandom(4).hex()  # new client ids
        _elapsed, paced, _delivered = await room.run(count, paced_rate)
        result.update(paced_p50=_pct(paced, 0.5), paced_p99=_pct(paced, 0.99), paced_rate=paced_rate * clients)
    await room.close()
    return result


async def one_to_one(port: int, support: int, after: int, cookies: tuple[str, str], samples: int) -> dict[str, float]:
    sender = await _socket(port, f"/ws/chat/{support}/", cookies[0])
    receiver = await _socket(port, f"/ws/chat/{support}/", cookies[1])
    await _hello(sender, after)
    await _hello(receiver, after)
    latencies = []
    for n in range(samples):
        start = time.perf_counter()
        await sender.send(json.dumps({"type": "send", "client_id": f"o{n}", "body": f"bench {n} {time.time():.6f}"}))
        while _body_time(await asyncio.wait_for(receiver.recv(), timeout=10)) is None:
            pass
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(0.002)
    await sender.close()
    await receiver.close()
    return {"p50": _pct(latencies, 0.5), "p99": _pct(latencies, 0.99), "samples": samples}


# --- Orchestration ----------------------------------------------------------------------------


def _fresh_postgres() -> bool:
    """A new, empty benchmark database (each run generates new keys, so old rows would not decrypt).
    False when PostgreSQL is not reachable."""
    try:
        import psycopg
        from psycopg import conninfo, sql

        name = str(conninfo.conninfo_to_dict(PG_URL)["dbname"])
        admin = conninfo.make_conninfo(PG_URL, dbname="postgres")
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True
    except Exception:
        return False


def _env(data_dir: Path, *, database: str = "", redis: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(SRC_DIR), str(REPO_DIR)]),
        DJANGO_SETTINGS_MODULE="alongside.settings",
        DATA_DIR=str(data_dir),
        DEBUG="false",
        ENVIRONMENT="development",
        STATIC_FROM_SOURCE="true",
        CHAT_RATE_LIMIT="100000000",
        PYTHONUNBUFFERED="1",
    )
    if database:
        env["DATABASE_URL"] = database
    if redis:
        env["REDIS_URL"] = redis
    return env


def _seed_in(env: dict[str, str], members: int) -> dict[str, Any]:
    import subprocess

    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(Path(__file__)), "--seed", str(members)],
        env=env, cwd=REPO_DIR, capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="50,200")
    parser.add_argument("--messages", type=int, default=200, help="messages flooded into each room")
    parser.add_argument("--samples", type=int, default=300, help="1:1 round trips")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        print(json.dumps(seed(args.seed)))
        return 0
    sizes = [int(s) for s in args.clients.split(",")]
    biggest = max(sizes)
    pg = _fresh_postgres()
    rows: list[tuple[str, int, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="chat-fanout-") as tmp:
        log_dir = Path(tmp)
        ref = Server("ws-reference", "ws_refapp:app", BENCH_DIR, _env(log_dir / "ref"), log_dir, "/").start()
        try:
            ref.wait_ready()
            reference: dict[int, dict[str, Any]] = {}
            for clients in sizes:
                reference[clients] = asyncio.run(fanout(ref.port, "/", [], 0, False, clients, args.messages, None))
                paced = reference[clients]["rate"] / 2 / clients
                reference[clients] = asyncio.run(fanout(ref.port, "/", [], 0, False, clients, args.messages, paced))
                rows.append(("bare ASGI broadcast (reference)", clients, reference[clients]))
                print(f"  reference, {clients} clients: {reference[clients]}", flush=True)
        finally:
            ref.stop()
        variants = [("memory", "", "", "in-memory layer, SQLite")]
        variants.append(
            ("redis", PG_URL if pg else "", REDIS_URL, f"Redis pub/sub layer, {'PostgreSQL' if pg else 'SQLite'}")
        )
        one: dict[str, float] = {}
        for key, database, redis, label in variants:
            data_dir = log_dir / key
            data_dir.mkdir()
            env = _env(data_dir, database=database, redis=redis)
            seeded = _seed_in(env, biggest)
            app = Server(f"app-{key}", "alongside.asgi:application", SRC_DIR, env, log_dir, "/healthz").start()
            try:
                app.wait_ready()
                after = seeded["room_seq"]
                for clients in sizes:
                    paced = reference[clients]["rate"] / 2 / clients
                    path = f"/ws/chat/{seeded['room']}/"
                    result = asyncio.run(
                        fanout(app.port, path, seeded["cookies"], after, True, clients, args.messages, paced)
                    )
                    after += args.messages + min(PACED_MAX, max(20, int(paced * 3)))
                    rows.append((f"Alongside room, {label}", clients, result))
                    print(f"  {label}, {clients} clients: {result}", flush=True)
                if key == "redis" or not pg:
                    cookies = (seeded["member"], seeded["listener"])
                    one = asyncio.run(
                        one_to_one(app.port, seeded["support"], seeded["support_seq"], cookies, args.samples)
                    )
                    one["label"] = label  # type: ignore[assignment]
            finally:
                app.stop()
    print(f"\n## Chat fan-out ({args.messages} messages flooded by one sender; one uvicorn worker each)\n")
    print(
        "| server | clients | delivered msg/s | vs reference | p50 ms | p99 ms "
        "| paced at (msg/s) | paced p50 ms | paced p99 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, clients, r in rows:
        share = r["rate"] / reference[clients]["rate"] if reference[clients]["rate"] else 0
        lost = "" if r["delivered"] == r["expected"] else f" ({r['expected'] - r['delivered']} missing)"
        paced = (r.get("paced_rate", 0), r.get("paced_p50", float("nan")), r.get("paced_p99", float("nan")))
        print(
            f"| {label} | {clients} | {r['rate']:,.0f}{lost} | {share:.2f}x | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{paced[0]:,.0f} | {paced[1]:.1f} | {paced[2]:.1f} |"
        )
    if one:
        print(f"\n1:1 send→receive ({one['label']}, {one['samples']:.0f} messages one at a time): "
              f"p50 {one['p50']:.1f} ms, p99 {one['p99']:.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
