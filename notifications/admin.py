from django.contrib import admin

from notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "channel",
        "about_id",
        "created_at",
        "sent_at",
        "status",
        "attempts",
        "last_error",
    )
    list_filter = ("kind", "channel", "status", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("=dedupe_key", "=provider_id")
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
