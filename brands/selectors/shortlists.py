"""Reads of a brand's shortlists, each in a fixed number of queries whatever the number of rows.

Creator details come from the creator's discovery card (CreatorCard); a creator saved before their card
was built falls back to the profile's name and slug, with no numbers yet.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db.models import BooleanField, Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse

from accounts.models import User
from influmojo.errors import NotFound

from ..models import Shortlist, ShortlistItem
from ..services.shortlists import ITEM_NOT_FOUND, LIST_NOT_FOUND


def shortlist_list(*, brand) -> QuerySet[Shortlist]:
    """The brand's lists, the default one first, each with `creator_count` (one query)."""
    return Shortlist.objects.filter(brand=brand).annotate(creator_count=Count("items")).order_by(
        "-is_default", "name", "id"
    )


def shortlist_get(*, brand, shortlist_id: int) -> Shortlist:
    """One of the brand's lists with `creator_count`; another brand's list is NotFound (one query)."""
    try:
        return shortlist_list(brand=brand).get(pk=shortlist_id)
    except Shortlist.DoesNotExist as error:
        raise NotFound(LIST_NOT_FOUND) from error


def _text(*expressions):
    """The first of `expressions` that is neither NULL nor empty."""
    return Coalesce(
        *(NullIf(expression, Value("")) for expression in expressions), Value(""), output_field=CharField()
    )


def shortlist_items(*, shortlist: Shortlist | int) -> QuerySet[ShortlistItem]:
    """The list's creators, newest first, as flat rows (one query per page; see `ItemRow.of`)."""
    profile_listed = Q(creator__status=User.Status.ACTIVE, creator__profile_public=True)
    return (
        ShortlistItem.objects.filter(shortlist=shortlist)
        .annotate(
            creator_name=_text(
                F("creator__card__display_name"), F("creator__creator_profile__display_name"), F("creator__name")
            ),
            creator_email=F("creator__email"),
            creator_slug=_text(F("creator__card__slug"), F("creator__creator_profile__slug")),
            creator_avatar=_text(F("creator__card__avatar"), F("creator__avatar")),
            creator_listed=Case(
                When(creator__card__isnull=False, then=F("creator__card__listed")),
                When(profile_listed, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            followers=F("creator__card__followers"),
            engagement_rate=F("creator__card__engagement_rate"),
            min_price=F("creator__card__min_price"),
            currency=F("creator__card__currency"),
            platforms=F("creator__card__platforms"),
            country=F("creator__card__country"),
        )
        .order_by("-added_at", "-id")
    )


@dataclass(frozen=True)
class ItemRow:
    """A creator in a list, as the API, the page and the CSV export show it."""

    shortlist_id: int
    creator_id: int
    name: str
    slug: str
    profile_path: str  # "" when the creator has no public page any more
    avatar_url: str
    listed: bool
    followers: int | None
    engagement_rate: Decimal | None
    min_price: Decimal | None
    currency: str
    platforms: list[str]
    country: str
    note: str
    added_at: datetime.datetime

    @classmethod
    def of(cls, item: ShortlistItem) -> "ItemRow":
        """From a row of `shortlist_items` (reads only its annotations: no query)."""
        listed = bool(item.creator_listed)
        return cls(
            shortlist_id=item.shortlist_id,
            creator_id=item.creator_id,
            name=item.creator_name or item.creator_email.split("@")[0],
            slug=item.creator_slug,
            profile_path=reverse("creator_portfolio", args=[item.creator_slug]) if listed and item.creator_slug else "",
            avatar_url=avatar_url(item.creator_avatar),
            listed=listed,
            followers=item.followers,
            engagement_rate=item.engagement_rate,
            min_price=item.min_price,
            currency=item.currency or "",
            platforms=list(item.platforms or []),
            country=item.country or "",
            note=item.note,
            added_at=item.added_at,
        )


def shortlist_item_row(*, brand, shortlist_id: int, creator_id: int) -> "ItemRow":
    """One creator in one of the brand's lists (one query); NotFound otherwise."""
    item = (
        shortlist_items(shortlist=shortlist_id)
        .filter(shortlist__brand=brand, creator_id=creator_id)
        .first()
    )
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    return ItemRow.of(item)


def avatar_url(stored: str) -> str:
    """A card keeps a URL or a storage name."""
    if not stored:
        return ""
    if stored.startswith(("http://", "https://", "/")):
        return stored
    return default_storage.url(stored)


def saved_creator_ids(*, brand, creator_ids: Iterable[int]) -> set[int]:
    """Which of `creator_ids` are in any of the brand's lists (one query; none for an empty input)."""
    creator_ids = list(creator_ids)
    if not creator_ids or brand is None or not brand.is_authenticated or not brand.is_brand:
        return set()
    return set(
        ShortlistItem.objects.filter(shortlist__brand=brand, creator_id__in=creator_ids)
        .values_list("creator_id", flat=True)
        .distinct()
    )


EXPORT_HEADER = [
    "Name", "Profile URL", "Platforms", "Followers", "Engagement rate (%)", "Price from", "Currency", "Country",
    "Note", "Added at",
]


def shortlist_export_rows(*, shortlist: Shortlist, absolute_url) -> Iterator[list]:
    """CSV rows (header first) for a whole list; `absolute_url(path)` turns /p/<slug>/ into a full URL.

    Cells are raw values: the writer escapes them (see brands.api.shortlists.csv_cell).
    """
    yield EXPORT_HEADER
    for item in shortlist_items(shortlist=shortlist).iterator(chunk_size=500):
        row = ItemRow.of(item)
        yield [
            row.name,
            absolute_url(row.profile_path) if row.profile_path else "",
            ", ".join(row.platforms),
            "" if row.followers is None else row.followers,
            "" if row.engagement_rate is None else f"{row.engagement_rate.normalize():f}",
            "" if row.min_price is None else f"{row.min_price:.2f}",
            row.currency if row.min_price is not None else "",
            row.country,
            row.note,
            row.added_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        ]
