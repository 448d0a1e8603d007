"""The Django admin, scoped to the admin's boroughs, like every other staff page.

Council admins are staff of the admin site but not superusers (`create_staff --role admin`):
every list, search, change page, autocomplete and choice of borough shows only their boroughs'
records (a borough admin of Bromley finds nothing of Bexley's, whatever they type in a URL or a
search), and whatever names no borough at all (the axes log, groups) is for superusers only.
Superusers see everything. Viewing a referral (with its children, carers and consent forms)
is audited, as are referral lists and searches.

`mash.admin` re-registers every ModelAdmin of the project (and of django.contrib.auth,
django-otp and django-axes) through `scope()`; `tests/mash/test_admin_scope.py` fails if a
registered model is neither scoped nor superuser-only, so a model added later is not forgotten.
"""

from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from contacts.models import Borough
from mash import audit
from mash.access import user_boroughs
from mash.models import AuditAction

ADMIN_GROUP = "Borough admins"
# What a borough admin may do in the admin (always within their boroughs).
ADMIN_PERMISSIONS = {
    "contacts": {
        "borough": ["view", "change"],
        "contactline": ["view", "change", "add", "delete"],
        "phonenumber": ["view", "change", "add", "delete"],
        "staffedwindow": ["view", "change", "add", "delete"],
        "officehours": ["view", "change", "add", "delete"],
        "closureday": ["view", "change", "add", "delete"],
    },
    "reporting": {
        "referral": ["view"],
        "child": ["view"],
        "carer": ["view"],
        "consentform": ["view"],
    },
    "notifications": {"outboxmessage": ["view"]},
    "mash": {"staffmember": ["view", "change", "add"], "auditevent": ["view"]},
    "auth": {"user": ["view", "change", "add"]},
    "otp_totp": {"totpdevice": ["view", "delete"]},
}


def grant_admin_permissions(user, *, admin: bool) -> None:
    """Put `user` in (or out of) the "Borough admins" group, which holds ADMIN_PERMISSIONS."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    wanted = Q(pk__in=[])
    for app_label, models in ADMIN_PERMISSIONS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    if admin:
        user.groups.add(group)
    else:
        user.groups.remove(group)


def admin_boroughs(request):
    """The boroughs this admin works for; None for a superuser (every borough)."""
    if request.user.is_superuser:
        return None
    return user_boroughs(request.user)


class SuperuserOnlyAdmin:
    """For models that belong to no borough: only superusers see them."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class BoroughScopedAdmin:
    """Rows whose `borough_scope(boroughs)` Q matches the admin's boroughs only."""

    def borough_scope(self, boroughs) -> Q:
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        boroughs = admin_boroughs(request)
        if boroughs is None:
            return queryset
        scoped = queryset.filter(self.borough_scope(boroughs.values("pk")))
        # (a subquery, not .distinct(): a join through many boroughs would repeat rows)
        return queryset.filter(pk__in=scoped.values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        boroughs = admin_boroughs(request)
        if db_field.related_model is Borough and boroughs is not None:
            kwargs["queryset"] = boroughs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        boroughs = admin_boroughs(request)
        if db_field.related_model is Borough and boroughs is not None:
            kwargs["queryset"] = boroughs
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        """No borough filter for a borough admin: its choices would name other boroughs."""
        filters = super().get_list_filter(request)
        if admin_boroughs(request) is None:
            return filters
        return [f for f in filters if f not in ("borough", "boroughs")]


def scope(model_admin_class, q=None, *, superuser_only=False):
    """A subclass of `model_admin_class` scoped by `q(boroughs) -> Q`, or superuser-only."""
    if superuser_only:
        return type(model_admin_class.__name__, (SuperuserOnlyAdmin, model_admin_class), {})
    return type(
        model_admin_class.__name__,
        (BoroughScopedAdmin, model_admin_class),
        {"borough_scope": lambda self, boroughs: q(boroughs)},
    )


def reregister(model, model_admin_class, q=None, *, superuser_only=False):
    """Replace `model`'s registration on the admin site by its scoped version."""
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, scope(model_admin_class, q, superuser_only=superuser_only))


class AuditedReferralViews:
    """Every admin view of a referral (its change page shows its children, carers and consent
    forms) and every list or search of referrals writes an audit event."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        referral = self.get_object(request, object_id)
        if referral is not None and response.status_code == 200:
            audit.record(
                action=AuditAction.REFERRAL_VIEWED,
                referral=referral,
                request=request,
                via="admin",
                children=referral.children.count(),
                consent_forms=referral.consent_forms.count(),
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit.record(
                action=AuditAction.ADMIN_REFERRALS_LISTED,
                request=request,
                searched=bool(changelist.query),
                shown=len(changelist.result_list),
            )
        return response
