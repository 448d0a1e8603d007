"""The Django admin behind the staff login: a password alone never opens it.

`StaffAdminSite` only lets in active, staff users whose session is OTP-verified (django-otp's
`is_verified()`); its login page is the MASH staff login (password, then a TOTP code).
`StaffAdminConfig` replaces "django.contrib.admin" in INSTALLED_APPS so `admin.site` is this site.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse


class StaffAdminSite(AdminSite):
    site_header = "MASH screening administration"
    site_title = "MASH screening administration"

    def has_permission(self, request):
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and callable(getattr(user, "is_verified", None))
            and user.is_verified()
        )

    def login(self, request, extra_context=None):
        """Send everyone to the staff login (password + TOTP), back to the admin after."""
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated:
            from mash import audit
            from mash.models import AuditAction

            verified = request.user.is_verified()
            audit.record(
                action=AuditAction.ACCESS_REFUSED,
                user=request.user,
                request=request,
                reason="not_admin" if verified else "otp_missing",
                path=request.path,
            )
            if verified:  # fully signed in, just not an admin: no loop back to the login
                raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode({'next': next_url})}")


class StaffAdminConfig(AdminConfig):
    default_site = "mash.admin_site.StaffAdminSite"
