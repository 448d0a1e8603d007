"""The public journeys' URLs, under /<borough>/ (included in config/urls.py before
contacts.urls), made from the registry: for each journey its start page, its question pages
(repeating ones with the item's number), check your answers and the confirmation."""

from functools import wraps

from django.http import Http404
from django.urls import path

from contacts.selectors import borough_or_404
from reporting import views
from reporting.registry import JOURNEYS

app_name = "report"


def offered(view):
    """A journey the borough does not offer (set in the admin) has no pages: 404."""

    @wraps(view)
    def wrapper(request, borough_slug: str, journey: str, **kwargs):
        if not borough_or_404(borough_slug).offers(journey):
            raise Http404("This council does not offer this service online")
        return view(request, borough_slug, journey=journey, **kwargs)

    return wrapper


def journey_urls(key: str, prefix: str, groups: set[str]) -> list:
    kwargs = {"journey": key}
    urls = [
        path(prefix, offered(views.start), kwargs, name=f"{key}_start"),
        path(f"{prefix}check-your-answers/", offered(views.check), kwargs, name=f"{key}_check"),
        path(f"{prefix}sent/", offered(views.confirmation), kwargs, name=f"{key}_confirmation"),
    ]
    for group in sorted(groups):
        segment = views.GROUP_SEGMENTS[group]
        urls.append(
            path(
                f"{prefix}{segment}/<int:number>/<slug:step_name>/",
                offered(views.step),
                {**kwargs, "group": group},
                name=f"{key}_{segment}_step",
            )
        )
    urls.append(path(f"{prefix}<slug:step_name>/", offered(views.step), kwargs, name=f"{key}_step"))
    return urls


urlpatterns = [
    url
    for entry in JOURNEYS.values()
    for url in journey_urls(
        entry.key, entry.prefix, {step.group for step in entry.journey.steps if step.group}
    )
]
