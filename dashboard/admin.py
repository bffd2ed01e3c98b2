from django.contrib import admin

from .models import ApiToken, ExternalSource, Transaction


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "amount", "description", "category"]
    list_filter = ["category", "created_at", "user"]
    search_fields = ["description", "category", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(ExternalSource)
class ExternalSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "value", "unit", "fetched_at", "unavailable_since", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["name", "url"]
    fields = ["name", "url", "json_path", "unit", "refresh_interval_secs", "enabled",
              "value", "fetched_at", "last_attempt_at", "unavailable_since", "last_error"]
    readonly_fields = ["value", "fetched_at", "last_attempt_at", "unavailable_since", "last_error"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Operators may see and revoke tokens; the secrets themselves are never stored."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # created by their owners at /settings/tokens/, where they are shown once
