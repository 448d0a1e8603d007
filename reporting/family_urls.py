"""URLs of the Family Wellbeing referral, self-referral and consultation request, under
/<borough>/ (included in config/urls.py before contacts.urls)."""

from django.urls import path

from reporting import family_views as views

app_name = "family"

PREFIXES = {
    "wellbeing": "family-wellbeing/",
    "self": "self-referral/",
    "consultation": "consultation/",
}

urlpatterns = []
for key, prefix in PREFIXES.items():
    flow = {"flow": key}
    urlpatterns += [
        path(prefix, views.start, flow, name=f"{key}_start"),
        path(f"{prefix}check-your-answers/", views.check, flow, name=f"{key}_check"),
        path(f"{prefix}sent/", views.confirmation, flow, name=f"{key}_confirmation"),
        path(
            f"{prefix}child/<int:number>/<slug:step_name>/",
            views.step,
            {**flow, "group": "children"},
            name=f"{key}_child_step",
        ),
        path(
            f"{prefix}carer/<int:number>/<slug:step_name>/",
            views.step,
            {**flow, "group": "carers"},
            name=f"{key}_carer_step",
        ),
        path(f"{prefix}<slug:step_name>/", views.step, flow, name=f"{key}_step"),
    ]
