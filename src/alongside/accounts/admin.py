from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alongside.accounts import services
from alongside.accounts.models import Profile, Role, User


class ProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Profile
    can_delete = False
    fields = ("display_name", "pronouns", "country", "time_zone")
    readonly_fields = fields


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["username", "role", "is_active", "date_joined", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username"]
    fields = ["username", "role", "is_active", "date_joined", "last_login"]
    readonly_fields = ["username", "date_joined", "last_login"]
    inlines = [ProfileInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Role changes go through the service so they are audited.
        if "role" in form.changed_data:
            # The form has already put the new role on obj: give the service the old one back, so it
            # sees (and audits, and revokes tokens for) an actual change.
            role, obj.role = Role(obj.role), form.initial["role"]
            services.user_role_set(actor=request.user, user=obj, role=role, reason="changed in the admin")  # type: ignore[arg-type]
        if "is_active" in form.changed_data:
            services.user_active_set(
                actor=request.user,  # type: ignore[arg-type]
                user=obj,
                active=bool(form.cleaned_data["is_active"]),
                reason="changed in the admin",
            )
