import datetime as dt
import json
import os
import socket
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from contacts.calendar import LONDON
from notifications.models import OutboxMessage
from notifications.sending import sweep_unsent
from reporting.answers import ReporterAnswers
from reporting.models import Child, Referral
from reporting.services import submit_concern
from reporting.signals import children_received, referral_submitted
from tests.reporting.factories import (
    child,
    concern_answers,
    eager_celery,  # noqa: F401 (a fixture)
    reset_breakers,  # noqa: F401 (a fixture)
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("eager_celery", "reset_breakers"),
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver():
    """Connect a receiver to referral_submitted for one test."""
    connected = []

    def connect(function):
        referral_submitted.connect(function, weak=False, dispatch_uid=f"test-{id(function)}")
        connected.append(function)
        return function

    yield connect
    for function in connected:
        referral_submitted.disconnect(dispatch_uid=f"test-{id(function)}")


@pytest.fixture
def only_reporting():
    """No other app's receivers (mash's screening record and person keys): what reporting
    itself costs."""
    with (
        mock.patch.object(referral_submitted, "receivers", []),
        mock.patch.object(referral_submitted, "sender_receivers_cache", {}),
        mock.patch.object(children_received, "receivers", []),
        mock.patch.object(children_received, "sender_receivers_cache", {}),
    ):
        yield


def test_named_concern_saved_with_children_and_acknowledgement(bromley):
    moment = dt.datetime(2026, 3, 2, 10, 15, tzinfo=LONDON)
    with time_machine.travel(moment, tick=False):
        referral = submit_concern(borough=bromley, answers=concern_answers("two_children"))

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.reference.startswith("BRM-")
    assert referral.kind == Referral.Kind.CONCERN
    assert referral.channel == Referral.Channel.ONLINE
    assert referral.received_at == moment
    assert referral.referrer_type == "public"
    assert not referral.anonymous
    assert referral.referrer_name == "Sam Taylor"
    assert referral.referrer_email == "sam.taylor@example.com"
    assert referral.referrer_phone == "+447911123456"
    assert referral.safe_to_contact is True
    assert referral.contact_notes == "After 6pm on weekdays"
    assert referral.concern_categories == ["neglect", "emotional"]
    assert referral.still_happening == "yes"
    assert referral.how_known == "saw"
    assert referral.other_children_in_home == "yes"
    children = list(referral.children.all())
    assert [(c.first_name, c.order) for c in children] == [("Amira", 0), ("Leo", 1)]
    assert children[0].date_of_birth == dt.date(2017, 3, 14)
    assert children[0].postcode == "BR1 3UH"
    assert children[1].approximate_age == 4 and children[1].date_of_birth is None

    message = OutboxMessage.objects.get(about_id=referral.pk)
    assert message.kind == "acknowledgement"
    assert message.to == "sam.taylor@example.com"
    assert message.dedupe_key == f"acknowledgement:{referral.reference}"
    assert message.sent_at is None  # not sent: the test transaction never commits


def test_received_at_can_be_given(bromley):
    when = dt.datetime(2026, 1, 5, 23, 59, tzinfo=LONDON)
    referral = submit_concern(
        borough=bromley, answers=concern_answers(), channel="phone", received_at=when
    )
    referral.refresh_from_db()
    assert referral.received_at == when
    assert referral.channel == "phone"


def test_acknowledgement_says_what_happens_next_and_nothing_sensitive(bromley):
    referral = submit_concern(borough=bromley, answers=concern_answers())
    message = OutboxMessage.objects.get(about_id=referral.pk)
    text = message.rendered().subject + "\n" + message.rendered().body
    assert referral.reference in message.rendered().subject
    assert referral.reference in message.rendered().body
    assert "senior social worker will look at what you told us within one working day" in (
        " ".join(message.rendered().body.split())
    )
    assert "call 999" in message.rendered().body
    assert "020 8461 7373" in message.rendered().body  # Bromley's children's services
    assert "0300 303 8671" in message.rendered().body  # and its out-of-hours line
    body = message.rendered().body
    assert body.startswith("Hello,") and "Sam Taylor" not in body  # no echo
    for sensitive in ["Amira", "Hughes", "Hillside", "Station Road", "BR1", "food", "shouting"]:
        assert sensitive not in text, sensitive
    assert "<" not in text and "&#" not in text  # plain text, not HTML-escaped


def test_email_only_queued_after_commit(bromley, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral = submit_concern(borough=bromley, answers=concern_answers())
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()  # what commit does: the (eager) task sends it
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam.taylor@example.com"]
    assert OutboxMessage.objects.get(about_id=referral.pk).sent_at is not None


def test_a_referrer_with_a_mobile_and_no_email_gets_a_text_message(bromley):
    referral = submit_concern(borough=bromley, answers=concern_answers("no_email"))
    assert referral.referrer_phone.startswith("+447")
    message = OutboxMessage.objects.get(about_id=referral.pk)
    assert (message.kind, message.channel, message.to) == (
        "acknowledgement",
        "sms",
        referral.referrer_phone,
    )
    text = message.rendered().body
    assert referral.reference in text and "020 8461 7373" in text
    assert "Amira" not in text and "Sam" not in text


@pytest.mark.parametrize("variant", ["anonymous", "unsafe"])
def test_no_acknowledgement_when_not_contactable(
    bromley, variant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        referral = submit_concern(borough=bromley, answers=concern_answers(variant))
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_anonymous_stores_no_personal_data_even_if_sent(bromley):
    answers = concern_answers("anonymous")
    answers.reporter = replace(
        answers.reporter,
        name="Sam Taylor",
        email="sam@example.com",
        phone="07911 123456",
        safe_to_contact=True,
        contact_notes="Evenings",
    )
    referral = submit_concern(borough=bromley, answers=answers)
    referral.refresh_from_db()
    assert referral.anonymous
    assert (referral.referrer_name, referral.referrer_email, referral.referrer_phone) == ("",) * 3
    assert referral.contact_notes == ""
    assert referral.safe_to_contact is None
    assert referral.referrer_relationship == "Neighbour"
    assert not OutboxMessage.objects.exists()


def test_unsafe_to_contact_keeps_the_details_but_sends_nothing(bromley):
    referral = submit_concern(borough=bromley, answers=concern_answers("unsafe"))
    referral.refresh_from_db()
    assert referral.safe_to_contact is False
    assert referral.referrer_email == "sam.taylor@example.com"
    assert "partner" in referral.contact_notes
    assert not referral.is_contactable


def test_professional_referral_is_named_with_consent_answers(bromley):
    answers = concern_answers("professional")
    answers.reporter.anonymous = True  # a professional cannot be anonymous
    referral = submit_concern(borough=bromley, answers=answers)
    referral.refresh_from_db()
    assert referral.referrer_type == "professional"
    assert not referral.anonymous
    assert referral.referrer_name == "Dr Priya Shah"
    assert referral.organisation == "Station Road Surgery"
    assert referral.role == "GP"
    assert referral.referrer_phone == "+442084617000"
    assert (referral.family_aware, referral.family_agrees) == ("no", "unknown")
    assert "risk" in referral.no_consent_reason
    assert OutboxMessage.objects.get(about_id=referral.pk).to == "priya.shah@nhs.example"


def test_professional_contact_falls_back_to_professional_details(bromley):
    answers = concern_answers("professional")
    answers.reporter = ReporterAnswers()
    referral = submit_concern(borough=bromley, answers=answers)
    assert referral.referrer_email == "priya.shah@nhs.example"
    assert referral.referrer_name == "Dr Priya Shah"


def test_unborn_child_with_unknown_name(bromley):
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=LONDON), tick=False):
        answers = concern_answers("unborn")
        answers.children[0].first_name = "Ignored"
        referral = submit_concern(borough=bromley, answers=answers)
    child = referral.children.get()
    assert child.unborn and child.name_unknown
    assert child.first_name == "" and child.display_name == "Name unknown"
    assert child.due_date == dt.date(2026, 7, 31)


def test_text_is_stored_as_typed_without_control_characters(bromley):
    description = '<script>alert("x")</script> & <b>bold</b>\r\nsecond line\x00\x07'
    answers = concern_answers()
    answers.concern.description = description
    referral = submit_concern(borough=bromley, answers=answers)
    referral.refresh_from_db()
    assert referral.description == '<script>alert("x")</script> & <b>bold</b>\nsecond line'


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda a: setattr(a, "children", []), "children"),
        (lambda a: setattr(a.concern, "description", ""), "description"),
        (lambda a: setattr(a.concern, "description", "x" * 100_000), "description"),
        (lambda a: setattr(a.concern, "categories", ["bullying"]), "concern_categories"),
        (lambda a: setattr(a.reporter, "email", "not-an-email"), "referrer_email"),
        (lambda a: setattr(a.reporter, "phone", "12345"), "referrer_phone"),
        (lambda a: setattr(a.children[0], "postcode", "X" * 30), "postcode"),
        (lambda a: setattr(a.children[0], "approximate_age", 18), "approximate_age"),
        (lambda a: setattr(a.children[0], "school", "S" * 201), "school"),
        (lambda a: setattr(a.children[0], "first_name", "A" * 201), "first_name"),
        (lambda a: setattr(a.concern, "still_happening", "maybe"), "still_happening"),
    ],
)
def test_invalid_answers_raise_and_save_nothing(bromley, change, field):
    answers = concern_answers()
    answers.children = [child()]
    change(answers)
    with pytest.raises(ValidationError) as info:
        submit_concern(borough=bromley, answers=answers)
    assert field in info.value.message_dict
    assert not Referral.objects.exists()
    assert not Child.objects.exists()


def test_signal_sent_inside_the_transaction_after_children_saved(bromley, receiver):
    seen = {}

    @receiver
    def attach(sender, referral, **kwargs):
        seen["sender"] = sender
        seen["in_transaction"] = connection.in_atomic_block
        seen["children"] = referral.children.count()
        seen["reference"] = referral.reference
        # receivers may write (mash attaches its screening record)
        OutboxMessage.objects.create(
            kind="test", to="mash@example.com", subject="s", body="b", dedupe_key="receiver"
        )

    referral = submit_concern(borough=bromley, answers=concern_answers("two_children"))
    assert seen == {
        "sender": Referral,
        "in_transaction": True,
        "children": 2,
        "reference": referral.reference,
    }
    assert OutboxMessage.objects.filter(dedupe_key="receiver").exists()


def test_a_failing_receiver_aborts_the_whole_submission(
    bromley, receiver, django_capture_on_commit_callbacks
):
    @receiver
    def write_then_fail(sender, referral, **kwargs):
        OutboxMessage.objects.create(
            kind="test", to="mash@example.com", subject="s", body="b", dedupe_key="receiver"
        )
        raise RuntimeError("screening record could not be attached")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        submit_concern(borough=bromley, answers=concern_answers())
    assert not Referral.objects.exists()
    assert not Child.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert mail.outbox == []


def test_broker_unreachable_the_referral_is_kept_and_swept_later(
    bromley, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
    with (
        mock.patch("notifications.tasks.send_message.delay", side_effect=refused) as delay,
        mock.patch("notifications.tasks.send_message.apply_async", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        referral = submit_concern(borough=bromley, answers=concern_answers())

    delay.assert_called_once()
    assert Referral.objects.filter(reference=referral.reference).exists()
    message = OutboxMessage.objects.get(about_id=referral.pk)
    assert message.sent_at is None and message.attempts == 0
    assert mail.outbox == []
    assert "the sweeper will send it" in caplog.text

    assert sweep_unsent() == 1
    assert len(mail.outbox) == 1 and referral.reference in mail.outbox[0].subject
    assert sweep_unsent() == 0
    assert len(mail.outbox) == 1


def _statements(context: CaptureQueriesContext) -> list[str]:
    """The SQL a submission runs, without BEGIN/COMMIT (SQLite logs them, PostgreSQL not)."""
    return [q["sql"] for q in context.captured_queries if q["sql"] not in {"BEGIN", "COMMIT"}]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BROKER_DOWN_SCRIPT = textwrap.dedent(
    """
    import json, time
    import django
    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    class NoMigrations:  # tables straight from the models: much faster than migrating
        def __contains__(self, item):
            return True

        def __getitem__(self, item):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    from django.test.utils import override_settings
    from contacts.seed import load_boroughs
    # Set-up against a local cache: with Redis hung, each of the seed's ~70 cache deletes
    # (contacts.signals) would wait out the socket timeout, over a minute in all. The cache is
    # back on the hung Redis for everything timed below.
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        call_command("migrate", run_syncdb=True, verbosity=0)
        load_boroughs(apps)
    from django.core.cache import caches
    assert type(caches["default"]).__name__ == "RedisCache", caches["default"]
    from config.celery import app
    from contacts.models import Borough
    from notifications.models import OutboxMessage
    from reporting.models import Referral
    from reporting.services import submit_concern
    from tests.reporting.factories import concern_answers

    borough = Borough.objects.get(slug="bromley")
    outcome = {"eager": app.conf.task_always_eager, "broker": app.conf.broker_url}
    # Warm up (imports, templates, calendars) with publishing off, so the timed calls below
    # measure what the broker costs, not a cold start on a busy machine.
    from unittest import mock
    with mock.patch("notifications.outbox.publish", return_value=False):
        submit_concern(borough=borough, answers=concern_answers())
    for attempt in ("first", "second"):
        started = time.monotonic()
        referral = submit_concern(borough=borough, answers=concern_answers())
        outcome[attempt] = time.monotonic() - started
    outcome["saved"] = Referral.objects.count() - 1  # not the warm-up
    outcome["unsent"] = OutboxMessage.objects.filter(sent_at__isnull=True).count() - 1
    print(json.dumps(outcome))
    """
)


@pytest.fixture
def silent_redis():
    """A port that accepts connections and never answers: a hung Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


@pytest.mark.parametrize("broker", ["refused", "hung"])
def test_broker_unreachable_for_real_in_a_fresh_process(tmp_path, broker, request):
    """A real Celery app, not eager, its broker a closed port (Redis down) or a port that never
    answers (Redis hung): both submissions commit and do not raise; the first waits at most the
    broker's socket timeout, the second not at all (the breaker); both emails wait for the
    sweeper."""
    port = request.getfixturevalue("silent_redis") if broker == "hung" else _closed_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        VAR_DIR=str(tmp_path),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-c", BROKER_DOWN_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["eager"] is False
    assert outcome["broker"] == f"redis://127.0.0.1:{port}/0"
    assert outcome["saved"] == 2
    assert outcome["unsent"] == 2
    assert outcome["first"] < 6, outcome
    assert outcome["second"] < 1, outcome
    assert "the sweeper will send it" in result.stderr
    assert "broker presumed down" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_queries_per_submission(bromley, only_reporting, capsys):
    """What reporting itself costs, outside any test transaction (as in production; BEGIN and
    COMMIT are not counted): one insert for the referral (no savepoint: a reference collision
    reruns the whole transaction, services.with_fresh_reference), one insert for all
    the children and one for their names in the search's vocabulary (reporting.names),
    one insert for the outbox row (ON CONFLICT DO NOTHING: no savepoint; the phone numbers in
    the email come from the borough's memoised contacts: no query once loaded). After commit
    the eager task adds its claim, read and mark-sent."""
    submit_concern(borough=bromley, answers=concern_answers())  # warm up
    with (
        mock.patch("notifications.outbox.publish"),  # count the request's queries, not the send's
        CaptureQueriesContext(connection) as named,
    ):
        submit_concern(borough=bromley, answers=concern_answers("two_children"))
    with CaptureQueriesContext(connection) as anonymous:
        submit_concern(borough=bromley, answers=concern_answers("anonymous"))
    with capsys.disabled():
        print(
            f"\nqueries per submission (+ BEGIN/COMMIT): named {len(_statements(named))}, "
            f"anonymous {len(_statements(anonymous))}"
        )
    assert len(_statements(named)) == 4, _statements(named)
    assert len(_statements(anonymous)) == 3, _statements(anonymous)


@pytest.mark.django_db(transaction=True)
def test_queries_per_submission_with_every_receiver(bromley, capsys):
    """The figure with whatever other apps attach through the signal (mash's screening)."""
    submit_concern(borough=bromley, answers=concern_answers())
    with mock.patch("notifications.outbox.publish"), CaptureQueriesContext(connection) as named:
        submit_concern(borough=bromley, answers=concern_answers())
    with capsys.disabled():
        receivers = len(referral_submitted.receivers)
        count = len(_statements(named))
        print(f"\nqueries per submission with {receivers} receiver(s): {count}")
    # referral, children, names, screening record, person-key lookup, outbox row; the policy
    # comes from the per-process memo (mash.policy.current_rules)
    assert count <= 6, _statements(named)
