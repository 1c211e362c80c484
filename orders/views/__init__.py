"""Orders pages (templates), one module per area: cart and checkout, orders, custom offers."""
