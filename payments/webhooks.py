"""POST /webhooks/stripe/: Stripe's events, verified on the raw body, stored once and applied.

No session, no CSRF token, no login: the signature is the authentication. A forged, tampered or stale
signature is a 400 and nothing is written; an event processed (or already processed) is a 200; an error while
processing is a 500 with nothing half-written (the event's row rolls back with its effect), so Stripe sends
it again.
"""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from influmojo.errors import json_error

from .gateways import SignatureInvalid
from .gateways.stripe import StripeGateway
from .services.events import webhook_event_process

logger = logging.getLogger(__name__)


@csrf_exempt
def stripe_webhook(request):
    if request.method != "POST":
        return json_error("method_not_allowed", "Stripe webhooks are POSTed.", 405)
    try:
        event = StripeGateway().parse_webhook(request.body, request.headers.get("Stripe-Signature"))
    except SignatureInvalid as exc:
        logger.warning("Stripe webhook refused: %s", exc.message)
        return json_error(exc.code, exc.message, 400)
    try:
        record, first = webhook_event_process(gateway="stripe", event=event)
    except Exception:
        logger.exception("Stripe event %s (%s) could not be processed; Stripe will retry", event.id, event.type)
        return json_error("server_error", "The event could not be processed; send it again later.", 500)
    return JsonResponse({"received": True, "event": event.id, "duplicate": not first, "outcome": record.outcome})
