"""Every write of the orders app, one module per area: cart, offers, checkout, orders (the status door and
the named transitions), deliverables (shared with campaign content), disputes and timers.

`order_mark_paid` is re-exported here because payments calls it as `orders.services.order_mark_paid`.
"""

from .orders import order_mark_paid

__all__ = ["order_mark_paid"]
