"""Rebuilds every creator card, then the engagement benchmarks, every card's scores and the facet summary."""

import time

from django.core.management.base import BaseCommand

from brands.services.cards import cards_rebuild_all, discovery_scores_rebuild
from brands.services.facets import facet_summary_refresh


class Command(BaseCommand):
    help = ("Rebuild all creator cards (set-based), then engagement benchmarks, audience quality, reliability and "
            "the facet summary.")

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:7.1f}s] {message}")

        cards = cards_rebuild_all(scores=False, progress=progress)
        progress(f"cards done: {cards}")
        result = discovery_scores_rebuild(progress=progress)
        progress(f"scores done: {result['cards']} cards, {result['benchmarks']} benchmarks")
        progress(f"facet summary counted: {facet_summary_refresh().total:,} listed creators")
        self.stdout.write(self.style.SUCCESS(f"Discovery rebuilt in {time.monotonic() - started:.1f}s"))
