import pytest
from django.test import Client


class JourneyClient(Client):
    """The test client walking a journey as a browser does: a refused answer comes back as a
    redirect to the same page (post/redirect/get), which is followed, so the response is the
    page showing the messages and what was typed (`refused_by_redirect` marks it)."""

    def post(self, path, data=None, *args, **kwargs):
        response = super().post(path, data, *args, **kwargs)
        if response.status_code == 302 and response["Location"] == path:
            page = self.get(path)
            page.refused_by_redirect = True
            return page
        return response


@pytest.fixture
def client():
    return JourneyClient()
