from django.urls import path

from contacts import views

urlpatterns = [
    path("", views.choose_council, name="choose_council"),
    path("api/contacts/<slug:borough_slug>/", views.api_contacts, name="api_contacts"),
    path("<slug:borough_slug>/", views.worried_about_a_child, name="borough"),
    path(
        "<slug:borough_slug>/signs-a-child-may-be-at-risk/",
        views.signs,
        name="signs",
    ),
]
