"""The payments API: payments, receipts, the dashboard, bulk payment, earnings and payouts, saved cards, Connect
onboarding and the fee report — 401 anonymous, 403 for the wrong role, 404 for someone else's row, 400 for bad
input, 409 with what to do, and equal query counts at 1 and 25 rows on every list."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from influmojo.permissions import Actor
from orders.models import Order
from payments import services
from payments.models import ConnectedAccount, JournalEntry, Payment, PaymentMethod, Payout
from payments.tests.conftest import STRIPE, recorded
from payments.tests.factories import ConnectedAccountFactory, CustomerFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


def queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = callable_()
    assert response.status_code == 200, response.content
    return len(captured)


def paid(money, brand, creator=None, subtotal="500.00", **fields) -> Payment:
    """A completed sandbox payment of `brand` for one order of `creator`."""
    order = money.order(brand=brand, creator=creator or CreatorUserFactory(), subtotal=subtotal, **fields)
    return money.pay(money.start(brand, order))


def released(money, creator, brand=None, subtotal="500.00", refund="0.00") -> Payout:
    """A paid order of `creator` settled (approved, or split with `refund`): its payout."""
    payment = paid(money, brand or BrandUserFactory(), creator, subtotal=subtotal)
    order = payment.escrows.get().order
    money.settle(order, refund=refund)
    return Payout.objects.get(order=order)


# --- Anonymous and the wrong role ------------------------------------------------------------------------------
ROUTES = [
    ("get", "/api/v1/payments"), ("get", "/api/v1/payments/1"), ("get", "/api/v1/payments/1/receipt.pdf"),
    ("get", "/api/v1/payments/dashboard"), ("post", "/api/v1/payments/bulk"), ("get", "/api/v1/payments/fees"),
    ("get", "/api/v1/earnings"), ("get", "/api/v1/payouts"), ("post", "/api/v1/payouts"),
    ("get", "/api/v1/payouts/1/statement.pdf"), ("post", "/api/v1/payments/connect/onboarding"),
    ("get", "/api/v1/payment-methods"), ("post", "/api/v1/payment-methods"), ("delete", "/api/v1/payment-methods/1"),
    ("post", "/api/v1/payment-methods/1/default"),
]


@pytest.mark.parametrize("method,url", ROUTES)
def test_anonymous_callers_are_refused(api_client, method, url):
    assert error_of(getattr(api_client, method)(url), 401)["code"] == "not_authenticated"


@pytest.mark.parametrize("role,method,url", [
    ("creator", "get", "/api/v1/payments"), ("creator", "get", "/api/v1/payments/1"),
    ("creator", "post", "/api/v1/payments/bulk"), ("creator", "get", "/api/v1/payment-methods"),
    ("creator", "post", "/api/v1/payment-methods"), ("creator", "get", "/api/v1/payments/fees"),
    ("brand", "get", "/api/v1/earnings"), ("brand", "get", "/api/v1/payouts"), ("brand", "post", "/api/v1/payouts"),
    ("brand", "post", "/api/v1/payments/connect/onboarding"), ("brand", "get", "/api/v1/payments/fees"),
    ("agent", "post", "/api/v1/payouts"), ("agent", "post", "/api/v1/payments/bulk"),
])
def test_each_route_is_for_its_roles(auth_client, role, method, url):
    user = {"creator": CreatorUserFactory, "brand": BrandUserFactory, "agent": AgentFactory}[role]()
    assert error_of(getattr(auth_client(user), method)(url), 403)["code"] == "permission_denied"


# --- Payments ----------------------------------------------------------------------------------------------------
def test_a_brand_lists_its_own_payments_newest_first_with_their_orders(auth_client, brand, money):
    older = paid(money, brand, subtotal="200.00")
    newer = paid(money, brand, subtotal="300.00")
    paid(money, BrandUserFactory())  # someone else's

    body = auth_client(brand).get("/api/v1/payments").json()

    assert body["total"] == 2 and [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    row = body["results"][0]
    order = newer.escrows.get().order
    assert (row["status"], row["amount"], row["currency"], row["test_mode"], row["method"]) == (
        "completed", "300.00", "USD", True, "Visa •••• 4242")
    assert row["orders"] == [{"id": order.pk, "number": order.number, "status": order.status, "amount": "300.00",
                              "escrow_status": "held"}]
    assert row["receipt_url"] == f"http://testserver/api/v1/payments/{newer.pk}/receipt.pdf"


def test_the_payment_list_filters_by_status_and_refuses_an_unknown_one(auth_client, brand, money):
    paid(money, brand)
    waiting = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    client = auth_client(brand)

    assert [row["id"] for row in client.get("/api/v1/payments?status=pending").json()["results"]] == [waiting.pk]
    error = error_of(client.get("/api/v1/payments?status=lost"), 400)
    assert error["code"] == "validation_error" and "status" in error["details"]


def test_agents_see_every_payment(auth_client, money):
    paid(money, BrandUserFactory())
    paid(money, BrandUserFactory())
    assert auth_client(AgentFactory()).get("/api/v1/payments").json()["total"] == 2


def test_the_payment_list_costs_the_same_queries_for_1_and_25_payments(auth_client, brand, money,
                                                                         django_assert_max_num_queries):
    client = auth_client(brand)
    paid(money, brand)
    one = queries(lambda: client.get("/api/v1/payments?limit=100"))
    for _ in range(24):
        money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    with django_assert_max_num_queries(one):
        assert client.get("/api/v1/payments?limit=100").json()["total"] == 25


def test_one_payment_shows_its_orders_refunds_and_actions(auth_client, brand, money):
    creator = CreatorUserFactory(name="Sarah Lens")
    payment = paid(money, brand, creator)
    order = payment.escrows.get().order
    money.settle(order, refund="100.00", reason="split: one reel of two")

    body = auth_client(brand).get(f"/api/v1/payments/{payment.pk}").json()

    assert body["orders"][0]["creator"]["id"] == creator.pk
    assert (body["orders"][0]["escrow_status"], body["orders"][0]["refunded"], body["orders"][0]["released"]) == (
        "settled", "100.00", "400.00")
    assert [(row["amount"], row["status"], row["reason"]) for row in body["refunds"]] == [
        ("100.00", "succeeded", "split: one reel of two")]
    assert (body["amount_refunded"], body["actions"]) == ("100.00", [])


def test_an_unpaid_payment_can_be_paid(auth_client, brand, money):
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    assert auth_client(brand).get(f"/api/v1/payments/{payment.pk}").json()["actions"] == ["pay"]


def test_someone_elses_payment_is_not_found(auth_client, brand, money):
    other = paid(money, BrandUserFactory())
    client = auth_client(brand)
    assert error_of(client.get(f"/api/v1/payments/{other.pk}"), 404)["code"] == "not_found"
    assert error_of(client.get(f"/api/v1/payments/{other.pk}/receipt.pdf"), 404)["code"] == "not_found"
    assert error_of(client.get("/api/v1/payments/9999999999999999999"), 404)


def test_the_receipt_is_a_pdf_and_errors_stay_json_even_when_a_pdf_is_asked_for(auth_client, brand, money):
    payment = paid(money, brand)
    client = auth_client(brand)

    response = client.get(f"/api/v1/payments/{payment.pk}/receipt.pdf", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="influmojo-receipt-{payment.pk}.pdf"'
    assert response.content.startswith(b"%PDF-")
    missing = client.get("/api/v1/payments/424242/receipt.pdf", HTTP_ACCEPT="application/pdf")
    assert error_of(missing, 404)["code"] == "not_found"


def test_a_cancelled_payment_has_no_receipt(auth_client, brand, money):
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    services.payment_cancel(payment_id=payment.pk, actor=Actor.of(brand))
    client = auth_client(brand)

    assert error_of(client.get(f"/api/v1/payments/{payment.pk}/receipt.pdf"), 409)["code"] == "receipt_not_available"
    assert client.get(f"/api/v1/payments/{payment.pk}").json()["receipt_url"] is None


# --- Dashboard ---------------------------------------------------------------------------------------------------
def test_the_brand_dashboard_totals_per_currency_with_spend_and_months(auth_client, brand, money):
    payment = paid(money, brand, subtotal="500.00")
    money.settle(payment.escrows.get().order, refund="500.00", reason="declined")
    paid(money, brand, subtotal="250.00")
    money.start(brand, money.order(brand=brand, creator=CreatorUserFactory(), subtotal="80.00"))
    paid(money, brand, subtotal="90.00", currency="EUR")

    body = auth_client(brand).get("/api/v1/payments/dashboard").json()

    assert body["role"] == "brand" and body["recent_payouts"] == []
    usd = next(row for row in body["currencies"] if row["currency"] == "USD")
    assert (usd["total"], usd["completed"], usd["completed_count"], usd["refunded"], usd["pending"],
            usd["pending_count"]) == ("250.00", "750.00", 2, "500.00", "80.00", 1)
    assert {row["currency"]: row["net"] for row in body["spend"]} == {"EUR": "90.00", "USD": "250.00"}
    this_month = [row for row in body["months"] if row["currency"] == "USD"][-1]
    assert this_month["amount"] == "750.00" and len(body["months"]) == 24  # 12 months × 2 currencies
    assert len(body["recent_payments"]) == 4


def test_the_creator_dashboard_shows_their_payouts(auth_client, creator, money):
    payout = released(money, creator)
    body = auth_client(creator).get("/api/v1/payments/dashboard").json()
    assert body["role"] == "creator" and body["recent_payments"] == []
    assert [row["id"] for row in body["recent_payouts"]] == [payout.pk]
    assert body["currencies"][0]["pending"] == "475.00"  # blocked: no payout account yet
    assert body["months"][-1]["amount"] == "475.00"


# --- Bulk payment ------------------------------------------------------------------------------------------------
def test_bulk_payment_pays_several_unpaid_orders_at_once(auth_client, brand, money):
    first = money.order(brand=brand, creator=CreatorUserFactory(), subtotal="120.00")
    second = money.order(brand=brand, creator=CreatorUserFactory(), subtotal="80.00")

    response = auth_client(brand).post("/api/v1/payments/bulk", {"order_ids": [second.pk, first.pk]}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    payment = Payment.objects.get(pk=body["payment"]["id"])
    assert (payment.amount, payment.status) == (Decimal("200.00"), "pending")
    assert body["payment"]["confirm_url"] == f"/payments/sandbox/{payment.pk}/"
    assert body["payment"]["client_secret"].startswith(f"pi_sandbox_{payment.pk}_secret_")
    assert {row["id"] for row in body["orders"]} == {first.pk, second.pk} and body["payment_error"] is None
    assert set(Order.objects.filter(payment=payment).values_list("pk", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize("order_ids,field", [([], "order_ids"), ("12", "order_ids"), ([3, 3], "order_ids"),
                                             ([0], "order_ids")])
def test_bulk_payment_refuses_bad_input(auth_client, brand, order_ids, field):
    response = auth_client(brand).post("/api/v1/payments/bulk", {"order_ids": order_ids}, format="json")
    assert field in error_of(response, 400)["details"]


def test_bulk_payment_refuses_someone_elses_or_a_paid_order(auth_client, brand, money):
    theirs = money.order(brand=BrandUserFactory(), creator=CreatorUserFactory())
    mine_paid = paid(money, brand).escrows.get().order
    client = auth_client(brand)

    assert error_of(client.post("/api/v1/payments/bulk", {"order_ids": [theirs.pk]}, format="json"), 404)
    error = error_of(client.post("/api/v1/payments/bulk", {"order_ids": [mine_paid.pk]}, format="json"), 409)
    assert error["code"] == "order_not_payable"


# --- Earnings and payouts ----------------------------------------------------------------------------------------
def test_earnings_say_why_payouts_are_blocked_until_onboarding(auth_client, creator, money):
    released(money, creator, subtotal="1000.00")
    paid(money, BrandUserFactory(), creator, subtotal="200.00")  # still in escrow

    body = auth_client(creator).get("/api/v1/earnings").json()

    assert body["currencies"] == [{"currency": "USD", "total_earned": "950.00", "paid_out": "0.00",
                                   "available": "950.00", "pending": "190.00"}]
    assert (body["can_receive_payouts"], body["onboarding"], body["blocked"]) == (False, "not_started",
                                                                                 {"USD": "950.00"})
    assert "Set up payouts with Stripe" in body["blocked_reason"]
    assert body["months"][-1] == {"month": body["months"][-1]["month"], "currency": "USD", "amount": "950.00"}


def test_payouts_list_gross_fee_and_net_with_a_statement_each(auth_client, creator, money):
    ConnectedAccountFactory(user=creator)
    payout = released(money, creator, subtotal="1000.00", refund="200.00")
    released(money, CreatorUserFactory())  # someone else's

    body = auth_client(creator).get("/api/v1/payouts").json()

    assert body["total"] == 1
    row = body["results"][0]
    assert (row["id"], row["status"], row["gross"], row["fee"], row["amount"]) == (
        payout.pk, "paid", "800.00", "40.00", "760.00")
    assert row["order"] == {"id": payout.order_id, "number": payout.order.number}
    assert row["statement_url"] == f"http://testserver/api/v1/payouts/{payout.pk}/statement.pdf"
    assert auth_client(creator).get("/api/v1/payouts?status=blocked").json()["total"] == 0
    assert error_of(auth_client(creator).get("/api/v1/payouts?status=lost"), 400)


def test_the_payout_list_costs_the_same_queries_for_1_and_25_payouts(auth_client, creator, money,
                                                                      django_assert_max_num_queries):
    client = auth_client(creator)
    released(money, creator)
    one = queries(lambda: client.get("/api/v1/payouts?limit=100"))
    brand = BrandUserFactory()
    for _ in range(24):
        released(money, creator, brand=brand)
    with django_assert_max_num_queries(one):
        assert client.get("/api/v1/payouts?limit=100").json()["total"] == 25


def test_a_payout_statement_is_the_creators_own(auth_client, creator, money):
    payout = released(money, creator)
    response = auth_client(creator).get(f"/api/v1/payouts/{payout.pk}/statement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert error_of(auth_client(CreatorUserFactory()).get(f"/api/v1/payouts/{payout.pk}/statement.pdf"), 404)
    assert auth_client(AgentFactory()).get(f"/api/v1/payouts/{payout.pk}/statement.pdf").status_code == 200


def test_asking_for_payouts_before_onboarding_says_what_to_do(auth_client, creator, money):
    released(money, creator)
    error = error_of(auth_client(creator).post("/api/v1/payouts"), 409)
    assert error["code"] == "payouts_not_set_up"
    assert error["details"]["onboarding"] == "POST /api/v1/payments/connect/onboarding"
    assert "Set up payouts with Stripe" in error["message"]


def test_asking_for_payouts_with_onboarding_unfinished_names_what_stripe_needs(auth_client, creator, money):
    released(money, creator)
    ConnectedAccountFactory(user=creator, details_submitted=True, payouts_enabled=False,
                            requirements_due=["external_account"])
    error = error_of(auth_client(creator).post("/api/v1/payouts"), 409)
    assert error["code"] == "onboarding_incomplete" and error["details"]["requirements_due"] == ["external_account"]
    assert "external_account" in error["message"]
    assert Payout.objects.get(creator=creator).status == "blocked"


def test_asking_for_payouts_once_onboarded_sends_the_blocked_ones(auth_client, creator, money, commit):
    payout = released(money, creator)
    account = ConnectedAccountFactory(user=creator, details_submitted=False, payouts_enabled=False)
    # onboarding finished at the provider; our row has not heard of it yet
    ConnectedAccount.objects.filter(pk=account.pk).update(details_submitted=True, payouts_enabled=True)

    with commit():
        response = auth_client(creator).post("/api/v1/payouts")

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["released"]] == [payout.pk]
    payout.refresh_from_db()
    assert payout.status == "paid" and payout.provider_transfer_id == f"tr_sandbox_{payout.pk}"
    assert auth_client(creator).post("/api/v1/payouts").json() == {"released": []}


def test_the_onboarding_link_is_absolute_and_comes_back_to_the_earnings_page(auth_client, creator):
    response = auth_client(creator).post("/api/v1/payments/connect/onboarding")
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert url.startswith(f"http://testserver/payments/sandbox/connect/acct_sandbox_{creator.pk}/?")
    assert "return_url=http%3A%2F%2Ftestserver%2Fcreator%2Fearnings%2Fonboarding%2Freturn%2F" in url
    assert "refresh_url=http%3A%2F%2Ftestserver%2Fcreator%2Fearnings%2Fonboarding%2F" in url
    assert ConnectedAccount.objects.filter(user=creator, provider_account_id=f"acct_sandbox_{creator.pk}").exists()


# --- Saved cards -------------------------------------------------------------------------------------------------
def test_saved_cards_are_listed_default_first_and_only_ones_own(auth_client, brand):
    older = PaymentMethodFactory(user=brand, last4="1111", is_default=True)
    newer = PaymentMethodFactory(user=brand, last4="4444", card_brand="mastercard")
    PaymentMethodFactory()  # someone else's

    body = auth_client(brand).get("/api/v1/payment-methods").json()

    assert [row["id"] for row in body["results"]] == [older.pk, newer.pk] and body["total"] == 2
    assert body["results"][1]["label"] == "Mastercard •••• 4444" and body["results"][0]["test_mode"] is True


def test_the_card_list_costs_the_same_queries_for_1_and_25_cards(auth_client, brand, django_assert_max_num_queries):
    client = auth_client(brand)
    PaymentMethodFactory(user=brand, is_default=True)
    one = queries(lambda: client.get("/api/v1/payment-methods?limit=100"))
    PaymentMethodFactory.create_batch(24, user=brand)
    with django_assert_max_num_queries(one):
        assert client.get("/api/v1/payment-methods?limit=100").json()["total"] == 25


def test_adding_a_card_answers_the_setup_intent_and_the_sandbox_page(auth_client, brand):
    response = auth_client(brand).post("/api/v1/payment-methods")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["gateway"] == "sandbox" and body["publishable_key"] == "pk_sandbox"
    assert body["setup_intent_id"].startswith("seti_sandbox_")
    assert body["client_secret"].startswith(body["setup_intent_id"] + "_secret_")
    assert body["confirm_url"] == f"http://testserver/payments/sandbox/cards/{body['setup_intent_id']}/"


def test_a_card_is_made_default_and_removed_by_its_owner_only(auth_client, brand):
    CustomerFactory(user=brand)
    first = PaymentMethodFactory(user=brand, is_default=True)
    second = PaymentMethodFactory(user=brand)
    client = auth_client(brand)
    stranger = auth_client(BrandUserFactory())

    assert error_of(stranger.post(f"/api/v1/payment-methods/{second.pk}/default"), 404)["code"] == "not_found"
    assert client.post(f"/api/v1/payment-methods/{second.pk}/default").json()["is_default"] is True
    first.refresh_from_db()
    assert first.is_default is False

    assert error_of(stranger.delete(f"/api/v1/payment-methods/{second.pk}"), 404)
    assert client.delete(f"/api/v1/payment-methods/{second.pk}").status_code == 204
    assert list(PaymentMethod.objects.filter(user=brand).values_list("pk", "is_default")) == [(first.pk, True)]


# --- Fee report --------------------------------------------------------------------------------------------------
def test_agents_read_the_platform_fee_report_by_month(auth_client, money):
    released(money, CreatorUserFactory(), subtotal="1000.00")
    released(money, CreatorUserFactory(), subtotal="300.00")
    client = auth_client(AgentFactory())

    body = client.get("/api/v1/payments/fees").json()

    assert body["total"] == 1
    assert {key: body["results"][0][key] for key in ("currency", "fees", "orders")} == {
        "currency": "USD", "fees": "65.00", "orders": 2}
    assert client.get("/api/v1/payments/fees?until=2000-01-01").json()["total"] == 0
    error = error_of(client.get("/api/v1/payments/fees?since=2026-05-01&until=2026-04-01"), 400)
    assert "until" in error["details"]


def test_the_fee_report_costs_the_same_queries_for_1_and_25_months(auth_client, money, django_assert_max_num_queries):
    client = auth_client(AgentFactory())
    released(money, CreatorUserFactory())
    one = queries(lambda: client.get("/api/v1/payments/fees?limit=100"))
    brand = BrandUserFactory()
    for months_ago in range(1, 25):
        payout = released(money, CreatorUserFactory(), brand=brand)
        JournalEntry.objects.filter(order=payout.order).update(
            created_at=timezone.now() - datetime.timedelta(days=31 * months_ago))
    with django_assert_max_num_queries(one):
        assert client.get("/api/v1/payments/fees?limit=100").json()["total"] == 25


def test_bulk_payment_answers_the_orders_and_why_when_the_gateway_is_down(auth_client, brand, money, stripe_api):
    order = money.order(brand=brand, creator=CreatorUserFactory())
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("error_api.json"), status=500)

    response = auth_client(brand).post("/api/v1/payments/bulk", {"order_ids": [order.pk]}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["payment"] is None and body["payment_error"]["code"] == "gateway_unavailable"
    assert [row["id"] for row in body["orders"]] == [order.pk]
    assert Payment.objects.get(escrows__order=order).status == "pending"  # call again to retry
