"""Orders pages: cart and checkout, the orders of both sides with their moves, custom offers (paying is payments' /payments/<id>/pay/)."""

from .views import cart, offers, orders

urlpatterns = [*cart.urlpatterns, *orders.urlpatterns, *offers.urlpatterns]
