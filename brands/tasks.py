"""Background jobs of discovery: they take ids, call one service and are safe to run twice."""

from celery import shared_task
from django.db import DatabaseError

from brands.services import cards, facets

MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="brands.tasks.refresh_card",
    autoretry_for=(DatabaseError,),  # a deadlock or a dropped connection: the next try rebuilds from scratch
    max_retries=MAX_RETRIES,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
)
def refresh_card(self, creator_id: int) -> bool:
    """Rebuilds one creator's card from their current rows; True if they have a card."""
    return cards.card_refresh(creator_id=creator_id) is not None


# The whole set: longer than the default task limit on a million creators.
@shared_task(name="brands.tasks.rebuild_discovery_scores", time_limit=60 * 60, soft_time_limit=55 * 60)
def rebuild_discovery_scores() -> dict:
    """Beat job: engagement benchmarks, then every card's percentile, audience quality and reliability."""
    return cards.discovery_scores_rebuild()


@shared_task(name="brands.tasks.refresh_facet_summary", time_limit=10 * 60, soft_time_limit=9 * 60)
def refresh_facet_summary() -> int:
    """Beat job: recounts discovery's unfiltered facets exactly (brands.FacetSummary); the listed creators counted."""
    return facets.facet_summary_refresh().total
