from django.urls import path

from mash import auth_views, views

app_name = "mash"

urlpatterns = [
    # --- staff access (mash-access) ---
    path("login/", auth_views.login_view, name="login"),
    path("verify/", auth_views.verify_view, name="verify"),
    path("enrol/", auth_views.enrol_view, name="enrol"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("audit/", auth_views.audit_view, name="audit"),
    # --- queue routes (mash-queue): "" (the queue), take-next/, referrals/<reference>/ ---
    path("", views.queue, name="queue"),
    path("take-next/", views.take_next_view, name="take_next"),
    path("referrals/<str:reference>/", views.referral_view, name="referral"),
    path("referrals/<str:reference>/release/", views.release_view, name="release"),
    path("referrals/<str:reference>/reassign/", views.reassign_view, name="reassign"),
]
