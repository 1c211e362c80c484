"""Creator discovery API: search, filters, ordering and pages over listed creators, and facet counts.

GET /api/v1/creators          one page of creators matching the filters (+ match fields for brands)
GET /api/v1/creators/filters  counts per filter option (facets) and the orderings
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import path, reverse
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.fields import SerializerMethodField
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import onboarding
from accounts.models import CreatorProfile
from brands.models import SizeBand
from brands.query import ORDERINGS, CreatorQuery
from brands.selectors import discovery as selectors
from creators.models import Platform

BIO_EXCERPT_CHARS = 200


# --- Input --------------------------------------------------------------------------------------------------
class SharedChoices(tuple):
    """Fixed choices that every copy of a field shares: DRF deep-copies a serializer's declared fields for each
    instance, and copying the 249 countries cost ~0.4 ms per request."""

    def __deepcopy__(self, memo):
        return self


class MultiValueField(serializers.ListField):
    """A list given as repeated parameters (`?platform=a&platform=b`), comma-separated (`?platform=a,b`) or both."""

    def __init__(self, *, upper: bool = False, **kwargs):
        self.upper = upper
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return serializers.empty
        raw = dictionary.getlist(self.field_name) if hasattr(dictionary, "getlist") else dictionary[self.field_name]
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list | tuple):
            return raw
        values = [part.strip() for item in raw for part in (item.split(",") if isinstance(item, str) else [item])
                  if not isinstance(part, str) or part.strip()]
        return [value.upper() if self.upper and isinstance(value, str) else value for value in values]


class CreatorQuerySerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/creators (and /filters) → brands.query.CreatorQuery."""

    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text=(
            "Free text over name, handles, bio, categories and niches. PostgreSQL: full-text search with "
            "web-search syntax (\"quoted phrase\", -exclude, or) OR a name match tolerant of typos "
            "(\"Sarah Jonson\" finds Sarah Johnson, \"sar\" finds Sarah; every word must be close to a word of "
            "the creator's name). SQLite: every word must appear."
        ),
    )
    platform = MultiValueField(child=serializers.ChoiceField(choices=Platform.choices),
                               help_text="Any of these platforms (comma-separated or repeated).")
    niche = MultiValueField(child=serializers.CharField(max_length=60),
                            help_text="Any of these content categories or free-text niches (case-insensitive).")
    min_followers = serializers.IntegerField(required=False, min_value=0, max_value=10**12,
                                             help_text="Total followers over the creator's accounts, at least.")
    max_followers = serializers.IntegerField(required=False, min_value=0, max_value=10**12,
                                             help_text="Total followers, at most.")
    country = MultiValueField(upper=True, child=serializers.ChoiceField(choices=SharedChoices(onboarding.COUNTRIES.items())),
                              help_text="Any of these ISO 3166-1 alpha-2 countries.")
    city = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                 help_text="City, case-insensitive exact match.")
    language = MultiValueField(child=serializers.ChoiceField(choices=SharedChoices(onboarding.CONTENT_LANGUAGES.items())),
                               help_text="Any of these content languages.")
    min_engagement = serializers.DecimalField(required=False, max_digits=7, decimal_places=4, min_value=0,
                                              max_value=100, help_text="Engagement rate in percent, at least.")
    min_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0,
        help_text="The creator's cheapest package (price from) is at least this (creators without prices never "
                  "match a price filter; prices compare in the creator's currency).",
    )
    max_price = serializers.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0,
                                         help_text="The creator's cheapest package is at most this (inclusive).")
    available = serializers.BooleanField(allow_null=True, default=None,
                                         help_text="true: open for work now; false: busy or unavailable.")
    verified = serializers.BooleanField(allow_null=True, default=None,
                                        help_text="Identity checked or at least one OAuth-connected account.")
    min_audience_quality = serializers.IntegerField(required=False, min_value=0, max_value=100,
                                                    help_text="Audience quality score (0–100), at least.")
    size = MultiValueField(child=serializers.ChoiceField(choices=SizeBand.choices),
                           help_text="Any of these follower bands.")
    ordering = serializers.ChoiceField(
        required=False, allow_blank=True, choices=list(ORDERINGS.items()),
        help_text="Default: relevance with search text, else match for a brand with preferences, else "
                  "-followers. Every ordering ends with the creator id, so pages never overlap.",
    )
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100,
                                     help_text="Rows per page (max 100).")
    offset = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=selectors.MAX_OFFSET,
        help_text=f"Rows to skip (at most {selectors.MAX_OFFSET}); use `cursor` for deeper pages.",
    )
    cursor = serializers.CharField(
        required=False, allow_blank=True, max_length=1000,
        help_text="`next_cursor` of the previous page (opaque and signed); replaces offset. Sorted by a column "
                  "or match, it holds the last row's sort key, so a deep page costs the same as the first.",
    )

    def validate_cursor(self, value):
        if value:
            try:
                selectors.decode_cursor(value)
            except selectors.InvalidCursor as exc:
                raise serializers.ValidationError(exc.message) from exc
        return value

    def validate(self, data):
        errors = {}
        for low, high in (("min_followers", "max_followers"), ("min_price", "max_price")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                errors[high] = [f"Must not be less than {low}."]
        if errors:
            raise serializers.ValidationError(errors)
        return data

    def to_query(self) -> CreatorQuery:
        data = self.validated_data
        return CreatorQuery(
            search=data.get("search", "").strip(),
            platforms=tuple(dict.fromkeys(data.get("platform", []))),
            niches=tuple(dict.fromkeys(n.lower() for n in data.get("niche", []))),
            min_followers=data.get("min_followers"),
            max_followers=data.get("max_followers"),
            min_engagement=data.get("min_engagement"),
            countries=tuple(dict.fromkeys(data.get("country", []))),
            city=data.get("city", "").strip(),
            languages=tuple(dict.fromkeys(data.get("language", []))),
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            available=data.get("available"),
            verified=data.get("verified"),
            min_audience_quality=data.get("min_audience_quality"),
            size_bands=tuple(dict.fromkeys(data.get("size", []))),
            ordering=data.get("ordering", ""),
        )

    def page(self) -> dict:
        """limit, offset and cursor for brands.selectors.discovery.creator_search."""
        data = self.validated_data
        return {"limit": data["limit"], "offset": data["offset"], "cursor": data.get("cursor") or None}


# --- Output -------------------------------------------------------------------------------------------------
class AudienceQualitySerializer(serializers.Serializer):
    score = serializers.IntegerField(source="audience_quality", allow_null=True,
                                     help_text="0–100; null until enough data.")
    confidence = serializers.CharField(source="audience_quality_confidence", allow_null=True,
                                       help_text="low | medium | high; null without a score.")

    def to_representation(self, card):
        return {"score": card.audience_quality, "confidence": card.audience_quality_confidence or None}


class CreatorCardSerializer(serializers.Serializer):
    """A creator in discovery lists, read from brands.CreatorCard. Context: request, saved_ids (set of ids)."""

    id = serializers.IntegerField(source="creator_id", help_text="The creator's user id.")
    slug = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The public page (media kit) /p/<slug>/.")
    display_name = serializers.CharField()
    avatar = serializers.SerializerMethodField()
    bio = serializers.SerializerMethodField(help_text=f"The first {BIO_EXCERPT_CHARS} characters of the bio.")
    categories = serializers.ListField(child=serializers.CharField(), help_text="Content categories.")
    niches = serializers.ListField(child=serializers.CharField(), help_text="Free-text niches, lower-cased.")
    languages = serializers.ListField(child=serializers.CharField())
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices))
    primary_platform = serializers.CharField(help_text="The account with the most followers.")
    country = serializers.CharField()
    city = serializers.CharField()
    followers = serializers.IntegerField(help_text="Sum over the creator's accounts.")
    size_band = serializers.ChoiceField(choices=SizeBand.choices)
    engagement_rate = serializers.DecimalField(max_digits=7, decimal_places=4, help_text="Percent.")
    engagement_percentile = serializers.IntegerField(
        allow_null=True, help_text="0–100 among creators of the same platform and size band.")
    avg_views = serializers.IntegerField()
    price_from = serializers.DecimalField(source="min_price", max_digits=12, decimal_places=2, allow_null=True,
                                          help_text="Cheapest active package (or the profile's minimum rate).")
    price_to = serializers.DecimalField(source="max_price", max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    rating = serializers.DecimalField(max_digits=3, decimal_places=2)
    review_count = serializers.IntegerField()
    availability = serializers.ChoiceField(choices=CreatorProfile.Availability.choices)
    verified = serializers.BooleanField()
    audience_quality = AudienceQualitySerializer(source="*")
    match_percentage = serializers.IntegerField(
        allow_null=True, help_text="0–100 fit with the brand's target; null when there is no target.")
    match_status = serializers.ChoiceField(choices=["high", "medium", "low"], allow_null=True)
    is_saved = serializers.SerializerMethodField(help_text="In one of the viewing brand's shortlists.")

    def get_url(self, card) -> str:
        return self.context["request"].build_absolute_uri(reverse("creator_portfolio", kwargs={"slug": card.slug}))

    def get_avatar(self, card) -> str | None:
        if not card.avatar:
            return None
        url = card.avatar if card.avatar.startswith(("http://", "https://", "/")) else default_storage.url(card.avatar)
        return self.context["request"].build_absolute_uri(url)

    def get_bio(self, card) -> str:
        return bio_excerpt(card.bio)

    def get_is_saved(self, card) -> bool:
        return card.creator_id in self.context.get("saved_ids", ())

    def _plan(self) -> list:
        """(key, card attribute or None, function) per readable field, made once per serializer instance."""
        plan = self.__dict__.get("_representation_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                if isinstance(field, SerializerMethodField):
                    plan.append((field.field_name, None, getattr(self, field.method_name)))
                elif field.source == "*" or len(field.source_attrs) != 1:
                    plan.append((field.field_name, None, field.get_attribute, field.to_representation))
                else:
                    plan.append((field.field_name, field.source_attrs[0], field.to_representation))
            self.__dict__["_representation_plan"] = plan
        return plan

    def to_representation(self, card):
        """What Serializer.to_representation returns (each field's to_representation; None stays None), without
        its per-field lookups: a page of 20 cards × 30 fields spent ~1 ms in them."""
        for attribute in ("match_percentage", "match_status"):
            if not hasattr(card, attribute):
                setattr(card, attribute, None)
        data = {}
        for key, attribute, *functions in self._plan():
            if attribute is not None:
                value = getattr(card, attribute)
                data[key] = None if value is None else functions[0](value)
            elif len(functions) == 1:
                data[key] = functions[0](card)
            else:
                value = functions[0](card)
                data[key] = None if value is None else functions[1](value)
        return data


_BIO_CUT = calculate_truncate_chars_length(BIO_EXCERPT_CHARS, None)


def bio_excerpt(bio: str) -> str:
    """Truncator(bio).chars(BIO_EXCERPT_CHARS), with a direct path for ASCII text (already NFC, no combining
    characters: Truncator's per-character loop would count exactly len(bio))."""
    if not bio.isascii():
        return Truncator(bio).chars(BIO_EXCERPT_CHARS)
    return bio if len(bio) <= BIO_EXCERPT_CHARS else add_truncation_text(bio[:_BIO_CUT])


def saved_ids_for(user, cards) -> set[int]:
    """Creators in the brand's shortlists (one query), empty for other viewers."""
    if not getattr(user, "is_brand", False) or not cards:
        return set()
    try:
        from brands.selectors.shortlists import saved_creator_ids
    except ImportError:
        return set()
    return saved_creator_ids(brand=user, creator_ids=[card.creator_id for card in cards])


def target_for(user):
    """The match target for a brand viewer (its stated preferences), None for everyone else."""
    if not getattr(user, "is_brand", False):
        return None
    from brands import matching

    return matching.target_for_brand(user)


# --- Views --------------------------------------------------------------------------------------------------
FILTER_PARAMETERS = [CreatorQuerySerializer]
SEARCH_DOCS = (
    "**Text search.** `search` runs PostgreSQL full-text search (weighted: name and handles, then categories and "
    "niches, then bio; English stemming, web-search syntax) OR a typo-tolerant name match: every word of the "
    "text is close to a word of the creator's display name (trigram similarity ≥ 0.4, or the start or another "
    "part of it: \"jonson\" ~ johnson, \"sar\" ~ sarah) and the whole text is similar to the name and handles "
    "(trigram word similarity ≥ 0.6), so \"Sarah Jonson\" finds Sarah Johnson; a typo inside a handle unlike the "
    "name is not corrected (the exact handle is found). Results sorted by relevance = text rank + name "
    "similarity (for creators the text names; 0 for the others); relevance orders "
    f"the {selectors.RELEVANCE_CANDIDATES:,} most-followed matches by text rank (`total` still counts every "
    "match; order by followers to page through all of them). On SQLite "
    "(development) every word must appear in the name, bio, categories or niches.\n\n"
    "**Filters.** Multi-valued parameters (platform, niche, country, language, size) take comma-separated or "
    "repeated values and match any of them; different parameters must all match. A creator matches a price "
    "range when its cheapest package (price from) lies in it.\n\n"
    "**Match.** For a brand, every result carries `match_percentage` and `match_status` for the brand's stated "
    "preferences (industries, audience countries and languages, platforms, budget), computed and sorted in the "
    "database; null for other viewers or a brand without preferences. Ordering by match (the default for such a "
    f"brand without search text) ranks a bounded candidate set: the {selectors.MATCH_CANDIDATES:,} most-followed "
    "creators passing the filters that share one of the brand's categories or niches (if it names none: one of "
    "its platforms; if none either: any creator), by match percentage, then followers. Other creators are "
    "counted in `total` but not listed in match order; `match_percentage` is exact for every listed creator.\n\n"
    f"**Totals.** Exact up to {selectors.TOTAL_CAP:,} matches. Beyond that `total_is_exact` is false and "
    "`total` is PostgreSQL's planner estimate for the query, rounded to two significant figures and never below "
    f"{selectors.TOTAL_CAP:,} (an estimate: it can be off by a wide margin for unusual filter combinations; "
    "show it as \"about N\"). The embedded SQLite database always counts exactly.\n\n"
    f"**Pages.** `limit` (≤ 100) and `offset` (≤ {selectors.MAX_OFFSET:,}), or `cursor`: pass the previous "
    "page's `next_cursor` (null on the last page). Cursors are opaque and signed; a changed one answers 400 "
    "`invalid_cursor`."
)


class CreatorListView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["discovery"],
        operation_id="creators_list",
        summary="Search and filter creators",
        description=SEARCH_DOCS,
        parameters=FILTER_PARAMETERS,
        responses=inline_serializer("CreatorSearchPage", fields={
            "results": CreatorCardSerializer(many=True),
            "total": serializers.IntegerField(
                help_text=f"Matches: exact up to {selectors.TOTAL_CAP:,}, else an estimate (see total_is_exact)."),
            "total_is_exact": serializers.BooleanField(
                help_text=f"False when more than {selectors.TOTAL_CAP:,} matched and `total` is an estimate."),
            "limit": serializers.IntegerField(),
            "offset": serializers.IntegerField(help_text="The offset used (0 with a column-ordering cursor)."),
            "next_cursor": serializers.CharField(allow_null=True, help_text="Pass as `cursor`; null at the end."),
        }),
    )
    def get(self, request):
        params = CreatorQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page_args = params.page()
        result = selectors.creator_search(query=params.to_query(), viewer=request.user,
                                          target=target_for(request.user), **page_args)
        context = {"request": request, "saved_ids": saved_ids_for(request.user, result.cards)}
        return Response({
            "results": CreatorCardSerializer(result.cards, many=True, context=context).data,
            "total": result.total,
            "total_is_exact": result.total_is_exact,
            "limit": page_args["limit"],
            "offset": 0 if page_args["cursor"] else page_args["offset"],
            "next_cursor": result.next_cursor,
        })


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The filter value to send back.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Creators matching the other filters with this value.")


class CreatorFiltersView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["discovery"],
        operation_id="creators_filters",
        summary="Filter options with counts (facets)",
        description=(
            "Takes the same filters as GET /api/v1/creators and counts, for every option of every filter, the "
            "creators matching the query's OTHER filters (a facet's own selection is left out, so its other "
            "options stay visible). Facets: `platform` (→ `platform`), `category` (content categories → `niche`), "
            f"`country` and `language` (top {selectors.TOP_VALUES} plus the selected ones), `size`, "
            "`availability` (`available=true` is the value `available`), `verified` (`true`/`false`) and "
            "`price` (fixed bands over the cheapest package, low inclusive; value `100-500` → `min_price=100"
            "&max_price=500`).\n\n"
            f"Exact while at most {selectors.FACET_EXACT_LIMIT:,} creators match the text, follower, engagement, "
            "city and audience-quality filters. Beyond that (PostgreSQL) counts come from a repeatable block sample "
            f"of about {selectors.FACET_SAMPLE_ROWS:,} rows of the table, scaled up and rounded to two significant "
            "figures, and `exact` is false (one standard error: about ±4% for an option holding a tenth of the "
            "matches, ±15% for one holding a hundredth). `total` is the full query's total, exact up to "
            f"{selectors.TOTAL_CAP:,} and estimated beyond, like the list. Without any filter the counts are "
            "exact (`exact` true): they are counted over every listed creator every "
            f"{settings.DISCOVERY_FACET_SUMMARY_SECONDS // 60} minutes (a count three periods old is not used).\n\n"
            f"Answers are cached for {selectors.FACET_CACHE_SECONDS // 60} minutes per query (the same filters in "
            "any order share one answer), so counts can lag new or changed creators by that long."
        ),
        parameters=FILTER_PARAMETERS,
        responses=inline_serializer("CreatorFacets", fields={
            "total": serializers.IntegerField(),
            "total_is_exact": serializers.BooleanField(),
            "exact": serializers.BooleanField(help_text="False when facet counts are estimates from a sample."),
            "facets": inline_serializer("CreatorFacetGroups", fields={
                name: FacetOptionSerializer(many=True) for name in
                ("platform", "category", "country", "language", "size", "availability", "verified", "price")
            }),
            "orderings": inline_serializer("CreatorOrdering", fields={
                "value": serializers.CharField(), "label": serializers.CharField(),
            }, many=True),
        }),
    )
    def get(self, request):
        params = CreatorQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        facets = selectors.creator_facets(query=params.to_query(), viewer=request.user)
        facets["orderings"] = [{"value": value, "label": label} for value, label in ORDERINGS.items()]
        return Response(facets)


urlpatterns = [
    path("creators", CreatorListView.as_view(), name="api_creator_list"),
    path("creators/filters", CreatorFiltersView.as_view(), name="api_creator_filters"),
]
