from django.contrib import admin
from django.urls import include, path

from config import views
from ops import views as ops_views
from reporting import views as reporting_views

handler500 = "config.outage.server_error"

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path(
        "privacy/",
        views.PrivacyPage.as_view(template_name="pages/privacy.html"),
        name="privacy",
    ),
    path(
        "accessibility/",
        views.InformationPage.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path(
        "cookies/",
        views.InformationPage.as_view(template_name="pages/cookies.html"),
        name="cookies",
    ),
    path("exit/", reporting_views.exit_page, name="exit"),
    path("mash/", include("mash.urls")),
    path("notifications/", include("notifications.urls")),
    path("<slug:borough_slug>/check-a-report/", include("mash.check_report_urls")),
    path("<slug:borough_slug>/", include("reporting.urls")),
    path("", include("contacts.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
