"""Where messages go, chosen by `settings.NOTIFICATIONS_BACKEND`:

- `console`: prints each message (development and the embedded demo; refused outside DEBUG,
  as it prints names and addresses to the log);
- `django`: email through Django's email backend (SMTP in production); no text messages;
- `notify`: email and text messages through GOV.UK Notify (`notifications-python-client`),
  with `NOTIFY_API_KEY` and a template id for each kind and channel (`NOTIFY_TEMPLATE_IDS`);
- `locmem`: keeps messages in `locmem_outbox`, for tests.

A backend's `send(message)` returns the provider's id for the message ("" when none) or
raises `TemporaryFailure` (retried with backoff) or `PermanentFailure` (never retried; staff
are shown it). Any other exception is treated as temporary by the outbox.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from notifications.kinds import Channel, Rendered

logger = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """The provider could not take the message now: try again later."""


class PermanentFailure(Exception):
    """The provider refused the message: trying again would fail the same way. The message
    (args[0]) is shown to staff: words of ours, never the provider's text."""


def rendered(message) -> Rendered:
    return message.rendered()


class ConsoleBackend:
    channels = frozenset(Channel)

    def send(self, message) -> str:
        text = rendered(message)
        stream = sys.stdout
        stream.write(f"--- {message.channel} to {message.to} ({message.kind})\n")
        if text.subject:
            stream.write(f"Subject: {text.subject}\n\n")
        stream.write(f"{text.body}\n")
        stream.flush()
        return ""


class DjangoEmailBackend:
    channels = frozenset({Channel.EMAIL})

    def send(self, message) -> str:
        if message.channel != Channel.EMAIL:
            raise PermanentFailure("no text message service is set up")
        text = rendered(message)
        send_mail(text.subject, text.body, None, [message.to], fail_silently=False)
        return ""


@dataclass
class LocmemMessage:
    channel: str
    to: str
    kind: str
    subject: str
    body: str


locmem_outbox: list[LocmemMessage] = []


class LocmemBackend:
    channels = frozenset(Channel)

    def send(self, message) -> str:
        text = rendered(message)
        locmem_outbox.append(
            LocmemMessage(message.channel, message.to, message.kind, text.subject, text.body)
        )
        return ""


# GOV.UK Notify's API errors (docs.notifications.service.gov.uk, "Error codes"): a 400 is a
# request that will never succeed (bad number or address, missing personalisation, trial mode
# recipient), a 403 a key that is refused; 429 is a rate or daily limit and 5xx Notify's own
# trouble: both are retried with backoff. No response at all (timeout, connection refused)
# counts as 503 in the client.
PERMANENT_STATUSES = frozenset({400, 403})


class NotifyBackend:
    channels = frozenset(Channel)

    def __init__(self):
        if not settings.NOTIFY_API_KEY:
            raise ImproperlyConfigured("NOTIFICATIONS_BACKEND=notify needs NOTIFY_API_KEY")

    def client(self):
        from notifications_python_client.notifications import NotificationsAPIClient

        # The client is not thread-safe (its requests session): one per send.
        return NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT,
        )

    def template_id(self, message) -> str:
        key = f"{message.kind}_{message.channel}"
        template_id = settings.NOTIFY_TEMPLATE_IDS.get(key)
        if not template_id:
            # A setting the operators can put right: retried, and /readyz shows the lag.
            raise TemporaryFailure(f"no Notify template id: NOTIFY_TEMPLATE_{key.upper()}")
        return template_id

    def send(self, message) -> str:
        from notifications_python_client.errors import APIError

        template_id = self.template_id(message)
        client = self.client()
        # Our reference on Notify's side: the row's id, nothing personal.
        reference = f"outbox-{message.pk}"
        personalisation = message.personalisation or None
        try:
            if message.channel == Channel.SMS:
                response = client.send_sms_notification(
                    phone_number=message.to,
                    template_id=template_id,
                    personalisation=personalisation,
                    reference=reference,
                    sms_sender_id=settings.NOTIFY_SMS_SENDER_ID or None,
                )
            else:
                response = client.send_email_notification(
                    email_address=message.to,
                    template_id=template_id,
                    personalisation=personalisation,
                    reference=reference,
                    email_reply_to_id=settings.NOTIFY_EMAIL_REPLY_TO_ID or None,
                )
        except APIError as exc:
            status = exc.status_code
            if status in PERMANENT_STATUSES:
                raise PermanentFailure(f"GOV.UK Notify refused it ({status})") from exc
            raise TemporaryFailure(f"GOV.UK Notify answered {status}") from exc
        finally:
            client.request_session.close()
        return str((response or {}).get("id", ""))


BACKENDS = {
    "console": ConsoleBackend,
    "django": DjangoEmailBackend,
    "notify": NotifyBackend,
    "locmem": LocmemBackend,
}


def get_backend():
    name = settings.NOTIFICATIONS_BACKEND
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ImproperlyConfigured(f"Unknown NOTIFICATIONS_BACKEND {name!r}") from None


def channels_available() -> frozenset[str]:
    """The channels the configured backend can send (e.g. no text messages by SMTP)."""
    return BACKENDS[settings.NOTIFICATIONS_BACKEND].channels
