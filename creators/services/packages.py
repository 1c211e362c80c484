"""Every write to a creator's packages. Only the owner changes a package; anyone else gets 404.

A package is never removed: orders (once they exist) point at the package they bought, so
`package_delete` retires it by deactivating it. Inactive packages are not for sale
(`creators.selectors.packages.package_get_orderable`) but stay readable by their owner.
"""

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from brands.services.cards import card_refresh_later
from influmojo.errors import ApplicationError, NotFound, PermissionDenied
from influmojo.permissions import Actor

from ..models import ContentType, Package, Platform

# Which content types each platform has: the one table the API, the pages and the services check.
PLATFORM_CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    Platform.INSTAGRAM: (ContentType.REEL, ContentType.STORY, ContentType.FEED_POST, ContentType.CAROUSEL,
                         ContentType.LIVE),
    Platform.YOUTUBE: (ContentType.VIDEO, ContentType.SHORT, ContentType.LIVE),
    Platform.TIKTOK: (ContentType.VIDEO, ContentType.LIVE),
    Platform.FACEBOOK: (ContentType.POST, ContentType.VIDEO, ContentType.STORY, ContentType.REEL, ContentType.LIVE),
    Platform.TWITTER: (ContentType.POST, ContentType.VIDEO),
}

QUANTITY_RANGE = (1, 100)
REVISIONS_RANGE = (0, 20)
DURATION_DAYS_RANGE = (1, 365)
PRICE_RANGE = (Decimal("0.01"), Decimal("1000000.00"))

# Fields the owner writes; is_active changes only through package_activate / package_deactivate.
EDITABLE_FIELDS = (
    "title", "platform", "content_type", "quantity", "revisions", "duration_days", "price", "currency",
    "description",
)


def content_type_error(platform: str, content_type: str) -> str | None:
    """Why `content_type` cannot be sold on `platform`, or None when it can."""
    allowed = PLATFORM_CONTENT_TYPES.get(platform)
    if allowed is None or content_type in allowed:
        return None
    names = ", ".join(ContentType(value).label.lower() for value in allowed)
    return f"{Platform(platform).label} packages can be: {names}."


def _check_content_type(package: Package) -> None:
    message = content_type_error(package.platform, package.content_type)
    if message:
        raise ApplicationError(message, code="invalid_content_type", details={"content_type": [message]})


def _require_creator(actor: Actor) -> None:
    if actor.role != User.UserType.CREATOR or actor.user is None:
        raise PermissionDenied("Only creators sell packages.")


def _owned_for_update(*, package_id: int, actor: Actor) -> Package:
    """The actor's package, locked; someone else's package is as absent as a missing one."""
    _require_creator(actor)
    package = Package.objects.select_for_update().filter(pk=package_id, creator=actor.user).first()
    if package is None:
        raise NotFound("Package not found.")
    return package


@transaction.atomic
def package_create(*, actor: Actor, data: dict) -> Package:
    """A new, active package of the acting creator; `data` comes validated from PackageSerializer."""
    _require_creator(actor)
    package = Package(creator=actor.user, **{name: data[name] for name in EDITABLE_FIELDS if name in data})
    _check_content_type(package)
    package.save()
    card_refresh_later(package.creator_id)
    return package


@transaction.atomic
def package_update(*, package_id: int, actor: Actor, data: dict) -> Package:
    """Changes the fields in `data` (a partial update leaves the others as they are)."""
    package = _owned_for_update(package_id=package_id, actor=actor)
    changed = [name for name in EDITABLE_FIELDS if name in data and getattr(package, name) != data[name]]
    for name in changed:
        setattr(package, name, data[name])
    # The serializer checked against the stored row; this checks the locked one (two concurrent PATCHes).
    _check_content_type(package)
    if changed:
        package.save(update_fields=[*changed, "updated_at"])
        card_refresh_later(package.creator_id)
    return package


def _set_active(*, package_id: int, actor: Actor, active: bool) -> Package:
    package = _owned_for_update(package_id=package_id, actor=actor)
    if package.is_active != active:
        package.is_active = active
        package.save(update_fields=["is_active", "updated_at"])
        card_refresh_later(package.creator_id)
    return package


@transaction.atomic
def package_deactivate(*, package_id: int, actor: Actor) -> Package:
    """Takes the package off sale; idempotent. Its owner still sees it and past orders still show it."""
    return _set_active(package_id=package_id, actor=actor, active=False)


@transaction.atomic
def package_activate(*, package_id: int, actor: Actor) -> Package:
    """Puts the package on sale again; idempotent."""
    return _set_active(package_id=package_id, actor=actor, active=True)


@transaction.atomic
def package_delete(*, package_id: int, actor: Actor) -> Package:
    """Retires the package: a soft delete that deactivates it, so orders that bought it keep their package."""
    return _set_active(package_id=package_id, actor=actor, active=False)
