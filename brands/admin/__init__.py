"""Console pages for discovery data, one module per area."""

from . import cards, shortlists  # noqa: F401
