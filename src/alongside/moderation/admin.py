from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alongside.core.audit import audit_record
from alongside.moderation.models import NewAccountLimits


@admin.register(NewAccountLimits)
class NewAccountLimitsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """One row: what new accounts may not do yet (moderation.trust). Reports, sanctions, appeals and
    feedback are deliberately not here: they have their own pages with their rules."""

    list_display = ["__str__", "enabled", "days", "posts", "links", "max_mentions"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not NewAccountLimits.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        audit_record(actor=request.user, action="moderation.new_account_limits.changed", target=obj, data=changed)
