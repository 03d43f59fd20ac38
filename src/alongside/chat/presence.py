"""Who has a 1:1 chat open right now: ephemeral, kept in the cache (Redis when configured, so it
is shared by every server), never in the database. A count of open sockets per participant; the
first socket opening says "is here", the last closing says "has left". A server killed without
closing its sockets leaves counts behind; they expire after PRESENCE_TTL."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

PRESENCE_TTL = 6 * 60 * 60


def _key(conversation_id: int, participant_id: int) -> str:
    return f"chat-presence:{conversation_id}:{participant_id}"


def arrived(conversation_id: int, participant_id: int) -> bool:
    """Count one more open socket; True when it is the participant's first."""
    key = _key(conversation_id, participant_id)
    cache.add(key, 0, timeout=PRESENCE_TTL)
    try:
        return int(cache.incr(key)) == 1
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=PRESENCE_TTL)
        return True


def left(conversation_id: int, participant_id: int) -> bool:
    """Count one socket fewer; True when it was the participant's last."""
    key = _key(conversation_id, participant_id)
    try:
        remaining = int(cache.decr(key))
    except ValueError:
        return True
    if remaining <= 0:
        cache.delete(key)
        return True
    return False


def anyone_here(conversation_id: int, participant_ids: Iterable[int]) -> bool:
    keys = [_key(conversation_id, pk) for pk in participant_ids]
    return any(int(value or 0) > 0 for value in cache.get_many(keys).values())
