"""What a brand asks discovery for: one value object shared by the list API, the page, AI search and bench.

`CreatorQuery` is built from query parameters (brands.api.discovery.CreatorQuerySerializer), from the
discovery page's form, or from a sentence (brands.ai_search); brands.selectors.discovery runs it.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

ORDERINGS = {
    # name: what it sorts by (relevance needs text; match needs a target and falls back to followers)
    "relevance": "text rank (full-text + name similarity), then followers",
    "match": "match percentage for the brand's target, then followers",
    "-followers": "most followers first",
    "followers": "fewest followers first",
    "-engagement": "highest engagement first",
    "engagement": "lowest engagement first",
    "price": "cheapest package first",
    "-price": "most expensive package first",
    "-rating": "best rated first",
}


@dataclass(frozen=True)
class CreatorQuery:
    search: str = ""
    platforms: tuple[str, ...] = ()  # any of
    niches: tuple[str, ...] = ()  # any of; matched against categories and free-text niches
    min_followers: int | None = None
    max_followers: int | None = None
    min_engagement: Decimal | None = None  # percent
    countries: tuple[str, ...] = ()  # ISO alpha-2, any of
    city: str = ""
    languages: tuple[str, ...] = ()  # any of
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    available: bool | None = None
    verified: bool | None = None
    min_audience_quality: int | None = None
    size_bands: tuple[str, ...] = ()
    ordering: str = ""  # "" = relevance with text, match with a target, else -followers
    exclude_ids: tuple[int, ...] = field(default=())

    def with_(self, **changes) -> "CreatorQuery":
        return replace(self, **changes)

    @property
    def has_text(self) -> bool:
        return bool(self.search.strip())
