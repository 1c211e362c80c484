"""Real browser against the live server: signing up through the form, and the phone-width layout.

Drives Debian's /usr/bin/chromium through Playwright's sync API; skipped when Chromium is missing.
"""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, BrandUserFactory, CreatorUserFactory
from influmojo.pytest_plugin import DESKTOP, MOBILE, horizontal_overflow

AFTER_SIGNUP = re.compile(r"/(onboarding|dashboard)/")


@pytest.fixture
def page_at(browser):
    """`page_at(viewport)` → a fresh page (own cookies) of that size; closed after the test."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_up(page, *, name, email, role=None):
    """Fills in and submits the signup form the page is on."""
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    if role:
        page.check(f"input[name=user_type][value={role}]")
    page.click("form.form-entrance button[type=submit]")
    page.wait_for_url(AFTER_SIGNUP)


def sign_in(page, base_url, email):
    page.goto(f"{base_url}{reverse('account_login')}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form-entrance button[type=submit]")
    page.wait_for_url(AFTER_SIGNUP)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_brand_signs_up_from_the_landing_page(page_at, live_server):
    page = page_at()
    page.goto(live_server.url + reverse("home"))
    page.click("text=I'm a brand")
    page.wait_for_url(re.compile(r"/accounts/signup/\?as=brand$"))
    assert page.is_checked("input[name=user_type][value=brand]"), "?as=brand pre-selects the role"

    sign_up(page, name="Priya Sharma", email="priya@example.com")

    user = User.objects.get(email="priya@example.com")
    assert user.user_type == User.UserType.BRAND
    assert user.name == "Priya Sharma"
    page.goto(live_server.url + reverse("dashboard"))
    assert page.is_visible("text=Hi, Priya Sharma")
    assert page.is_visible("text=Finish setting up your brand profile")
    assert page.is_visible("text=0% complete")
    assert page.get_attribute(".onboarding-card a.btn-primary", "href") == reverse("onboarding")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_creator_signs_up_choosing_the_role_on_the_form(page_at, live_server):
    page = page_at()
    page.goto(live_server.url + reverse("account_signup"))

    sign_up(page, name="Alex Rivera", email="alex@example.com", role="creator")

    user = User.objects.get(email="alex@example.com")
    assert user.user_type == User.UserType.CREATOR
    page.goto(live_server.url + reverse("dashboard"))
    assert page.is_visible("text=Finish setting up your creator profile")
    assert page.is_visible("text=No packages yet")
    page.click("details.user-menu summary")
    assert page.is_visible(".menu >> text=Settings")
    page.click(".menu >> text=Log out")
    page.wait_for_url(live_server.url + reverse("home"))
    assert page.is_visible("text=I'm a creator")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_signup_without_a_role_shows_the_error_next_to_the_choice(page_at, live_server):
    page = page_at(MOBILE)
    page.goto(live_server.url + reverse("account_signup"))
    page.fill("input[name=name]", "No Role")
    page.fill("input[name=email]", "norole@example.com")
    page.fill("input[name=password1]", PASSWORD)
    # The browser's own `required` check would stop the submit; the server must say it too.
    page.evaluate("document.querySelectorAll('input[name=user_type]').forEach(r => r.required = false)")

    page.click("form.form-entrance button[type=submit]")

    assert page.is_visible("fieldset.field-radioselect.has-error .field-error")
    assert not User.objects.filter(email="norole@example.com").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_width_has_no_horizontal_overflow(page_at, live_server):
    BrandUserFactory(email="brand@example.com", name="A Rather Long Brand Owner Name", onboarding_step="company")
    CreatorUserFactory(email="creator@example.com", onboarding_step="personal")
    anonymous = page_at(MOBILE)
    for path in ("/", reverse("account_signup"), reverse("account_login"), reverse("account_reset_password"), "/nope/"):
        anonymous.goto(live_server.url + path)
        assert horizontal_overflow(anonymous) <= 0, path
        assert anonymous.is_visible(".topbar .brand"), path

    for email in ("brand@example.com", "creator@example.com"):
        page = page_at(MOBILE)
        sign_in(page, live_server.url, email)
        page.goto(live_server.url + reverse("dashboard"))
        assert horizontal_overflow(page) <= 0, email
        page.click("details.user-menu summary")
        assert page.is_visible(".menu >> text=Log out")
        assert horizontal_overflow(page) <= 0, f"{email} with the menu open"
        menu = page.locator(".menu").bounding_box()
        assert menu["x"] >= 0 and menu["x"] + menu["width"] <= MOBILE["width"]
