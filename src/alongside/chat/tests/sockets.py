# mypy: disable-error-code="no-untyped-call"
"""A WebSocket client for tests that drives the ASGI application in-process (what
channels.testing.WebsocketCommunicator does; that package also imports Daphne, which we don't use)."""

from __future__ import annotations

import json
from typing import Any

from asgiref.testing import ApplicationCommunicator


class SocketClient(ApplicationCommunicator):
    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers, "subprotocols": []}
        super().__init__(application, scope)

    async def connect(self, timeout: float = 3) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        if answer["type"] == "websocket.close":
            return False, answer.get("code", 1000)
        return True, None

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float = 3) -> Any:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def receive_until(self, kind: str, limit: int = 20) -> list[Any]:
        """Frames up to and including the first of type `kind` (fails after `limit` others)."""
        seen = []
        for _ in range(limit):
            frame = await self.receive_json_from()
            seen.append(frame)
            if frame["type"] == kind:
                return seen
        raise AssertionError(f"no {kind} frame in {seen}")

    async def disconnect(self, code: int = 1000, timeout: float = 3) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def socket_for(path: str, cookie: str = "") -> SocketClient:
    """A socket to the project's ASGI application, same-origin, with a session cookie if given."""
    from alongside.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return SocketClient(application, path, headers=headers)
