from django.urls import path

from mash import auth_views

app_name = "mash"

urlpatterns = [
    # --- staff access (mash-access) ---
    path("login/", auth_views.login_view, name="login"),
    path("verify/", auth_views.verify_view, name="verify"),
    path("enrol/", auth_views.enrol_view, name="enrol"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("audit/", auth_views.audit_view, name="audit"),
    # --- queue routes (mash-queue): "" (the queue), take-next/, referrals/<reference>/ ---
]
