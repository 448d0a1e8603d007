from django.contrib import admin

from ops.models import Heartbeat, Incident, RetentionPeriod, TaskFailure, UnstaffedAlert


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(admin.ModelAdmin):
    list_display = ("record_type", "days", "counted_from", "updated_at")
    readonly_fields = ("record_type", "updated_at")

    def has_add_permission(self, request):
        return False  # one row per record type, made by the migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnstaffedAlert)
class UnstaffedAlertAdmin(admin.ModelAdmin):
    list_display = ("borough", "minutes")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("kind", "key", "summary", "opened_at", "closed_at")
    list_filter = ("kind",)
    readonly_fields = ("kind", "key", "summary", "opened_at")


admin.site.register(Heartbeat)
admin.site.register(TaskFailure)
