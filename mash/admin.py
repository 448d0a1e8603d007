"""Admin for staff and the audit trail. The admin site itself (mash.admin_site) needs a
password and a TOTP code. Audit events are read-only for everyone, superusers included."""

from django.contrib import admin

from mash import audit
from mash.access import staff_member
from mash.models import AuditAction, AuditEvent, ScreeningPolicy, StaffMember
from mash.policy import Rules


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


@admin.register(ScreeningPolicy)
class ScreeningPolicyAdmin(admin.ModelAdmin):
    """Each borough's screening policy. Superusers see every borough's; a manager or admin
    (StaffMember role) sees and edits only their own boroughs' policies. One per borough:
    created with the borough (`mash.receivers`), never added or deleted here."""

    list_display = ["borough", "red_timescale", "warning_timescale", "managers_inbox"]
    list_select_related = ["borough"]
    readonly_fields = ["borough", "updated_at"]
    fieldsets = [
        (None, {"fields": ["borough"]}),
        (
            "Screening deadlines",
            {
                "fields": [
                    ("screening_amount", "screening_unit"),
                    ("red_amount", "red_unit"),
                    ("amber_amount", "amber_unit"),
                    ("green_amount", "green_unit"),
                    ("warning_amount", "warning_unit"),
                    "red_unheld_minutes",
                ]
            },
        ),
        (
            "Downstream timescales",
            {
                "fields": [
                    "home_visit_days",
                    "assessment_working_days",
                    "support_months",
                    "outcome_within_hours",
                ]
            },
        ),
        ("Where escalations go", {"fields": ["managers_inbox", "out_of_hours_inbox"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    @admin.display(description="Red rating")
    def red_timescale(self, obj):
        return str(Rules.of(obj).ratings["red"])

    @admin.display(description="Warning window")
    def warning_timescale(self, obj):
        return str(Rules.of(obj).warning)

    def _managed_boroughs(self, request):
        member = staff_member(request.user)
        if member is None or not member.is_manager:
            return None
        return member.boroughs.all()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        boroughs = self._managed_boroughs(request)
        return queryset.none() if boroughs is None else queryset.filter(borough__in=boroughs)

    def _may(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        boroughs = self._managed_boroughs(request)
        if boroughs is None:
            return False
        return obj is None or boroughs.filter(pk=obj.borough_id).exists()

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            action=AuditAction.SCREENING_POLICY_CHANGED,
            user=request.user,
            borough=obj.borough,
            request=request,
            changed=sorted(form.changed_data),
        )
