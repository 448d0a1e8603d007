"""Admin for staff and the audit trail. The admin site itself (mash.admin_site) needs a
password and a TOTP code. Audit events are read-only for everyone, superusers included."""

from django.contrib import admin

from mash.models import AuditEvent, StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "borough_names"]
    list_filter = ["role", "boroughs"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    filter_horizontal = ["boroughs"]
    autocomplete_fields = ["user"]

    @admin.display(description="Boroughs")
    def borough_names(self, obj):
        return ", ".join(b.name for b in obj.boroughs.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("boroughs")

    def get_changeform_initial_data(self, request):
        """The add form takes initial values from the query string; a `user` that is not an
        id made the autocomplete widget raise (a 500): it is dropped instead."""
        initial = super().get_changeform_initial_data(request)
        user = str(initial.get("user", "0"))
        if not (user.isascii() and user.isdigit() and int(user) < 2**63):
            initial.pop("user")
        return initial


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "reference", "borough"]
    list_filter = ["action", "borough"]
    search_fields = ["username", "reference", "action"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "user",
        "username",
        "action",
        "referral",
        "reference",
        "borough",
        "detail",
        "ip_hash",
    ]
    list_select_related = ["borough"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
