from django.urls import path

from reporting import views

app_name = "report"

urlpatterns = [
    path("", views.start, name="start"),
    path("check-your-answers/", views.check, name="check"),
    path("sent/", views.confirmation, name="confirmation"),
    path("child/<int:number>/<slug:step_name>/", views.step, name="child_step"),
    path("<slug:step_name>/", views.step, name="step"),
]
