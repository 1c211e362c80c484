import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import CreatorProfile, User
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from brands.models import CreatorCard, EngagementBenchmark
from brands.services.cards import card_refresh, cards_rebuild_all, discovery_scores_rebuild
from brands.tests.factories import CreatorCardFactory
from creators.models import Platform
from creators.tests.factories import MetricsSnapshotFactory, PackageFactory, ReviewFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db




def make_creator(**profile_fields) -> User:
    """A creator with three accounts, packages (one retired), reviews (one hidden) and a filled profile."""
    user = CreatorUserFactory(name="Sarah Jonson")
    CreatorProfile.objects.filter(user=user).update(
        **{
            "display_name": "Sarah J.",
            "bio": "Gadget reviews and desk setups.",
            "content_categories": ["tech", "lifestyle"],
            "niches": ["Gadgets", "Desk Setups"],
            "languages": ["en", "es"],
            "country": "US",
            "city": "Austin",
            "min_rate": Decimal("100.00"),
            "max_rate": Decimal("2000.00"),
            "availability": "busy",
            **profile_fields,
        }
    )
    SocialAccountFactory(creator=user, platform=Platform.INSTAGRAM, username="sarah.ig", followers=60_000,
                         engagement_rate=Decimal("2.0000"), avg_likes=1000, avg_comments=30, avg_views=9_000)
    SocialAccountFactory(creator=user, platform=Platform.YOUTUBE, username="sarahtech", followers=30_000,
                         engagement_rate=Decimal("5.0000"), avg_views=12_000)
    SocialAccountFactory(creator=user, platform=Platform.TIKTOK, username="sarah.tok", followers=10_000,
                         engagement_rate=Decimal("0"), self_reported=True)
    PackageFactory(creator=user, price=Decimal("300.00"), currency="EUR")
    PackageFactory(creator=user, price=Decimal("900.00"))
    PackageFactory(creator=user, price=Decimal("50.00"), is_active=False)
    ReviewFactory(creator=user, rating=5)
    ReviewFactory(creator=user, rating=4)
    ReviewFactory(creator=user, rating=4)
    ReviewFactory(creator=user, rating=1, is_published=False)
    CreatorProfile.objects.filter(user=user).update(total_collaborations=2)
    return user


def test_card_refresh_builds_every_field_from_the_creators_rows():
    user = make_creator()

    card = card_refresh(creator_id=user.pk)

    assert card.listed is True
    assert card.slug == user.creator_profile.slug
    assert card.display_name == "Sarah J."
    assert card.usernames == "sarah.ig sarahtech sarah.tok"  # biggest audience first
    assert card.name_text == "sarah j. sarah.ig sarahtech sarah.tok"
    assert card.bio == "Gadget reviews and desk setups."
    assert card.categories == ["tech", "lifestyle"]
    assert card.niches == ["gadgets", "desk setups"]
    assert card.languages == ["en", "es"]
    assert card.platforms == ["instagram", "tiktok", "youtube"]
    assert (card.country, card.city) == ("US", "Austin")
    assert card.followers == 100_000
    assert card.primary_platform == "instagram"
    assert card.size_band == "mid"
    # Weighted by followers over accounts with a known rate; the self-reported 0 is "unknown".
    assert card.engagement_rate == Decimal("3.0000")  # (2*60k + 5*30k) / 90k
    assert card.avg_views == 9_000
    assert (card.min_price, card.max_price, card.currency) == (Decimal("300.00"), Decimal("900.00"), "EUR")
    assert card.rating == Decimal("4.33")
    assert card.review_count == 3
    assert card.total_collaborations == 2
    assert card.availability == "busy"
    assert card.verified is True  # OAuth-connected accounts
    assert card.reliability is not None
    assert CreatorCard.objects.count() == 1


def test_prices_fall_back_to_profile_rates_without_active_packages():
    user = CreatorUserFactory()
    CreatorProfile.objects.filter(user=user).update(min_rate=Decimal("150.00"), max_rate=Decimal("400.00"),
                                                    currency="GBP")
    PackageFactory(creator=user, price=Decimal("50.00"), is_active=False)

    card = card_refresh(creator_id=user.pk)

    assert (card.min_price, card.max_price, card.currency) == (Decimal("150.00"), Decimal("400.00"), "GBP")


def test_a_creator_without_accounts_or_reviews_gets_an_empty_card_with_the_users_name():
    user = CreatorUserFactory(name="Ana Lima")
    CreatorProfile.objects.filter(user=user).update(display_name="")

    card = card_refresh(creator_id=user.pk)

    assert card.display_name == "Ana Lima"
    assert (card.followers, card.primary_platform, card.platforms, card.size_band) == (0, "", [], "nano")
    assert (card.engagement_rate, card.rating, card.review_count) == (0, 0, 0)
    assert card.verified is False
    assert card.audience_quality is None and card.audience_quality_confidence == ""


def test_verified_profile_without_oauth_accounts_is_verified():
    user = CreatorUserFactory()
    SocialAccountFactory(creator=user, self_reported=True)
    assert card_refresh(creator_id=user.pk).verified is False

    CreatorProfile.objects.filter(user=user).update(verified=True)
    assert card_refresh(creator_id=user.pk).verified is True


def test_a_disconnected_oauth_account_does_not_verify():
    user = CreatorUserFactory()
    SocialAccountFactory(creator=user, state="disconnected", access_token="")

    assert card_refresh(creator_id=user.pk).verified is False


@pytest.mark.parametrize(
    "changes",
    [{"status": User.Status.SUSPENDED}, {"status": User.Status.PENDING}, {"status": User.Status.BANNED},
     {"profile_public": False}],
)
def test_suspended_pending_or_private_creators_are_unlisted(changes):
    user = CreatorUserFactory()
    User.objects.filter(pk=user.pk).update(**changes)

    card = card_refresh(creator_id=user.pk)

    assert card is not None and card.listed is False


def test_non_creators_and_creators_without_profile_have_no_card():
    brand = BrandUserFactory()
    CreatorCardFactory(creator=brand)
    assert card_refresh(creator_id=brand.pk) is None
    assert not CreatorCard.objects.filter(pk=brand.pk).exists()

    creator = CreatorUserFactory()
    card_refresh(creator_id=creator.pk)
    CreatorProfile.objects.filter(user=creator).delete()
    assert card_refresh(creator_id=creator.pk) is None
    assert not CreatorCard.objects.filter(pk=creator.pk).exists()

    assert card_refresh(creator_id=999_999_999) is None


def test_card_refresh_is_idempotent():
    user = make_creator()
    first = model_to_dict(card_refresh(creator_id=user.pk))
    second = model_to_dict(card_refresh(creator_id=user.pk))
    assert first == second


@pytest.mark.postgres
def test_search_vector_is_written_and_weighted():
    user = make_creator()
    card_refresh(creator_id=user.pk)

    assert CreatorCard.objects.filter(search_vector="gadget").exists()  # niche, stemmed
    assert CreatorCard.objects.filter(search_vector="setups").exists()  # bio
    assert CreatorCard.objects.filter(search_vector="sarahtech").exists()  # handle
    assert not CreatorCard.objects.filter(search_vector="cooking").exists()


def _varied_creators() -> list[User]:
    creators = [make_creator()]
    # Bare creator, suspended creator, private creator, creator with only self-reported numbers.
    creators.append(CreatorUserFactory(name="", first_name="Jo", last_name="Park"))
    CreatorProfile.objects.filter(user=creators[-1]).update(display_name="")
    creators.append(CreatorUserFactory(status=User.Status.SUSPENDED))
    creators.append(CreatorUserFactory(profile_public=False))
    typed = CreatorUserFactory()
    SocialAccountFactory(creator=typed, platform=Platform.TIKTOK, followers=2_500_000, self_reported=True)
    creators.append(typed)
    # A video creator with views, daily snapshots and one spike; prices from rates.
    video = CreatorUserFactory()
    CreatorProfile.objects.filter(user=video).update(min_rate=Decimal("80.00"), niches=["ÉCO", "Travel"])
    account = SocialAccountFactory(creator=video, platform=Platform.YOUTUBE, followers=250_000, avg_views=40_000,
                                   avg_likes=2_000, avg_comments=500, engagement_rate=Decimal("4.1234"))
    today = timezone.localdate()
    for days_ago, followers in [(5, 200_000), (4, 201_000), (3, 260_000), (1, 262_000)]:
        MetricsSnapshotFactory(account=account, date=today - datetime.timedelta(days=days_ago), followers=followers)
    SocialAccountFactory(creator=video, platform=Platform.INSTAGRAM, followers=250_000,
                         engagement_rate=Decimal("1.3333"))
    ReviewFactory(creator=video, rating=3)
    creators.append(video)
    # The same handle on two platforms, a name word repeated in another case, a double space.
    twice = CreatorUserFactory()
    CreatorProfile.objects.filter(user=twice).update(display_name="Ana ANA  Lima")
    SocialAccountFactory(creator=twice, platform=Platform.INSTAGRAM, username="analima", followers=900)
    SocialAccountFactory(creator=twice, platform=Platform.TIKTOK, username="analima", followers=800)
    creators.append(twice)
    # Listed peers so the benchmark has a distribution.
    for rate in ("1.0000", "2.5000", "3.0000", "6.0000"):
        peer = CreatorUserFactory()
        SocialAccountFactory(creator=peer, followers=80_000, engagement_rate=Decimal(rate))
        creators.append(peer)
    return creators


def _cards() -> dict[int, dict]:
    fields = [f.name for f in CreatorCard._meta.fields if f.name not in ("refreshed_at", "search_vector")]
    rows = {card["creator"]: card for card in CreatorCard.objects.values(*fields)}
    if connection.vendor == "postgresql":
        for pk, vector in CreatorCard.objects.values_list("pk", "search_vector"):
            rows[pk]["search_vector"] = vector
    return rows


def test_bulk_rebuild_equals_single_refresh_on_the_same_data():
    creators = _varied_creators()
    brand = BrandUserFactory()
    CreatorCardFactory(creator=brand)  # a stale card of a user who is not a creator
    cards_rebuild_all()
    discovery_scores_rebuild()
    bulk = _cards()

    CreatorCard.objects.all().delete()
    for user in creators:
        card_refresh(creator_id=user.pk)
    single = _cards()

    assert set(bulk) == {user.pk for user in creators}
    assert bulk == single
    video = bulk[creators[5].pk]
    assert video["niches"] == ["éco", "travel"]
    assert video["audience_quality_basis"]["growth_spikes"]["value"] == 1
    assert video["primary_platform"] == "youtube"  # a tie in followers: the older account
    assert video["engagement_rate"] == Decimal("2.7284")
    assert video["engagement_percentile"] == 99  # alone in its band: every cut point is its own rate
    assert bulk[creators[0].pk]["engagement_percentile"] is not None
    twice = bulk[creators[6].pk]
    assert (twice["usernames"], twice["name_text"]) == ("analima analima", "ana lima analima")


def test_bulk_rebuild_updates_changed_creators_and_is_repeatable():
    creators = _varied_creators()
    assert cards_rebuild_all() == len(creators)
    PackageFactory(creator=creators[1], price=Decimal("75.00"))
    User.objects.filter(pk=creators[2].pk).update(status=User.Status.ACTIVE)

    assert cards_rebuild_all() == len(creators)

    assert CreatorCard.objects.get(pk=creators[1].pk).min_price == Decimal("75.00")
    assert CreatorCard.objects.get(pk=creators[2].pk).listed is True


@pytest.mark.postgres
def test_bulk_rebuild_skips_rows_that_did_not_change():
    _varied_creators()
    cards_rebuild_all()
    messages = []

    cards_rebuild_all(progress=messages.append)

    assert any(message.endswith(": 0 written") for message in messages)


@pytest.mark.postgres
def test_a_first_build_analyzes_its_sources_before_reading_them():
    # A bulk load not yet analyzed would be joined by nested loop: the first build gives the planner statistics.
    _varied_creators()
    CreatorCard.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_reset()")

    cards_rebuild_all()

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
        analyzed = {row[0] for row in cursor.fetchall()}
    assert {"accounts_user", "accounts_creatorprofile", "creators_socialaccount", "creators_package",
            "creators_review"} <= analyzed


def test_benchmarks_on_a_known_distribution():
    # 101 listed Instagram micro creators with engagement 1.00 … 101.00 (step 1): percentile p is at 1 + 100p.
    for rate in range(1, 102):
        CreatorCardFactory(primary_platform="instagram", followers=20_000, engagement_rate=Decimal(rate))
    CreatorCardFactory(primary_platform="instagram", followers=20_000, engagement_rate=Decimal("500"), listed=False)
    CreatorCardFactory(primary_platform="instagram", followers=20_000, engagement_rate=Decimal("0"))
    CreatorCardFactory(primary_platform="youtube", followers=2_000_000, engagement_rate=Decimal("2.5"))
    EngagementBenchmark.objects.create(platform="tiktok", size_band="nano", creators=3)  # stale: removed

    result = discovery_scores_rebuild()

    assert result["benchmarks"] == 2
    micro = EngagementBenchmark.objects.get(platform="instagram", size_band="micro")
    assert micro.creators == 101
    assert micro.median == Decimal("51.0000")
    assert len(micro.cut_points) == 99
    assert micro.cut_points[0] == 2.0 and micro.cut_points[49] == 51.0 and micro.cut_points[98] == 100.0
    mega = EngagementBenchmark.objects.get(platform="youtube", size_band="mega")
    assert mega.creators == 1 and mega.cut_points == [2.5] * 99
    assert not EngagementBenchmark.objects.filter(platform="tiktok").exists()

    def percentile(rate):
        return CreatorCard.objects.get(primary_platform="instagram", engagement_rate=Decimal(rate)).engagement_percentile

    assert percentile("1") == 0
    assert percentile("51") == 50
    assert percentile("75") == 74
    assert percentile("101") == 99
    assert percentile("500") == 99  # unlisted cards are scored, not counted
    assert percentile("0") is None  # no measured engagement


def test_interpolated_cut_points_match_postgresql_percentile_cont():
    for rate in ("1.0000", "2.0000", "4.0000", "8.0000"):
        CreatorCardFactory(primary_platform="tiktok", followers=5_000, engagement_rate=Decimal(rate))

    discovery_scores_rebuild()

    nano = EngagementBenchmark.objects.get(platform="tiktok", size_band="nano")
    assert nano.median == Decimal("3.0000")
    assert nano.cut_points[9] == 1.3  # position 0.1 × 3 = 0.3 between 1 and 2
    assert nano.cut_points[89] == 6.8  # position 2.7 between 4 and 8


def test_a_single_refresh_scores_against_the_existing_benchmarks():
    user = CreatorUserFactory()
    SocialAccountFactory(creator=user, followers=20_000, engagement_rate=Decimal("3.5"), avg_likes=700,
                         avg_comments=21)
    EngagementBenchmark.objects.create(
        platform="instagram", size_band="micro", creators=99, median=Decimal("3"),
        cut_points=[round(0.05 * i, 4) for i in range(1, 100)],
    )

    card = card_refresh(creator_id=user.pk)

    assert card.engagement_percentile == 70  # cut points 0.05 … 3.50 are at or below 3.5
    assert card.audience_quality == round((70 * 40 + 100 * 25) / 65)
    assert card.audience_quality_confidence == "medium"
    assert card.audience_quality_basis["comments_per_like"] == {"value": 0.03, "score": 100, "weight": 25}


@pytest.mark.postgres
def test_a_build_into_an_empty_table_restores_every_index_and_scores_the_cards():
    def indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                           [CreatorCard._meta.db_table])
            return sorted(cursor.fetchall())

    before = indexes()
    creators = _varied_creators()
    messages = []

    cards_rebuild_all(scores=False, progress=messages.append)

    assert indexes() == before and len(before) > 5
    assert any("secondary indexes dropped" in message for message in messages)
    assert EngagementBenchmark.objects.filter(platform="instagram", size_band="micro").exists()
    assert CreatorCard.objects.get(pk=creators[0].pk).engagement_percentile is not None
