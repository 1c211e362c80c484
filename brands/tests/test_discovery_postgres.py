"""Discovery features only PostgreSQL has: typo-tolerant names, stemming, and the plans using the GIN indexes."""

import pytest
from django.db import connection

from accounts.models import User
from brands.models import CreatorCard, search_vector_expression
from brands.query import CreatorQuery
from brands.selectors import discovery
from brands.services.cards import name_words_add
from brands.tests.factories import CreatorCardFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
]


def names(**query):
    return [card.display_name for card in discovery.creator_search(query=CreatorQuery(**query), viewer=None).cards]


def test_typos_still_find_the_creator():
    CreatorCardFactory(display_name="Sarah Johnson", usernames="sarahjohnson_fit",
                       name_text="sarah johnson sarahjohnson_fit")
    CreatorCardFactory(display_name="Mark Peters", usernames="markp", name_text="mark peters markp")

    assert names(search="Sarah Jonson") == ["Sarah Johnson"]
    assert names(search="sarajohnson") == ["Sarah Johnson"]
    assert names(search="Peterz") == ["Mark Peters"]


def test_full_text_stems_and_weights_fields():
    CreatorCardFactory(display_name="Lena Ortiz", name_text="lena ortiz", bio="I review running shoes.")
    CreatorCardFactory(display_name="Tom Reyes", name_text="tom reyes", bio="Cooking at home.")

    assert names(search="reviews") == ["Lena Ortiz"]
    assert names(search='"running shoes" -cooking') == ["Lena Ortiz"]


def test_relevance_ranks_closer_names_and_heavier_fields_first():
    CreatorCardFactory(display_name="Nadia Costa", name_text="nadia costa", bio="Travel and gaming", followers=10**6)
    CreatorCardFactory(display_name="Gaming Gus", name_text="gaming gus", categories=["gaming"], followers=10)

    assert names(search="gaming") == ["Gaming Gus", "Nadia Costa"]


@pytest.fixture
def many_cards(db):
    """A few thousand cards, so the planner has something to choose between."""
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@example.com", user_type=User.UserType.CREATOR, status=User.Status.ACTIVE)
        for n in range(3000)
    )
    platforms = ["instagram", "youtube", "tiktok", "facebook", "twitter"]
    CreatorCard.objects.bulk_create(
        CreatorCard(creator=user, listed=True, slug=f"bulk-{n}", display_name=f"Creator {n} Person{n % 97}",
                    name_text=f"creator {n} person{n % 97} handle{n}", bio=f"Topic{n % 50} content",
                    platforms=[platforms[n % 5]], categories=["food" if n % 7 else "gaming"],
                    languages=["fr" if n % 5 else "en"],  # a filter every card passes has no index to choose
                    followers=n * 37 % 100_000 * 10)
        for n, user in enumerate(users)
    )
    CreatorCard.objects.update(search_vector=search_vector_expression())
    name_words_add()
    with connection.cursor() as cursor:
        # Bulk inserts sit in the GIN pending lists until a vacuum (none inside a test transaction).
        for index in ("card_search_vector", "card_name_trgm", "card_categories", "card_niches", "card_languages",
                      "card_platforms", "card_text_filters", "card_text_filters_100k", "name_word_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        # Both tables the plans read, so the planner's statistics are these rows' and not what autovacuum last saw
        # (the name words' unanalyzed, name_word_trgm was passed by in some runs).
        cursor.execute("ANALYZE brands_creatorcard, brands_nameword")


# (query, indexes of which the plan must use one); card_text_filters holds the text and the list/country filters
# together, so the planner may read any of those columns through it.
TEXT_FILTERS = "card_text_filters"
PLANS = [
    (CreatorQuery(search="topic7"), ("card_search_vector", TEXT_FILTERS)),
    (CreatorQuery(search="persn42"), ("name_word_trgm",)),  # close name words; then their cards by lexeme
    (CreatorQuery(platforms=("youtube",)), ("card_platforms", TEXT_FILTERS)),
    (CreatorQuery(search="topic7", platforms=("youtube",)), (TEXT_FILTERS,)),  # text and filter in one scan
    # 150K+ implies the 100K+ index's predicate: the same keys over the mid-tier-and-up cards' shorter lists
    (CreatorQuery(search="topic7", platforms=("youtube",), min_followers=150_000), ("card_text_filters_100k",)),
    (CreatorQuery(niches=("gaming",)), ("card_categories", TEXT_FILTERS)),
    (CreatorQuery(languages=("en",)), ("card_languages", TEXT_FILTERS)),
]


def test_plans_use_the_indexes(many_cards):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plans = [(query, indexes, discovery.creator_filter(query).explain()) for query, indexes in PLANS]
    missing = [(query, indexes) for query, indexes, plan in plans if not any(index in plan for index in indexes)]
    by_followers = discovery.creator_filter(CreatorQuery()).order_by(*discovery._order_by("-followers"))[:20]

    assert missing == []
    assert "card_followers" in by_followers.explain()
    below_its_floor = CreatorQuery(search="topic7", platforms=("youtube",), min_followers=50_000)
    assert "card_text_filters_100k" not in discovery.creator_filter(below_its_floor).explain()


def test_a_deep_cursor_page_starts_in_the_index(many_cards):
    """The keyset condition is an index condition (a row comparison), not a filter over the rows before it."""
    query = CreatorQuery(ordering="-followers")
    first = discovery.creator_search(query=query, viewer=None, limit=20)
    cursor_values = discovery._cursor_keys(discovery.decode_cursor(first.next_cursor), "-followers")
    deep = (discovery.creator_filter(query).filter(discovery._after("-followers", cursor_values))
            .order_by(*discovery._order_by("-followers"))[:21])

    plan = deep.explain()

    assert "card_followers" in plan
    assert "Index Cond: (ROW(followers, creator_id) < ROW(" in plan


def test_every_word_of_a_name_search_must_be_close_to_a_word_of_the_name():
    for name in ("Sarah Johnson", "Sarah Jones", "Sarah Robinson", "Fajar Santoso"):
        CreatorCardFactory(display_name=name, usernames=name.lower().replace(" ", ""))

    assert names(search="Sarah Jonson") == ["Sarah Johnson"]  # "jones" (0.3) and "robinson" are not close
    assert sorted(names(search="sar")) == ["Sarah Johnson", "Sarah Jones", "Sarah Robinson"]  # a prefix
    assert names(search="Johns") == ["Sarah Johnson"]
    assert names(search="sarah xqzv") == []  # a word close to nothing in any name


def test_name_words_follow_the_card_services():
    from accounts.models import CreatorProfile
    from accounts.tests.factories import CreatorUserFactory
    from brands.models import NameWord
    from brands.services.cards import card_refresh, cards_rebuild_all

    user = CreatorUserFactory()
    CreatorProfile.objects.filter(user=user).update(display_name="Marisol Vega")
    card_refresh(creator_id=user.pk)
    assert names(search="Marisl Vega") == ["Marisol Vega"]

    CreatorProfile.objects.filter(user=user).update(display_name="Ximena Quiroga")
    card_refresh(creator_id=user.pk)
    assert names(search="Ximenna Quiroga") == ["Ximena Quiroga"]
    assert names(search="Marisl Vega") == []

    NameWord.objects.all().delete()
    cards_rebuild_all()
    assert {"ximena", "quiroga"} <= set(NameWord.objects.values_list("word", flat=True))
    assert names(search="Ximenna Quiroga") == ["Ximena Quiroga"]


def test_name_similarity_counts_in_relevance_only_for_creators_the_text_names():
    CreatorCardFactory(display_name="Yolanda Garcia", bio="Yoga every day.", followers=10)  # "yo…ga": not named
    CreatorCardFactory(display_name="Mark Stone", bio="Yoga every day.", followers=1_000)
    CreatorCardFactory(display_name="Yoga Yusuf", bio="Breathing.", followers=1)

    assert names(search="yoga") == ["Yoga Yusuf", "Mark Stone", "Yolanda Garcia"]
