"""Payments pages: the provider webhooks and the sandbox gateway's own test pages."""

from django.urls import path

from .gateways import sandbox_pages
from .webhooks import stripe_webhook

urlpatterns = [
    path("webhooks/stripe/", stripe_webhook, name="payments_stripe_webhook"),
    *sandbox_pages.urlpatterns,
]
