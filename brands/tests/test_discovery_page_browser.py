"""The discovery page in headless Chromium: filters apply in place (no reload), the address follows, phones fit.

Drives Debian's /usr/bin/chromium through Playwright's sync API; skipped when Chromium is missing.
"""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import BrandUserFactory
from brands.tests.factories import CreatorCardFactory
from influmojo.pytest_plugin import MOBILE, horizontal_overflow




@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_changing_a_filter_updates_results_and_address_without_a_reload(signed_in_page, live_server):
    brand = BrandUserFactory()
    CreatorCardFactory(display_name="Yara Tube", platforms=["youtube"], primary_platform="youtube")
    CreatorCardFactory(display_name="Ivy Gram", platforms=["instagram"])
    page = signed_in_page(brand)
    page.goto(live_server.url + reverse("brand_discover"))
    assert page.is_visible("text=Ivy Gram")
    page.evaluate("window.discoverMarker = 'still here'")

    page.check("input[name=platform][value=youtube]")

    page.wait_for_selector("text=Ivy Gram", state="detached")
    assert page.is_visible("text=Yara Tube")
    assert re.search(r"\?platform=youtube$", page.url), page.url
    assert page.evaluate("window.discoverMarker") == "still here", "the page was not reloaded"
    assert page.is_visible("text=1 creator matches")

    # Typing in the search box applies after a pause and keeps the focus in the box.
    page.fill("input[name=search]", "nobody-like-this")
    page.wait_for_selector("text=No creators match — try removing a filter")
    assert page.evaluate("document.activeElement.name") == "search"
    assert "search=nobody-like-this" in page.url

    # Back restores the previous search and its results.
    page.go_back()
    page.wait_for_selector("text=Yara Tube")
    assert page.input_value("input[name=search]") == ""
    assert page.evaluate("window.discoverMarker") == "still here"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_save_toggles_in_place_and_phones_fit(signed_in_page, live_server):
    brand = BrandUserFactory()
    card = CreatorCardFactory(display_name="Maximilian Oberhausen-Schwarzenberg", verified=True)
    CreatorCardFactory.create_batch(3)
    page = signed_in_page(brand, MOBILE)
    page.goto(live_server.url + reverse("brand_discover"))

    assert horizontal_overflow(page) <= 0
    assert not page.is_visible("#discover-filters"), "filters fold away on phones"
    page.click(".filters-toggle")
    assert page.is_visible("#discover-filters")

    button = page.locator(f"[data-save='{card.creator_id}']")
    button.click()
    page.wait_for_selector(f"[data-save='{card.creator_id}'][aria-pressed=true]")
    assert button.inner_text().startswith("Saved")
    from brands.selectors.shortlists import saved_creator_ids

    assert saved_creator_ids(brand=brand, creator_ids=[card.creator_id]) == {card.creator_id}

    button.click()
    page.wait_for_selector(f"[data-save='{card.creator_id}'][aria-pressed=false]")
    assert saved_creator_ids(brand=brand, creator_ids=[card.creator_id]) == set()
