"""creators.services.packages and creators.selectors.packages: rules, ownership, the orderable guard."""

from decimal import Decimal

import pytest

from accounts.models import User
from creators.models import ContentType, Package, Platform
from creators.selectors import packages as selectors
from creators.services import packages as services
from creators.tests.factories import PackageFactory
from influmojo.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from influmojo.permissions import Actor

pytestmark = pytest.mark.django_db

DATA = {
    "title": "1 reel with product demo",
    "platform": "instagram",
    "content_type": "reel",
    "quantity": 1,
    "revisions": 2,
    "duration_days": 7,
    "price": Decimal("800.00"),
    "currency": "USD",
    "description": "Usage rights for 30 days.",
}


# --- The platform / content type table -------------------------------------------------------------------
EXPECTED = {
    "instagram": {"reel", "story", "feed_post", "carousel", "live"},
    "youtube": {"video", "short", "live"},
    "tiktok": {"video", "live"},
    "facebook": {"post", "video", "story", "reel", "live"},
    "twitter": {"post", "video"},
}


@pytest.mark.parametrize("platform", Platform.values)
@pytest.mark.parametrize("content_type", ContentType.values)
def test_content_type_must_suit_the_platform(creator, platform, content_type):
    data = {**DATA, "platform": platform, "content_type": content_type}

    if content_type in EXPECTED[platform]:
        package = services.package_create(actor=Actor.of(creator), data=data)
        assert (package.platform, package.content_type) == (platform, content_type)
    else:
        with pytest.raises(ApplicationError) as refused:
            services.package_create(actor=Actor.of(creator), data=data)
        assert refused.value.code == "invalid_content_type" and refused.value.status == 400
        assert refused.value.details["content_type"]
        assert not Package.objects.exists()


def test_every_platform_has_content_types():
    assert set(services.PLATFORM_CONTENT_TYPES) == set(Platform.values)


# --- Create ----------------------------------------------------------------------------------------------
def test_a_creator_creates_an_active_package_of_their_own(creator):
    package = services.package_create(actor=Actor.of(creator), data=DATA)

    package.refresh_from_db()
    assert package.creator == creator and package.is_active
    assert package.title == DATA["title"] and package.price == Decimal("800.00") and package.duration_days == 7


@pytest.mark.parametrize("role_user", ["brand", "agent"])
def test_only_creators_create_packages(request, role_user):
    someone = request.getfixturevalue(role_user)

    with pytest.raises(PermissionDenied):
        services.package_create(actor=Actor.of(someone), data=DATA)

    assert not Package.objects.exists()


def test_the_system_cannot_create_a_package_for_nobody():
    with pytest.raises(PermissionDenied):
        services.package_create(actor=Actor.system(), data=DATA)


# --- Update ----------------------------------------------------------------------------------------------
def test_the_owner_changes_some_fields_and_the_rest_stay(creator):
    package = PackageFactory(creator=creator, price=Decimal("500.00"), revisions=2)

    services.package_update(package_id=package.pk, actor=Actor.of(creator), data={"price": Decimal("650.50")})

    package.refresh_from_db()
    assert package.price == Decimal("650.50") and package.revisions == 2


def test_an_update_cannot_set_is_active_or_the_creator(creator):
    other = User.objects.create_user("other@example.com", user_type=User.UserType.CREATOR)
    package = PackageFactory(creator=creator)

    services.package_update(
        package_id=package.pk, actor=Actor.of(creator), data={"is_active": False, "creator": other, "title": "New"}
    )

    package.refresh_from_db()
    assert package.is_active and package.creator == creator and package.title == "New"


def test_changing_the_platform_alone_is_checked_against_the_stored_content_type(creator):
    package = PackageFactory(creator=creator, platform="instagram", content_type="carousel")

    with pytest.raises(ApplicationError) as refused:
        services.package_update(package_id=package.pk, actor=Actor.of(creator), data={"platform": "youtube"})

    assert refused.value.code == "invalid_content_type"
    package.refresh_from_db()
    assert package.platform == "instagram"


def test_another_creators_package_is_not_found(creator):
    package = PackageFactory()

    for call in (
        lambda: services.package_update(package_id=package.pk, actor=Actor.of(creator), data={"title": "Mine"}),
        lambda: services.package_deactivate(package_id=package.pk, actor=Actor.of(creator)),
        lambda: services.package_activate(package_id=package.pk, actor=Actor.of(creator)),
        lambda: services.package_delete(package_id=package.pk, actor=Actor.of(creator)),
    ):
        with pytest.raises(NotFound):
            call()

    package.refresh_from_db()
    assert package.is_active and package.title != "Mine"


def test_a_brand_cannot_update_a_package(brand):
    package = PackageFactory()

    with pytest.raises(PermissionDenied):
        services.package_update(package_id=package.pk, actor=Actor.of(brand), data={"title": "x"})


# --- Activate, deactivate, delete ------------------------------------------------------------------------
def test_deactivate_and_activate_are_idempotent(creator):
    package = PackageFactory(creator=creator)
    actor = Actor.of(creator)

    assert services.package_deactivate(package_id=package.pk, actor=actor).is_active is False
    assert services.package_deactivate(package_id=package.pk, actor=actor).is_active is False
    assert services.package_activate(package_id=package.pk, actor=actor).is_active is True
    assert services.package_activate(package_id=package.pk, actor=actor).is_active is True


def test_delete_is_soft_the_package_stays_readable_by_its_owner(creator):
    package = PackageFactory(creator=creator)

    services.package_delete(package_id=package.pk, actor=Actor.of(creator))

    stored = selectors.package_get_for_owner(package_id=package.pk, actor=Actor.of(creator))
    assert stored.is_active is False
    assert list(selectors.package_list_public(creator_id=creator.pk)) == []


# --- Selectors -------------------------------------------------------------------------------------------
def test_the_owner_lists_active_packages_first_then_by_price(creator):
    cheap_inactive = PackageFactory(creator=creator, price=Decimal("10.00"), is_active=False)
    dear = PackageFactory(creator=creator, price=Decimal("900.00"))
    cheap = PackageFactory(creator=creator, price=Decimal("100.00"))
    PackageFactory()  # someone else's

    assert list(selectors.package_list_for_owner(actor=Actor.of(creator))) == [cheap, dear, cheap_inactive]


def test_a_brand_has_no_packages_to_list(brand):
    with pytest.raises(PermissionDenied):
        selectors.package_list_for_owner(actor=Actor.of(brand))


@pytest.mark.parametrize(
    "change",
    [
        {"profile_public": False},
        {"status": User.Status.SUSPENDED},
        {"status": User.Status.BANNED},
        {"status": User.Status.PENDING},
        {"user_type": User.UserType.BRAND},
    ],
)
def test_public_packages_need_a_public_active_creator(creator, change):
    PackageFactory(creator=creator)
    User.objects.filter(pk=creator.pk).update(**change)

    with pytest.raises(NotFound):
        selectors.package_list_public(creator_id=creator.pk)


def test_public_packages_are_the_active_ones_cheapest_first(creator):
    dear = PackageFactory(creator=creator, price=Decimal("900.00"))
    cheap = PackageFactory(creator=creator, price=Decimal("100.00"))
    PackageFactory(creator=creator, is_active=False)

    assert list(selectors.package_list_public(creator_id=creator.pk)) == [cheap, dear]


# --- The guard for orders ----------------------------------------------------------------------------------
def test_an_active_package_of_a_public_creator_can_be_ordered(creator):
    package = PackageFactory(creator=creator)

    assert selectors.package_get_orderable(package_id=package.pk) == package
    assert selectors.package_get_orderable(package_id=package.pk, lock=True) == package


def test_an_inactive_package_cannot_be_ordered(creator):
    package = PackageFactory(creator=creator, is_active=False)

    with pytest.raises(Conflict) as refused:
        selectors.package_get_orderable(package_id=package.pk)

    assert refused.value.status == 409 and refused.value.code == "package_inactive"


def test_a_missing_package_or_a_hidden_creator_cannot_be_ordered(creator):
    package = PackageFactory(creator=creator)
    User.objects.filter(pk=creator.pk).update(status=User.Status.SUSPENDED)

    for package_id in (package.pk, package.pk + 1000):
        with pytest.raises(NotFound):
            selectors.package_get_orderable(package_id=package_id)
