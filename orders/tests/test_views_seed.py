"""The orders section of `seed_demo`: every page has something to show, made through the services and paid in
the sandbox, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import CreatorUserFactory
from creators.models import Package, Review
from orders.models import CartItem, CustomOffer, Order, OrderEvent
from payments.models import Payment
from payments.selectors.ledger import ledger_check

pytestmark = pytest.mark.django_db

S = Order.Status


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_an_order_in_every_state_a_pending_offer_and_a_cart():
    output = seed()

    statuses = sorted(Order.objects.values_list("status", flat=True))
    assert statuses == sorted([S.COMPLETED, S.PAID, S.PENDING_PAYMENT, S.DISPUTED, S.IN_PROGRESS, S.CANCELLED,
                               S.DELIVERED, S.REVISION_REQUESTED])
    assert "Orders: 8 created" in output
    delivered = Order.objects.get(status=S.DELIVERED)
    assert delivered.deliverable.submissions.get().links
    revised = Order.objects.get(status=S.REVISION_REQUESTED)
    assert revised.revisions_used == 1 and revised.deliverable.submissions.get().feedback
    completed = Order.objects.get(status=S.COMPLETED)
    assert Review.objects.get(order_id=completed.pk).is_verified
    assert completed.attachments.get().name == "brand-guide.txt"
    assert Order.objects.get(status=S.DISPUTED).dispute.reason == "not_as_described"
    offer = CustomOffer.objects.get(in_reply_to__isnull=False)  # the chat section sends one in a direct chat
    assert (offer.status, offer.in_reply_to_id, offer.brand.email) == ("pending", completed.pk,
                                                                     "glowup@influmojo.local")
    assert CartItem.objects.filter(brand__email="glowup@influmojo.local").count() == 2
    assert Package.objects.filter(creator__email__endswith="@influmojo.local").count() == 15


def test_the_demo_orders_went_through_the_services_and_the_sandbox():
    seed()

    for order in Order.objects.exclude(status=S.PENDING_PAYMENT):
        assert order.paid_at and order.payment.status == Payment.Status.COMPLETED
        assert order.payment.gateway == "sandbox"
        assert OrderEvent.objects.filter(order=order, new_status=S.PAID, actor_role="system").exists()
    unpaid = Order.objects.get(status=S.PENDING_PAYMENT)
    assert unpaid.payment.status == Payment.Status.PENDING and unpaid.payment.provider_payment_id
    assert ledger_check().ok, str(ledger_check())


def test_running_twice_makes_no_second_set_of_orders():
    seed()
    before = (list(Order.objects.values_list("pk", "status")), list(CartItem.objects.values_list("pk", "quantity")),
              CustomOffer.objects.count(), Package.objects.count())

    output = seed()

    after = (list(Order.objects.values_list("pk", "status")), list(CartItem.objects.values_list("pk", "quantity")),
             CustomOffer.objects.count(), Package.objects.count())
    assert after == before
    assert "Packages: 0 created. Orders: 0 created, 8 already there." in output


def test_a_suspended_creator_is_skipped_and_reported():
    CreatorUserFactory(email="jay@influmojo.local", status=User.Status.SUSPENDED)

    output = seed()

    assert "Skipped: Workout video with your product" in output
    assert not Order.objects.filter(creator__email="jay@influmojo.local").exists()
    assert Order.objects.count() == 7


def test_every_demo_page_opens(client):
    seed()
    glowup = User.objects.get(email="glowup@influmojo.local")
    sarah = User.objects.get(email="sarah@influmojo.local")

    client.force_login(glowup)
    for order in Order.objects.filter(brand=glowup):
        assert client.get(reverse("order_detail", args=[order.pk])).status_code == 200
    for name in ("order_list", "cart", "offer_list", "dashboard"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("checkout")).status_code == 200
    client.force_login(sarah)
    for order in Order.objects.filter(creator=sarah, paid_at__isnull=False):
        assert client.get(reverse("order_detail", args=[order.pk])).status_code == 200
