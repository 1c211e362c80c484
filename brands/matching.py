"""Match score: how well a creator fits a brand's target, explained factor by factor.

A `Target` is what the brand is looking for. Today it comes from the brand's stated preferences
(`target_for_brand`); campaigns will build one from their criteria. It is a small value object, not a
model, so anything can describe a target.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Target:
    categories: tuple[str, ...] = ()  # content categories that fit (from the brand's industries)
    niches: tuple[str, ...] = ()  # free-text niches, lower-cased
    countries: tuple[str, ...] = ()  # audience countries, ISO alpha-2
    languages: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    budget_per_creator: Decimal | None = None
    currency: str = "USD"

    @property
    def is_empty(self) -> bool:
        return not (self.categories or self.niches or self.countries or self.languages or self.platforms
                    or self.budget_per_creator)
