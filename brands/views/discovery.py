"""The brand's discovery page /brand/discover/: filters live in the query string, the server renders everything.

The page is a GET form, so it works without JavaScript and every search is a shareable URL. static/js/discover.js
re-fetches the same URL with `partial=1` on each change and swaps in the results fragment (cards, total,
"Load more", facet counts). Filters are parsed by the list API's serializer, so the page and
GET /api/v1/creators accept exactly the same parameters and refuse the same bad values.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from accounts.onboarding import CONTENT_CATEGORIES, CONTENT_LANGUAGES, COUNTRIES
from brands.api.discovery import CreatorQuerySerializer
from brands.matching import target_for_brand
from brands.models import CreatorCard, SizeBand
from brands.selectors.discovery import creator_facets, creator_search
from brands.selectors.shortlists import saved_creator_ids
from creators.models import Platform
from influmojo.errors import ApplicationError
from influmojo.forms import flatten_errors

PAGE_SIZE = 20
PAGING_PARAMS = ("partial", "cursor", "offset", "limit")  # how the page is fetched, not what is searched for
ORDERING_LABELS = {
    "": "Best first",
    "match": "Best match",
    "relevance": "Most relevant",
    "-followers": "Most followers",
    "followers": "Fewest followers",
    "-engagement": "Highest engagement",
    "price": "Lowest price",
    "-price": "Highest price",
    "-rating": "Best rated",
}
AUDIENCE_QUALITY_STEPS = (40, 60, 80)
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "AUD": "A$", "CAD": "C$", "SGD": "S$"}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int | None
    selected: bool


@dataclass(frozen=True)
class CardView:
    """One result as the card template shows it: display values worked out once, no queries."""

    card: CreatorCard
    avatar_url: str
    initials: str
    followers_display: str
    price_display: str
    price_exact: str
    platforms: list[tuple[str, str]]
    location: str
    category: str
    saved: bool


def compact_number(value: int) -> str:
    """12345 → "12.3K", 172_345 → "172K", 1_200_000 → "1.2M": the scale a brand reads at a glance."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if value >= size:
            scaled = value / size
            text = f"{scaled:.0f}" if scaled >= 100 else f"{scaled:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return str(value)


def _price(amount: Decimal | None, currency: str) -> tuple[str, str]:
    """(what the card shows, the exact amount): "$1,200" as is, "$15K" from ten thousand up."""
    if amount is None:
        return "", ""
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency}\u00a0")
    exact = f"{symbol}{amount:,.2f}".removesuffix(".00")
    return (f"{symbol}{compact_number(int(amount))}" if amount >= 10_000 else exact), exact


def _avatar_url(card: CreatorCard) -> str:
    if not card.avatar:
        return ""
    if card.avatar.startswith(("http://", "https://", "/")):
        return card.avatar
    return default_storage.url(card.avatar)


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:2]).upper() or "?"


def _card_view(card: CreatorCard, saved: set[int]) -> CardView:
    platform_labels = dict(Platform.choices)
    price_display, price_exact = _price(card.min_price, card.currency)
    return CardView(
        card=card,
        avatar_url=_avatar_url(card),
        initials=_initials(card.display_name),
        followers_display=compact_number(card.followers),
        price_display=price_display,
        price_exact=price_exact,
        platforms=[(platform, platform_labels.get(platform, platform)) for platform in card.platforms],
        location=", ".join(part for part in (card.city, COUNTRIES.get(card.country, card.country)) if part),
        category=CONTENT_CATEGORIES.get(card.categories[0], card.categories[0]) if card.categories else "",
        saved=card.creator_id in saved,
    )


def _non_blank(data: QueryDict, *, leave_out=()) -> QueryDict:
    """The query string without empty form fields (and without `leave_out`), so shared links stay short."""
    params = QueryDict(mutable=True)
    for key, values in data.lists():
        kept = [value for value in values if value.strip()]
        if kept and key not in leave_out:
            params.setlist(key, kept)
    return params


def _parse(data: QueryDict) -> tuple[CreatorQuerySerializer, list[str]]:
    """Filters and paging through the list API's serializer; its errors as sentences for the page."""
    serializer = CreatorQuerySerializer(data=data)
    if serializer.is_valid():
        return serializer, []
    messages = []
    for field_path, message in flatten_errors(serializer.errors):
        name = str(field_path[0]).replace("_", " ").capitalize() if field_path else ""
        messages.append(f"{name}: {message}" if name else message)
    return serializer, messages


def _facet_counts(raw: dict) -> dict[str, dict[str, int]]:
    """creator_facets' option lists as {facet: {value: count}} for the sidebar and the fragment's JSON."""
    return {
        facet: {str(option["value"]): option["count"] for option in options}
        for facet, options in raw["facets"].items()
    }


def _options(vocabulary, selected, counts: dict[str, int] | None) -> list[Option]:
    """Options for a filter; with counts, the ones nobody has sink below the rest (selected ones stay)."""
    options = [
        Option(value, label, None if counts is None else counts.get(value, 0), value in selected)
        for value, label in vocabulary
    ]
    if counts is not None:
        options.sort(key=lambda option: (not option.selected and not option.count, -(option.count or 0)))
    return options


def _sidebar(params: QueryDict, facets: dict[str, dict[str, int]], has_target: bool) -> dict:
    def facet(name):
        return facets.get(name)

    return {
        "platforms": _options(Platform.choices, params.getlist("platform"), facet("platform")),
        "categories": [  # free-text niches (from a link or "Ask in a sentence") stay visible and removable
            *(Option(niche, niche, None, True) for niche in params.getlist("niche") if niche not in CONTENT_CATEGORIES),
            *_options(CONTENT_CATEGORIES.items(), params.getlist("niche"), facet("category")),
        ],
        "size_bands": [
            Option(value, label, (facet("size") or {}).get(value), value in params.getlist("size"))
            for value, label in SizeBand.choices
        ],
        "available_count": (facet("availability") or {}).get("available"),
        "verified_count": (facet("verified") or {}).get("true"),
        "countries": _options(COUNTRIES.items(), params.getlist("country"), facet("country")),
        "languages": _options(CONTENT_LANGUAGES.items(), params.getlist("language"), facet("language")),
        "orderings": [
            (value, label) for value, label in ORDERING_LABELS.items() if value != "match" or has_target
        ],
        "audience_quality_steps": AUDIENCE_QUALITY_STEPS,
    }


def _more_url(params: QueryDict, page, offset: int, cursor: str | None) -> str:
    """The next page: the selector's cursor, else (pages counted by offset) the next offset."""
    more = params.copy()
    if page.next_cursor:
        more["cursor"] = page.next_cursor
    elif not cursor and offset + len(page.cards) < page.total:
        more["offset"] = str(offset + len(page.cards))
    else:
        return ""
    return "?" + more.urlencode()


@login_required
@require_safe
def discover(request):
    user = request.user
    if not (user.is_brand or user.is_agent):
        raise PermissionDenied("Discovery is for brands.")
    partial = request.GET.get("partial") == "1" or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    params = _non_blank(request.GET, leave_out=PAGING_PARAMS)
    serializer, errors = _parse(_non_blank(request.GET, leave_out=("partial", "limit")))

    target = target_for_brand(user) if user.is_brand else None
    page, facets, facets_exact, cards = None, {}, True, []
    if not errors:
        query, paging = serializer.to_query(), serializer.page()
        offset, cursor = paging["offset"], paging["cursor"]
        try:
            page = creator_search(query=query, viewer=user, target=target, limit=PAGE_SIZE, offset=offset,
                                  cursor=cursor)
            if not (partial and (offset or cursor)):  # "Load more" only appends cards
                raw_facets = creator_facets(query=query, viewer=user)
                facets, facets_exact = _facet_counts(raw_facets), raw_facets["exact"]
        except ApplicationError as error:
            errors, page = [error.message], None
    if page is not None:
        ids = [card.creator_id for card in page.cards]
        saved = saved_creator_ids(brand=user, creator_ids=ids) if user.is_brand and ids else set()
        cards = [_card_view(card, saved) for card in page.cards]

    context = {
        "params": params,
        "errors": errors,
        "page": page,
        "cards": cards,
        "facets": facets,
        "facets_exact": facets_exact,
        "more_url": _more_url(params, page, offset, cursor) if page is not None else "",
        "can_save": user.is_brand,
        "has_target": target is not None and not target.is_empty,
        "filtered": bool(params),
    }
    status = 400 if errors and partial else 200
    if partial:
        return render(request, "brands/discover_results.html", context, status=status)
    context.update(_sidebar(params, facets, context["has_target"]))
    return render(request, "brands/discover.html", context, status=status)


urlpatterns = [
    path("brand/discover/", discover, name="brand_discover"),
]
