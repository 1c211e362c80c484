"""What AI search tells the brand about its request: one sentence, the filters used, and the budget picture."""

from decimal import Decimal
from statistics import median

from accounts.onboarding import CONTENT_CATEGORIES, CONTENT_LANGUAGES, COUNTRIES
from brands.models import SizeBand
from brands.query import ORDERINGS, CreatorQuery
from creators.models import Platform

FILTER_FIELDS = ("search", "platforms", "niches", "min_followers", "max_followers", "min_engagement",
                 "countries", "city", "languages", "min_price", "max_price", "available", "verified",
                 "min_audience_quality", "size_bands", "ordering")


def filters_applied(query: CreatorQuery) -> dict:
    """The CreatorQuery fields that are set, as JSON values (money and percentages as decimal strings)."""
    applied = {}
    for name in FILTER_FIELDS:
        value = getattr(query, name)
        if value is None or value in ("", ()):
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Decimal):
            value = str(value)
        applied[name] = value
    return applied


def _count(n: int) -> str:
    return f"{n:,}"


def _money(value: Decimal, currency: str = "") -> str:
    text = f"{value:,.2f}".removesuffix(".00")
    return f"{text} {currency}".strip()


def _either(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def describe(query: CreatorQuery, currency: str = "") -> str:
    """One plain sentence saying what will be searched for, built from the filters actually applied."""
    if not filters_applied(query):
        return "No filters were recognised in the request, so all listed creators are shown."
    adjectives = ["verified"] if query.verified else []
    if query.size_bands:
        adjectives.append(_either([SizeBand(b).label.split(" (")[0].lower() for b in query.size_bands]))
    if query.niches:
        adjectives.append(_either([CONTENT_CATEGORIES.get(n, n).lower() for n in query.niches]))
    subject = " ".join([*adjectives, "creators"])
    if query.platforms:
        subject += " on " + _either([Platform(p).label for p in query.platforms])
    if query.countries or query.city:
        places = [COUNTRIES.get(c, c) for c in query.countries]
        subject += " based in " + _either([query.city.title()] if query.city else places)
    if query.languages:
        subject += " creating in " + _either([CONTENT_LANGUAGES.get(code, code) for code in query.languages])
    parts = [subject[0].upper() + subject[1:]]
    low, high = query.min_followers, query.max_followers
    if low is not None and high is not None:
        parts.append(f"with {_count(low)}–{_count(high)} followers")
    elif low is not None:
        parts.append(f"with at least {_count(low)} followers")
    elif high is not None:
        parts.append(f"with at most {_count(high)} followers")
    if query.min_engagement is not None:
        parts.append(f"engagement of at least {query.min_engagement.normalize():f}%")
    if query.min_audience_quality is not None:
        parts.append(f"audience quality of at least {query.min_audience_quality}")
    low, high = query.min_price, query.max_price
    if low is not None and high is not None:
        parts.append(f"with a package priced {_money(low)}–{_money(high, currency)}")
    elif high is not None:
        parts.append(f"with a package at or under {_money(high, currency)}")
    elif low is not None:
        parts.append(f"with packages from {_money(low, currency)}")
    if query.available:
        parts.append("available now")
    if query.search:
        parts.append(f"matching “{query.search}”")
    sentence = ", ".join(parts)
    if query.ordering in ORDERINGS:
        sentence += f"; {ORDERINGS[query.ordering]}"
    return sentence + "."


def _fits(card, low: Decimal | None, high: Decimal | None) -> bool:
    """As the price filter reads it: the creator's starting price (cheapest package) lies inside the budget."""
    return card.min_price is not None and (low is None or card.min_price >= low) and (
        high is None or card.min_price <= high)


def budget_analysis(query: CreatorQuery, cards, currency: str = "") -> dict:
    """The budget asked for against the starting prices of the creators on this page of results.

    Prices are compared as listed, without converting currencies; `currencies` says which ones appear.
    """
    priced = [card for card in cards if card.min_price is not None]
    prices = sorted(card.min_price for card in priced)
    has_budget = query.min_price is not None or query.max_price is not None
    fitting = sum(1 for card in priced if _fits(card, query.min_price, query.max_price)) if has_budget else None
    analysis = {
        "budget_min": None if query.min_price is None else str(query.min_price),
        "budget_max": None if query.max_price is None else str(query.max_price),
        "budget_currency": currency or None,
        "results_considered": len(cards),
        "results_with_price": len(priced),
        "within_budget": fitting,
        "cheapest_price": str(prices[0]) if prices else None,
        "median_price": str(Decimal(median(prices)).quantize(Decimal("0.01"))) if prices else None,
        "currencies": sorted({card.currency for card in priced}),
    }
    analysis["summary"] = _budget_summary(analysis, has_budget)
    return analysis


def _budget_summary(analysis: dict, has_budget: bool) -> str:
    considered = analysis["results_considered"]
    if not considered:
        return "No creators matched, so there are no prices to compare."
    if not analysis["results_with_price"]:
        return "None of these creators lists a price yet."
    prices = (f"starting prices run from {_money(Decimal(analysis['cheapest_price']))}, "
              f"median {_money(Decimal(analysis['median_price']))}")
    if not has_budget:
        return f"No budget was given; on this page {prices}."
    return (f"{analysis['within_budget']} of the {considered} creators on this page start within the "
            f"budget; {prices}.")
