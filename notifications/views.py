"""GOV.UK Notify's delivery receipts callback (see notifications.receipts)."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.receipts import record_receipt

logger = logging.getLogger(__name__)
MAX_BODY = 16 * 1024


@csrf_exempt  # a machine's POST, authenticated by its bearer token instead
@never_cache
@require_POST
def notify_receipt(request):
    """Notify POSTs a JSON receipt with "Authorization: Bearer <NOTIFY_CALLBACK_TOKEN>". 404
    when no token is configured or the one given is wrong (nothing says the URL exists)."""
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404
    if len(request.body) > MAX_BODY:
        return HttpResponseBadRequest("too large")
    try:
        receipt = json.loads(request.body)
        provider_id = str(receipt.get("id") or "")
        reference = str(receipt.get("reference") or "")
        status = str(receipt["status"])
    except (ValueError, KeyError, AttributeError):
        return HttpResponseBadRequest("not a delivery receipt")
    message = record_receipt(provider_id=provider_id, reference=reference, status=status)
    # The status and the row only: the receipt's "to" names the recipient.
    logger.info("notify receipt: %s for message %s", status, message.pk if message else None)
    return HttpResponse(status=204)
