from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alongside.core.models import AuditEntry, BlockedTerm


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["term", "action", "whole_word", "note", "created_at"]
    list_filter = ["action"]
    search_fields = ["term", "note"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the audit log is append-only."""

    list_display = ["sequence", "created_at", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["actor_label", "action", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
