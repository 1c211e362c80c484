"""Payments API routes (see API.md), one module per area."""

from . import earnings, methods, payments

urlpatterns = [*payments.urlpatterns, *earnings.urlpatterns, *methods.urlpatterns]
