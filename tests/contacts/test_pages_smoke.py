import pytest


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_choose_council_lists_both(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Bromley" in response.content and b"Bexley" in response.content
