"""Reads of packages, scoped to who asks: the owner sees all of theirs, everyone else the active ones
of a public creator."""

from django.db.models import QuerySet

from accounts.models import User
from influmojo.errors import Conflict, NotFound, PermissionDenied
from influmojo.permissions import Actor

from ..models import Package


def creator_get_public(*, creator_id: int) -> User:
    """A creator anyone may look at: a creator account that is active and has a public profile.

    Anything else (no such user, a brand, a private, pending, suspended or banned creator) is 404,
    so a private profile cannot be told apart from a missing one. The profile comes along (one query).
    """
    creator = (
        User.objects.select_related("creator_profile")
        .filter(
            pk=creator_id,
            user_type=User.UserType.CREATOR,
            status=User.Status.ACTIVE,
            profile_public=True,
            creator_profile__isnull=False,
        )
        .first()
    )
    if creator is None:
        raise NotFound("Creator not found.")
    return creator


def package_list_for_owner(*, actor: Actor) -> QuerySet[Package]:
    """All of the acting creator's packages, active ones first, then by price."""
    if actor.role != User.UserType.CREATOR:
        raise PermissionDenied("Only creators have packages.")
    return Package.objects.filter(creator=actor.user).order_by("-is_active", "price", "id")


def package_get_for_owner(*, package_id: int, actor: Actor) -> Package:
    """The acting creator's package, active or not; someone else's is 404."""
    package = package_list_for_owner(actor=actor).filter(pk=package_id).first()
    if package is None:
        raise NotFound("Package not found.")
    return package


def package_list_public(*, creator_id: int) -> QuerySet[Package]:
    """The active packages of a public creator, cheapest first; 404 if the creator is not public."""
    creator = creator_get_public(creator_id=creator_id)
    return Package.objects.filter(creator=creator, is_active=True).order_by("price", "id")


def package_get_orderable(*, package_id: int, lock: bool = False) -> Package:
    """The package a brand is about to buy, with its creator; for the orders code.

    404 if there is no such package or its creator is not public; 409 `package_inactive` if the
    creator has taken it off sale (past orders still read it through their own relation).
    `lock=True` (inside the order's transaction) makes a concurrent deactivation wait for the order.
    """
    packages = Package.objects.select_related("creator")
    if lock:
        packages = packages.select_for_update(of=("self",))
    package = packages.filter(pk=package_id).first()
    if package is None:
        raise NotFound("Package not found.")
    creator = package.creator
    if not (creator.user_type == User.UserType.CREATOR and creator.status == User.Status.ACTIVE
            and creator.profile_public):
        raise NotFound("Package not found.")
    if not package.is_active:
        raise Conflict("This package is no longer offered.", code="package_inactive")
    return package
