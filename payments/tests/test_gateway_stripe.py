"""The Stripe gateway against recorded Stripe answers: the real `stripe` library builds each request, and the
test asserts its method, URL, form body and Idempotency-Key; Stripe's errors become ours."""

import pytest
import requests
from responses import matchers

from payments.gateways import CardDeclined, GatewayError, GatewayRefused, GatewayUnavailable, SignatureInvalid
from payments.gateways.stripe import StripeGateway
from payments.tests.conftest import STRIPE, WEBHOOK_SECRET, form, recorded, signed

PI = "pi_3QxKp2LkdIwHu7ix0Zt8aB1c"
ACCOUNT = "acct_1QxJz3PqRs7TuVwX"


@pytest.fixture
def gateway(stripe_settings):
    return StripeGateway()


def test_payment_intent_is_created_in_minor_units_with_our_key(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/payment_intents", json=recorded("payment_intent.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "payment-7f3c",
                                                    "Authorization": "Bearer sk_test_51Influmojo000000000000000000"})])

    intent = gateway.create_payment_intent(amount_minor=125000, currency="USD", customer_id="cus_RkL2p9QmZs81Xa",
                                           transfer_group="payment-1", metadata={"payment_id": 1},
                                           description="Influmojo IM-T0000001, IM-T0000002",
                                           idempotency_key="payment-7f3c")

    assert form(stripe_api.calls[0]) == {
        "amount": "125000", "currency": "usd", "automatic_payment_methods[enabled]": "true",
        "transfer_group": "payment-1", "metadata[payment_id]": "1", "customer": "cus_RkL2p9QmZs81Xa",
        "description": "Influmojo IM-T0000001, IM-T0000002",
    }
    assert intent.id == PI and intent.amount_minor == 125000 and intent.currency == "USD"
    assert intent.client_secret.startswith(f"{PI}_secret_") and intent.status == "requires_payment_method"


def test_payment_intent_without_customer_sends_none(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/payment_intents", json=recorded("payment_intent.json"))

    gateway.create_payment_intent(amount_minor=100, currency="EUR", customer_id="", transfer_group="payment-2",
                                  metadata={"payment_id": 2}, description="x", idempotency_key="payment-k")

    assert "customer" not in form(stripe_api.calls[0]) and form(stripe_api.calls[0])["currency"] == "eur"


def test_cancel_and_retrieve(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/payment_intents/{PI}/cancel", json=recorded("payment_intent_canceled.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "payment-7f3c-cancel"})])
    stripe_api.get(f"{STRIPE}/v1/payment_intents/{PI}", json=recorded("payment_intent.json"))

    assert gateway.cancel_payment_intent(PI, idempotency_key="payment-7f3c-cancel").status == "canceled"
    assert gateway.retrieve_payment_intent(PI).status == "requires_payment_method"
    assert stripe_api.calls[1].request.method == "GET"


def test_refund_names_the_intent_and_amount(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/refunds", json=recorded("refund_succeeded.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "refund-abc"})])

    refund = gateway.create_refund(intent_id=PI, amount_minor=50000, idempotency_key="refund-abc",
                                   metadata={"refund_id": 1, "payment_id": 1, "order_id": 1})

    assert form(stripe_api.calls[0]) == {
        "payment_intent": PI, "amount": "50000", "reason": "requested_by_customer", "metadata[refund_id]": "1",
        "metadata[payment_id]": "1", "metadata[order_id]": "1",
    }
    assert (refund.id, refund.status) == ("re_3QxKp2LkdIwHu7ix1aB2cD3e", "succeeded")


def test_transfer_is_funded_by_the_charge_and_grouped_by_payment(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/transfers", json=recorded("transfer.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "payout-abc"})])

    transfer = gateway.create_transfer(amount_minor=47500, currency="USD", destination=ACCOUNT,
                                       source_transaction="ch_3QxKp2LkdIwHu7ix0mN6oP7q", transfer_group="payment-1",
                                       metadata={"payout_id": 1}, idempotency_key="payout-abc")

    assert form(stripe_api.calls[0]) == {
        "amount": "47500", "currency": "usd", "destination": ACCOUNT, "transfer_group": "payment-1",
        "source_transaction": "ch_3QxKp2LkdIwHu7ix0mN6oP7q", "metadata[payout_id]": "1",
    }
    assert transfer.id == "tr_1QxKq8LkdIwHu7ixTr4nSf3R" and transfer.amount_minor == 47500


def test_express_account_requests_transfers_and_the_link_is_never_replayed(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/accounts", json=recorded("account_created.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "connected-account-1-1764579000"})])
    stripe_api.post(f"{STRIPE}/v1/account_links", json=recorded("account_link.json"))
    stripe_api.post(f"{STRIPE}/v1/account_links", json=recorded("account_link.json"))

    account = gateway.create_connected_account(email="creator@example.com", country="US", metadata={"user_id": 1},
                                               idempotency_key="connected-account-1-1764579000")
    url = gateway.create_account_link(account_id=ACCOUNT, return_url="https://app.test/back",
                                      refresh_url="https://app.test/again")
    gateway.create_account_link(account_id=ACCOUNT, return_url="https://app.test/back",
                                refresh_url="https://app.test/again")

    assert form(stripe_api.calls[0]) == {"type": "express", "country": "US", "email": "creator@example.com",
                                         "capabilities[transfers][requested]": "true", "metadata[user_id]": "1"}
    assert (account.id, account.details_submitted, account.payouts_enabled) == (ACCOUNT, False, False)
    assert account.requirements_due == ("business_profile.url", "external_account", "tos_acceptance.date")
    assert form(stripe_api.calls[1]) == {"account": ACCOUNT, "return_url": "https://app.test/back",
                                         "refresh_url": "https://app.test/again", "type": "account_onboarding"}
    # A link is single-use: a key of ours would replay a spent one for 24 hours; each call gets its own.
    keys = {call.request.headers["Idempotency-Key"] for call in stripe_api.calls[1:]}
    assert len(keys) == 2 and not any(key.startswith("connected-account") for key in keys)
    assert url.startswith("https://connect.stripe.com/setup/")


def test_account_status_is_read_back(stripe_api, gateway):
    stripe_api.get(f"{STRIPE}/v1/accounts/{ACCOUNT}", json=recorded("account_complete.json"))

    status = gateway.retrieve_connected_account(ACCOUNT)

    assert (status.details_submitted, status.payouts_enabled, status.requirements_due) == (True, True, ())


def test_customer_setup_intent_cards_and_detach(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("customer.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "customer-1-1764579000"})])
    stripe_api.post(f"{STRIPE}/v1/setup_intents", json=recorded("setup_intent.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "setup-xyz"})])
    stripe_api.get(f"{STRIPE}/v1/payment_methods", json=recorded("payment_methods.json"),
                   match=[matchers.query_param_matcher({"customer": "cus_RkL2p9QmZs81Xa", "type": "card",
                                                        "limit": "100"})])
    stripe_api.post(f"{STRIPE}/v1/payment_methods/pm_1QxKt4LkdIwHu7ixVisa4242/detach",
                    json=recorded("payment_method_detached.json"),
                    match=[matchers.header_matcher({"Idempotency-Key": "detach-pm_1QxKt4LkdIwHu7ixVisa4242"})])

    customer_id = gateway.create_customer(email="brand@example.com", name="Acme Brand", metadata={"user_id": 1},
                                          idempotency_key="customer-1-1764579000")
    setup = gateway.create_setup_intent(customer_id=customer_id, metadata={"user_id": 1}, idempotency_key="setup-xyz")
    cards = gateway.list_payment_methods(customer_id)
    gateway.detach_payment_method("pm_1QxKt4LkdIwHu7ixVisa4242",
                                  idempotency_key="detach-pm_1QxKt4LkdIwHu7ixVisa4242")

    assert customer_id == "cus_RkL2p9QmZs81Xa"
    assert form(stripe_api.calls[0]) == {"email": "brand@example.com", "name": "Acme Brand", "metadata[user_id]": "1"}
    assert form(stripe_api.calls[1]) == {"customer": customer_id, "usage": "off_session",
                                         "automatic_payment_methods[enabled]": "true", "metadata[user_id]": "1"}
    assert setup.client_secret.startswith(setup.id)
    assert [(card.brand, card.last4, card.exp_month, card.exp_year) for card in cards] == [
        ("visa", "4242", 8, 2031), ("mastercard", "4444", 3, 2030)]


# --- Errors a person can act on ----------------------------------------------------------------------------
def _intent(gateway):
    return gateway.create_payment_intent(amount_minor=100, currency="USD", customer_id="", transfer_group="g",
                                         metadata={}, description="d", idempotency_key="k")


def test_card_declined_is_402_with_the_reason(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/payment_intents", status=402, json=recorded("error_card_declined.json"))

    with pytest.raises(CardDeclined) as caught:
        _intent(gateway)

    assert caught.value.status == 402 and caught.value.code == "card_declined"
    assert caught.value.decline_code == "insufficient_funds"
    assert "insufficient funds" in caught.value.message and "Try another card" in caught.value.message


@pytest.mark.parametrize("status", [500, 502, 503, 409])
def test_stripe_side_failures_are_502_and_worth_retrying(stripe_api, gateway, status):
    stripe_api.post(f"{STRIPE}/v1/payment_intents", status=status, json=recorded("error_api.json"))

    with pytest.raises(GatewayUnavailable) as caught:
        _intent(gateway)

    assert (caught.value.status, caught.value.code, caught.value.transient) == (502, "gateway_unavailable", True)
    assert "try again" in caught.value.message
    assert len(stripe_api.calls) == 1  # the library does not retry on its own: our tasks do, visibly


def test_network_failure_is_502(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/payment_intents", body=requests.ConnectionError("connection reset"))

    with pytest.raises(GatewayUnavailable, match="could not reach Stripe"):
        _intent(gateway)


def test_rate_limit_is_transient(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/payment_intents", status=429, json=recorded("error_api.json"))

    with pytest.raises(GatewayUnavailable, match="busy"):
        _intent(gateway)


def test_a_bad_key_is_our_misconfiguration_not_the_users(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/payment_intents", status=401, json=recorded("error_authentication.json"))

    with pytest.raises(GatewayError) as caught:
        _intent(gateway)

    assert caught.value.code == "gateway_misconfigured" and not caught.value.transient
    assert "sk_test" not in caught.value.message and "contact support" in caught.value.message


def test_refusals_carry_stripes_reason(stripe_api, gateway):
    stripe_api.post(f"{STRIPE}/v1/transfers", status=400, json=recorded("error_transfer_capability.json"))

    with pytest.raises(GatewayRefused) as caught:
        gateway.create_transfer(amount_minor=1, currency="USD", destination=ACCOUNT, source_transaction="",
                                transfer_group="g", metadata={}, idempotency_key="k")

    assert caught.value.status == 400 and not caught.value.transient
    assert caught.value.provider_code == "insufficient_capabilities_for_transfer"
    assert "Stripe refused to transfer the payout" in caught.value.message and "capabilities" in caught.value.message


def test_missing_object_is_404_and_idempotency_conflict_is_409(stripe_api, gateway):
    stripe_api.get(f"{STRIPE}/v1/payment_intents/{PI}", status=404, json=recorded("error_no_such_payment_intent.json"))
    stripe_api.post(f"{STRIPE}/v1/payment_intents", status=400, json=recorded("error_idempotency.json"))

    with pytest.raises(GatewayRefused) as missing:
        gateway.retrieve_payment_intent(PI)
    with pytest.raises(GatewayError) as conflict:
        _intent(gateway)

    assert (missing.value.status, missing.value.code) == (404, "gateway_not_found")
    assert (conflict.value.status, conflict.value.code) == (409, "idempotency_conflict")


def test_no_secret_key_is_refused_before_any_request(stripe_api, gateway, settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(GatewayError, match="not configured"):
        _intent(gateway)


# --- Webhook signatures ------------------------------------------------------------------------------------
def _body(name="event_payment_intent_succeeded.json") -> bytes:
    import json

    return json.dumps(recorded(name)).encode()


def test_a_signed_event_is_parsed(gateway):
    body = _body()

    event = gateway.parse_webhook(body, signed(body))

    assert (event.id, event.type) == ("evt_3QxKr0LkdIwHu7ix1SuCc3ss", "payment_intent.succeeded")
    assert event.object["id"] == PI and event.payload["data"]["object"]["amount"] == 50000
    assert event.created is not None


@pytest.mark.parametrize("case", ["forged", "tampered", "stale", "missing", "garbage"])
def test_bad_signatures_are_refused(gateway, case):
    import time

    body = _body()
    header = {
        "forged": signed(body, secret="whsec_someone_else"),
        "tampered": signed(body),
        "stale": signed(body, timestamp=int(time.time()) - 301),
        "missing": None,
        "garbage": "t=abc,v1=",
    }[case]
    if case == "tampered":
        body = body.replace(b"50000", b"5")

    with pytest.raises(SignatureInvalid) as caught:
        gateway.parse_webhook(body, header)

    assert caught.value.status == 400


def test_within_tolerance_is_accepted(gateway, settings):
    import time

    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 600
    body = _body()

    event = gateway.parse_webhook(body, signed(body, timestamp=int(time.time()) - 500))

    assert event.type == "payment_intent.succeeded"


def test_an_event_signed_by_the_connect_endpoint_is_parsed(gateway, settings):
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_connect_endpoint"
    body = _body()

    event = gateway.parse_webhook(body, signed(body, secret="whsec_connect_endpoint"))
    with pytest.raises(SignatureInvalid):
        gateway.parse_webhook(body, signed(body, secret="whsec_someone_else"))

    assert event.type == "payment_intent.succeeded"


def test_no_webhook_secret_refuses_everything(gateway, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = ""
    body = _body()

    with pytest.raises(SignatureInvalid, match="not configured"):
        gateway.parse_webhook(body, signed(body, secret=WEBHOOK_SECRET))


def test_the_client_uses_our_timeout_key_and_no_retries_of_its_own(stripe_settings):
    stripe_settings.STRIPE_HTTP_TIMEOUT_SECONDS = 7
    stripe_settings.STRIPE_API_VERSION = "2026-10-28.endive"

    client = StripeGateway().client

    requestor = client._requestor
    assert requestor._options.api_key == "sk_test_51Influmojo000000000000000000"
    assert requestor._options.stripe_version == "2026-10-28.endive"
    assert requestor._options.max_network_retries == 0
    assert requestor._client._timeout == 7


def test_get_gateway_follows_the_setting_or_the_rows_own(settings):
    from payments.gateways import get_gateway

    settings.PAYMENT_GATEWAY = "sandbox"
    assert get_gateway().name == "sandbox" and get_gateway("stripe").name == "stripe"
    with pytest.raises(GatewayError, match="Unknown payment gateway 'paypal'"):
        get_gateway("paypal")
