"""Creators' connected accounts (Stripe Connect Express, or the sandbox's stand-in), where payouts go.

The account is created once per creator (an idempotency key derived from the user row, so two clicks at once
make one account); onboarding happens on the provider's pages. When the provider says the account can
receive payouts (account.updated, or the creator's return from onboarding), blocked payouts are queued.
"""

from django.conf import settings
from django.db import IntegrityError, transaction

from influmojo.errors import Conflict, PermissionDenied
from influmojo.permissions import Actor
from payments.gateways import AccountStatus, get_gateway
from payments.models import ConnectedAccount, Payout

from .payouts import payouts_unblock


def _require_creator(actor: Actor):
    if actor.role != "creator" or actor.user is None:
        raise PermissionDenied("Only creators have a payout account.")
    return actor.user


def _account_ensure(user) -> ConnectedAccount:
    account = ConnectedAccount.objects.filter(user=user).first()
    if account is not None:
        return account
    gateway = get_gateway()
    status = gateway.create_connected_account(
        email=user.email, country=settings.STRIPE_CONNECT_COUNTRY, metadata={"user_id": user.pk},
        idempotency_key=f"connected-account-{user.pk}-{int(user.created_at.timestamp())}",
    )
    try:
        with transaction.atomic():
            return ConnectedAccount.objects.create(
                user=user, gateway=gateway.name, provider_account_id=status.id,
                details_submitted=status.details_submitted, charges_enabled=status.charges_enabled,
                payouts_enabled=status.payouts_enabled, requirements_due=list(status.requirements_due),
            )
    except IntegrityError:  # a concurrent click stored the same account first
        return ConnectedAccount.objects.get(user=user)


def connected_account_onboarding_link(*, actor: Actor, return_url: str, refresh_url: str) -> str:
    """The provider's onboarding page for the acting creator (their account is created the first time).
    Outside a transaction: it calls the gateway. A link is single-use; ask again from `refresh_url`."""
    account = _account_ensure(_require_creator(actor))
    return get_gateway(account.gateway).create_account_link(account_id=account.provider_account_id,
                                                            return_url=return_url, refresh_url=refresh_url)


def connected_account_refresh(*, actor: Actor) -> ConnectedAccount | None:
    """The creator is back from onboarding: read their account's status from the provider and apply it."""
    user = _require_creator(actor)
    account = ConnectedAccount.objects.filter(user=user).first()
    if account is None:
        return None
    status = get_gateway(account.gateway).retrieve_connected_account(account.provider_account_id)
    connected_account_apply_status(gateway=account.gateway, status=status)
    account.refresh_from_db()
    return account


@transaction.atomic
def connected_account_apply_status(*, gateway: str, status: AccountStatus) -> str:
    """The provider's word on an account (an event or a refresh). Unknown accounts are ignored."""
    account = ConnectedAccount.objects.select_for_update().filter(provider_account_id=status.id,
                                                                  gateway=gateway).first()
    if account is None:
        return f"ignored: unknown account {status.id}"
    account.details_submitted, account.charges_enabled = status.details_submitted, status.charges_enabled
    account.payouts_enabled, account.requirements_due = status.payouts_enabled, list(status.requirements_due)
    account.save(update_fields=["details_submitted", "charges_enabled", "payouts_enabled", "requirements_due",
                                "updated_at"])
    if not account.can_receive_payouts:
        return f"account {status.id} updated: payouts not enabled yet"
    queued = payouts_unblock(user_id=account.user_id)
    return f"account {status.id} can receive payouts" + (f": {len(queued)} payout(s) queued" if queued else "")


def payouts_release(*, actor: Actor) -> list[Payout]:
    """The creator asks for their blocked payouts: their account's status is read again from the provider
    (outside a transaction) and, once it can receive payouts, every blocked payout is queued. Until then a
    Conflict (409) says what is missing and what to do."""
    from payments.selectors.earnings import blocked_reason

    user = _require_creator(actor)
    blocked = list(Payout.objects.filter(creator=user, status=Payout.Status.BLOCKED).values_list("pk", flat=True))
    account = connected_account_refresh(actor=actor)
    if account is None:
        raise Conflict(blocked_reason(None), code="payouts_not_set_up",
                       details={"onboarding": "POST /api/v1/payments/connect/onboarding"})
    if not account.can_receive_payouts:
        raise Conflict(blocked_reason(account), code="onboarding_incomplete",
                       details={"onboarding": "POST /api/v1/payments/connect/onboarding",
                                "requirements_due": list(account.requirements_due)})
    payouts_unblock(user_id=user.pk)  # the refresh has queued them already, unless they were blocked meanwhile
    return list(Payout.objects.filter(pk__in=blocked).select_related("order").order_by("-created_at", "-id"))
