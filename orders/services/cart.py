"""A brand's cart: package lines (with a quantity, packages of several creators) and accepted custom offers.

Only brands have a cart. A package must be orderable (creators.selectors.packages.package_get_orderable:
its creator public and active, the package on sale) when it is added and again at checkout. Adding a package
that is already in the cart adds to that line's quantity (one line per package, 1–10). An offer's line is
created by offers.offer_accept and has quantity 1; removing it puts the offer back to pending.
"""

from django.db import IntegrityError, transaction

from creators.selectors.packages import package_get_orderable
from influmojo.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from influmojo.permissions import Actor

from ..models import CartItem, CustomOffer
from .offers import offer_transition

QUANTITY_RANGE = (1, 10)  # as the cart_item_quantity_range constraint


def require_brand(actor: Actor) -> None:
    if actor.role != "brand" or actor.user is None:
        raise PermissionDenied("Only brands buy packages.")


def _check_quantity(quantity) -> int:
    low, high = QUANTITY_RANGE
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not low <= quantity <= high:
        message = f"Buy from {low} to {high} of a package."
        raise ApplicationError(message, code="invalid_quantity", details={"quantity": [message]})
    return quantity


def _locked_item(*, item_id: int, actor: Actor) -> CartItem:
    require_brand(actor)
    item = CartItem.objects.select_for_update().filter(pk=item_id, brand=actor.user).first()
    if item is None:
        raise NotFound("Cart item not found.")
    return item


@transaction.atomic
def cart_add_package(*, actor: Actor, package_id: int, quantity: int = 1) -> CartItem:
    """Puts `quantity` of a package in the brand's cart (adding to its line if it is there already)."""
    require_brand(actor)
    _check_quantity(quantity)
    package = package_get_orderable(package_id=package_id)
    if package.creator_id == actor.user.pk:
        raise Conflict("You cannot buy your own package.", code="own_package")
    item = CartItem.objects.select_for_update().filter(brand=actor.user, package=package).first()
    if item is None:
        try:
            with transaction.atomic():
                return CartItem.objects.create(brand=actor.user, package=package, quantity=quantity)
        except IntegrityError:  # the same package added twice at once: the other request made the line
            item = CartItem.objects.select_for_update().get(brand=actor.user, package=package)
    total = item.quantity + quantity
    if total > QUANTITY_RANGE[1]:
        message = f"At most {QUANTITY_RANGE[1]} of one package per order (you have {item.quantity} in the cart)."
        raise ApplicationError(message, code="invalid_quantity", details={"quantity": [message]})
    item.quantity = total
    item.save(update_fields=["quantity", "updated_at"])
    return item


@transaction.atomic
def cart_item_update(*, item_id: int, actor: Actor, quantity: int) -> CartItem:
    """Sets a package line's quantity (1–10). A custom offer is bought once, as offered."""
    item = _locked_item(item_id=item_id, actor=actor)
    _check_quantity(quantity)
    if item.offer_id is not None:
        raise Conflict("A custom offer is bought as offered; its quantity cannot change.", code="offer_quantity_fixed")
    if item.quantity != quantity:
        item.quantity = quantity
        item.save(update_fields=["quantity", "updated_at"])
    return item


@transaction.atomic
def cart_item_remove(*, item_id: int, actor: Actor) -> None:
    """Takes a line out of the cart; an offer's line puts the offer back to pending (the brand can accept it
    again until it expires)."""
    item = _locked_item(item_id=item_id, actor=actor)
    if item.offer_id is not None:
        offer = CustomOffer.objects.select_for_update().get(pk=item.offer_id)
        item.delete()
        offer_transition(offer=offer, to=CustomOffer.Status.PENDING, actor=actor)
        return
    item.delete()
