"""accounts 0002: handles saved in CreatorProfile.social_handles become self-reported SocialAccount rows
(0003 then drops the JSON column). Runs the real migrations, back and forth."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_social_handles_to_social_accounts")]


def migrate(targets):
    """Migrates accounts to `targets`; the models as they are there, creators' included."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([*targets, *executor.loader.graph.leaf_nodes("creators")]).apps


@pytest.fixture
def at_0001():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def make_creator(apps, email: str, handles: list[dict]):
    user = apps.get_model("accounts", "User").objects.create(email=email, user_type="creator", status="active")
    apps.get_model("accounts", "CreatorProfile").objects.create(user=user, slug=email.split("@")[0], social_handles=handles)
    return user


def test_saved_handles_become_self_reported_accounts(at_0001):
    creator = make_creator(at_0001, "asha@example.com", [
        {"platform": "instagram", "handle": "asha.travels", "followers": 48200},
        {"platform": "youtube", "handle": "ashatravels", "followers": 10},
        {"platform": "tiktok", "handle": "asha_t", "followers": None},
        {"platform": "myspace", "handle": "tom"},
    ])
    at_0001.get_model("creators", "SocialAccount").objects.create(
        creator_id=creator.pk, platform="youtube", source="oauth", state="connected", platform_user_id="UCq3",
        username="AshaTravels", followers=52_100,
    )

    apps = migrate(AFTER)

    accounts = apps.get_model("creators", "SocialAccount").objects.filter(creator_id=creator.pk)
    assert {(a.platform, a.username, a.source, a.followers) for a in accounts} == {
        ("instagram", "asha.travels", "self_reported", 48200),
        ("youtube", "AshaTravels", "oauth", 52_100),
        ("tiktok", "asha_t", "self_reported", 0),
    }
    assert apps.get_model("accounts", "CreatorProfile").objects.get(user_id=creator.pk).social_handles == []


def test_going_back_writes_the_typed_in_handles_to_the_profile(at_0001):
    creator = make_creator(at_0001, "zed@example.com", [{"platform": "twitter", "handle": "zed", "followers": 1200}])
    migrate(AFTER)

    apps = migrate(BEFORE)

    profile = apps.get_model("accounts", "CreatorProfile").objects.get(user_id=creator.pk)
    assert profile.social_handles == [{"platform": "twitter", "handle": "zed", "followers": 1200}]
    assert not apps.get_model("creators", "SocialAccount").objects.filter(creator_id=creator.pk).exists()
