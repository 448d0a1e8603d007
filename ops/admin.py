"""The operations tables in the admin. The retention schedule, incidents, heartbeats and task
failures belong to no borough: superusers only. A borough's unstaffed-alert gap is scoped to
the admin's boroughs, like every other borough row (mash.admin_scope)."""

from django.contrib import admin
from django.db.models import Q

from mash.admin_scope import BoroughScopedAdmin, SuperuserOnlyAdmin
from ops.models import Heartbeat, Incident, RetentionPeriod, TaskFailure, UnstaffedAlert


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the service itself, read in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = ("record_type", "days", "counted_from", "updated_at")
    readonly_fields = ("record_type", "updated_at")

    def has_add_permission(self, request):
        return False  # one row per record type, made by the migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnstaffedAlert)
class UnstaffedAlertAdmin(BoroughScopedAdmin, admin.ModelAdmin):
    list_display = ("borough", "minutes")

    def borough_scope(self, boroughs) -> Q:
        return Q(borough__in=boroughs)


@admin.register(Incident)
class IncidentAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = ("kind", "key", "summary", "opened_at", "closed_at")
    list_filter = ("kind",)
    readonly_fields = ("kind", "key", "summary", "opened_at")


@admin.register(Heartbeat)
class HeartbeatAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    list_display = ("name", "at")


@admin.register(TaskFailure)
class TaskFailureAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    list_display = ("task_name", "count", "last_at")
