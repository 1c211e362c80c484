"""Creators' payout accounts (Connect Express) and brands' customers with saved cards."""

import json

import pytest
from responses import matchers

from accounts.tests.factories import BrandUserFactory
from influmojo.errors import NotFound, PermissionDenied
from influmojo.permissions import Actor
from payments import services
from payments.gateways.stripe import StripeGateway
from payments.models import ConnectedAccount, Customer, PaymentMethod, Payout
from payments.tests.conftest import STRIPE, form, recorded, signed
from payments.tests.factories import CustomerFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db
ACCOUNT, CUSTOMER = "acct_1QxJz3PqRs7TuVwX", "cus_RkL2p9QmZs81Xa"


def stripe_event(name, **object_changes):
    payload = recorded(name)
    payload["data"]["object"].update(object_changes)
    body = json.dumps(payload).encode()
    return StripeGateway().parse_webhook(body, signed(body))


# --- Connect --------------------------------------------------------------------------------------------------
def test_onboarding_creates_the_express_account_once_and_links_to_stripe(creator, stripe_api):
    key = f"connected-account-{creator.pk}-{int(creator.created_at.timestamp())}"
    stripe_api.post(f"{STRIPE}/v1/accounts", json=recorded("account_created.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": key})])
    stripe_api.post(f"{STRIPE}/v1/account_links", json=recorded("account_link.json"))
    stripe_api.post(f"{STRIPE}/v1/account_links", json=recorded("account_link.json"))
    actor = Actor.of(creator)

    first = services.connected_account_onboarding_link(actor=actor, return_url="https://app.test/earnings",
                                                        refresh_url="https://app.test/earnings/connect")
    second = services.connected_account_onboarding_link(actor=actor, return_url="https://app.test/earnings",
                                                         refresh_url="https://app.test/earnings/connect")

    assert first == second == recorded("account_link.json")["url"]
    assert [call.request.url.split("?")[0] for call in stripe_api.calls] == [
        f"{STRIPE}/v1/accounts", f"{STRIPE}/v1/account_links", f"{STRIPE}/v1/account_links"]
    assert form(stripe_api.calls[0])["email"] == creator.email
    assert form(stripe_api.calls[1])["account"] == ACCOUNT
    account = ConnectedAccount.objects.get(user=creator)
    assert (account.gateway, account.provider_account_id, account.can_receive_payouts) == ("stripe", ACCOUNT, False)
    assert account.requirements_due == ["business_profile.url", "external_account", "tos_acceptance.date"]


def test_onboarding_is_for_creators(brand):
    with pytest.raises(PermissionDenied):
        services.connected_account_onboarding_link(actor=Actor.of(brand), return_url="/", refresh_url="/")


def test_sandbox_onboarding_is_its_own_page(creator):
    url = services.connected_account_onboarding_link(actor=Actor.of(creator), return_url="/earnings/",
                                                      refresh_url="/earnings/connect/")

    assert url == (f"/payments/sandbox/connect/acct_sandbox_{creator.pk}/"
                   "?return_url=%2Fearnings%2F&refresh_url=%2Fearnings%2Fconnect%2F")


def test_the_return_from_onboarding_reads_the_account_and_releases_blocked_payouts(money, brand, creator, books):
    order = money.paid_order(brand=brand, creator=creator)
    money.settle(order)
    assert Payout.objects.get().status == "blocked"
    ConnectedAccount.objects.create(user=creator, gateway="sandbox", provider_account_id=f"acct_sandbox_{creator.pk}")
    ConnectedAccount.objects.filter(user=creator).update(details_submitted=True, payouts_enabled=True)

    with money.commit():
        account = services.connected_account_refresh(actor=Actor.of(creator))

    assert account.can_receive_payouts and Payout.objects.get().status == "paid"
    books()


def test_account_updated_from_stripe_applies_the_status(creator, money, stripe_settings):
    ConnectedAccount.objects.create(user=creator, gateway="stripe", provider_account_id=ACCOUNT)

    record, _ = money.deliver(stripe_event("event_account_updated.json"), gateway="stripe")
    again, first = money.deliver(stripe_event("event_account_updated.json"), gateway="stripe")

    assert record.outcome == f"account {ACCOUNT} can receive payouts" and not first
    assert ConnectedAccount.objects.get().can_receive_payouts


def test_an_unknown_account_is_ignored(money, stripe_settings):
    record, _ = money.deliver(stripe_event("event_account_updated.json"), gateway="stripe")

    assert record.outcome == f"ignored: unknown account {ACCOUNT}"


def test_refresh_with_stripe_retrieves_the_account(creator, stripe_api):
    ConnectedAccount.objects.create(user=creator, gateway="stripe", provider_account_id=ACCOUNT)
    stripe_api.get(f"{STRIPE}/v1/accounts/{ACCOUNT}", json=recorded("account_complete.json"))

    assert services.connected_account_refresh(actor=Actor.of(creator)).can_receive_payouts


# --- Customers and saved cards -------------------------------------------------------------------------------
def test_a_card_is_set_up_on_the_brands_customer(brand, stripe_api):
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("customer.json"))
    stripe_api.post(f"{STRIPE}/v1/setup_intents", json=recorded("setup_intent.json"))
    stripe_api.post(f"{STRIPE}/v1/setup_intents", json=recorded("setup_intent.json"))

    first = services.payment_method_setup(actor=Actor.of(brand))
    services.payment_method_setup(actor=Actor.of(brand))

    assert (first.gateway, first.client_secret, first.confirm_url) == (
        "stripe", recorded("setup_intent.json")["client_secret"], None)
    assert Customer.objects.get(user=brand).provider_customer_id == CUSTOMER
    keys = [call.request.headers["Idempotency-Key"] for call in stripe_api.calls[1:]]
    assert len(set(keys)) == 2 and all(key.startswith("setup-") for key in keys)  # each is a new card
    assert form(stripe_api.calls[1])["customer"] == CUSTOMER


def test_cards_are_for_brands(creator):
    with pytest.raises(PermissionDenied):
        services.payment_method_setup(actor=Actor.of(creator))


def test_a_succeeded_setup_syncs_the_customers_cards(brand, money, stripe_api):
    Customer.objects.create(user=brand, gateway="stripe", provider_customer_id=CUSTOMER)
    stripe_api.get(f"{STRIPE}/v1/payment_methods", json=recorded("payment_methods.json"))
    setup = stripe_event("event_payment_method_attached.json")
    setup = type(setup)(id="evt_seti_ok", type="setup_intent.succeeded", payload=setup.payload,
                        object={**recorded("setup_intent.json"), "status": "succeeded",
                                "payment_method": "pm_1QxKt4LkdIwHu7ixVisa4242"})

    record, _ = money.deliver(setup, gateway="stripe")

    assert record.outcome == f"cards of user {brand.pk} queued for sync"
    assert list(PaymentMethod.objects.order_by("provider_method_id").values_list("last4", "is_default")) == [
        ("4242", True), ("4444", False)]


def test_attached_and_detached_events_keep_the_cards_in_step(brand, money, stripe_settings):
    Customer.objects.create(user=brand, gateway="stripe", provider_customer_id=CUSTOMER)
    PaymentMethodFactory(user=brand, gateway="stripe", provider_method_id="pm_old", is_default=False)

    money.deliver(stripe_event("event_payment_method_attached.json"), gateway="stripe")
    money.deliver(stripe_event("event_payment_method_attached.json"), gateway="stripe")
    method = PaymentMethod.objects.get(provider_method_id="pm_1QxKt4LkdIwHu7ixVisa4242")
    assert (str(method), method.is_default, method.exp_year) == ("Visa •••• 4242", True, 2031)
    assert PaymentMethod.objects.count() == 2

    detached = stripe_event("event_payment_method_attached.json", customer=None)
    detached = type(detached)(id="evt_detached", type="payment_method.detached", payload=detached.payload,
                              object=detached.object)
    money.deliver(detached, gateway="stripe")

    assert list(PaymentMethod.objects.values_list("provider_method_id", "is_default")) == [("pm_old", True)]


def test_a_card_for_no_customer_of_ours_is_ignored(money, stripe_settings):
    record, _ = money.deliver(stripe_event("event_payment_method_attached.json"), gateway="stripe")

    assert record.outcome.startswith("ignored:") and not PaymentMethod.objects.exists()


def test_remove_detaches_at_stripe_then_forgets(brand, stripe_api):
    Customer.objects.create(user=brand, gateway="stripe", provider_customer_id=CUSTOMER)
    method = PaymentMethodFactory(user=brand, gateway="stripe", provider_method_id="pm_1QxKt4LkdIwHu7ixVisa4242",
                                  is_default=True)
    other = PaymentMethodFactory(user=brand, gateway="stripe", provider_method_id="pm_other")
    stripe_api.post(f"{STRIPE}/v1/payment_methods/pm_1QxKt4LkdIwHu7ixVisa4242/detach",
                    json=recorded("payment_method_detached.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "detach-pm_1QxKt4LkdIwHu7ixVisa4242"})])

    services.payment_method_remove(actor=Actor.of(brand), payment_method_id=method.pk)

    assert list(PaymentMethod.objects.values_list("pk", "is_default")) == [(other.pk, True)]


def test_someone_elses_card_is_404(brand):
    method = PaymentMethodFactory(user=BrandUserFactory())

    with pytest.raises(NotFound):
        services.payment_method_remove(actor=Actor.of(brand), payment_method_id=method.pk)
    with pytest.raises(NotFound):
        services.payment_method_set_default(actor=Actor.of(brand), payment_method_id=method.pk)
    assert PaymentMethod.objects.filter(pk=method.pk).exists()


def test_one_default_card(brand):
    CustomerFactory(user=brand)
    first = PaymentMethodFactory(user=brand, is_default=True)
    second = PaymentMethodFactory(user=brand)

    services.payment_method_set_default(actor=Actor.of(brand), payment_method_id=second.pk)

    assert list(PaymentMethod.objects.values_list("pk", "is_default")) == [(second.pk, True), (first.pk, False)]
