"""AI search: a brand's sentence ("tech YouTubers over 100K who review gadgets, budget 500–2000") → CreatorQuery.

With settings.OPENAI_API_KEY the model reads the sentence into structured filters (brands.ai_search.model),
which are validated before use; without a key, or when the call times out, fails or answers something we
cannot accept, the deterministic parser (brands.ai_search.parser) reads it instead and `fallback_reason`
says why. Either way the interpretation sentence is written by us from the filters actually applied.
"""

import logging
from dataclasses import dataclass

from django.conf import settings

from brands.query import CreatorQuery

from .insights import budget_analysis, describe, filters_applied
from .model import ModelUnavailable, ask_model
from .parser import parse

logger = logging.getLogger(__name__)

NO_API_KEY = "no_api_key"
FALLBACK_REASONS = (NO_API_KEY, "timeout", "invalid_output", "api_error")


@dataclass(frozen=True)
class Interpretation:
    query: CreatorQuery
    source: str  # "ai" | "parser"
    fallback_reason: str | None  # one of FALLBACK_REASONS when source is "parser"
    currency: str  # the budget's currency when the request named one, else ""

    @property
    def sentence(self) -> str:
        return describe(self.query, self.currency)


def interpret(text: str) -> Interpretation:
    """Read a search sentence: the model when configured and trustworthy, else the parser."""
    if not settings.OPENAI_API_KEY:
        reading, source, reason = parse(text), "parser", NO_API_KEY
    else:
        try:
            reading, source, reason = ask_model(text), "ai", None
        except ModelUnavailable as exc:
            logger.warning("AI search fell back to the parser (%s)", exc)
            reading, source, reason = parse(text), "parser", exc.reason
    return Interpretation(query=reading.query, source=source, fallback_reason=reason, currency=reading.currency)


def search_insights(interpretation: Interpretation, cards) -> dict:
    return {
        "interpretation": interpretation.sentence,
        "source": interpretation.source,
        "filters_applied": filters_applied(interpretation.query),
        "budget_analysis": budget_analysis(interpretation.query, cards, interpretation.currency),
        "fallback_reason": interpretation.fallback_reason,
    }


__all__ = ["FALLBACK_REASONS", "Interpretation", "interpret", "parse", "search_insights"]
