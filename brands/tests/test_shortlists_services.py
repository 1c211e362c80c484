"""Shortlist services and selectors: lists, the default "Saved" list, saves, notes, ownership."""

from decimal import Decimal

import pytest

from accounts.models import User
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from brands.models import Shortlist, ShortlistItem
from brands.selectors import shortlists as selectors
from brands.services import shortlists as services
from brands.tests.factories import CreatorCardFactory, ShortlistFactory, ShortlistItemFactory
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    return CreatorCardFactory(display_name="Sarah Johnson", followers=120_000)


# --- Lists ------------------------------------------------------------------------------------------------
def test_a_brand_creates_renames_and_deletes_a_list(brand):
    shortlist = services.shortlist_create(brand=brand, name="  Spring   launch ")
    assert (shortlist.name, shortlist.brand, shortlist.is_default) == ("Spring launch", brand, False)

    services.shortlist_rename(brand=brand, shortlist_id=shortlist.pk, name="Summer launch")
    assert Shortlist.objects.get(pk=shortlist.pk).name == "Summer launch"

    services.shortlist_delete(brand=brand, shortlist_id=shortlist.pk)
    assert not Shortlist.objects.filter(pk=shortlist.pk).exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Saved", " saved "])
def test_a_list_name_must_be_given_short_and_not_the_default_one(brand, name):
    with pytest.raises(ApplicationError) as error:
        services.shortlist_create(brand=brand, name=name)

    assert error.value.status == 400 and "name" in error.value.details
    assert not Shortlist.objects.filter(brand=brand).exists()


def test_two_lists_of_a_brand_cannot_share_a_name_whatever_the_case(brand):
    services.shortlist_create(brand=brand, name="Tech")
    other = services.shortlist_create(brand=brand, name="Food")

    with pytest.raises(ApplicationError) as created:
        services.shortlist_create(brand=brand, name="tech")
    with pytest.raises(ApplicationError) as renamed:
        services.shortlist_rename(brand=brand, shortlist_id=other.pk, name="TECH")

    assert created.value.code == renamed.value.code == "name_taken"
    assert Shortlist.objects.get(pk=other.pk).name == "Food"


def test_another_brand_may_use_the_same_name(brand):
    services.shortlist_create(brand=BrandUserFactory(), name="Tech")

    assert services.shortlist_create(brand=brand, name="Tech").name == "Tech"


def test_a_brand_keeps_a_bounded_number_of_lists(brand, monkeypatch):
    monkeypatch.setattr(services, "MAX_LISTS_PER_BRAND", 2)
    services.shortlist_create(brand=brand, name="One")
    services.shortlist_create(brand=brand, name="Two")

    with pytest.raises(ApplicationError) as error:
        services.shortlist_create(brand=brand, name="Three")

    assert error.value.code == "too_many_lists"


def test_the_default_list_cannot_be_renamed_or_deleted(brand, card):
    services.creator_save(brand=brand, creator_id=card.pk)
    default = Shortlist.objects.get(brand=brand, is_default=True)

    with pytest.raises(InvalidTransition):
        services.shortlist_rename(brand=brand, shortlist_id=default.pk, name="Favourites")
    with pytest.raises(InvalidTransition) as error:
        services.shortlist_delete(brand=brand, shortlist_id=default.pk)

    assert error.value.status == 409
    assert Shortlist.objects.get(pk=default.pk).name == "Saved"


def test_another_brands_list_is_not_found(brand, card):
    foreign = ShortlistFactory()
    ShortlistItemFactory(shortlist=foreign, creator=card.creator)

    for call in (
        lambda: services.shortlist_rename(brand=brand, shortlist_id=foreign.pk, name="Mine"),
        lambda: services.shortlist_delete(brand=brand, shortlist_id=foreign.pk),
        lambda: services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=foreign.pk),
        lambda: services.creator_unsave(brand=brand, creator_id=card.pk, shortlist_id=foreign.pk),
        lambda: services.shortlist_item_note_set(brand=brand, shortlist_id=foreign.pk, creator_id=card.pk, note="x"),
        lambda: selectors.shortlist_get(brand=brand, shortlist_id=foreign.pk),
    ):
        with pytest.raises(NotFound):
            call()

    assert Shortlist.objects.get(pk=foreign.pk).name == foreign.name
    assert ShortlistItem.objects.get(shortlist=foreign).note == ""


def test_only_brands_use_shortlists(creator, agent, card):
    for user in (creator, agent):
        with pytest.raises(PermissionDenied):
            services.shortlist_create(brand=user, name="Mine")
        with pytest.raises(PermissionDenied):
            services.creator_save(brand=user, creator_id=card.pk)

    assert not Shortlist.objects.exists()


# --- Saves -------------------------------------------------------------------------------------------------
def test_the_first_save_creates_the_default_list(brand, card):
    item, created = services.creator_save(brand=brand, creator_id=card.pk)

    assert created is True
    assert (item.shortlist.name, item.shortlist.is_default, item.shortlist.brand) == ("Saved", True, brand)
    second, _ = services.creator_save(brand=brand, creator_id=CreatorCardFactory().pk)
    assert second.shortlist == item.shortlist
    assert Shortlist.objects.filter(brand=brand).count() == 1


def test_saving_twice_answers_the_existing_item(brand, card):
    first, _ = services.creator_save(brand=brand, creator_id=card.pk)

    again, created = services.creator_save(brand=brand, creator_id=card.pk)

    assert created is False and again.pk == first.pk
    assert ShortlistItem.objects.count() == 1


def test_a_creator_can_be_in_several_lists(brand, card):
    named = services.shortlist_create(brand=brand, name="Tech")

    services.creator_save(brand=brand, creator_id=card.pk)
    services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=named.pk)

    assert set(ShortlistItem.objects.values_list("shortlist__name", flat=True)) == {"Saved", "Tech"}


@pytest.mark.parametrize(
    "make",
    [
        lambda: CreatorCardFactory(listed=False).creator,
        lambda: BrandUserFactory(),
        lambda: CreatorUserFactory(status=User.Status.SUSPENDED),
        lambda: CreatorUserFactory(profile_public=False),
    ],
    ids=["unlisted-card", "a-brand", "inactive-without-card", "private-without-card"],
)
def test_only_listed_creators_can_be_saved(brand, make):
    user = make()

    with pytest.raises(NotFound):
        services.creator_save(brand=brand, creator_id=user.pk)

    assert not ShortlistItem.objects.exists()


def test_an_unknown_creator_cannot_be_saved(brand):
    with pytest.raises(NotFound):
        services.creator_save(brand=brand, creator_id=987654)


def test_an_active_public_creator_without_a_card_yet_can_be_saved(brand):
    user = CreatorUserFactory(status=User.Status.ACTIVE, profile_public=True)

    item, created = services.creator_save(brand=brand, creator_id=user.pk)

    assert created and item.creator == user


def test_a_full_list_refuses_another_creator(brand, card, monkeypatch):
    monkeypatch.setattr(services, "MAX_CREATORS_PER_LIST", 1)
    services.creator_save(brand=brand, creator_id=card.pk)

    with pytest.raises(ApplicationError) as error:
        services.creator_save(brand=brand, creator_id=CreatorCardFactory().pk)

    assert error.value.code == "list_full"
    assert services.creator_save(brand=brand, creator_id=card.pk)[1] is False  # already in: still fine


def test_unsave_from_one_list_or_from_all(brand, card):
    named = services.shortlist_create(brand=brand, name="Tech")
    services.creator_save(brand=brand, creator_id=card.pk)
    services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=named.pk)
    kept = ShortlistItemFactory(creator=card.creator)  # another brand's save stays

    assert services.creator_unsave(brand=brand, creator_id=card.pk, shortlist_id=named.pk) == 1
    assert list(ShortlistItem.objects.filter(shortlist__brand=brand).values_list("shortlist__name", flat=True)) == [
        "Saved"
    ]
    services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=named.pk)

    assert services.creator_unsave(brand=brand, creator_id=card.pk) == 2
    assert services.creator_unsave(brand=brand, creator_id=card.pk) == 0
    assert list(ShortlistItem.objects.all()) == [kept]


def test_a_note_per_creator_per_list(brand, card):
    named = services.shortlist_create(brand=brand, name="Tech")
    services.creator_save(brand=brand, creator_id=card.pk)
    services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=named.pk)

    services.shortlist_item_note_set(brand=brand, shortlist_id=named.pk, creator_id=card.pk, note="  Great demos  ")

    notes = dict(ShortlistItem.objects.values_list("shortlist__name", "note"))
    assert notes == {"Saved": "", "Tech": "Great demos"}


def test_a_note_has_a_length_limit_and_needs_the_creator_in_the_list(brand, card):
    named = services.shortlist_create(brand=brand, name="Tech")
    services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=named.pk)

    with pytest.raises(ApplicationError) as too_long:
        services.shortlist_item_note_set(brand=brand, shortlist_id=named.pk, creator_id=card.pk, note="x" * 2001)
    with pytest.raises(NotFound):
        services.shortlist_item_note_set(
            brand=brand, shortlist_id=named.pk, creator_id=CreatorCardFactory().pk, note="hi"
        )

    assert too_long.value.details == {"note": ["Use at most 2000 characters."]}


# --- Selectors ------------------------------------------------------------------------------------------------
def test_lists_come_with_their_counts_default_first(brand, django_assert_num_queries):
    tech = services.shortlist_create(brand=brand, name="Tech")
    services.shortlist_create(brand=brand, name="Beauty")
    for card in CreatorCardFactory.create_batch(3):
        services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=tech.pk)
    services.creator_save(brand=brand, creator_id=card.pk)
    ShortlistFactory()  # another brand's

    with django_assert_num_queries(1):
        rows = [(shortlist.name, shortlist.creator_count) for shortlist in selectors.shortlist_list(brand=brand)]

    assert rows == [("Saved", 1), ("Beauty", 0), ("Tech", 3)]


def test_items_read_the_card_and_fall_back_to_the_profile(brand, django_assert_num_queries):
    with_card = CreatorCardFactory(
        display_name="Sarah Johnson", slug="sarah", followers=120_000, engagement_rate=Decimal("4.2500"),
        min_price=Decimal("250.00"), currency="EUR", platforms=["instagram", "youtube"], country="DE",
    )
    without_card = CreatorUserFactory(name="Tom Lee", status=User.Status.ACTIVE)
    hidden = CreatorCardFactory(display_name="Gone Private")
    shortlist = services.shortlist_create(brand=brand, name="Tech")
    for user_id in (hidden.pk, without_card.pk, with_card.pk):
        services.creator_save(brand=brand, creator_id=user_id, shortlist_id=shortlist.pk)
    hidden.listed = False
    hidden.save()

    with django_assert_num_queries(1):
        rows = [selectors.ItemRow.of(item) for item in selectors.shortlist_items(shortlist=shortlist)]

    first, second, third = rows
    assert (first.name, first.slug, first.profile_path, first.followers, first.currency) == (
        "Sarah Johnson", "sarah", "/p/sarah/", 120_000, "EUR"
    )
    assert (first.engagement_rate, first.min_price, first.platforms, first.country) == (
        Decimal("4.2500"), Decimal("250.00"), ["instagram", "youtube"], "DE"
    )
    profile_slug = without_card.creator_profile.slug
    assert (second.name, second.listed, second.profile_path, second.followers) == (
        "Tom Lee", True, f"/p/{profile_slug}/", None
    )
    assert (third.name, third.listed, third.profile_path) == ("Gone Private", False, "")


def test_saved_creator_ids_in_one_query(brand, django_assert_num_queries):
    saved, in_named, unsaved = CreatorCardFactory.create_batch(3)
    named = services.shortlist_create(brand=brand, name="Tech")
    services.creator_save(brand=brand, creator_id=saved.pk)
    services.creator_save(brand=brand, creator_id=in_named.pk, shortlist_id=named.pk)
    ShortlistItemFactory(creator=unsaved.creator)  # saved by another brand

    with django_assert_num_queries(1):
        ids = selectors.saved_creator_ids(brand=brand, creator_ids=[saved.pk, in_named.pk, unsaved.pk])

    assert ids == {saved.pk, in_named.pk}
    with django_assert_num_queries(0):
        assert selectors.saved_creator_ids(brand=brand, creator_ids=[]) == set()
