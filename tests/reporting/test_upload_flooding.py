"""Anonymous upload flooding (20 files of 9.9 MB in 3 seconds, kept for a day): limited per
session and per client address, and by the bytes all unattached uploads hold, with a GOV.UK
error on the form; abandoned uploads go after 3 hours, not 24. Through the real views, with
real multipart requests read by the real upload handlers."""

import datetime as dt

import pytest
import time_machine

from reporting import uploads
from reporting.models import ConsentForm
from tests.reporting.conftest import JourneyClient
from tests.reporting.factories import reset_breakers  # noqa: F401 (a fixture)
from tests.reporting.test_family_views import (  # noqa: F401 (fixtures)
    FW,
    MONDAY_NOON,
    PDF,
    _monday,
    consent_page,
    errors,
    start_fw,
    upload,
)

pytestmark = pytest.mark.usefixtures("reset_breakers", "private_storage")
MB = 1024 * 1024


def big_pdf(size):
    return upload(content=PDF + b"0" * (size - len(PDF)))


def fresh_session(bromley):
    person = JourneyClient()  # a refused page is followed (post/redirect/get)
    start_fw(person)
    return person


def test_twenty_uploads_from_one_address_in_seconds_keep_only_ten(bromley, settings):
    """The flood as found (fresh sessions from one address, one file each): before, all 20 were
    kept; now the client's tenth is its last this hour, and the rest are never written."""
    statuses, refused = [], []
    for _ in range(20):
        response = fresh_session(bromley).post(
            FW + "consent-form/", consent_page(big_pdf(int(0.99 * MB)))
        )
        statuses.append(response.status_code)
        if response.status_code == 200:
            refused.append(errors(response))
    assert statuses == [302] * 10 + [200] * 10
    assert ConsentForm.objects.count() == 10
    assert all("You have uploaded too many files in a short time" in e[0] for e in refused)
    assert all("call us to make the referral" in e[0] for e in refused)
    assert len(list(uploads.private_storage().listdir("")[1])) == 10


def test_one_session_uploading_again_and_again_is_stopped(bromley):
    person = fresh_session(bromley)
    codes = [
        person.post(FW + "consent-form/", consent_page(upload())).status_code for _ in range(6)
    ]
    assert codes == [302] * 5 + [200]
    # Its replaced uploads were discarded as it went: one file kept, not five.
    assert ConsentForm.objects.count() == 1
    # Another person at the same address still can.
    assert (
        fresh_session(bromley).post(FW + "consent-form/", consent_page(upload())).status_code == 302
    )


def test_when_unattached_uploads_hold_their_limit_new_files_are_refused(bromley, settings):
    settings.CONSENT_UPLOAD_UNATTACHED_MAX_BYTES = 2 * MB
    assert fresh_session(bromley).post(FW + "consent-form/", consent_page(big_pdf(2 * MB)))[
        "Location"
    ]
    response = fresh_session(bromley).post(FW + "consent-form/", consent_page(upload()))
    assert response.status_code == 200
    assert errors(response) == [uploads.BUSY]
    assert ConsentForm.objects.count() == 1


def test_signed_in_staff_are_not_limited(bromley, settings, rf):
    settings.UPLOAD_LIMIT_SESSION = "1/h"
    request = rf.post("/")
    request.user = type("Staff", (), {"is_authenticated": True})()
    assert uploads.refusal(request) is None
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    request.session = type("S", (), {"session_key": "k"})()
    assert uploads.refusal(request) is None
    assert "too many files" in uploads.refusal(request)


@pytest.mark.django_db
def test_abandoned_uploads_go_after_three_hours():
    with time_machine.travel(MONDAY_NOON, tick=False):
        stored = uploads.store_consent_file(upload(), uploads.KINDS[0])
    with time_machine.travel(MONDAY_NOON + dt.timedelta(hours=2, minutes=50), tick=False):
        assert uploads.delete_abandoned_uploads() == 0
    with time_machine.travel(MONDAY_NOON + dt.timedelta(hours=3, minutes=10), tick=False):
        assert uploads.delete_abandoned_uploads() == 1
    assert not ConsentForm.objects.filter(stored_name=stored["stored_name"]).exists()
