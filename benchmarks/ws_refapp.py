"""The reference for chat_fanout.py: a bare ASGI WebSocket broadcast server. Every text frame a client
sends goes, as it is, to every connected client (the sender included), one `send` per socket, in
the order received. No framework, no storage, no channel layer: what is left is uvicorn, the event
loop, the WebSocket protocol and the loopback network, the floor any chat server stands on."""

from __future__ import annotations

from typing import Any

_clients: list[Any] = []


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    if scope["type"] != "websocket":
        return
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    _clients.append(send)
    try:
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            text = event.get("text")
            if text is None:
                continue
            frame = {"type": "websocket.send", "text": text}
            for client in list(_clients):
                try:
                    await client(frame)
                except Exception:  # noqa: S112 - a client that went away; the others go on
                    continue
    finally:
        _clients.remove(send)
