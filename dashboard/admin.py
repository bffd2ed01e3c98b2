from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from . import services
from .models import ApiToken, ExternalSource, Transaction, WallLink


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "amount", "description", "category"]
    list_filter = ["category", "created_at", "user"]
    search_fields = ["description", "category", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(WallLink)
class WallLinkAdmin(admin.ModelAdmin):
    """Wall links: created here (the URL is shown once), revoked with an action."""

    list_display = ["name", "status", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name"]
    fields = ["name", "expires_at"]
    readonly_fields = ["created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description="status")
    def status(self, link: WallLink) -> str:
        return link.problem() or "active"

    def get_fields(self, request: HttpRequest, obj: WallLink | None = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: WallLink, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        link, token = services.wall_link_create(
            name=obj.name, created_by=request.user, expires_at=obj.expires_at
        )
        obj.pk, obj.token_hash, obj.created_by = link.pk, link.token_hash, link.created_by
        url = request.build_absolute_uri(reverse("wall-link", args=[token]))
        messages.warning(
            request, f"Wall link “{link.name}”: {url} — copy it now; it is not shown again."
        )

    @admin.action(description="Revoke the selected wall links (their screens close)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[WallLink]) -> None:
        # One by one through the service, not queryset.update(): each revocation sends
        # the signal that closes that link's open sockets.
        count = 0
        for link in queryset.filter(revoked_at__isnull=True):
            services.wall_link_revoke(link=link)
            count += 1
        self.message_user(request, f"Revoked {count} wall link(s).", messages.SUCCESS)
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
