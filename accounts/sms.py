"""Pluggable SMS sending: console by default, Twilio's REST API when SMS_BACKEND=twilio."""

import logging

import requests
from django.conf import settings

from influmojo.errors import ApplicationError

logger = logging.getLogger(__name__)
TWILIO_MESSAGES_URL = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"


class SMSDeliveryFailed(ApplicationError):
    code, status = "sms_failed", 502


def send_console(*, to: str, body: str) -> None:
    logger.warning("SMS to %s: %s", to, body)


def send_twilio(*, to: str, body: str) -> None:
    sid = settings.TWILIO_ACCOUNT_SID
    try:
        response = requests.post(
            TWILIO_MESSAGES_URL.format(sid=sid),
            data={"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body},
            auth=(sid, settings.TWILIO_AUTH_TOKEN),
            timeout=10,
        )
    except requests.RequestException as exc:
        raise SMSDeliveryFailed("We could not send the text message. Please try again.") from exc
    if response.status_code >= 400:
        logger.error("Twilio refused SMS: %s %s", response.status_code, response.text[:300])
        raise SMSDeliveryFailed("We could not send the text message. Please check the number and try again.")


SENDERS = {"console": send_console, "twilio": send_twilio}


def send_sms(*, to: str, body: str) -> None:
    SENDERS[settings.SMS_BACKEND](to=to, body=body)
