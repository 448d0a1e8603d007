from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MashConfig(AppConfig):
    name = "mash"
    verbose_name = "MASH screening"

    def ready(self):
        # Connect the receivers: login/logout audit (audit), screening records (receivers).
        from mash import audit, receivers  # noqa: F401


class StaffAdminConfig(admin_apps.AdminConfig):
    """Replaces "django.contrib.admin" in INSTALLED_APPS: `admin.site` is the two-factor
    `mash.admin_site.StaffAdminSite`."""

    default = False  # "mash" alone names MashConfig

    default_site = "mash.admin_site.StaffAdminSite"
