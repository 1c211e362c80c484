"""The web pages render in Influmojo's layout: landing, dashboards, allauth pages, error pages."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.context_processors import navigation
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from influmojo import views as error_views

pytestmark = pytest.mark.django_db

LAYOUT_MARKERS = ('class="topbar"', "/static/css/app.css", 'class="footer"')


def assert_in_layout(html: str) -> None:
    for marker in LAYOUT_MARKERS:
        assert marker in html, marker


# --- Landing page --------------------------------------------------------------------------------
def test_home_for_anonymous_offers_brand_and_creator_signup(client):
    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert_in_layout(html)
    signup = reverse("account_signup")
    assert f'href="{signup}?as=brand"' in html
    assert f'href="{signup}?as=creator"' in html
    assert f'href="{reverse("account_login")}"' in html
    for feature in ("Discover creators", "Escrow payments", "Live chat &amp; campaigns"):
        assert feature in html


def test_home_sends_a_signed_in_user_to_the_dashboard(client, brand):
    client.force_login(brand)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_pages_load_nothing_from_another_host(client, brand):
    anonymous = client.get(reverse("home")).content.decode()
    client.force_login(brand)
    dashboard = client.get(reverse("dashboard")).content.decode()

    for html in (anonymous, dashboard):
        assert 'src="http' not in html and 'href="http' not in html and "//fonts." not in html


# --- Dashboards ----------------------------------------------------------------------------------
def test_brand_dashboard_shows_onboarding_progress_and_empty_states(client):
    brand = BrandUserFactory(name="Priya Sharma", onboarding_state={"company": "completed"}, onboarding_step="goals")
    client.force_login(brand)

    response = client.get(reverse("dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert_in_layout(html)
    assert "Hi, Priya Sharma" in html
    assert "33% complete" in html
    assert 'style="width: 33%"' in html
    assert f'href="{reverse("onboarding")}"' in html and "Continue setup" in html
    assert '<li class="step done">' in html and "Your company" in html
    assert '<li class="step current">' in html and "Marketing goals" in html
    assert "Budget &amp; preferences" in html
    for empty in ("No creators saved yet", "No campaigns yet", "No orders yet", "Nothing spent yet"):
        assert empty in html


def test_creator_dashboard_shows_done_skipped_and_next_steps(client):
    creator = CreatorUserFactory(
        name="Alex Rivera", onboarding_state={"personal": "completed", "categories": "skipped"}, onboarding_step="social"
    )
    client.force_login(creator)

    response = client.get(reverse("dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "25% complete" in html
    assert '<li class="step done">' in html
    assert '<li class="step skipped">' in html
    assert '<li class="step current">' in html and "Social handles" in html
    assert "Continue setup" in html
    for empty in ("No packages yet", "No accounts connected", "No earnings yet", "Nothing scheduled"):
        assert empty in html


def test_completed_onboarding_has_no_continue_button(client):
    creator = CreatorUserFactory(
        onboarding_completed=True,
        onboarding_state={step: "completed" for step in ("personal", "categories", "social", "rates")},
    )
    client.force_login(creator)

    html = client.get(reverse("dashboard")).content.decode()

    assert "100% complete" in html
    assert "Continue setup" not in html
    assert "Your creator profile is set up" in html


def test_top_bar_has_role_nav_initials_settings_and_logout(client):
    brand = BrandUserFactory(name="Priya Sharma")
    client.force_login(brand)

    html = client.get(reverse("dashboard")).content.decode()

    assert f'<a href="{reverse("dashboard")}" class="active" aria-current="page">Dashboard</a>' in html
    assert '<span class="avatar" aria-hidden="true">PS</span>' in html
    assert 'href="/settings/"' in html
    assert f'action="{reverse("account_logout")}"' in html and "Log out" in html


def test_agent_goes_to_the_admin(client, agent):
    client.force_login(agent)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_navigation_is_per_role(rf, brand, agent):
    request = rf.get("/")
    request.user = brand
    assert list(navigation(request)["nav_links"]) == [
        ("Dashboard", reverse("dashboard")),
        ("Discover creators", reverse("brand_discover")),
        ("Shortlists", reverse("brand_shortlists")),
        ("Orders", reverse("order_list")),
        ("Messages", reverse("inbox")),
        ("Cart", reverse("cart")),
        ("Payments", reverse("payments_dashboard")),
    ]

    request.user = agent
    assert list(navigation(request)["nav_links"]) == [("Support queue", reverse("admin:index"))]


def test_navigation_is_empty_for_anonymous(client):
    response = client.get(reverse("home"))

    assert list(response.context["nav_links"]) == []
    assert str(response.context["user_initials"]) == ""


# --- allauth pages in our layout -----------------------------------------------------------------
def test_login_page_uses_the_app_layout(client):
    response = client.get(reverse("account_login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert_in_layout(html)
    assert 'class="card entrance-card"' in html
    assert 'class="form form-entrance"' in html
    assert 'name="login"' in html and 'name="password"' in html
    assert 'class="btn btn-primary btn-lg btn-block"' in html
    assert "<title>" in html and "Sign In" in html


def test_signup_page_uses_the_app_layout_with_role_choice(client):
    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert_in_layout(html)
    assert 'class="card entrance-card"' in html
    for name in ("email", "password1", "name"):
        assert f'name="{name}"' in html
    assert '<fieldset class="field field-radioselect">' in html
    assert 'value="brand"' in html and 'value="creator"' in html
    assert "I&#x27;m a brand" in html and "I&#x27;m a creator" in html


def test_signup_errors_show_next_to_fields(client):
    response = client.post(reverse("account_signup"), {"email": "not-an-email", "password1": "x"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('id="id_email_error"') == 1
    assert re.search(r'class="field [^"]*has-error">\s*<label for="id_email">', html)
    assert '<div class="field-error"><ul class="errorlist" id="id_email_error"><li>Enter a valid email address.' in html


def test_password_reset_page_uses_the_app_layout(client):
    response = client.get(reverse("account_reset_password"))

    html = response.content.decode()
    assert response.status_code == 200
    assert_in_layout(html)
    assert 'class="card entrance-card"' in html
    assert 'name="email"' in html


def test_account_pages_use_the_manage_layout(client, brand):
    client.force_login(brand)

    for name in ("account_email", "account_change_password", "mfa_index", "account_logout"):
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200, name
        assert_in_layout(html)
        assert 'class="card manage-card"' in html, name
        assert 'href="/settings/"' in html, name


# --- Error pages ---------------------------------------------------------------------------------
def test_404_page_is_styled(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert_in_layout(html)
    assert "Page not found" in html
    assert f'href="{reverse("home")}"' in html


def test_500_page_renders_without_touching_the_user_or_database(django_assert_num_queries):
    def broken_user():
        raise RuntimeError("session store is down")

    request = RequestFactory().get("/somewhere/")
    request.user = SimpleLazyObject(broken_user)

    with django_assert_num_queries(0):
        response = error_views.server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "<style>" in html and "/static/" not in html


def test_pending_account_is_asked_to_confirm_its_email(client):
    brand = BrandUserFactory(status="pending", email_verified=False)
    client.force_login(brand)

    html = client.get(reverse("dashboard")).content.decode()

    assert f'<a class="badge badge-warning" href="{reverse("account_email")}">' in html


def test_google_button_only_when_google_is_configured(client, settings):
    html = client.get(reverse("account_login")).content.decode()
    assert "Continue with Google" not in html

    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {**settings.SOCIALACCOUNT_PROVIDERS["google"], "APPS": [{"client_id": "id", "secret": "secret"}]}
    }
    for name in ("account_login", "account_signup"):
        html = client.get(reverse(name)).content.decode()
        assert 'class="btn btn-secondary btn-block provider provider-google"' in html, name
        assert "Continue with Google" in html, name


def test_a_page_for_another_role_explains_itself_with_a_403(client, brand):
    client.force_login(brand)

    response = client.get("/creator/calendar/")

    assert response.status_code == 403
    assert "The calendar is for creators." in response.content.decode()
    assert "Go to your dashboard" in response.content.decode()
