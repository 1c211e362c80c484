"""Audience quality where people see it: the public creator page and the console's read-only card pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from accounts.tests.test_admin import with_totp
from brands.models import CreatorCard, EngagementBenchmark
from brands.services.cards import card_refresh
from brands.services.facets import facet_summary_refresh
from creators.tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_creator(creator):
    SocialAccountFactory(creator=creator, username="maya.ig", followers=20_000, engagement_rate=Decimal("3.5"),
                         avg_likes=700, avg_comments=21)
    EngagementBenchmark.objects.create(platform="instagram", size_band="micro", creators=99,
                                       cut_points=[round(0.05 * i, 4) for i in range(1, 100)])
    card_refresh(creator_id=creator.pk)
    return creator


def test_the_public_page_shows_audience_quality_and_what_it_is_computed_from(client, scored_creator):
    response = client.get(reverse("creator_portfolio", kwargs={"slug": scored_creator.creator_profile.slug}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Audience quality" in html
    assert "<strong>82</strong>/100" in html  # (70 × 40 + 100 × 25) / 65 = 81.5
    assert "Medium confidence" in html
    assert ("From engagement percentile among Instagram micro creators and comments-to-likes ratio. "
            "Not an audit of individual followers.") in html


def test_no_audience_quality_card_without_a_score(client, creator):
    SocialAccountFactory(creator=creator, followers=5_000, self_reported=True, engagement_rate=Decimal("0"))
    card_refresh(creator_id=creator.pk)

    response = client.get(reverse("creator_portfolio", kwargs={"slug": creator.creator_profile.slug}))

    assert response.status_code == 200
    assert "Audience quality" not in response.content.decode()


@pytest.fixture
def agent_client(client):
    client.force_login(with_totp(AgentFactory()))
    return client


def test_console_finds_cards_by_name_or_handle_and_shows_the_basis(agent_client, scored_creator):
    card_refresh(creator_id=scored_creator.pk)
    changelist = reverse("admin:brands_creatorcard_changelist")

    found = agent_client.get(changelist, {"q": "MAYA.I"})
    missed = agent_client.get(changelist, {"q": "nobody-like-this"})

    assert [card.pk for card in found.context["cl"].result_list] == [scored_creator.pk]
    assert list(missed.context["cl"].result_list) == []
    detail = agent_client.get(reverse("admin:brands_creatorcard_change", args=[scored_creator.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "comments_per_like" in html and "Not an audit of individual followers." in html
    assert 'name="_save"' not in html  # read-only


def test_console_cannot_add_change_or_delete_cards(agent_client, scored_creator):
    assert agent_client.get(reverse("admin:brands_creatorcard_add")).status_code == 403
    response = agent_client.post(reverse("admin:brands_creatorcard_delete", args=[scored_creator.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert CreatorCard.objects.filter(pk=scored_creator.pk).exists()


def test_console_shows_the_facet_summary_read_only(agent_client, scored_creator):
    card_refresh(creator_id=scored_creator.pk)
    summary = facet_summary_refresh()

    listed = agent_client.get(reverse("admin:brands_facetsummary_changelist"))
    detail = agent_client.get(reverse("admin:brands_facetsummary_change", args=[summary.pk]))

    assert listed.status_code == 200 and detail.status_code == 200
    assert "&quot;platform&quot;" in detail.content.decode() and 'name="_save"' not in detail.content.decode()
    assert agent_client.get(reverse("admin:brands_facetsummary_add")).status_code == 403
