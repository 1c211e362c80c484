"""The creator's package pages: /creator/packages/ (list, new, edit, activate, deactivate)."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from creators.models import Package
from creators.tests.factories import PackageFactory

pytestmark = pytest.mark.django_db

LIST = reverse("creator_packages")
NEW = reverse("creator_package_create")
FORM = {
    "title": "Two stories",
    "platform": "instagram",
    "content_type": "story",
    "quantity": "2",
    "revisions": "1",
    "duration_days": "5",
    "price": "250.00",
    "currency": "EUR",
    "description": "Link sticker included.",
}


def edit_url(package) -> str:
    return reverse("creator_package_edit", args=[package.pk])


def switch_url(package, action: str) -> str:
    return reverse(f"creator_package_{action}", args=[package.pk])


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator)
    return client


# --- Who gets in ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [LIST, NEW])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_brand_is_sent_back_to_the_dashboard(client, brand):
    client.force_login(brand)

    response = client.get(NEW, follow=True)

    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Packages are for creator accounts." in flashed(response)


# --- List ------------------------------------------------------------------------------------------------------
def test_the_list_shows_active_and_inactive_packages_of_the_creator_only(creator_client, creator):
    PackageFactory(creator=creator, title="Reel deal", price=Decimal("1200.00"))
    PackageFactory(creator=creator, title="Old story", is_active=False)
    PackageFactory(title="Someone else's")

    response = creator_client.get(LIST)

    assert response.status_code == 200
    assert [p.title for p in response.context["active"]] == ["Reel deal"]
    assert [p.title for p in response.context["inactive"]] == ["Old story"]
    html = response.content.decode()
    assert "Someone else" not in html
    assert "USD 1,200.00" in html and "On sale (1)" in html and "Inactive (1)" in html
    assert 'class="badge badge-muted">Inactive' in html


def test_an_empty_list_invites_to_create_a_package(creator_client):
    html = creator_client.get(LIST).content.decode()

    assert "No packages yet" in html and NEW in html


# --- Create ----------------------------------------------------------------------------------------------------
def test_a_valid_form_creates_the_package(creator_client, creator):
    response = creator_client.post(NEW, FORM, follow=True)

    package = Package.objects.get()
    assert package.creator == creator and package.price == Decimal("250.00") and package.currency == "EUR"
    assert package.quantity == 2 and package.duration_days == 5 and package.is_active
    assert response.redirect_chain[-1][0] == LIST
    assert "“Two stories” is on sale." in flashed(response)


def test_the_new_form_starts_with_sensible_values(creator_client):
    form = creator_client.get(NEW).context["form"]

    assert form["quantity"].value() == 1 and form["currency"].value() == "USD"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("title", "", "This field is required."),
        ("content_type", "short", "Instagram packages can be: reel, story, feed post, carousel, live stream."),
        ("price", "0", "Ensure this value is greater than or equal to 0.01."),
        ("price", "12.345", "Ensure that there are no more than 2 decimal places."),
        ("quantity", "abc", "A valid integer is required."),
        ("revisions", "21", "Ensure this value is less than or equal to 20."),
        ("duration_days", "400", "Ensure this value is less than or equal to 365."),
        ("currency", "XYZ", '"XYZ" is not a valid choice.'),
        ("platform", "myspace", '"myspace" is not a valid choice.'),
    ],
)
def test_form_errors_show_at_their_field_and_nothing_is_saved(creator_client, field, value, message):
    response = creator_client.post(NEW, {**FORM, field: value})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "Please correct the fields marked below." in response.content.decode()
    assert not Package.objects.exists()


def test_nonsense_in_every_field_is_a_page_with_errors_not_a_500(creator_client):
    garbage = {name: "\x00'\"<script>" for name in FORM} | {"price": "1e999999", "quantity": "9" * 40}

    response = creator_client.post(NEW, garbage)

    assert response.status_code == 200 and response.context["form"].errors
    assert not Package.objects.exists()


# --- Edit ------------------------------------------------------------------------------------------------------
def test_the_edit_form_shows_the_stored_values(creator_client, creator):
    package = PackageFactory(creator=creator, title="Reel", price=Decimal("500.00"), duration_days=None)

    form = creator_client.get(edit_url(package)).context["form"]

    assert form["title"].value() == "Reel" and form["price"].value() == "500.00"
    assert form["duration_days"].value() is None


def test_editing_saves_and_an_empty_duration_clears_it(creator_client, creator):
    package = PackageFactory(creator=creator, duration_days=7)

    response = creator_client.post(edit_url(package), {**FORM, "duration_days": "", "title": "Edited"})

    assert response.status_code == 302
    package.refresh_from_db()
    assert package.title == "Edited" and package.duration_days is None and package.content_type == "story"


def test_an_invalid_edit_keeps_the_stored_package(creator_client, creator):
    package = PackageFactory(creator=creator, title="Reel")

    response = creator_client.post(edit_url(package), {**FORM, "platform": "twitter", "content_type": "story"})

    assert response.status_code == 200 and "content_type" in response.context["form"].errors
    package.refresh_from_db()
    assert package.title == "Reel"


def test_another_creators_package_is_a_404(creator_client):
    package = PackageFactory()

    assert creator_client.get(edit_url(package)).status_code == 404
    assert creator_client.post(edit_url(package), FORM).status_code == 404
    assert creator_client.post(switch_url(package, "deactivate")).status_code == 404
    package.refresh_from_db()
    assert package.is_active and package.title != FORM["title"]


# --- Activate / deactivate -----------------------------------------------------------------------------------------
def test_deactivate_then_activate_from_the_list(creator_client, creator):
    package = PackageFactory(creator=creator, title="Reel")

    response = creator_client.post(switch_url(package, "deactivate"), follow=True)
    package.refresh_from_db()
    assert not package.is_active and "“Reel” is no longer on sale." in flashed(response)

    response = creator_client.post(switch_url(package, "activate"), follow=True)
    package.refresh_from_db()
    assert package.is_active and "“Reel” is on sale again." in flashed(response)


def test_switching_needs_a_post(creator_client, creator):
    package = PackageFactory(creator=creator)

    assert creator_client.get(switch_url(package, "deactivate")).status_code == 405
    package.refresh_from_db()
    assert package.is_active
