from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from alongside.safety.models import CrisisLine
from alongside.safety.selectors import crisis_countries_forget


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "country", "kind", "phone", "sms", "hours", "position", "is_active"]
    list_filter = ["country", "kind", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "phone", "description"]
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
