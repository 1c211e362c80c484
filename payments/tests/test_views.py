"""The payments pages: a brand's payments dashboard, one payment, the pay page (sandbox and Stripe), receipts,
saved cards; a creator's earnings, payout setup and statements. Each page: 200 for its owner, the login page for
anonymous visitors, 404 for someone else's row, the role guard, each POST through the page (done and refused as
a message), and equal query counts at 1 and 25 rows on the list pages."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from payments.models import ConnectedAccount, Payment, PaymentMethod, Payout
from payments.tests.conftest import STRIPE, form, recorded
from payments.tests.factories import ConnectedAccountFactory, CustomerFactory, PaymentMethodFactory
from payments.tests.test_api import paid, released

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def signed_in(client, user):
    client.force_login(user)
    return client


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


# --- Anonymous visitors and the role guards -----------------------------------------------------------------
ANONYMOUS = [
    ("get", "/payments/"), ("get", "/payments/1/"), ("get", "/payments/1/pay/"), ("get", "/payments/1/receipt.pdf"),
    ("get", "/payments/cards/"), ("post", "/payments/cards/add/"), ("get", "/payments/cards/added/"),
    ("post", "/payments/cards/1/remove/"), ("post", "/payments/cards/1/default/"), ("get", "/creator/earnings/"),
    ("post", "/creator/earnings/onboarding/"), ("get", "/creator/earnings/onboarding/return/"),
    ("post", "/creator/earnings/payouts/release/"), ("get", "/creator/earnings/payouts/1/statement.pdf"),
]


@pytest.mark.parametrize("method,url", ANONYMOUS)
def test_anonymous_visitors_are_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(f"{reverse('account_login')}?next=")


@pytest.mark.parametrize("url", ["/payments/", "/payments/cards/", "/payments/1/", "/payments/1/pay/"])
def test_brand_pages_send_creators_back_to_their_dashboard(client, url):
    response = signed_in(client, CreatorUserFactory()).get(url)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert "Payments and saved cards are for brand accounts" in messages_of(response)[0]


@pytest.mark.parametrize("method,url", [("get", "/creator/earnings/"), ("post", "/creator/earnings/onboarding/"),
                                        ("post", "/creator/earnings/payouts/release/")])
def test_creator_pages_send_brands_back_to_their_dashboard(client, method, url):
    response = getattr(signed_in(client, BrandUserFactory()), method)(url)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert messages_of(response) == ["Earnings and payouts are for creator accounts."]


# --- The brand's payments dashboard --------------------------------------------------------------------------
def test_the_dashboard_shows_totals_spend_chart_and_payments_with_receipts(client, brand, money):
    done = paid(money, brand, subtotal="1250.00")
    waiting = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory(), subtotal="300.00"))
    paid(money, BrandUserFactory())  # someone else's

    response = signed_in(client, brand).get("/payments/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "$1,250" in html and "1 payment not through yet" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars"' in html
    assert f'href="/payments/{done.pk}/receipt.pdf">Receipt (PDF)' in html
    assert f'href="/payments/{waiting.pk}/pay/">Pay</a>' in html
    assert html.count('class="pay-order"') == 2 and "TEST MODE" in html


def test_the_dashboard_filters_by_status_and_says_so_for_a_wrong_filter(client, brand, money):
    paid(money, brand)
    waiting = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    client = signed_in(client, brand)

    pending = client.get("/payments/?status=pending")
    assert list(pending.context["payments"]) == [waiting]
    wrong = client.get("/payments/?status=lost")
    assert len(wrong.context["payments"]) == 2
    assert messages_of(wrong) == ["That filter is not a payment status; showing all your payments."]


def test_a_brand_without_payments_sees_what_to_do(client, brand):
    html = signed_in(client, brand).get("/payments/").content.decode()
    assert "No payments yet" in html and "No payments in the last 12 months" in html
    assert reverse("brand_discover") in html


def test_the_dashboard_costs_the_same_queries_for_1_and_25_payments(client, brand, money,
                                                                    django_assert_max_num_queries):
    client = signed_in(client, brand)
    paid(money, brand)
    one = page_queries(client, "/payments/")
    for _ in range(24):
        money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    with django_assert_max_num_queries(one):
        assert len(client.get("/payments/").context["payments"]) == 20  # a page


# --- One payment ----------------------------------------------------------------------------------------------
def test_a_payment_page_shows_its_timeline_orders_refunds_and_receipt(client, brand, money):
    payment = paid(money, brand, subtotal="500.00")
    order = payment.escrows.get().order
    money.settle(order, refund="200.00", reason="split after a dispute")

    html = signed_in(client, brand).get(f"/payments/{payment.pk}/").content.decode()

    assert f"Payment {payment.pk}" in html and "Paid with Visa •••• 4242" in html
    assert order.number in html and "$300 released" in html and "$200 refunded" in html
    assert "split after a dispute" in html and f"/payments/{payment.pk}/receipt.pdf" in html
    assert 'http-equiv="refresh"' not in html


def test_back_from_stripe_the_payment_page_waits_for_the_webhook(client, brand, money):
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    html = signed_in(client, brand).get(f"/payments/{payment.pk}/?redirect_status=succeeded").content.decode()
    assert "Processing…" in html and '<meta http-equiv="refresh" content="4">' in html
    assert f"/payments/{payment.pk}/pay/" not in html  # no second payment while the first is on its way


def test_back_from_stripe_with_a_failure_the_brand_is_told_and_may_pay_again(client, brand, money):
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    response = signed_in(client, brand).get(f"/payments/{payment.pk}/?redirect_status=failed")
    assert messages_of(response) == ["Your card was not charged. Try again or use another card."]
    assert f"/payments/{payment.pk}/pay/" in response.content.decode()


def test_someone_elses_payment_pages_are_not_found(client, brand, money):
    other = paid(money, BrandUserFactory())
    client = signed_in(client, brand)
    for url in (f"/payments/{other.pk}/", f"/payments/{other.pk}/pay/", f"/payments/{other.pk}/receipt.pdf"):
        assert client.get(url).status_code == 404, url


def test_the_receipt_page_answers_the_pdf_or_says_why_there_is_none(client, brand, money):
    payment = paid(money, brand)
    client = signed_in(client, brand)

    response = client.get(f"/payments/{payment.pk}/receipt.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")

    waiting = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    from payments import services
    from influmojo.permissions import Actor

    services.payment_cancel(payment_id=waiting.pk, actor=Actor.of(brand))
    refused = client.get(f"/payments/{waiting.pk}/receipt.pdf")
    assert refused.status_code == 302 and refused["Location"] == f"/payments/{waiting.pk}/"
    assert messages_of(refused) == ["This payment was cancelled and nothing was charged, so it has no receipt."]


# --- The pay page ---------------------------------------------------------------------------------------------
def test_the_pay_page_in_test_mode_sums_up_and_leads_to_the_sandbox_checkout(client, brand, money):
    creator = CreatorUserFactory(name="Sarah Lens")
    order = money.order(brand=brand, creator=creator, subtotal="640.00")
    payment = money.start(brand, order)

    response = signed_in(client, brand).get(f"/payments/{payment.pk}/pay/?next=/orders/")
    html = response.content.decode()

    assert response.status_code == 200
    assert order.number in html and "Sarah Lens" in html and "$640" in html
    assert "platform fee (5%) is taken from the creator's share" in html
    assert "TEST MODE" in html and "js.stripe.com" not in html
    assert f'href="/payments/sandbox/{payment.pk}/?next=%2Forders%2F">Continue to the TEST MODE checkout' in html
    payment.refresh_from_db()
    assert payment.provider_payment_id == f"pi_sandbox_{payment.pk}"


def test_the_pay_page_does_not_follow_a_next_url_elsewhere(client, brand, money):
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    response = signed_in(client, brand).get(f"/payments/{payment.pk}/pay/?next=https://evil.example/")
    assert response.context["back"] == f"/payments/{payment.pk}/"


def test_a_paid_or_cancelled_payment_has_nothing_left_to_pay(client, brand, money):
    done = paid(money, brand)
    client = signed_in(client, brand)
    assert client.get(f"/payments/{done.pk}/pay/")["Location"] == f"/payments/{done.pk}/"

    waiting = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    Payment.objects.filter(pk=waiting.pk).update(status="cancelled")
    response = client.get(f"/payments/{waiting.pk}/pay/")
    assert response["Location"] == f"/payments/{waiting.pk}/"
    assert messages_of(response) == ["This payment was cancelled; pay its orders again from your orders."]


def test_with_stripe_the_pay_page_mounts_the_payment_element(client, brand, money, stripe_api):
    money.gateway = "stripe"
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory(), subtotal="1250.00"))
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("customer.json"))
    stripe_api.post(f"{STRIPE}/v1/payment_intents", json=recorded("payment_intent.json",
                                                                  metadata={"payment_id": str(payment.pk)}))

    html = signed_in(client, brand).get(f"/payments/{payment.pk}/pay/").content.decode()

    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert 'data-publishable-key="pk_test_51Influmojo000000000000000000"' in html
    assert 'data-client-secret="pi_3QxKp2LkdIwHu7ix0Zt8aB1c_secret_Vq7T2mXcLpN9aS0dHf3JkR8w"' in html
    assert f'data-return-url="http://testserver/payments/{payment.pk}/"' in html
    assert "TEST MODE" not in html
    sent = form(stripe_api.calls[1])
    assert (sent["amount"], sent["currency"], sent["metadata[payment_id]"]) == ("125000", "usd", str(payment.pk))
    assert stripe_api.calls[1].request.headers["Idempotency-Key"] == payment.idempotency_key


def test_when_stripe_is_down_the_pay_page_says_so(client, brand, money, stripe_api):
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("error_api.json"), status=500)

    response = signed_in(client, brand).get(f"/payments/{payment.pk}/pay/")

    assert response.status_code == 302 and response["Location"] == f"/payments/{payment.pk}/"
    assert messages_of(response) and "Stripe" in messages_of(response)[0]


# --- Saved cards -----------------------------------------------------------------------------------------------
def test_the_cards_page_lists_the_brands_cards_default_first(client, brand):
    PaymentMethodFactory(user=brand, last4="1111", is_default=True)
    PaymentMethodFactory(user=brand, last4="4444", card_brand="mastercard", exp_month=3)
    PaymentMethodFactory(last4="9999")  # someone else's

    html = signed_in(client, brand).get("/payments/cards/").content.decode()

    assert html.index("Visa •••• 1111") < html.index("Mastercard •••• 4444")
    assert "Expires 03/2034" in html and "9999" not in html and html.count("Make default") == 1


def test_the_cards_page_costs_the_same_queries_for_1_and_25_cards(client, brand, django_assert_max_num_queries):
    client = signed_in(client, brand)
    PaymentMethodFactory(user=brand, is_default=True)
    one = page_queries(client, "/payments/cards/")
    PaymentMethodFactory.create_batch(24, user=brand)
    with django_assert_max_num_queries(one):
        assert len(client.get("/payments/cards/").context["methods"]) == 25


def test_without_cards_the_page_says_what_saving_one_does(client, brand):
    assert "No saved cards" in signed_in(client, brand).get("/payments/cards/").content.decode()


def test_adding_a_card_in_test_mode_goes_to_the_sandbox_card_page_and_back(client, brand):
    client = signed_in(client, brand)
    response = client.post("/payments/cards/add/")
    assert response.status_code == 302
    assert re.fullmatch(r"/payments/sandbox/cards/seti_sandbox_\w+/\?next=%2Fpayments%2Fcards%2F", response["Location"])

    saved = client.post(response["Location"], {"card": "5555555555554444", "next": "/payments/cards/"})
    assert saved["Location"] == "/payments/cards/"
    assert list(PaymentMethod.objects.filter(user=brand).values_list("last4", "is_default")) == [("4444", True)]


def test_adding_a_card_with_stripe_shows_stripes_card_form(client, brand, stripe_api):
    stripe_api.post(f"{STRIPE}/v1/customers", json=recorded("customer.json"))
    stripe_api.post(f"{STRIPE}/v1/setup_intents", json=recorded("setup_intent.json"))

    html = signed_in(client, brand).post("/payments/cards/add/").content.decode()

    assert 'data-mode="setup"' in html and "js.stripe.com/v3/" in html
    assert 'data-client-secret="seti_1QxKs1LkdIwHu7ixSe7uP1nT_secret_RkL2p9QmZs81XaVq7T2m"' in html
    assert 'data-return-url="http://testserver/payments/cards/added/"' in html


def test_back_from_stripe_the_cards_are_read_again(client, brand, stripe_api):
    CustomerFactory(user=brand, gateway="stripe", provider_customer_id="cus_RkL2p9QmZs81Xa")
    stripe_api.get(f"{STRIPE}/v1/payment_methods", json=recorded("payment_methods.json"))

    response = signed_in(client, brand).get("/payments/cards/added/?setup_intent=seti_1&redirect_status=succeeded")

    assert response["Location"] == "/payments/cards/" and messages_of(response) == ["Card saved."]
    assert PaymentMethod.objects.filter(user=brand, gateway="stripe").exists()


def test_back_from_stripe_with_a_failure_nothing_is_saved(client, brand):
    response = signed_in(client, brand).get("/payments/cards/added/?redirect_status=failed")
    assert messages_of(response) == ["The card was not saved. Try again or use another card."]


def test_a_card_is_made_default_and_removed_through_the_page(client, brand):
    CustomerFactory(user=brand)
    first = PaymentMethodFactory(user=brand, is_default=True)
    second = PaymentMethodFactory(user=brand)
    client = signed_in(client, brand)

    made = client.post(f"/payments/cards/{second.pk}/default/")
    assert made["Location"] == "/payments/cards/" and messages_of(made) == ["Default card changed."]
    removed = client.post(f"/payments/cards/{second.pk}/remove/")
    assert messages_of(removed)[-1] == "Card removed."
    assert list(PaymentMethod.objects.filter(user=brand).values_list("pk", "is_default")) == [(first.pk, True)]


def test_someone_elses_card_is_not_found_and_get_is_refused(client, brand):
    theirs = PaymentMethodFactory()
    client = signed_in(client, brand)
    assert client.post(f"/payments/cards/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/payments/cards/{theirs.pk}/default/").status_code == 404
    assert client.get(f"/payments/cards/{theirs.pk}/remove/").status_code == 405
    assert PaymentMethod.objects.filter(pk=theirs.pk).exists()


def test_a_refused_card_change_is_shown_as_a_message(client, brand, stripe_api):
    method = PaymentMethodFactory(user=brand, gateway="stripe", provider_method_id="pm_1QxKt0LkdIwHu7ixVisa4242")
    stripe_api.post(f"{STRIPE}/v1/payment_methods/pm_1QxKt0LkdIwHu7ixVisa4242/detach", json=recorded("error_api.json"),
                    status=500)

    response = signed_in(client, brand).post(f"/payments/cards/{method.pk}/remove/")

    assert response["Location"] == "/payments/cards/" and "Stripe" in messages_of(response)[0]
    assert PaymentMethod.objects.filter(pk=method.pk).exists()


# --- The creator's earnings ------------------------------------------------------------------------------------
def test_earnings_show_the_totals_the_blocked_message_and_statements(client, creator, money):
    payout = released(money, creator, subtotal="1000.00")
    paid(money, BrandUserFactory(), creator, subtotal="200.00")  # held in escrow

    html = signed_in(client, creator).get("/creator/earnings/").content.decode()

    assert "$950" in html and "$190" in html  # earned (and available), pending in escrow after the fee
    assert "Set up payouts with Stripe to receive your earnings" in html
    assert "Waiting for it: <strong>$950</strong>" in html
    assert 'action="/creator/earnings/onboarding/"' in html and "Set up payouts with Stripe</button>" in html
    assert f"/creator/earnings/payouts/{payout.pk}/statement.pdf" in html and "Waiting for payout setup" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars"' in html


def test_a_creator_without_earnings_sees_what_to_expect(client, creator):
    html = signed_in(client, creator).get("/creator/earnings/").content.decode()
    assert "No payouts yet" in html and "No earnings in the last 12 months" in html


def test_earnings_once_onboarded_say_payouts_are_ready(client, creator, money):
    ConnectedAccountFactory(user=creator)
    released(money, creator)
    html = signed_in(client, creator).get("/creator/earnings/").content.decode()
    assert "Your payouts go to your Stripe account" in html and "Paid out" in html
    assert "Set up payouts with Stripe</button>" not in html


def test_the_earnings_page_costs_the_same_queries_for_1_and_25_payouts(client, creator, money,
                                                                       django_assert_max_num_queries):
    client = signed_in(client, creator)
    released(money, creator)
    one = page_queries(client, "/creator/earnings/")
    brand = BrandUserFactory()
    for _ in range(24):
        released(money, creator, brand=brand)
    with django_assert_max_num_queries(one):
        assert len(client.get("/creator/earnings/").context["payouts"]) == 20


def test_setting_up_payouts_goes_to_onboarding_and_back_sends_the_waiting_payouts(client, creator, money, commit):
    payout = released(money, creator)
    client = signed_in(client, creator)

    started = client.post("/creator/earnings/onboarding/")
    assert started.status_code == 302
    assert started["Location"].startswith(f"/payments/sandbox/connect/acct_sandbox_{creator.pk}/?return_url=")
    with commit():
        done = client.post(started["Location"], {"action": "complete",
                                                 "return_url": "/creator/earnings/onboarding/return/"})
    assert done["Location"] == "/creator/earnings/onboarding/return/"

    back = client.get(done["Location"])
    assert back["Location"] == "/creator/earnings/"
    assert "Your payout account is ready" in messages_of(back)[-1]
    payout.refresh_from_db()
    assert payout.status == "paid"


def test_back_from_unfinished_onboarding_the_creator_is_told(client, creator):
    ConnectedAccountFactory(user=creator, details_submitted=False, payouts_enabled=False)
    response = signed_in(client, creator).get("/creator/earnings/onboarding/return/")
    assert messages_of(response) == ["Your payout setup is not finished yet; continue it when you are ready."]


def test_an_expired_onboarding_link_asks_for_a_new_one(client, creator):
    response = signed_in(client, creator).get("/creator/earnings/onboarding/")
    assert response["Location"].startswith(f"/payments/sandbox/connect/acct_sandbox_{creator.pk}/")


def test_when_stripe_is_down_onboarding_says_so(client, creator, stripe_api):
    stripe_api.post(f"{STRIPE}/v1/accounts", json=recorded("error_api.json"), status=500)
    response = signed_in(client, creator).post("/creator/earnings/onboarding/")
    assert response["Location"] == "/creator/earnings/" and "Stripe" in messages_of(response)[0]


def test_asking_for_blocked_payouts_through_the_page(client, creator, money, commit):
    payout = released(money, creator)
    client = signed_in(client, creator)

    refused = client.post("/creator/earnings/payouts/release/")
    assert refused["Location"] == "/creator/earnings/"
    assert messages_of(refused) == ["Set up payouts with Stripe to receive your earnings: it takes a few minutes."]

    account = ConnectedAccountFactory(user=creator, details_submitted=False, payouts_enabled=False)
    ConnectedAccount.objects.filter(pk=account.pk).update(details_submitted=True, payouts_enabled=True)
    with commit():
        sent = client.post("/creator/earnings/payouts/release/")
    assert messages_of(sent)[-1] == "1 payout on the way."
    assert Payout.objects.get(pk=payout.pk).status == "paid"


def test_statements_are_the_creators_own(client, creator, money):
    payout = released(money, creator)
    response = signed_in(client, creator).get(f"/creator/earnings/payouts/{payout.pk}/statement.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    other = signed_in(client, CreatorUserFactory()).get(f"/creator/earnings/payouts/{payout.pk}/statement.pdf")
    assert other.status_code == 404


# --- Navigation ------------------------------------------------------------------------------------------------
def test_the_menus_link_payments_and_earnings(client, brand, creator):
    assert 'href="/payments/"' in signed_in(client, brand).get("/payments/").content.decode()
    assert 'href="/creator/earnings/"' in signed_in(client, creator).get("/creator/earnings/").content.decode()


# --- Dashboards ------------------------------------------------------------------------------------------------
def test_the_brand_dashboard_totals_spend_and_links_payments(client, brand, money):
    payment = paid(money, brand, subtotal="1250.00")
    money.settle(payment.escrows.get().order, refund="250.00")
    money.start(brand, money.order(brand=brand, creator=CreatorUserFactory(), subtotal="80.00"))

    html = signed_in(client, brand).get(reverse("dashboard")).content.decode()

    assert "$1,000 spent" in html and "1 paid · 1 waiting ($80) · $250 refunded" in html
    assert 'href="/payments/"' in html and 'href="/payments/cards/"' in html


def test_the_creator_dashboard_shows_earnings_and_the_payout_setup(client, creator, money):
    empty = signed_in(client, creator).get(reverse("dashboard")).content.decode()
    assert "No earnings yet" in empty and "Set up payouts" in empty

    released(money, creator, subtotal="1000.00")
    html = client.get(reverse("dashboard")).content.decode()
    assert "$950 earned" in html and "$950 available · $0 in escrow · $0 paid out" in html
    assert 'href="/creator/earnings/"' in html
