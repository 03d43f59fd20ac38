"""Who wrote a post, kept so that a database dump never names the writer of an anonymous post.

A named post stores its author as a foreign key. An anonymous post stores no author: only a keyed
digest of the writer's id (`author_ref`, so the writer is still recognised as its author) and the
id encrypted (`author_sealed`, opened only by the audited reveal). Both need ENCRYPTION_KEYS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from alongside.communities.models import Post
from alongside.core.crypto import lookup_digest, lookup_digests

PURPOSE = "communities.post.author"


def author_fields(user: Any, *, anonymous: bool) -> dict[str, Any]:
    """The Post fields that record `user` as the author."""
    if not anonymous:
        return {"author": user, "author_ref": None, "author_sealed": None}
    return {"author": None, "author_ref": lookup_digest(str(user.pk), purpose=PURPOSE), "author_sealed": str(user.pk)}


def author_refs(user: Any) -> list[str]:
    """The digests an anonymous post by this person may carry (one per configured key)."""
    return lookup_digests(str(user.pk), purpose=PURPOSE)


def authored_by(user: Any) -> Q:
    """Posts this person wrote, named or anonymous, as a filter."""
    return Q(author=user) | Q(author_ref__in=author_refs(user))


def authored_by_any(user_ids: Iterable[int]) -> Q:
    """Posts any of these people wrote, named or anonymous, as a filter."""
    ids = list(user_ids)
    refs = [ref for pk in ids for ref in lookup_digests(str(pk), purpose=PURPOSE)]
    return Q(author_id__in=ids) | Q(author_ref__in=refs)


def is_author(user: Any, post: Post, refs: list[str] | None = None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if post.author_id is not None:
        return bool(post.author_id == user.pk)
    return post.author_ref is not None and post.author_ref in (refs if refs is not None else author_refs(user))


def sealed_author_id(post: Post) -> int | None:
    """The writer's id of any post: for an anonymous one, decrypted (only the reveal and the
    notifications to the writer use this)."""
    if post.author_id is not None:
        return int(post.author_id)
    return int(post.author_sealed) if post.author_sealed else None


@transaction.atomic
def author_refs_recompute() -> int:
    """After a key rotation: every anonymous post's digest under the newest key."""
    count = 0
    for post in Post.objects.filter(author_ref__isnull=False).select_for_update().only("pk", "author_sealed"):
        # The field decrypts on reading, with whichever configured key fits.
        Post.objects.filter(pk=post.pk).update(author_ref=lookup_digest(post.author_sealed, purpose=PURPOSE))
        count += 1
    return count
