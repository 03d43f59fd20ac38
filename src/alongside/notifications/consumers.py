"""The live socket every signed-in page opens (`/ws/live/`, alongside/js/live.js): the header's
unread count, and new replies in the thread on screen, without a reload. Thin, like every consumer:
it parses a frame, calls access functions and selectors (through `database_sync_to_async`), and
forwards pushes. It is only the fast path: a page that missed a push is right again on reload.

From the client:
- `{"type": "ping"}` → `{"type": "pong"}`
- `{"type": "unread"}` → `{"type": "notifications", "unread": N}` (a client coming back after a
  lost connection asks, since pushes sent meanwhile are gone)
- `{"type": "watch", "thread": id}` → `{"type": "watching", "thread": id}` once the person may read
  it, else `{"type": "error", "code": "not_found", "thread": id, ...}` (the same answer for a
  thread that is not there and one they may not read); `{"type": "unwatch", "thread": id}`.
To the client:
- `{"type": "notifications", "unread": N}` when their unread count changed;
- `{"type": "thread_reply", "thread": id, "post": id}` when someone else's reply becomes visible in
  a watched thread;
- `{"type": "error", "code", "detail"}` for a frame it cannot take (the connection stays open).
Refused at once (close code 4404): anyone not signed in, and a staff session before two-factor.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from alongside.accounts import access as account_access
from alongside.communities import access as community_access
from alongside.core import live
from alongside.core.errors import NotFound
from alongside.notifications.selectors import notification_unread_count

CLOSE_NOT_FOUND = 4404
MAX_WATCHED = 8  # threads one socket follows at once: keeps group membership bounded (one page: one)
NOT_FOUND_DETAIL = "That thread isn't there, or you can't read it."


def _thread_id(frame: dict[str, Any]) -> int | None:
    value = frame.get("thread")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    return None


class LiveConsumer(live.FrameConsumer):
    """One signed-in page: its person's group, and the threads it watches."""

    user: Any
    key: str  # live.person_key of the person: pushes "not for" them are skipped
    watching: set[int]
    unread: int | None = None  # the count this socket last sent

    async def connect(self) -> None:
        user = await database_sync_to_async(account_access.socket_person)(self.scope)
        if user is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user = user
        self.key = live.person_key(user.pk)
        self.watching = set()
        await self.channel_layer.group_add(live.person_group(user.pk), self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "user"):
            return
        await self.channel_layer.group_discard(live.person_group(self.user.pk), self.channel_name)
        for thread_id in self.watching:
            await self.channel_layer.group_discard(live.thread_group(thread_id), self.channel_name)
        self.watching = set()

    # --- From the client ---

    async def on_unread(self, frame: dict[str, Any]) -> None:
        await self._send_unread(always=True)

    async def on_watch(self, frame: dict[str, Any]) -> None:
        thread_id = _thread_id(frame)
        if thread_id is None:
            await self.send_frame(live.error_frame("invalid", '"thread" is the id of a thread.'))
            return
        if thread_id not in self.watching:
            if len(self.watching) >= MAX_WATCHED:
                await self.send_frame(
                    live.error_frame("too_many", "This page follows as many threads as it can.", thread=thread_id)
                )
                return
            try:
                await database_sync_to_async(community_access.access_thread)(self.user, thread_id)
            except NotFound:
                await self.send_frame(live.error_frame("not_found", NOT_FOUND_DETAIL, thread=thread_id))
                return
            self.watching.add(thread_id)
            await self.channel_layer.group_add(live.thread_group(thread_id), self.channel_name)
        await self.send_frame({"type": "watching", "thread": thread_id})

    async def on_unwatch(self, frame: dict[str, Any]) -> None:
        thread_id = _thread_id(frame)
        if thread_id is not None and thread_id in self.watching:
            self.watching.discard(thread_id)
            await self.channel_layer.group_discard(live.thread_group(thread_id), self.channel_name)

    # --- From the channel layer ---

    async def live_frame(self, event: dict[str, Any]) -> None:
        if event.get("not_for") == self.key:
            return
        frame = event["frame"]
        kind = frame.get("type")
        if kind == "notifications_changed":
            await self._send_unread()
        elif kind == "thread_reply":
            if frame.get("thread") in self.watching:
                await self.send_frame(frame)
        else:
            await self.send_frame(frame)

    async def _send_unread(self, *, always: bool = False) -> None:
        """The person's unread count as it is now, read for them alone (the push names no count)."""
        unread = await database_sync_to_async(notification_unread_count)(viewer=self.user)
        if always or unread != self.unread:
            self.unread = unread
            await self.send_frame({"type": "notifications", "unread": unread})
