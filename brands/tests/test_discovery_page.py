"""The brand's discovery page /brand/discover/: filters from the URL, the partial fragment, errors, access, queries."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brands.tests.factories import CreatorCardFactory, ShortlistFactory, ShortlistItemFactory
from brands.views.discovery import compact_number

URL = reverse("brand_discover")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Facet answers are cached across requests; every test starts and ends without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def brand_client(client, brand):
    client.force_login(brand)
    return client


def names(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_filters_in_the_url_choose_the_results_and_stay_selected(brand_client):
    CreatorCardFactory(display_name="Yara Tube", platforms=["youtube"], primary_platform="youtube", followers=200_000)
    CreatorCardFactory(display_name="Ivy Gram", platforms=["instagram"], followers=90_000)

    response = brand_client.get(URL, {"platform": "youtube"})

    assert response.status_code == 200
    html = names(response)
    assert "Yara Tube" in html and "Ivy Gram" not in html
    assert 'name="platform" value="youtube" checked' in html
    assert "<strong>1</strong> creator matches" in html
    assert 'href="/p/' in html
    assert "200K" in html, "followers are shown compact"


@pytest.mark.django_db
def test_unfiltered_page_lists_every_listed_creator_with_facet_counts(brand_client):
    CreatorCardFactory.create_batch(3, platforms=["tiktok"], primary_platform="tiktok")
    CreatorCardFactory(display_name="Hidden Person", listed=False)

    html = names(brand_client.get(URL))

    assert "<strong>3</strong> creators" in html
    assert "Hidden Person" not in html
    assert 'data-facet="platform" data-value="tiktok">3<' in html
    assert 'data-facet="platform" data-value="youtube">0<' in html


@pytest.mark.django_db
def test_partial_answers_only_the_results_fragment(brand_client):
    CreatorCardFactory(display_name="Yara Tube", platforms=["youtube"], primary_platform="youtube")
    CreatorCardFactory(display_name="Ivy Gram")

    response = brand_client.get(URL, {"platform": "youtube", "partial": "1"})

    assert response.status_code == 200
    html = names(response)
    assert "<html" not in html and 'id="discover-form"' not in html
    assert "Yara Tube" in html and "Ivy Gram" not in html
    assert 'id="discover-facets"' in html


@pytest.mark.django_db
def test_ajax_header_also_gets_the_fragment(brand_client):
    response = brand_client.get(URL, headers={"X-Requested-With": "XMLHttpRequest"})
    assert "<html" not in names(response)


@pytest.mark.django_db
def test_bad_filter_is_explained_beside_the_filters_not_a_500(brand_client):
    response = brand_client.get(URL, {"min_followers": "lots", "platform": "myspace"})

    assert response.status_code == 200
    html = names(response)
    assert "Some filters could not be used." in html
    assert "Min followers:" in html and "Platform:" in html
    assert 'id="discover-form"' in html, "the filters stay on the page to fix"


@pytest.mark.django_db
def test_bad_filter_in_the_partial_is_400_with_the_message(brand_client):
    response = brand_client.get(URL, {"min_price": "500", "max_price": "100", "partial": "1"})

    assert response.status_code == 400
    assert "Max price:" in names(response)


@pytest.mark.django_db
def test_no_results_suggests_removing_a_filter(brand_client):
    CreatorCardFactory(country="US")

    html = names(brand_client.get(URL, {"country": "BR"}))

    assert "No creators match — try removing a filter" in html
    assert "Clear all filters" in html


@pytest.mark.django_db
def test_load_more_follows_the_next_page(brand_client):
    CreatorCardFactory.create_batch(23)

    first = brand_client.get(URL, {"ordering": "-followers"})
    more_url = first.context["more_url"]
    assert more_url and "ordering=-followers" in more_url
    assert len(first.context["cards"]) == 20

    rest = brand_client.get(URL + more_url + "&partial=1")

    assert rest.status_code == 200
    assert len(rest.context["cards"]) == 3
    assert rest.context["more_url"] == ""
    first_ids = {item.card.creator_id for item in first.context["cards"]}
    assert first_ids.isdisjoint(item.card.creator_id for item in rest.context["cards"])


@pytest.mark.django_db
def test_saved_creators_show_as_saved(brand_client, brand):
    saved, other = CreatorCardFactory(), CreatorCardFactory()
    ShortlistItemFactory(shortlist=ShortlistFactory(brand=brand), creator=saved.creator)

    html = names(brand_client.get(URL))

    assert f'data-save="{saved.creator_id}" aria-pressed="true"' in html
    assert f'data-save="{other.creator_id}" aria-pressed="false"' in html


@pytest.mark.django_db
def test_agents_may_look_but_have_no_save_button(client, agent):
    CreatorCardFactory(display_name="Yara Tube")
    client.force_login(agent)

    response = client.get(URL)

    assert response.status_code == 200
    assert "Yara Tube" in names(response) and "data-save=" not in names(response)


@pytest.mark.django_db
def test_creators_get_the_403_page(client, creator):
    client.force_login(creator)
    response = client.get(URL)
    assert response.status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_go_to_the_login_page(client):
    response = client.get(URL + "?platform=youtube")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_match_badge_shows_for_a_brand_with_preferences(client):
    from accounts.tests.factories import BrandUserFactory

    brand = BrandUserFactory()
    profile = brand.brand_profile
    profile.industries = ["technology"]
    profile.save()
    CreatorCardFactory(categories=["technology"])
    client.force_login(brand)

    response = client.get(URL)

    (item,) = response.context["cards"]
    assert item.card.match_percentage is not None
    assert f"cc-match-{item.card.match_status}" in names(response)
    assert f"{item.card.match_percentage}% match" in names(response)


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"platform": "instagram", "min_followers": "1000"}).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_query_count_is_bounded_and_the_same_for_1_and_25_cards(brand_client, brand):
    first = CreatorCardFactory()
    ShortlistItemFactory(shortlist=ShortlistFactory(brand=brand), creator=first.creator)
    one = _page_queries(brand_client)

    CreatorCardFactory.create_batch(24, verified=True, avatar="avatars/x.png")
    cache.clear()  # the facet counts of the first request are cached; compare cold with cold
    many = _page_queries(brand_client)

    assert one == many, (one, many)
    assert many <= 10, many


def test_compact_numbers():
    assert [compact_number(n) for n in (0, 999, 1000, 12_345, 172_345, 1_200_000, 3_000_000_000)] == [
        "0", "999", "1K", "12.3K", "172K", "1.2M", "3B"]


@pytest.mark.django_db
def test_prices_on_cards_are_compact_from_ten_thousand(brand_client):
    CreatorCardFactory(min_price=Decimal("15000.00"), currency="USD")
    CreatorCardFactory(min_price=Decimal("1200.50"), currency="EUR")
    CreatorCardFactory(min_price=None)

    html = names(brand_client.get(URL))

    assert 'title="$15,000">$15K<' in html
    assert ">€1,200.50<" in html
    assert "<dd>—</dd>" in html




@pytest.mark.django_db
def test_unreported_engagement_shows_a_dash_not_zero(brand_client):
    CreatorCardFactory(display_name="Quiet Numbers", engagement_rate=Decimal("0"))
    CreatorCardFactory(display_name="Loud Numbers", engagement_rate=Decimal("4.25"))

    html = names(brand_client.get(URL))

    assert '<span title="Not reported">—</span>' in html
    assert ">4.2%<" in html or ">4.3%<" in html
    assert ">0.0%<" not in html
