"""The Django admin behind the staff login: a password alone never opens it.

`StaffAdminSite` is django-otp's `OTPAdminSite` (active staff users whose session is
OTP-verified), mounted as the usual "admin" namespace, with two additions: the MASH staff login
(password, then a TOTP code) instead of the admin's own login form, and every refusal audited.
`mash.apps.StaffAdminConfig` replaces "django.contrib.admin" in INSTALLED_APPS so that
`admin.site` is this site.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from mash import audit
from mash.models import AuditAction


class StaffAdminSite(OTPAdminSite):
    site_header = "MASH screening administration"
    site_title = "MASH screening administration"

    def __init__(self, name="admin"):
        super().__init__(name)

    def login(self, request, extra_context=None):
        """Send everyone to the staff login (password + TOTP), back to the admin after."""
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated:
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
