"""/api/v1/packages, /api/v1/packages/<id>[/activate|/deactivate] and /api/v1/creators/<id>/packages."""

from decimal import Decimal

import pytest

from accounts.models import User
from creators.models import Package
from creators.tests.factories import PackageFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/packages"
VALID = {
    "title": "1 reel with product demo",
    "platform": "instagram",
    "content_type": "reel",
    "quantity": 1,
    "revisions": 2,
    "duration_days": 7,
    "price": "800.00",
    "currency": "USD",
    "description": "Usage rights for 30 days.",
}


def detail(package_id: int, action: str = "") -> str:
    return f"/api/v1/packages/{package_id}" + (f"/{action}" if action else "")


def public(creator_id: int) -> str:
    return f"/api/v1/creators/{creator_id}/packages"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


# --- Create: every rule -------------------------------------------------------------------------------------
def test_a_creator_creates_a_package(auth_client, creator):
    response = auth_client(creator).post(LIST, VALID)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["creator_id"] == creator.pk and body["is_active"] is True
    assert body["price"] == "800.00" and body["content_type"] == "reel" and body["duration_days"] == 7
    assert Package.objects.get(pk=body["id"]).creator == creator


def test_defaults_fill_what_is_left_out(auth_client, creator):
    minimal = {"title": "Short", "platform": "youtube", "content_type": "short", "price": "99.99"}

    body = auth_client(creator).post(LIST, minimal).json()

    assert (body["quantity"], body["revisions"], body["duration_days"]) == (1, 1, None)
    assert body["currency"] == "USD" and body["description"] == ""


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", None),
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 121),
        ("platform", "myspace"),
        ("platform", None),
        ("content_type", "podcast"),
        ("content_type", "short"),  # not an Instagram format
        ("quantity", 0),
        ("quantity", 101),
        ("quantity", "many"),
        ("revisions", -1),
        ("revisions", 21),
        ("duration_days", 0),
        ("duration_days", 366),
        ("price", "0"),
        ("price", "0.00"),
        ("price", "-5"),
        ("price", "1000000.01"),
        ("price", "12.345"),
        ("price", "NaN"),
        ("price", "abc"),
        ("price", None),
        ("currency", "XYZ"),
        ("currency", "dollars"),
        ("description", "x" * 4001),
    ],
)
def test_invalid_input_is_refused_at_its_field(auth_client, creator, field, value):
    payload = {**VALID, field: value}
    if value is None:
        payload.pop(field)

    error = error_of(auth_client(creator).post(LIST, payload), 400)

    assert error["code"] == "validation_error" and field in error["details"]
    assert not Package.objects.exists()


@pytest.mark.parametrize(
    "field,value,stored",
    [
        ("quantity", 1, 1),
        ("quantity", 100, 100),
        ("revisions", 0, 0),
        ("revisions", 20, 20),
        ("duration_days", 1, 1),
        ("duration_days", 365, 365),
        ("duration_days", None, None),
        ("price", "0.01", Decimal("0.01")),
        ("price", "1000000.00", Decimal("1000000.00")),
        ("price", 42, Decimal("42.00")),
        ("currency", "inr", "INR"),
        ("title", "  Two   reels  ", "Two reels"),
    ],
)
def test_values_at_the_limits_are_accepted(auth_client, creator, field, value, stored):
    response = auth_client(creator).post(LIST, {**VALID, field: value})

    assert response.status_code == 201, response.content
    assert getattr(Package.objects.get(), field) == stored


def test_is_active_and_creator_cannot_be_sent(auth_client, creator, brand):
    body = auth_client(creator).post(LIST, {**VALID, "is_active": False, "creator_id": brand.pk}).json()

    assert body["is_active"] is True and body["creator_id"] == creator.pk


# --- Who may call what -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method,action", [("get", ""), ("patch", ""), ("delete", ""), ("post", "activate"), ("post", "deactivate")]
)
def test_anonymous_callers_get_401(api_client, method, action):
    package = PackageFactory()

    error = error_of(getattr(api_client, method)(detail(package.pk, action)), 401)

    assert error["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_cannot_list_or_create(api_client, method):
    assert error_of(getattr(api_client, method)(LIST, VALID), 401)["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["get", "post"])
def test_brands_cannot_have_packages(auth_client, brand, method):
    error = error_of(getattr(auth_client(brand), method)(LIST, VALID), 403)

    assert error["code"] == "permission_denied"
    assert not Package.objects.exists()


def test_a_brand_cannot_touch_a_package(auth_client, brand):
    package = PackageFactory()

    assert auth_client(brand).patch(detail(package.pk), {"title": "Mine"}).status_code == 403
    assert auth_client(brand).delete(detail(package.pk)).status_code == 403


@pytest.mark.parametrize(
    "method,action,body",
    [
        ("get", "", None),
        ("patch", "", {"title": "Mine now"}),
        ("patch", "", {"price": "-1"}),  # 404 before 400: nothing about the package leaks
        ("delete", "", None),
        ("post", "activate", None),
        ("post", "deactivate", None),
    ],
)
def test_another_creators_package_answers_404(auth_client, creator, method, action, body):
    package = PackageFactory(is_active=action != "activate")

    error = error_of(getattr(auth_client(creator), method)(detail(package.pk, action), body), 404)

    assert error["code"] == "not_found"
    stored = Package.objects.get(pk=package.pk)
    assert stored.title == package.title and stored.is_active == package.is_active


def test_a_missing_package_answers_404(auth_client, creator):
    assert error_of(auth_client(creator).get(detail(999_999)), 404)["code"] == "not_found"


# --- The owner's list and detail --------------------------------------------------------------------------------
def test_the_owner_sees_only_their_packages_active_first(auth_client, creator):
    inactive = PackageFactory(creator=creator, is_active=False, price=Decimal("10.00"))
    active = PackageFactory(creator=creator, price=Decimal("20.00"))
    PackageFactory()

    body = auth_client(creator).get(LIST).json()

    assert [row["id"] for row in body["results"]] == [active.pk, inactive.pk]
    assert (body["total"], body["limit"], body["offset"]) == (2, 20, 0)


def test_the_owner_list_pages_with_limit_and_offset(auth_client, creator):
    PackageFactory.create_batch(5, creator=creator)

    body = auth_client(creator).get(LIST, {"limit": 2, "offset": 4}).json()

    assert len(body["results"]) == 1 and body["total"] == 5


def test_the_owner_reads_an_inactive_package(auth_client, creator):
    package = PackageFactory(creator=creator, is_active=False)

    body = auth_client(creator).get(detail(package.pk)).json()

    assert body["id"] == package.pk and body["is_active"] is False


# --- Update -------------------------------------------------------------------------------------------------------
def test_patch_changes_only_what_is_sent(auth_client, creator):
    package = PackageFactory(creator=creator, revisions=2, duration_days=7)

    body = auth_client(creator).patch(detail(package.pk), {"price": "1200.50"}).json()

    assert body["price"] == "1200.50" and body["revisions"] == 2 and body["duration_days"] == 7


def test_patch_can_clear_the_duration(auth_client, creator):
    package = PackageFactory(creator=creator, duration_days=7)

    assert auth_client(creator).patch(detail(package.pk), {"duration_days": None}).json()["duration_days"] is None


def test_patch_checks_a_new_platform_against_the_stored_content_type(auth_client, creator):
    package = PackageFactory(creator=creator, platform="instagram", content_type="story")

    error = error_of(auth_client(creator).patch(detail(package.pk), {"platform": "youtube"}), 400)

    assert "content_type" in error["details"]
    assert Package.objects.get(pk=package.pk).platform == "instagram"


def test_patch_changes_platform_and_content_type_together(auth_client, creator):
    package = PackageFactory(creator=creator, platform="instagram", content_type="story")

    body = auth_client(creator).patch(detail(package.pk), {"platform": "youtube", "content_type": "short"}).json()

    assert (body["platform"], body["content_type"]) == ("youtube", "short")


@pytest.mark.parametrize("field,value", [("quantity", 0), ("revisions", 21), ("price", "0"), ("title", "")])
def test_patch_applies_the_same_rules(auth_client, creator, field, value):
    package = PackageFactory(creator=creator)

    error = error_of(auth_client(creator).patch(detail(package.pk), {field: value}), 400)

    assert field in error["details"]


def test_patch_ignores_is_active(auth_client, creator):
    package = PackageFactory(creator=creator)

    assert auth_client(creator).patch(detail(package.pk), {"is_active": False}).json()["is_active"] is True


# --- Deactivate, activate, delete ---------------------------------------------------------------------------------
def test_delete_deactivates_and_the_owner_still_reads_it(auth_client, api_client, creator):
    package = PackageFactory(creator=creator)
    client = auth_client(creator)

    response = client.delete(detail(package.pk))

    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get(detail(package.pk)).json()["is_active"] is False
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [package.pk]
    assert api_client.get(public(creator.pk)).json()["results"] == []


def test_deactivate_then_activate(auth_client, api_client, creator):
    package = PackageFactory(creator=creator)
    client = auth_client(creator)

    assert client.post(detail(package.pk, "deactivate")).json()["is_active"] is False
    assert api_client.get(public(creator.pk)).json()["total"] == 0
    assert client.post(detail(package.pk, "activate")).json()["is_active"] is True
    assert api_client.get(public(creator.pk)).json()["total"] == 1


# --- Public list --------------------------------------------------------------------------------------------------
def test_anyone_lists_a_public_creators_active_packages(api_client, creator):
    dear = PackageFactory(creator=creator, price=Decimal("900.00"))
    cheap = PackageFactory(creator=creator, price=Decimal("100.00"))
    PackageFactory(creator=creator, is_active=False)
    PackageFactory()

    body = api_client.get(public(creator.pk)).json()

    assert [row["id"] for row in body["results"]] == [cheap.pk, dear.pk] and body["total"] == 2


def test_a_brand_lists_a_creators_packages(auth_client, brand, creator):
    PackageFactory(creator=creator)

    assert auth_client(brand).get(public(creator.pk)).json()["total"] == 1


@pytest.mark.parametrize(
    "change", [{"profile_public": False}, {"status": User.Status.SUSPENDED}, {"user_type": User.UserType.BRAND}]
)
def test_a_private_inactive_or_non_creator_answers_404(api_client, creator, change):
    PackageFactory(creator=creator)
    User.objects.filter(pk=creator.pk).update(**change)

    assert error_of(api_client.get(public(creator.pk)), 404)["code"] == "not_found"


def test_a_brand_id_answers_404(api_client, brand):
    assert api_client.get(public(brand.pk)).status_code == 404


# --- Query counts: the same at 1 and at 25 rows -------------------------------------------------------------------
@pytest.mark.parametrize("rows", [1, 25])
def test_the_owner_list_query_count_does_not_grow(auth_client, creator, django_assert_num_queries, rows):
    PackageFactory.create_batch(rows, creator=creator)
    client = auth_client(creator)

    with django_assert_num_queries(2):  # count, page
        response = client.get(LIST, {"limit": 100})

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 25])
def test_the_public_list_query_count_does_not_grow(api_client, creator, django_assert_num_queries, rows):
    PackageFactory.create_batch(rows, creator=creator)

    with django_assert_num_queries(3):  # creator with profile, count, page
        response = api_client.get(public(creator.pk), {"limit": 100})

    assert len(response.json()["results"]) == rows


def test_a_content_type_that_does_not_suit_the_platform_is_reported_with_the_other_errors(auth_client, creator):
    response = auth_client(creator).post(LIST, {**VALID, "content_type": "short", "price": "0", "quantity": 0})

    details = error_of(response, 400)["details"]
    assert set(details) == {"content_type", "price", "quantity"}
    assert details["content_type"] == ["Instagram packages can be: reel, story, feed post, carousel, live stream."]


@pytest.mark.parametrize("body", [["a", "list"], "platform", 42])
def test_a_body_that_is_not_an_object_is_a_400(auth_client, creator, body):
    error = error_of(auth_client(creator).post(LIST, body, format="json"), 400)

    assert error["code"] == "validation_error"
