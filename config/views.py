"""Project-level pages: the footer's information pages (health checks: ops.views)."""

from django.views.generic import TemplateView


class InformationPage(TemplateView):
    """A static page from the footer (privacy, accessibility, cookies)."""


class PrivacyPage(InformationPage):
    """The privacy notice, with the retention schedule as it stands in the admin."""

    def get_context_data(self, **kwargs):
        from ops.models import RetentionPeriod

        context = super().get_context_data(**kwargs)
        context["retention_periods"] = list(RetentionPeriod.objects.all())
        return context
