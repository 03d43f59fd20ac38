"""Administrators create communities here; creation and edits go through the services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alongside.communities import services
from alongside.communities.models import Community


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "visibility", "created_at"]
    list_filter = ["visibility"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "description", "rules", "topics", "visibility"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            values = {name: form.cleaned_data[name] for name in form.changed_data if name != "slug"}
            if values:
                services.community_update(actor=request.user, community=obj, values=values)  # type: ignore[arg-type]
            return
        created = services.community_create(
            actor=request.user,  # type: ignore[arg-type]
            name=obj.name,
            slug=obj.slug,
            description=obj.description,
            rules=list(obj.rules or []),
            topics=list(obj.topics or []),
            visibility=obj.visibility,
        )
        obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # people's posts live here; closing a community is a later feature
