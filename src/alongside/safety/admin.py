from django.contrib import admin

from alongside.safety.models import CrisisLine


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "country", "kind", "phone", "sms", "hours", "position", "is_active"]
    list_filter = ["country", "kind", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "phone", "description"]
