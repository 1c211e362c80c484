"""The sandbox gateway end to end, with no network: checkout → the TEST MODE confirmation page → paid → the
creator onboards on the sandbox's page, delivers, the brand approves → the payout is paid; the ledger balances."""

import datetime
from decimal import Decimal

import pytest
import responses
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory
from creators.tests.factories import PackageFactory
from influmojo.permissions import Actor
from orders.models import Order
from orders.services import checkout as order_checkout
from orders.services import orders as order_services
from orders.tests.factories import CartItemFactory
from payments import services
from payments.models import ConnectedAccount, JournalEntry, Payment, PaymentMethod, Payout
from payments.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_network():
    """Nothing registered: any HTTP request at all would fail the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked
    assert not mocked.calls


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def place(brand, creator, price="500.00"):
    CartItemFactory(brand=brand, package=PackageFactory(creator=creator, price=Decimal(price), revisions=1))
    return order_checkout.checkout(actor=Actor.of(brand), requirements="One reel with the product.",
                                   deadline=timezone.now() + datetime.timedelta(days=14))


def test_checkout_to_paid_payout_through_the_sandbox(brand, creator, commit, books):
    with commit():
        outcome = place(brand, creator)
    assert outcome.error is None
    (order,) = outcome.orders
    page = outcome.intent.confirm_url
    assert page == f"/payments/sandbox/{outcome.payment.pk}/"
    brand_client = client_for(brand)

    shown = brand_client.get(page)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "TEST MODE" in html and "$500" in html and order.number in html and "Simulate a decline" in html

    with commit():
        paid = brand_client.post(page, {"action": "pay", "card": "4242424242424242", "next": "/dashboard/"})
    assert paid.status_code == 302 and paid["Location"] == "/dashboard/"
    payment = Payment.objects.get()
    assert (payment.status, payment.method) == ("completed", "Visa •••• 4242")
    assert Order.objects.get().status == "paid"
    books()

    link = services.connected_account_onboarding_link(actor=Actor.of(creator), return_url="/dashboard/",
                                                      refresh_url="/dashboard/")
    creator_client = client_for(creator)
    assert "TEST MODE" in creator_client.get(link).content.decode()
    with commit():
        back = creator_client.post(link, {"action": "complete"})
    assert back.status_code == 302 and back["Location"] == "/dashboard/"
    assert ConnectedAccount.objects.get(user=creator).can_receive_payouts

    with commit():
        order_services.order_accept(order_id=order.pk, actor=Actor.of(creator))
        order_services.order_deliver(order_id=order.pk, actor=Actor.of(creator), message="Here it is.",
                                     links=["https://instagram.com/p/abc123"])
        order_services.order_approve(order_id=order.pk, actor=Actor.of(brand))

    payout = Payout.objects.get()
    assert (payout.status, payout.amount, payout.creator) == ("paid", Decimal("475.00"), creator)
    assert sorted(JournalEntry.objects.values_list("kind", flat=True)) == ["charge", "release", "transfer"]
    books()


def test_a_declined_test_card_fails_the_attempt_and_another_card_pays(brand, creator, commit, books):
    with commit():
        outcome = place(brand, creator)
    page = outcome.intent.confirm_url
    client = client_for(brand)

    with commit():
        declined = client.post(page, {"action": "decline"}, follow=True)
    assert "Test card declined" in declined.content.decode()
    assert Payment.objects.get().status == "failed"
    assert "Last attempt: Your card was declined." in client.get(page).content.decode()

    with commit():
        client.post(page, {"action": "pay", "card": "4000000000009995"})
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_code) == ("failed", "insufficient_funds")

    with commit():
        client.post(page, {"action": "pay", "card": "5555555555554444"})
    assert Payment.objects.get().method == "Mastercard •••• 4444"
    assert Order.objects.get().status == "paid"
    books()


def test_paying_twice_charges_once(brand, creator, commit, books):
    with commit():
        page = place(brand, creator).intent.confirm_url
    client = client_for(brand)

    with commit():
        client.post(page, {"action": "pay", "card": "4242424242424242"})
        client.post(page, {"action": "pay", "card": "4242424242424242"})

    assert JournalEntry.objects.filter(kind="charge").count() == 1
    assert "Paid" in client.get(page).content.decode()
    books()


def test_the_page_is_the_payers_alone(brand, creator, commit):
    with commit():
        page = place(brand, creator).intent.confirm_url

    assert client_for(BrandUserFactory()).get(page).status_code == 404
    assert client_for(creator).post(page, {"action": "pay", "card": "4242424242424242"}).status_code == 404
    assert Client().get(page).status_code == 302  # to the login page
    assert Payment.objects.get().status == "pending"


def test_the_pages_are_off_when_stripe_is_the_gateway(brand, creator, commit, settings):
    with commit():
        page = place(brand, creator).intent.confirm_url
    settings.PAYMENT_GATEWAY = "stripe"

    assert client_for(brand).post(page, {"action": "pay", "card": "4242424242424242"}).status_code == 404
    assert Payment.objects.get().status == "pending"


def test_an_unknown_card_or_a_foreign_next_url_is_refused(brand, creator, commit):
    with commit():
        page = place(brand, creator).intent.confirm_url
    client = client_for(brand)

    unknown = client.post(page, {"action": "pay", "card": "4111111111111111"}, follow=True)
    assert "Choose one of the test cards." in unknown.content.decode()
    with commit():
        paid = client.post(page, {"action": "pay", "card": "4242424242424242", "next": "https://evil.example/"})
    assert paid["Location"] == page


def test_saving_a_test_card(brand):
    CustomerFactory(user=brand)
    setup = services.payment_method_setup(actor=Actor.of(brand))
    client = client_for(brand)
    assert "TEST MODE" in client.get(setup.confirm_url).content.decode()

    client.post(setup.confirm_url, {"card": "5555555555554444", "next": "/dashboard/"})
    client.post(setup.confirm_url, {"card": "5555555555554444", "next": "/dashboard/"})

    method = PaymentMethod.objects.get()
    assert (str(method), method.is_default) == ("Mastercard •••• 4444", True)


def test_leaving_onboarding_changes_nothing(creator):
    link = services.connected_account_onboarding_link(actor=Actor.of(creator), return_url="/dashboard/",
                                                      refresh_url="/dashboard/?again=1")

    left = client_for(creator).post(link, {"action": "leave"})

    assert left["Location"] == "/dashboard/?again=1"
    assert not ConnectedAccount.objects.get(user=creator).can_receive_payouts
    assert client_for(BrandUserFactory()).get(link).status_code == 404
