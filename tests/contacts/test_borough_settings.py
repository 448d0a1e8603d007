"""A borough's GSS code, services and early-help wording, edited in the admin."""

import pytest

from contacts.models import Borough
from tests.contacts.conftest import change_form_data


def borough_url(borough) -> str:
    return f"/admin/contacts/borough/{borough.pk}/change/"


def test_the_seed_boroughs_carry_their_gss_codes(seeded_boroughs):
    assert seeded_boroughs["bromley"].gss_code == "E09000006"
    assert seeded_boroughs["bexley"].gss_code == "E09000004"
    assert seeded_boroughs["bexley"].early_help_name == "Family Wellbeing"
    assert seeded_boroughs["bromley"].early_help_name == "early help"


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("E0900000", "Enter a GSS code: a capital letter then 8 digits, like E09000006"),
        ("bromley", "Enter a GSS code: a capital letter then 8 digits, like E09000006"),
        ("E09000004", "Another borough already has this GSS code"),
    ],
)
def test_a_wrong_gss_code_is_refused_clearly(admin_client, bromley, bexley, typed, error):
    data = change_form_data(admin_client.get(borough_url(bromley)))
    data["gss_code"] = typed
    response = admin_client.post(borough_url(bromley), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["gss_code"] == [error]
    bromley.refresh_from_db()
    assert bromley.gss_code == "E09000006"


def test_a_gss_code_is_stored_as_ons_write_it_and_may_be_blank(admin_client, bromley, bexley):
    data = change_form_data(admin_client.get(borough_url(bromley)))
    data["gss_code"] = " e09000006 "
    assert admin_client.post(borough_url(bromley), data).status_code == 302
    bromley.refresh_from_db()
    assert bromley.gss_code == "E09000006"
    for borough in (bromley, bexley):  # two boroughs without a code do not clash
        data = change_form_data(admin_client.get(borough_url(borough)))
        data["gss_code"] = ""
        assert admin_client.post(borough_url(borough), data).status_code == 302
    assert set(Borough.objects.values_list("gss_code", flat=True)) == {""}


def test_services_and_wording_are_edited_in_the_admin(admin_client, client, bexley):
    data = change_form_data(admin_client.get(borough_url(bexley)))
    data.pop("early_help_service")
    data["early_help_name"] = "Bexley Family Hub"
    assert admin_client.post(borough_url(bexley), data).status_code == 302
    assert client.get("/bexley/family-wellbeing/").status_code == 404
    page = client.get("/bexley/").content.decode()
    assert "/bexley/family-wellbeing/" not in page  # the saved edit reaches the cached page
