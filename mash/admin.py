"""Admin for staff and the audit trail, and the borough scoping of the whole admin
(`mash.admin_scope`). The admin site itself (mash.admin_site) needs a password and a TOTP code.
Audit events are read-only for everyone, superusers included."""

import axes.admin
import django_otp.plugins.otp_totp.admin as otp_totp_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

import contacts.admin as contacts_admin
import notifications.admin as notifications_admin
import reporting.admin as reporting_admin
from contacts.models import Borough, ClosureDay, ContactLine
from mash import audit
from mash.access import staff_member
from mash.admin_scope import AuditedReferralViews, admin_boroughs, reregister
from mash.enrolment import create_link
from mash.models import AuditAction, AuditEvent, ScreeningPolicy, StaffMember
from mash.policy import Rules
from notifications.models import OutboxMessage
from reporting.models import Referral


class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "borough_names"]
    list_filter = ["role", "boroughs"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    filter_horizontal = ["boroughs"]
    autocomplete_fields = ["user"]

    @admin.display(description="Boroughs")
    def borough_names(self, obj):
        return ", ".join(b.name for b in obj.boroughs.all())

    actions = ["reset_authenticator"]

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

    def save_related(self, request, form, formsets, change):
        """A borough admin edits only their own boroughs of a person's: the others stay."""
        kept = []
        boroughs = admin_boroughs(request)
        if change and boroughs is not None:
            kept = list(form.instance.boroughs.exclude(pk__in=boroughs.values("pk")))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.boroughs.add(*kept)

    @admin.action(description="Reset authenticator app and make a one-time enrolment link")
    def reset_authenticator(self, request, queryset):
        """For a lost or replaced phone: deletes the person's authenticator, so they must enrol
        again, with a new one-time link (24 hours) shown here once. Audited."""
        for member in queryset.select_related("user"):
            path = create_link(
                user=member.user, created_by=request.user, request=request, reset_device=True
            )
            self.message_user(
                request,
                f"{member.user.get_username()}: authenticator reset. Give them this enrolment "
                f"link (works once, for 24 hours), apart from their password: "
                f"{request.build_absolute_uri(path)}",
                messages.WARNING,
            )


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


class ScreeningPolicyAdmin(admin.ModelAdmin):
    """Each borough's screening policy. Superusers see every borough's; a manager or admin
    (StaffMember role) sees and edits only their own boroughs' policies (the rows are scoped by
    `mash.admin_scope`, registered below; the manager check is this class's). One per borough:
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


# --- Every admin page scoped to the admin's boroughs (mash.admin_scope) --------------------


def _staff_of(boroughs, prefix=""):
    return Q(**{f"{prefix}staff__boroughs__in": boroughs})


class StaffUserAdmin(UserAdmin):
    """Staff accounts; a borough admin cannot grant superuser status, groups or permissions."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "is_staff", "groups", "user_permissions"]
        return fields


reregister(
    Referral,
    type("ReferralAdmin", (AuditedReferralViews, reporting_admin.ReferralAdmin), {}),
    lambda boroughs: Q(borough__in=boroughs),
)
reregister(
    OutboxMessage,
    notifications_admin.OutboxMessageAdmin,
    lambda boroughs: Q(about_id__in=Referral.objects.filter(borough__in=boroughs).values("pk")),
)
reregister(Borough, contacts_admin.BoroughAdmin, lambda boroughs: Q(pk__in=boroughs))
reregister(ContactLine, contacts_admin.ContactLineAdmin, lambda boroughs: Q(borough__in=boroughs))
reregister(ClosureDay, contacts_admin.ClosureDayAdmin, lambda boroughs: Q(borough__in=boroughs))
reregister(StaffMember, StaffMemberAdmin, lambda boroughs: Q(boroughs__in=boroughs))
reregister(ScreeningPolicy, ScreeningPolicyAdmin, lambda boroughs: Q(borough__in=boroughs))
# The trail of the admin's boroughs, and borough-less events (sign-ins) of their staff.
reregister(
    AuditEvent,
    AuditEventAdmin,
    lambda boroughs: (
        Q(borough__in=boroughs) | Q(borough__isnull=True, **{"user__staff__boroughs__in": boroughs})
    ),
)
# Accounts: the admin's staff, and accounts not yet made staff of any borough; never a
# superuser's (a borough admin could otherwise set its password).
reregister(
    get_user_model(),
    StaffUserAdmin,
    lambda boroughs: (_staff_of(boroughs) | Q(staff__isnull=True)) & Q(is_superuser=False),
)
reregister(
    TOTPDevice,
    otp_totp_admin.TOTPDeviceAdmin,
    lambda boroughs: _staff_of(boroughs, "user__"),
)
reregister(Group, GroupAdmin, superuser_only=True)
for _model, _admin in [
    (AccessAttempt, axes.admin.AccessAttemptAdmin),
    (AccessLog, axes.admin.AccessLogAdmin),
    (AccessFailureLog, axes.admin.AccessFailureLogAdmin),
]:
    reregister(_model, _admin, superuser_only=True)
