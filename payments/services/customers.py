"""Brands' customer records at the gateway and the cards saved on them.

Cards are saved on the provider's side (a SetupIntent confirmed by Stripe.js, or the sandbox's card page);
we keep only what to show (brand, last four, expiry) and learn of changes from events: setup_intent.succeeded,
payment_method.attached, payment_method.detached. The first card saved becomes the default.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from influmojo.errors import NotFound, PermissionDenied
from influmojo.permissions import Actor
from payments.gateways import Card, PaymentGateway, get_gateway
from payments.models import Customer, PaymentMethod

from .common import new_key


@dataclass(frozen=True)
class SetupInfo:
    """What the page or the app needs to save a card."""

    gateway: str
    setup_intent_id: str
    client_secret: str
    publishable_key: str
    confirm_url: str | None  # the sandbox's card page; None for Stripe


def _require_brand(actor: Actor):
    if actor.role != "brand" or actor.user is None:
        raise PermissionDenied("Only brands save cards.")
    return actor.user


def customer_for(user, *, gateway: PaymentGateway) -> Customer | None:
    """The user's customer at `gateway`, created there the first time (outside a transaction). None when the
    user's customer lives at another gateway (the setting changed): the payment then goes without one."""
    customer = Customer.objects.filter(user=user).first()
    if customer is not None:
        return customer if customer.gateway == gateway.name else None
    provider_id = gateway.create_customer(
        email=user.email, name=user.display_name, metadata={"user_id": user.pk},
        idempotency_key=f"customer-{user.pk}-{int(user.created_at.timestamp())}",
    )
    try:
        with transaction.atomic():
            return Customer.objects.create(user=user, gateway=gateway.name, provider_customer_id=provider_id)
    except IntegrityError:  # a concurrent request stored it first
        return Customer.objects.get(user=user)


def customer_ensure(*, actor: Actor) -> Customer:
    """The acting brand's customer at the configured gateway."""
    user = _require_brand(actor)
    gateway = get_gateway()
    customer = customer_for(user, gateway=gateway)
    if customer is None:
        customer = Customer.objects.get(user=user)  # kept at its own gateway, where its cards are
    return customer


def payment_method_setup(*, actor: Actor) -> SetupInfo:
    """A new SetupIntent on the brand's customer, for Stripe.js (client secret) or the sandbox's card page.
    Each call is a new card being added, so each has its own key."""
    customer = customer_ensure(actor=actor)
    gateway = get_gateway(customer.gateway)
    intent = gateway.create_setup_intent(customer_id=customer.provider_customer_id,
                                         metadata={"user_id": customer.user_id}, idempotency_key=new_key("setup"))
    return SetupInfo(gateway=gateway.name, setup_intent_id=intent.id, client_secret=intent.client_secret,
                     publishable_key=gateway.publishable_key,
                     confirm_url=gateway.setup_confirm_url(setup_intent_id=intent.id))


@transaction.atomic
def payment_method_save(*, gateway: str, card: Card) -> str:
    """A card the provider says is saved on a customer of ours: stored once (updated if seen again)."""
    # The customer row is locked so that two first cards saved at once do not both become the default.
    customer = Customer.objects.select_for_update().filter(provider_customer_id=card.customer_id,
                                                           gateway=gateway).first()
    if customer is None:
        return f"ignored: card {card.id} is on no customer of ours"
    has_default = PaymentMethod.objects.filter(user_id=customer.user_id, is_default=True).exists()
    method, created = PaymentMethod.objects.update_or_create(
        provider_method_id=card.id,
        defaults={"user_id": customer.user_id, "gateway": gateway, "card_brand": card.brand[:20],
                  "last4": card.last4[:4], "exp_month": card.exp_month, "exp_year": card.exp_year},
        create_defaults={"user_id": customer.user_id, "gateway": gateway, "card_brand": card.brand[:20],
                         "last4": card.last4[:4], "exp_month": card.exp_month, "exp_year": card.exp_year,
                         "is_default": not has_default},
    )
    return f"card {card.id} {'saved' if created else 'updated'}"


@transaction.atomic
def payment_method_forget(*, gateway: str, provider_method_id: str) -> str:
    """The provider says the card is no longer on the customer."""
    method = PaymentMethod.objects.select_for_update().filter(provider_method_id=provider_method_id,
                                                              gateway=gateway).first()
    if method is None:
        return f"ignored: unknown card {provider_method_id}"
    _delete(method)
    return f"card {provider_method_id} removed"


def _delete(method: PaymentMethod) -> None:
    user_id, was_default = method.user_id, method.is_default
    method.delete()
    if was_default:  # the newest remaining card takes over
        newest = PaymentMethod.objects.filter(user_id=user_id).order_by("-created_at", "-id").first()
        if newest is not None:
            newest.is_default = True
            newest.save(update_fields=["is_default", "updated_at"])


def payment_methods_sync(*, user_id: int) -> int:
    """Read the customer's cards back from the gateway and make ours match (after a setup_intent.succeeded
    whose card was not in the event). Outside a transaction: it calls the gateway. Returns how many remain."""
    customer = Customer.objects.filter(user_id=user_id).first()
    if customer is None:
        return 0
    cards = get_gateway(customer.gateway).list_payment_methods(customer.provider_customer_id)
    for card in cards:
        payment_method_save(gateway=customer.gateway,
                            card=Card(**{**card.__dict__, "customer_id": customer.provider_customer_id}))
    listed = {card.id for card in cards}
    for method in PaymentMethod.objects.filter(user_id=user_id).exclude(provider_method_id__in=listed):
        payment_method_forget(gateway=method.gateway, provider_method_id=method.provider_method_id)
    return len(listed)


def _owned(actor: Actor, payment_method_id: int, *, lock: bool = False) -> PaymentMethod:
    user = _require_brand(actor)
    queryset = PaymentMethod.objects.select_for_update() if lock else PaymentMethod.objects
    method = queryset.filter(pk=payment_method_id, user=user).first()
    if method is None:
        raise NotFound("Card not found.")
    return method


def payment_method_remove(*, actor: Actor, payment_method_id: int) -> None:
    """The brand removes a saved card: detached at the gateway first (outside a transaction), then forgotten."""
    method = _owned(actor, payment_method_id)
    get_gateway(method.gateway).detach_payment_method(method.provider_method_id,
                                                      idempotency_key=f"detach-{method.provider_method_id}")
    with transaction.atomic():
        method = PaymentMethod.objects.select_for_update().filter(pk=method.pk).first()
        if method is not None:  # the detached event may have got here first
            _delete(method)


@transaction.atomic
def payment_method_set_default(*, actor: Actor, payment_method_id: int) -> PaymentMethod:
    method = _owned(actor, payment_method_id, lock=True)
    PaymentMethod.objects.filter(user_id=method.user_id, is_default=True).exclude(pk=method.pk).update(is_default=False)
    if not method.is_default:
        method.is_default = True
        method.save(update_fields=["is_default", "updated_at"])
    return method
