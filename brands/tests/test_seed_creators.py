import importlib.util
from io import StringIO
from statistics import mean, median

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from accounts.models import CreatorProfile, User
from brands.models import CreatorCard, FacetSummary
from creators.models import MetricsSnapshot, Package, Review, SocialAccount

pytestmark = pytest.mark.django_db
CARDS_AVAILABLE = importlib.util.find_spec("brands.services.cards") is not None


def seed(count=50, cards=False, **options):
    out = StringIO()
    call_command("seed_creators", count=count, batch=20, skip_cards=not cards, stdout=out, **options)
    return out.getvalue()


def test_every_seeded_creator_is_complete_and_listed_shape():
    output = seed(snapshot_fraction=0.2)

    creators = User.objects.filter(user_type="creator")
    assert creators.count() == 50
    assert not creators.exclude(status="active").exists()
    assert not creators.exclude(profile_public=True).exists()
    assert not any(user.has_usable_password() for user in creators)
    assert CreatorProfile.objects.count() == 50
    assert CreatorProfile.objects.filter(display_name="Sarah Johnson").exists()
    counted = creators.annotate(
        accounts=Count("social_accounts", distinct=True),
        active_packages=Count("packages", filter=Q(packages__is_active=True), distinct=True),
    )
    assert all(1 <= user.accounts <= 4 and user.active_packages >= 1 for user in counted)
    profile = CreatorProfile.objects.exclude(niches=[]).first()
    assert profile.content_categories and profile.languages and profile.city and profile.bio
    assert profile.min_rate <= profile.max_rate
    assert not SocialAccount.objects.exclude(access_token="").exists()
    assert SocialAccount.objects.filter(source="oauth", state="connected").exists()
    assert SocialAccount.objects.filter(source="self_reported").exists()
    # snapshots: 30 days per chosen account, ending with the account's current followers
    snapshot = MetricsSnapshot.objects.order_by("-date").select_related("account").first()
    assert MetricsSnapshot.objects.filter(account=snapshot.account).count() == 30
    assert snapshot.followers == snapshot.account.followers
    assert Review.objects.exists() or "reviews 0" in output
    assert "rows/s" in output


def test_followers_are_heavy_tailed_and_engagement_falls_with_size():
    seed(count=200)
    accounts = list(SocialAccount.objects.values_list("followers", "engagement_rate"))
    followers = sorted(count for count, _ in accounts)

    assert mean(followers) > 2 * median(followers)
    assert sum(count < 100_000 for count in followers) > 0.8 * len(followers)
    small = [rate for count, rate in accounts if count < 10_000]
    large = [rate for count, rate in accounts if count >= 100_000]
    assert mean(small) > mean(large)


def test_a_second_run_is_refused_unless_appending():
    seed(count=5)

    with pytest.raises(CommandError, match="--append"):
        seed(count=5)
    assert User.objects.filter(user_type="creator").count() == 5

    seed(count=5, append=True)
    assert User.objects.filter(user_type="creator").count() == 10
    assert CreatorProfile.objects.values("slug").distinct().count() == 10


def test_if_empty_seeds_once_then_does_nothing():
    seed(count=5, if_empty=True)
    seed(count=5, if_empty=True)

    assert User.objects.filter(user_type="creator").count() == 5


def test_the_same_seed_gives_the_same_creators():
    seed(count=10, seed=7)
    first = list(CreatorProfile.objects.order_by("id").values_list("display_name", "country", "bio"))
    Package.objects.all().delete()
    User.objects.filter(user_type="creator").delete()

    seed(count=10, seed=7)
    second = list(CreatorProfile.objects.order_by("id").values_list("display_name", "country", "bio"))
    assert first == second


@pytest.mark.skipif(not CARDS_AVAILABLE, reason="brands.services.cards has not landed")
def test_discovery_cards_are_built_for_every_seeded_creator():
    output = seed(count=25, cards=True)

    assert "Discovery cards: 25" in output
    assert CreatorCard.objects.filter(listed=True).count() == 25
    card = CreatorCard.objects.order_by("-followers").first()
    accounts = SocialAccount.objects.filter(creator_id=card.creator_id)
    assert card.followers == sum(account.followers for account in accounts)
    assert "Facet summary: 25 listed creators counted" in output
    assert FacetSummary.objects.get().total == 25  # the first view of discovery is exact right after a seed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_seed_ends_with_vacuum_analyze_of_the_filled_tables():
    from django.db import connection

    output = seed(count=20, cards=CARDS_AVAILABLE)

    assert "VACUUM (ANALYZE)" in output
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL AND last_analyze IS NOT NULL")
        vacuumed = {row[0] for row in cursor.fetchall()}
    assert {"accounts_user", "accounts_creatorprofile", "creators_socialaccount", "creators_package",
            "creators_metricssnapshot", "creators_review", "brands_creatorcard"} <= vacuumed


def test_inside_a_transaction_the_seed_only_analyzes():
    assert any(line.startswith("ANALYZE in") for line in seed(count=3).splitlines())
