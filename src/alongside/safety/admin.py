from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest

from alongside.core.audit import audit_record
from alongside.safety.access.risk import RESPONDER_ROLES
from alongside.safety.models import CrisisLine, Responder
from alongside.safety.selectors import crisis_countries_forget


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "country", "language_codes", "kind", "phone", "sms", "hours", "position", "is_active"]
    list_filter = ["country", "kind", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "phone", "description", "language_codes"]
    # Safety plans are deliberately not registered: they are their owner's alone, staff included.
    # A website typed without a scheme is https (Django 6's default; saying so silences its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Every way the admin changes lines clears the cached country list.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        crisis_countries_forget()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        crisis_countries_forget()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        crisis_countries_forget()


@admin.register(Responder)
class ResponderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Who holds the responder duty. Risk events themselves are not in the admin: they are read in
    the responders' queue alone, by responders (one door for the rule)."""

    list_display = ["user", "on_duty", "since"]
    list_filter = ["on_duty"]
    search_fields = ["user__username"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(role__in=RESPONDER_ROLES, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="safety.responder.duty_set", target=obj, data={"on": obj.on_duty})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action="safety.responder.duty_removed", target=obj)
        super().delete_model(request, obj)
