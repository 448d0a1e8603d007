"""'Check a report', under /<borough>/check-a-report/ (config/urls.py, before the journeys)."""

from django.urls import path

from mash import check_report_views as views

app_name = "check"

urlpatterns = [
    path("", views.start, name="start"),
    path("code/", views.code, name="code"),
    path("status/", views.status, name="status"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("signed-out/", views.signed_out, name="signed_out"),
]
