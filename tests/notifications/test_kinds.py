"""Every kind of message renders on every channel from its own templates, given exactly its
documented personalisation; text messages are short and carry no name or detail."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from notifications.backends import locmem_outbox
from notifications.kinds import FIELD_HELP, FIELDS, Channel, Kind, render, template_names
from notifications.sending import send_message
from tests.notifications.factories import OutboxMessageFactory

SAMPLE = {
    "reference": "BRM-7KQ4-9XHP",
    "council_name": "London Borough of Bromley",
    "phone_lines": [
        "Children's services (Mon-Fri 9am-5pm): 020 8461 7373",
        "Out of hours: 0300 303 8671",
    ],
    "borough_phone": "020 8461 7373",
    "mash_name": "Bromley MASH",
    "early_help": "early help",
    "service_name": "Bromley MASH",
    "decided_on": "3 March 2026",
    "outcome_words": "We have looked carefully at what you told us.",
    "borough": "Bromley",
    "what": "has passed its deadline",
    "due": "Tuesday 3 March 2026, 14:00",
    "notes": ["The screener rated it Red."],
    "link": "/mash/referrals/BRM-7KQ4-9XHP/",
    "incident": "Emails waiting too long",
    "summary": "oldest unsent message waited 960 s",
    "first_seen": "10:15 on 03 March 2026",
    "code": "482913",
}
# Kinds whose text messages go to the public: short, and only the reference and a number.
PUBLIC = [kind for kind in Kind if kind not in {Kind.ESCALATION, Kind.OPS_ALERT}]
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def personalisation(kind):
    return {name: SAMPLE[name] for name in FIELDS[kind]}


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_on_every_channel(kind, channel):
    text = render(kind, channel, personalisation(kind))
    assert text.body.strip()
    assert "{" not in text.body + text.subject and "((" not in text.body
    assert "&#" not in text.body and "&amp;" not in text.body  # plain text, not HTML
    if channel == Channel.EMAIL:
        assert text.subject and "\n" not in text.subject
    else:
        assert text.subject == "" and "\n" not in text.body
    if "reference" in FIELDS[kind]:
        assert SAMPLE["reference"] in text.body


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("kind", list(Kind))
def test_templates_use_only_the_kinds_documented_fields(kind, channel):
    """What a council copies into Notify: every ((field)) it needs is in FIELDS and the README."""
    loops = set()
    used = set()
    for name in template_names(kind, channel):
        source = (TEMPLATES / name).read_text()
        loops |= set(re.findall(r"{%\s*for\s+(\w+)\s+in", source))
        used |= set(re.findall(r"{{\s*(\w+)", source))
        used |= set(re.findall(r"{%\s*(?:if|for\s+\w+\s+in)\s+(\w+)", source))
    assert used - loops <= set(FIELDS[kind]), used - loops - set(FIELDS[kind])
    for field in FIELDS[kind]:
        assert field in FIELD_HELP


@pytest.mark.parametrize("kind", PUBLIC)
def test_text_messages_to_the_public_are_short_and_carry_no_detail(kind):
    text = render(kind, Channel.SMS, personalisation(kind)).body
    assert len(text) <= 306, len(text)  # two text message fragments at most
    assert SAMPLE["reference"] in text
    assert "http" not in text
    if kind != Kind.CHECK_CODE:
        assert SAMPLE["borough_phone"] in text


def test_the_readme_documents_every_kinds_fields():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for kind in Kind:
        assert f"NOTIFY_TEMPLATE_{kind.value.upper()}_EMAIL" in readme, kind
        assert f"NOTIFY_TEMPLATE_{kind.value.upper()}_SMS" in readme, kind
        for field in FIELDS[kind]:
            assert f"(({field}))" in readme, (kind, field)


@pytest.mark.django_db
@pytest.mark.parametrize("channel", list(Channel))
def test_the_console_and_locmem_backends_send_what_the_templates_say(settings, channel, capsys):
    settings.NOTIFICATIONS_BACKEND = "locmem"
    locmem_outbox.clear()
    to = "sam@example.com" if channel == Channel.EMAIL else "+447700900982"
    message = OutboxMessageFactory(channel=channel, to=to)
    assert send_message(message.pk) is True
    (sent,) = locmem_outbox
    assert (sent.channel, sent.to, sent.kind) == (channel, to, "acknowledgement")
    assert "BRM-0000-0000" in sent.body
    locmem_outbox.clear()
    settings.NOTIFICATIONS_BACKEND = "console"
    other = OutboxMessageFactory(channel=channel, to=to)
    assert send_message(other.pk) is True
    printed = capsys.readouterr().out
    assert f"{channel} to {to}" in printed and "BRM-0000-0000" in printed


@pytest.mark.django_db
def test_the_smtp_backend_sends_no_text_messages(settings):
    settings.NOTIFICATIONS_BACKEND = "django"
    message = OutboxMessageFactory(channel="sms", to="+447700900982")
    assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.status == "failed" and message.failure == "no text message service is set up"
