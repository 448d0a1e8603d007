from django.urls import path

from mash import (
    alert_views,
    audit_views,
    auth_views,
    consultation_views,
    dashboard_views,
    downloads,
    intake_views,
    screening_views,
    search_views,
    subject_access_views,
    team_views,
    views,
)

app_name = "mash"

urlpatterns = [
    # --- staff access (mash-access) ---
    path("login/", auth_views.login_view, name="login"),
    path("verify/", auth_views.verify_view, name="verify"),
    path("enrol/", auth_views.enrol_view, name="enrol"),
    path("enrol/<str:token>/", auth_views.enrol_link_view, name="enrol_link"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("audit/", audit_views.audit_view, name="audit"),
    # --- queue routes (mash-queue): "" (the queue), take-next/, referrals/<reference>/ ---
    path("", views.queue, name="queue"),
    path("take-next/", views.take_next_view, name="take_next"),
    path("referrals/<str:reference>/", views.referral_view, name="referral"),
    path("referrals/<str:reference>/release/", views.release_view, name="release"),
    path("referrals/<str:reference>/reassign/", views.reassign_view, name="reassign"),
    # screening routes (mash-screening): the screening page and its actions
    path("referrals/<str:reference>/screening/", screening_views.screening_page, name="screening"),
    path(
        "referrals/<str:reference>/screening/urgency/",
        screening_views.urgency_view,
        name="screening_urgency",
    ),
    path(
        "referrals/<str:reference>/screening/need-level/",
        screening_views.need_level_view,
        name="screening_need_level",
    ),
    path(
        "referrals/<str:reference>/screening/checks/",
        screening_views.record_check_view,
        name="screening_check",
    ),
    path(
        "referrals/<str:reference>/screening/enquiries/new/",
        screening_views.enquiry_view,
        name="screening_enquiry",
    ),
    path(
        "referrals/<str:reference>/screening/enquiries/<int:pk>/answer/",
        screening_views.answer_view,
        name="screening_answer",
    ),
    path(
        "referrals/<str:reference>/screening/decision/",
        screening_views.decision_view,
        name="screening_decision",
    ),
    path(
        "outcome-notifications/late/",
        screening_views.late_notifications_view,
        name="late_notifications",
    ),
    # urgency routes (mash-urgency, issue 15): alerts, search, the team
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", alert_views.acknowledge_view, name="alert_acknowledge"),
    path("search/", search_views.search_view, name="search"),
    path("team/", team_views.team_view, name="team"),
    # the managers' dashboard (issue 16)
    path("dashboard/", dashboard_views.dashboard_view, name="dashboard"),
    path("dashboard/referrals/", dashboard_views.referrals_view, name="dashboard_referrals"),
    path("dashboard/<str:table>.csv", dashboard_views.csv_view, name="dashboard_csv"),
    # more MASH work routes (mash-intake): log a referral, consultations, consent downloads
    path("log/", intake_views.log_referral, name="log_referral"),
    path("consultations/", consultation_views.consultation_queue, name="consultations"),
    path(
        "consultations/<str:reference>/",
        consultation_views.consultation_view,
        name="consultation",
    ),
    path(
        "consultations/<str:reference>/claim/",
        consultation_views.claim_view,
        name="consultation_claim",
    ),
    path(
        "consultations/<str:reference>/advice/",
        consultation_views.advice_view,
        name="consultation_advice",
    ),
    path(
        "referrals/<str:reference>/consent/<int:pk>/",
        downloads.consent_form_download,
        name="consent_download",
    ),
    # subject access export (issue 19): managers, scoped to their boroughs, audited
    path("subject-access/", subject_access_views.search, name="subject_access"),
    path(
        "subject-access/<str:reference>/",
        subject_access_views.referral,
        name="subject_access_referral",
    ),
]
