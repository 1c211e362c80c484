"""accounts 0002: handles saved in CreatorProfile.social_handles become self-reported SocialAccount rows."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from accounts.tests.factories import CreatorUserFactory
from creators.models import SocialAccount
from creators.tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0002_social_handles_to_social_accounts")


def historical_apps():
    """The models as the migration sees them (before it runs)."""
    return MigrationLoader(connection).project_state([("accounts", "0001_initial"), ("creators", "0001_initial")]).apps


def test_saved_handles_become_self_reported_accounts_and_nothing_is_doubled():
    apps = historical_apps()
    profiles = apps.get_model("accounts", "CreatorProfile")
    creator, other = CreatorUserFactory(), CreatorUserFactory()
    SocialAccountFactory(creator=creator, platform="youtube", username="AshaTravels")  # already connected
    profiles.objects.filter(user_id=creator.pk).update(social_handles=[
        {"platform": "instagram", "handle": "asha.travels", "followers": 48200},
        {"platform": "youtube", "handle": "ashatravels", "followers": 10},
        {"platform": "tiktok", "handle": "asha_t", "followers": None},
        {"platform": "myspace", "handle": "tom"},
    ])

    migration.handles_to_accounts(apps, None)
    profiles.objects.filter(user_id=creator.pk).update(social_handles=[{"platform": "tiktok", "handle": "again"}])
    migration.handles_to_accounts(apps, None)  # run again: still one row per platform

    rows = {(a.platform, a.username, a.source, a.followers) for a in SocialAccount.objects.filter(creator=creator)}
    assert rows == {
        ("instagram", "asha.travels", "self_reported", 48200),
        ("youtube", "AshaTravels", "oauth", 125_000),
        ("tiktok", "asha_t", "self_reported", 0),
    }
    assert not SocialAccount.objects.filter(creator=other).exists()
    assert profiles.objects.get(user_id=creator.pk).social_handles == []  # no stale second copy
    assert SocialAccount.objects.get(creator=creator, platform="tiktok").profile_url == "https://www.tiktok.com/@asha_t"


def test_going_back_writes_the_typed_in_handles_to_the_profile():
    apps = historical_apps()
    creator = CreatorUserFactory()
    SocialAccountFactory(creator=creator, platform="twitter", username="asha", followers=1200, self_reported=True)
    SocialAccountFactory(creator=creator, platform="instagram", username="connected")

    migration.accounts_to_handles(apps, None)

    profile = apps.get_model("accounts", "CreatorProfile").objects.get(user_id=creator.pk)
    assert profile.social_handles == [{"platform": "twitter", "handle": "asha", "followers": 1200}]
