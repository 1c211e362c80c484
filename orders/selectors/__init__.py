"""Every non-trivial read of the orders app, scoped to who asks; one module per area."""
