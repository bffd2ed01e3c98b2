from django.contrib import admin

from .models import Transaction


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "amount", "description", "category"]
    list_filter = ["category", "created_at", "user"]
    search_fields = ["description", "category", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
