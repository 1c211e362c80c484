"""Payments pages: the provider webhooks, the sandbox gateway's own test pages, a brand's payments and a
creator's earnings (payments.views)."""

from django.urls import path

from .gateways import sandbox_pages
from .views import brand, creator
from .webhooks import stripe_webhook

urlpatterns = [
    path("webhooks/stripe/", stripe_webhook, name="payments_stripe_webhook"),
    *sandbox_pages.urlpatterns,
    *brand.urlpatterns,
    *creator.urlpatterns,
]
