"""Orders API routes (see API.md), one module per area."""

from . import cart, offers, orders

urlpatterns = [*cart.urlpatterns, *orders.urlpatterns, *offers.urlpatterns]
