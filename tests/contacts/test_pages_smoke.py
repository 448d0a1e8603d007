import pytest


@pytest.mark.django_db
def test_healthz_is_liveness_only(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # no database: an outage must not restart web
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_choose_council_lists_both(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Bromley" in response.content and b"Bexley" in response.content
