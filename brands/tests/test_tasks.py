from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.forms.models import model_to_dict

from accounts import services as account_services
from accounts.models import User
from brands.models import CreatorCard, EngagementBenchmark
from brands.services import cards
from brands.services.cards import card_refresh, card_refresh_later
from brands.tasks import rebuild_discovery_scores, refresh_card
from creators.services import packages as package_services
from creators.services import reviews as review_services
from creators.services import social as social_services
from creators.tests.factories import PackageFactory, SocialAccountFactory
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db


def card_of(user) -> CreatorCard:
    return CreatorCard.objects.get(pk=user.pk)


def test_refresh_card_task_is_idempotent(creator):
    PackageFactory(creator=creator, price=Decimal("250.00"))

    assert refresh_card.delay(creator.pk).get() is True
    first = model_to_dict(card_of(creator))
    assert refresh_card.delay(creator.pk).get() is True

    assert model_to_dict(card_of(creator)) == first
    assert CreatorCard.objects.count() == 1


def test_refresh_card_task_for_a_brand_removes_nothing_and_answers_false(brand):
    assert refresh_card.delay(brand.pk).get() is False
    assert not CreatorCard.objects.exists()


def test_refresh_card_retries_a_database_error(creator, monkeypatch):
    calls = []
    real = cards.card_refresh

    def flaky(*, creator_id):
        calls.append(creator_id)
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return real(creator_id=creator_id)

    monkeypatch.setattr(cards, "card_refresh", flaky)

    result = refresh_card.apply(args=[creator.pk], throw=False)  # the retry runs inline

    assert result.successful() and result.get() is True
    assert calls == [creator.pk, creator.pk]
    assert CreatorCard.objects.filter(pk=creator.pk).exists()


def test_card_refresh_later_runs_only_once_the_transaction_commits(creator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        card_refresh_later(creator.pk)
    assert len(callbacks) == 1 and not CreatorCard.objects.exists()

    callbacks[0]()
    assert card_of(creator).followers == 0


def test_a_rolled_back_change_queues_no_refresh(creator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                card_refresh_later(creator.pk)
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
    assert callbacks == [] and not CreatorCard.objects.exists()


def test_a_package_price_change_refreshes_the_card(creator, django_capture_on_commit_callbacks):
    package = PackageFactory(creator=creator, price=Decimal("500.00"))
    card_refresh(creator_id=creator.pk)
    actor = Actor.of(creator)

    with django_capture_on_commit_callbacks(execute=True):
        package_services.package_update(package_id=package.pk, actor=actor, data={"price": Decimal("320.00")})
    assert (card_of(creator).min_price, card_of(creator).max_price) == (Decimal("320.00"), Decimal("320.00"))

    with django_capture_on_commit_callbacks(execute=True):
        package_services.package_create(
            actor=actor, data={"title": "Story", "platform": "instagram", "content_type": "story",
                               "price": Decimal("90.00")}
        )
    assert card_of(creator).min_price == Decimal("90.00")

    with django_capture_on_commit_callbacks(execute=True):
        package_services.package_deactivate(package_id=package.pk, actor=actor)
    assert card_of(creator).max_price == Decimal("90.00")


def test_a_review_refreshes_the_rating(creator, brand, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_create(creator_id=creator.pk, author=brand, data={"rating": 4})

    card = card_of(creator)
    assert (card.rating, card.review_count) == (Decimal("4.00"), 1)


def test_a_profile_edit_refreshes_name_niches_and_search_text(creator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_services.profile_update(
            user=creator, data={"name": "Maya Chen", "profile": {"display_name": "Maya Makes", "niches": ["Pottery"]}}
        )

    card = card_of(creator)
    assert card.display_name == "Maya Makes"
    assert card.niches == ["pottery"]
    assert card.name_text.startswith("maya makes")


def test_suspension_and_a_private_profile_unlist_the_creator(creator, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_set_status(user_id=creator.pk, to=User.Status.SUSPENDED, actor=Actor.of(agent))
    assert card_of(creator).listed is False

    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_set_status(user_id=creator.pk, to=User.Status.ACTIVE, actor=Actor.of(agent))
    assert card_of(creator).listed is True

    with django_capture_on_commit_callbacks(execute=True):
        account_services.settings_update(user=creator, data={"profile_public": False})
    assert card_of(creator).listed is False


def test_verifying_a_creator_marks_the_card_verified(creator, agent, django_capture_on_commit_callbacks):
    card_refresh(creator_id=creator.pk)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_verify(user_id=creator.pk, actor=Actor.of(agent))
    assert card_of(creator).verified is True


def test_social_handles_refresh_followers_and_platforms(creator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        social_services.social_account_self_report(
            creator=creator, platform="tiktok", username="maya.tok", followers=12_000
        )
    card = card_of(creator)
    assert (card.followers, card.platforms, card.usernames, card.verified) == (12_000, ["tiktok"], "maya.tok", False)

    account = SocialAccountFactory(creator=creator, platform="youtube", followers=40_000)
    with django_capture_on_commit_callbacks(execute=True):
        social_services.social_account_disconnect(creator=creator, account_id=account.pk)
    assert card_of(creator).verified is False  # disconnected: tokens gone, numbers kept
    assert card_of(creator).followers == 52_000


def test_rebuild_discovery_scores_task(creator):
    SocialAccountFactory(creator=creator, followers=20_000, engagement_rate=Decimal("2.0"))
    card_refresh(creator_id=creator.pk)

    result = rebuild_discovery_scores.delay().get()

    assert result == {"benchmarks": 1, "cards": 1}
    assert EngagementBenchmark.objects.get().creators == 1
    assert card_of(creator).engagement_percentile == 99


def test_rebuild_discovery_command_reports_progress(creator):
    SocialAccountFactory(creator=creator, followers=20_000, engagement_rate=Decimal("2.0"))
    out = StringIO()

    call_command("rebuild_discovery", stdout=out)

    text = out.getvalue()
    assert "cards done: 1" in text and "benchmarks: 1" in text and "Discovery rebuilt in" in text
    assert card_of(creator).audience_quality is not None
