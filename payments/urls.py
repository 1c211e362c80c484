"""Payments pages (and, for payments, the provider webhooks)."""

urlpatterns: list = []
