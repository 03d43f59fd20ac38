"""Support communities: groups with rules, membership, threads, posts, reactions, content warnings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.communities.enums import (
    ContentWarning,
    FollowLevel,
    MemberRole,
    MembershipStatus,
    PostStatus,
    ReactionKind,
    Visibility,
)
from alongside.core.crypto import EncryptedTextField

__all__ = [
    "Community",
    "ContentWarning",
    "FollowLevel",
    "MemberRole",
    "Membership",
    "MembershipStatus",
    "Post",
    "PostRevision",
    "PostStatus",
    "Reaction",
    "ReactionKind",
    "ReadingPreference",
    "Thread",
    "ThreadState",
    "Visibility",
]


class Community(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    rules = models.JSONField(_("rules"), default=list, blank=True, help_text=_("An ordered list of short rules."))
    topics = models.JSONField(_("topics"), default=list, blank=True)
    # The topics in words (labels and codes, in English), what search matches; kept by the services.
    topic_words = models.TextField(blank=True, default="", editable=False)
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    # Posts the crisis check reads as high risk wait for a moderator instead of appearing at once
    # (the writer still sees the support panel, and responders are alerted either way).
    hold_risky_posts = models.BooleanField(_("hold posts that read as high risk for a moderator"), default=False)
    # Nullable with no default (empty: no), so that SQLite adds the column in place and keeps the
    # community search's triggers (a rebuilt table loses them).
    hold_new_first_posts = models.BooleanField(
        _("hold a new account's first post here for a moderator"), null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    status = models.CharField(max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    # Set by the moderation app's sanctions: muted (reads, writes nothing) until then, and a warning
    # waiting to be read (writes nothing here until they have acknowledged it).
    muted_until = models.DateTimeField(null=True, blank=True)
    warning_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="communities_one_membership_per_person")
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id} ({self.status}, {self.role})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def moderates(self) -> bool:
        return self.is_active and self.role in (MemberRole.MODERATOR, MemberRole.HOST)

    @property
    def is_muted(self) -> bool:
        return self.muted_until is not None and self.muted_until > timezone.now()


class Thread(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=150)
    # The opening post holds the author, body, anonymity and content warnings.
    status = models.CharField(max_length=8, choices=PostStatus.choices, default=PostStatus.VISIBLE)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    reply_count = models.PositiveIntegerField(default=0)  # visible replies; kept by services
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["community", "status", "-is_pinned", "-last_activity_at"]),
            models.Index(fields=["status", "reply_count", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """A thread's opening post or a reply.

    An anonymous post has no `author`: nothing readable in the database links it to its writer. It
    keeps `author_ref` (a keyed digest of the writer's id, so they can still edit it and see it as
    theirs) and `author_sealed` (the id, encrypted, for the audited reveal by moderators).
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts")
    author_ref = models.CharField(max_length=64, null=True, blank=True, db_index=True, editable=False)
    author_sealed = EncryptedTextField(null=True, blank=True, editable=False)
    is_opening = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=20000)
    body_html = models.TextField(editable=False)
    is_anonymous = models.BooleanField(_("post anonymously"), default=False)
    content_warnings = models.JSONField(_("content warnings"), default=list, blank=True)
    quoted_post = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=PostStatus.choices, default=PostStatus.VISIBLE)
    screening_reasons = models.JSONField(default=list, blank=True, editable=False)
    # A moderator's note on the post: one person's own experience, not professional advice, with a
    # better resource where they give one. Nullable, like removed_by_rule, so SQLite adds them in place.
    experience_noted_at = models.DateTimeField(null=True, blank=True, editable=False)
    experience_resource = models.CharField(max_length=300, null=True, blank=True, editable=False)
    # The community rule that took it down, while that stands: its moderators can put it back.
    # Nullable so SQLite adds the column in place (its full-text triggers forbid rebuilding the table).
    removed_by_rule = models.CharField(max_length=200, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "status", "created_at"])]

    def __str__(self) -> str:
        return f"post {self.pk} in thread {self.thread_id}"


class PostRevision(models.Model):
    """The text of a post before an edit. Visible to moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    title = models.CharField(max_length=150, blank=True)
    # Who edited: a moderator, or the author. An anonymous post's author is never stored here.
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_author = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"revision of post {self.post_id}"


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user", "kind"], name="communities_one_reaction_each")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class ReadingPreference(models.Model):
    """Which content warnings a reader wants collapsed. Without a row, all of them are."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_preference")
    collapsed_warnings = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"reading preference of {self.user_id}"


class ThreadState(models.Model):
    """One person and one thread: whether they follow it or muted it, and how far they have read.

    `last_read_post_id` is the id of the newest post they have seen (post ids only grow): posts
    with a larger id are new to them. It only moves forward. The row has no author field, but an
    anonymous writer's row is made with their thread, so a copy of the database can point to them:
    a known gap (docs/architecture.md, "Data at rest").
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_states")
    level = models.CharField(max_length=16, choices=FollowLevel.choices, default=FollowLevel.UNSET, blank=True)
    last_read_post_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="communities_one_state_per_thread")]
        indexes = [models.Index(fields=["thread", "level"])]

    def __str__(self) -> str:
        return f"{self.user_id} in thread {self.thread_id} ({self.level or 'default'})"

    @property
    def following(self) -> bool:
        return self.level == FollowLevel.FOLLOWING

    @property
    def muted(self) -> bool:
        return self.level == FollowLevel.MUTED
