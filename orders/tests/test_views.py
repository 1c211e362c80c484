"""Orders pages: cart, checkout, the order list and page of both sides with every move, custom offers, the
Stripe pay page and the dashboards' Orders card. Each page: 200 for its owner, login for visitors, 404 for
someone else's object, the role guard; each move through the page, done and refused; list pages at a fixed
number of queries. Payments run through payments' real services with the sandbox gateway (orders/tests/conftest)."""

import datetime
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.models import Review
from creators.tests.factories import PackageFactory
from orders.models import CartItem, CustomOffer, Dispute, Order, Submission
from orders.services import cart as cart_services
from orders.services import checkout as checkout_services
from orders.services import orders as order_services
from orders.tests.conftest import future, order_in, pay_in_sandbox
from orders.tests.factories import CartItemFactory, CustomOfferFactory, OrderFactory
from orders.views.common import pay_page
from influmojo.permissions import Actor
from payments.models import Payment

pytestmark = pytest.mark.django_db

S = Order.Status
CART, CHECKOUT, ORDERS, OFFERS, NEW_OFFER = (reverse(name) for name in
                                            ("cart", "checkout", "order_list", "offer_list", "offer_create"))


def html_of(response, status=200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:800])
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def url(name, *args) -> str:
    return reverse(name, args=args)


@pytest.fixture
def as_brand(client, brand):
    client.force_login(brand)
    return client


@pytest.fixture
def as_creator(client, creator):
    client.force_login(creator)
    return client


def pay_target(payment) -> str:
    """Where the brand is sent to pay: payments' pay page once mounted, else the sandbox's confirmation page."""
    return pay_page(payment.pk) or reverse("payments_sandbox_confirm", args=[payment.pk])


def placed(brand, *packages, quantity=1, **fields) -> list[Order]:
    """The brand checks out these packages through the services (sandbox payment started, not paid)."""
    actor = Actor.of(brand)
    for package in packages:
        cart_services.cart_add_package(actor=actor, package_id=package.pk, quantity=quantity)
    outcome = checkout_services.checkout(actor=actor, requirements="One reel, natural light.",
                                         deadline=future(days=30), **fields)
    return outcome.orders


def paid(brand, package) -> Order:
    orders = placed(brand, package)
    pay_in_sandbox(orders[0].payment)
    orders[0].refresh_from_db()
    return orders[0]


# --- Access -----------------------------------------------------------------------------------------------------------
PAGES = [CART, CHECKOUT, ORDERS, OFFERS, NEW_OFFER, "/orders/1/", "/offers/1/"]


@pytest.mark.parametrize("path", PAGES)
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("path", [CART, CHECKOUT])
def test_brand_pages_send_creators_back_to_their_dashboard(as_creator, path):
    response = as_creator.get(path)

    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert messages_of(response) == ["The cart and checkout are for brand accounts."]


def test_the_offer_form_is_for_creators(as_brand):
    response = as_brand.get(NEW_OFFER)

    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert messages_of(response) == ["Custom offers are sent by creator accounts."]


@pytest.mark.parametrize("path", [ORDERS, OFFERS])
def test_agents_use_the_console(client, agent, path):
    client.force_login(agent)

    response = client.get(path)

    assert response.status_code == 302 and response.url == reverse("dashboard")


def test_someone_elses_order_offer_cart_line_and_payment_are_404(as_brand, brand, package):
    theirs = paid(BrandUserFactory(), package)
    offer = CustomOfferFactory()
    line = CartItemFactory()

    responses = [
        as_brand.get(url("order_detail", theirs.pk)),
        as_brand.post(url("order_approve", theirs.pk)),
        as_brand.post(url("order_cancel", theirs.pk), {"cancel-reason": ""}),
        as_brand.post(url("order_pay", theirs.pk)),
        as_brand.get(url("offer_detail", offer.pk)),
        as_brand.post(url("offer_accept", offer.pk)),
        as_brand.post(url("cart_item_quantity", line.pk), {"quantity": 2}),
        as_brand.post(url("cart_item_remove", line.pk)),
    ]

    assert [response.status_code for response in responses] == [404] * len(responses)
    theirs.refresh_from_db()
    assert theirs.status == S.PAID and CartItem.objects.filter(pk=line.pk, quantity=1).exists()


def test_a_creator_does_not_see_an_unpaid_order(client, creator, package):
    order = placed(BrandUserFactory(), package)[0]
    client.force_login(creator)

    assert client.get(url("order_detail", order.pk)).status_code == 404
    assert order.number not in html_of(client.get(ORDERS))


# --- Add to cart and the cart -----------------------------------------------------------------------------------------
def test_a_brand_adds_a_package_from_the_public_page_with_a_quantity(as_brand, brand, package):
    page = reverse("creator_portfolio", kwargs={"slug": package.creator.creator_profile.slug})
    html = html_of(as_brand.get(page))
    assert f'action="{CART}add/"' in html and f'name="package_id" value="{package.pk}"' in html

    response = as_brand.post(url("cart_add"), {"package_id": package.pk, "quantity": "3",
                                               "next": f"{page}#package-{package.pk}"})

    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == CART and parse_qs(target.query) == {"back": [f"{page}#package-{package.pk}"]}
    assert CartItem.objects.get(brand=brand).quantity == 3
    assert messages_of(response) == [f"Added 3 × “{package.title}” to your cart."]


def test_adding_more_than_ten_of_a_package_is_refused_with_the_services_message(as_brand, brand, package):
    CartItemFactory(brand=brand, package=package, quantity=8)

    response = as_brand.post(url("cart_add"), {"package_id": package.pk, "quantity": "3"})

    assert response.status_code == 302 and response.url == CART
    assert messages_of(response) == ["At most 10 of one package per order (you have 8 in the cart)."]
    assert CartItem.objects.get(brand=brand).quantity == 8


def test_a_bad_quantity_is_refused_by_the_serializer(as_brand, brand, package):
    response = as_brand.post(url("cart_add"), {"package_id": package.pk, "quantity": "0"})

    assert response.status_code == 302
    assert messages_of(response) == ["Ensure this value is greater than or equal to 1."]
    assert not CartItem.objects.exists()


def test_a_package_off_sale_cannot_be_added(as_brand, package):
    package.is_active = False
    package.save()

    response = as_brand.post(url("cart_add"), {"package_id": package.pk, "quantity": "1"})

    assert messages_of(response) == ["This package is no longer offered."]
    assert not CartItem.objects.exists()


def test_the_cart_groups_lines_by_creator_with_the_fee_from_the_creators_share(as_brand, brand):
    sarah, mike = CreatorUserFactory(name="Sarah Stone"), CreatorUserFactory(name="Mike Moss")
    CartItemFactory(brand=brand, package=PackageFactory(creator=sarah, title="Reel", price=Decimal("500.00")),
                    quantity=2)
    CartItemFactory(brand=brand, package=PackageFactory(creator=mike, title="Review video",
                                                        price=Decimal("1500.00")))
    off_sale = PackageFactory(creator=mike, title="Old story", price=Decimal("90.00"))
    CartItemFactory(brand=brand, package=off_sale)
    off_sale.is_active = False
    off_sale.save()

    html = html_of(as_brand.get(CART))

    assert html.index("Sarah Stone") < html.index("Reel") < html.index("Mike Moss") < html.index("Review video")
    assert "This package is no longer offered." in html
    assert "$2,500" in html  # you pay: 2 × 500 + 1,500 (the line off sale is left out)
    assert "Platform fee (5&nbsp;%), from the creators' share" in html and "$125" in html
    assert "$2,375" in html  # the creators receive
    assert "not added to what you pay" in html
    assert f'href="{CHECKOUT}?currency=USD"' in html


def test_several_currencies_check_out_one_at_a_time(as_brand, brand):
    CartItemFactory(brand=brand, package=PackageFactory(price=Decimal("100.00"), currency="USD"))
    CartItemFactory(brand=brand, package=PackageFactory(price=Decimal("80.00"), currency="EUR"))

    html = html_of(as_brand.get(CART))

    assert "check out one currency at a time" in html
    assert f"{CHECKOUT}?currency=USD" in html and f"{CHECKOUT}?currency=EUR" in html
    response = as_brand.get(CHECKOUT)
    assert response.status_code == 302 and response.url == CART


def test_an_empty_cart_says_where_to_find_packages(as_brand):
    html = html_of(as_brand.get(CART))

    assert "Your cart is empty" in html and reverse("brand_discover") in html


def test_quantity_changes_and_removal_go_through_the_services(as_brand, brand, package):
    line = CartItemFactory(brand=brand, package=package)

    as_brand.post(url("cart_item_quantity", line.pk), {"quantity": "4"})
    line.refresh_from_db()
    assert line.quantity == 4

    refused = as_brand.post(url("cart_item_quantity", line.pk), {"quantity": "11"})
    assert messages_of(refused)[-1] == "Ensure this value is less than or equal to 10."
    line.refresh_from_db()
    assert line.quantity == 4

    as_brand.post(url("cart_item_remove", line.pk))
    assert not CartItem.objects.filter(pk=line.pk).exists()


def test_the_cart_costs_the_same_queries_for_1_and_25_lines(as_brand, brand, django_assert_num_queries):
    CartItemFactory(brand=brand)
    with django_assert_num_queries(3):  # session, user, the lines with their packages and creators
        html_of(as_brand.get(CART))
    CartItemFactory.create_batch(24, brand=brand)

    with django_assert_num_queries(3):
        html_of(as_brand.get(CART))


# --- Checkout ---------------------------------------------------------------------------------------------------------
def checkout_form(**changes) -> dict:
    deadline = (timezone.now() + datetime.timedelta(days=20)).date().isoformat()
    return {"requirements": "Show the serum in your morning routine.", "deadline": deadline,
            "usage_rights": "brand_channels", "usage_notes": "EU only", **changes}


def test_the_checkout_page_shows_the_earliest_deadline_limits_and_lines(as_brand, brand):
    slow = PackageFactory(title="Long video", duration_days=12)
    CartItemFactory(brand=brand, package=slow)
    CartItemFactory(brand=brand, package=PackageFactory(title="Quick story", duration_days=2))

    html = html_of(as_brand.get(CHECKOUT))

    earliest = (timezone.now() + datetime.timedelta(days=12)).date()
    assert f'min="{earliest.isoformat()}"' in html
    assert "Up to 10 files of at most 20 MB each" in html
    assert "Long video" in html and "Quick story" in html
    assert html.count('name="item_ids"') == 2 and html.count("checked") >= 2
    assert "Brand may repost on its own channels" in html


def test_checkout_places_one_order_per_creator_and_goes_straight_to_the_sandbox_payment(as_brand, brand):
    first, second = PackageFactory(price=Decimal("500.00")), PackageFactory(price=Decimal("300.00"))
    items = [CartItemFactory(brand=brand, package=first), CartItemFactory(brand=brand, package=second)]
    attachment = SimpleUploadedFile("brief.txt", b"Key messages: vegan, small batch.", content_type="text/plain")

    response = as_brand.post(CHECKOUT, {**checkout_form(), "item_ids": [item.pk for item in items],
                                        "attachments": [attachment]})

    orders = list(Order.objects.filter(brand=brand).order_by("pk"))
    assert len(orders) == 2 and {order.status for order in orders} == {S.PENDING_PAYMENT}
    assert orders[0].usage_rights == "brand_channels" and orders[0].attachments.get().name == "brief.txt"
    assert orders[0].deadline.time() == datetime.time(23, 59)
    payment = Payment.objects.get(payer=brand)
    target = urlsplit(response.url)
    assert response.status_code == 302 and target.path == pay_target(payment)
    assert parse_qs(target.query) == {"next": [f"{ORDERS}?status=active"]}
    assert messages_of(response) == ["2 orders placed (one per creator). Pay now to send them to the creators."]
    assert not CartItem.objects.filter(brand=brand).exists()


def test_unticked_lines_stay_in_the_cart(as_brand, brand):
    keep, buy = CartItemFactory(brand=brand), CartItemFactory(brand=brand)

    response = as_brand.post(CHECKOUT, {**checkout_form(), "item_ids": [buy.pk]})

    order = Order.objects.get(brand=brand)
    assert response.status_code == 302
    assert urlsplit(response.url).query == f"next=%2Forders%2F{order.pk}%2F"
    assert list(CartItem.objects.filter(brand=brand)) == [keep]


def test_checkout_errors_land_on_their_fields(as_brand, brand):
    CartItemFactory(brand=brand, package=PackageFactory(duration_days=10))
    too_soon = (timezone.now() + datetime.timedelta(days=3)).date().isoformat()
    items = list(CartItem.objects.filter(brand=brand).values_list("pk", flat=True))
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")

    missing = html_of(as_brand.post(CHECKOUT, {"requirements": "", "deadline": "", "usage_rights": "organic",
                                               "item_ids": items}))
    soon = html_of(as_brand.post(CHECKOUT, {**checkout_form(deadline=too_soon), "item_ids": items}))
    bad_file = html_of(as_brand.post(CHECKOUT, {**checkout_form(), "item_ids": items, "attachments": [fake]}))
    nothing = html_of(as_brand.post(CHECKOUT, checkout_form()))

    assert re.search(r'id="id_requirements_error"><p>This field is required.', missing)
    assert 'id="deadline-error"><p>Choose the date the work is due.' in missing
    assert re.search(r'id="deadline-error"><p>The deadline must leave at least 10 days for delivery', soon)
    assert "photo.jpg: this kind of file is not accepted." in bad_file
    assert "Tick at least one line to check out." in nothing
    assert not Order.objects.exists()


def test_a_line_gone_off_sale_is_refused_at_checkout(as_brand, brand, package):
    item = CartItemFactory(brand=brand, package=package)
    package.is_active = False
    package.save()
    CartItemFactory(brand=brand)  # something orderable, so the page opens

    html = html_of(as_brand.post(CHECKOUT, {**checkout_form(), "item_ids": [item.pk]}))

    assert "A line of your cart can no longer be ordered: This package is no longer offered." in html
    assert not Order.objects.exists()


def test_a_gateway_failure_keeps_the_orders_and_says_so(as_brand, brand, payments):
    from influmojo.errors import ApplicationError

    payments.fail_prepare = ApplicationError("The payment provider is not answering; try again in a minute.",
                                             code="gateway_unavailable", status=502)
    CartItemFactory(brand=brand)

    response = as_brand.post(CHECKOUT, {**checkout_form(), "item_ids": list(
        CartItem.objects.filter(brand=brand).values_list("pk", flat=True))})

    order = Order.objects.get(brand=brand)
    assert response.url == url("order_detail", order.pk)
    assert messages_of(response)[-1] == ("The payment provider is not answering; try again in a minute. "
                                         "Your order is saved: pay it from its page when you are ready.")


# --- The order list ---------------------------------------------------------------------------------------------------
def test_the_list_shows_each_side_its_own_orders_with_what_waits_on_them(client, brand, creator, package):
    unpaid = placed(brand, package)[0]
    waiting = paid(brand, PackageFactory(creator=creator, title="Story set"))
    OrderFactory(status=S.PAID, paid_at=timezone.now())  # someone else's

    client.force_login(brand)
    html = html_of(client.get(ORDERS))
    assert unpaid.number in html and waiting.number in html and html.count('class="om-row"') == 2
    assert '<span class="badge om-move">Pay</span>' in html and "to pay" in html

    client.force_login(creator)
    html = html_of(client.get(ORDERS))
    assert waiting.number in html and unpaid.number not in html
    assert '<span class="badge om-move">Accept or decline</span>' in html
    assert "$475" in html and "you receive" in html  # $500 less the 5 % fee


def test_the_list_filters_by_group_status_and_search(as_brand, brand):
    done = order_in(S.COMPLETED, brand=brand, finished_at=timezone.now())
    working = order_in(S.IN_PROGRESS, brand=brand)
    working.items.update(title="Unboxing video")

    def numbers(query):
        html = html_of(as_brand.get(f"{ORDERS}?{query}"))
        return {order.number for order in (done, working) if order.number in html}

    assert numbers("status=finished") == {done.number}
    assert numbers("status=active") == {working.number}
    assert numbers("status=in_progress") == {working.number}
    assert numbers("q=unboxing") == {working.number}
    assert numbers(f"q={done.number[-4:]}") == {done.number}
    refused = as_brand.get(f"{ORDERS}?status=lost")
    assert numbers("status=lost") == {done.number, working.number}
    assert messages_of(refused) == ["That filter is not one of the order statuses; showing all your orders."]
    assert "No orders match" in html_of(as_brand.get(f"{ORDERS}?q=nothing-like-this"))


def test_the_list_pages_twenty_at_a_time_keeping_the_filter(as_brand, brand):
    for _ in range(21):
        order_in(S.IN_PROGRESS, brand=brand)

    first = html_of(as_brand.get(f"{ORDERS}?status=active"))
    second = html_of(as_brand.get(f"{ORDERS}?status=active&page=2"))

    assert first.count('class="om-row"') == 20 and second.count('class="om-row"') == 1
    assert 'href="?status=active&amp;page=2"' in first and "Page 1 of 2 · 21 orders" in first


@pytest.mark.parametrize("role", ["brand", "creator"])
def test_the_list_costs_the_same_queries_for_1_and_25_orders(client, brand, creator, role,
                                                              django_assert_num_queries):
    client.force_login(brand if role == "brand" else creator)
    order_in(S.IN_PROGRESS, brand=brand, creator=creator)
    with django_assert_num_queries(5):  # session, user, count, the page with both parties, their lines
        html_of(client.get(ORDERS))
    for _ in range(24):
        order_in(S.DELIVERED, brand=brand, creator=creator)

    with django_assert_num_queries(5):
        assert html_of(client.get(ORDERS)).count('class="om-row"') == 20  # the first page


def test_empty_lists_say_what_comes_next(client, brand, creator):
    client.force_login(brand)
    assert "No orders yet" in html_of(client.get(ORDERS)) and reverse("brand_discover") in html_of(client.get(ORDERS))
    client.force_login(creator)
    assert "When a brand orders one of your packages and pays" in html_of(client.get(ORDERS))


# --- One order --------------------------------------------------------------------------------------------------------
def test_the_order_page_shows_lines_brief_attachments_timeline_and_money(as_brand, brand, package):
    attachment = SimpleUploadedFile("guide.txt", b"Tone: warm.", content_type="text/plain")
    order = placed(brand, package, usage_rights="paid_30", attachments=[attachment])[0]

    html = html_of(as_brand.get(url("order_detail", order.pk)))

    assert order.number in html and 'class="badge status status-pending_payment"' in html
    assert package.title in html and "One reel, natural light." in html and "Paid ads for 30 days" in html
    assert "guide.txt" in html and "11 B" in html
    assert "Order placed" in html and "(brand)" in html
    assert "Platform fee (5&nbsp;%), from the creator's share" in html and "$25" in html and "$475" in html
    assert f'action="{url("order_pay", order.pk)}"' in html and f'action="{url("order_cancel", order.pk)}"' in html
    assert f'action="{url("order_approve", order.pk)}"' not in html
    assert "Pay by" in html


def test_the_creator_sees_what_they_receive_and_the_accept_by_deadline(as_creator, brand, package):
    order = paid(brand, package)

    html = html_of(as_creator.get(url("order_detail", order.pk)))

    assert "You will receive <span class=\"om-money\">$475</span>" in html
    assert "5&nbsp;% platform fee of $25" in html and "Accept by <strong>" in html
    for name in ("order_accept", "order_decline", "order_extend", "order_dispute"):
        assert f'action="{url(name, order.pk)}"' in html
    assert f'action="{url("order_cancel", order.pk)}"' not in html  # a creator declines instead
    assert f'href="{NEW_OFFER}?order={order.pk}"' in html


def test_deliveries_show_every_version_with_its_decision(as_brand, brand, creator):
    order = order_in(S.REVISION_REQUESTED, brand=brand, creator=creator, revisions_used=1)
    Submission.objects.create(deliverable=order.deliverable, version=1, message="First cut",
                              links=["https://example.com/v1"], submitted_by=creator, decision="revision_requested",
                              feedback="Brighter light, please.", decided_by=brand, decided_at=timezone.now())

    html = html_of(as_brand.get(url("order_detail", order.pk)))

    assert "Version 1" in html and "First cut" in html and 'href="https://example.com/v1"' in html
    assert "Brighter light, please." in html and "Revision requested" in html
    assert "is making the changes you asked for (revision 1 of 2)" in html


# --- Moves through the page -------------------------------------------------------------------------------------------
def test_the_creator_accepts_extends_or_declines(client, brand, creator, package):
    client.force_login(creator)
    first, second, third = (paid(brand, PackageFactory(creator=creator)) for _ in range(3))

    accepted = client.post(url("order_accept", first.pk))
    extended = client.post(url("order_extend", second.pk))
    again = client.post(url("order_extend", second.pk))
    declined = client.post(url("order_decline", third.pk), {"decline-reason": "Fully booked this month."})

    assert accepted.status_code == 302 and accepted.url == url("order_detail", first.pk)
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert first.status == S.IN_PROGRESS and second.acceptance_extended and third.status == S.DECLINED
    assert messages_of(extended)[-1] == "You have more time to decide."
    assert messages_of(again)[-1] == "The time to accept has already been extended once."
    assert third.events.last().note == "Fully booked this month."
    assert "Order declined; the brand is refunded in full." in messages_of(declined)


def test_the_creator_delivers_with_links_and_files_and_the_brand_approves(client, brand, creator):
    order = order_in(S.IN_PROGRESS, brand=brand, creator=creator)
    client.force_login(creator)
    clip = SimpleUploadedFile("caption.txt", b"Final caption and hashtags", content_type="text/plain")

    delivered = client.post(url("order_deliver", order.pk), {
        "deliver-message": "Here it is", "deliver-links": "https://instagram.com/p/abc\n\nhttps://example.com/cut",
        "deliver-files": [clip]})

    assert delivered.status_code == 302
    submission = order.deliverable.submissions.get()
    assert submission.links == ["https://instagram.com/p/abc", "https://example.com/cut"]
    assert submission.files.get().name == "caption.txt" and submission.message == "Here it is"

    client.force_login(brand)
    page = html_of(client.get(url("order_detail", order.pk)))
    assert "Approving completes the order and releases <span class=\"om-money\">$475</span>" in page
    approved = client.post(url("order_approve", order.pk), {"approve-note": "Lovely"})
    order.refresh_from_db()
    assert order.status == S.COMPLETED and approved.url == url("order_detail", order.pk)
    assert messages_of(approved)[-1] == "Approved: the order is completed and the creator's share is released."


def test_a_delivery_without_work_is_refused_on_the_form(client, brand, creator):
    order = order_in(S.IN_PROGRESS, brand=brand, creator=creator)
    client.force_login(creator)

    empty = client.post(url("order_deliver", order.pk), {"deliver-message": "Soon", "deliver-links": ""})
    bad_link = client.post(url("order_deliver", order.pk), {"deliver-links": "http://insecure.example.com"})

    assert "Attach the work: at least one file or link." in html_of(empty, 400)
    assert "Links must be https:// addresses" in html_of(bad_link, 400)
    assert '<details class="om-action primary" open>' in bad_link.content.decode()
    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS and not order.deliverable.submissions.exists()


def test_the_brand_requests_a_revision_with_feedback_and_not_without(client, brand, creator):
    order = order_in(S.DELIVERED, brand=brand, creator=creator)
    client.force_login(brand)

    blank = client.post(url("order_request_revision", order.pk), {"request_revision-feedback": ""})
    assert "This field is required." in html_of(blank, 400)
    asked = client.post(url("order_request_revision", order.pk),
                        {"request_revision-feedback": "Show the label for longer."})

    order.refresh_from_db()
    assert asked.status_code == 302 and order.status == S.REVISION_REQUESTED and order.revisions_used == 1
    assert order.deliverable.submissions.get().feedback == "Show the label for longer."


def test_a_move_the_order_no_longer_allows_is_a_message(client, brand, creator):
    order = order_in(S.COMPLETED, brand=brand, creator=creator)
    client.force_login(brand)

    response = client.post(url("order_approve", order.pk), {"approve-note": ""})

    assert response.status_code == 302 and response.url == url("order_detail", order.pk)
    assert messages_of(response)[-1].startswith(f"cannot move order {order.number} from completed")


def test_the_creator_cannot_approve_their_own_delivery(client, brand, creator):
    order = order_in(S.DELIVERED, brand=brand, creator=creator)
    client.force_login(creator)

    response = client.post(url("order_approve", order.pk))

    order.refresh_from_db()
    assert order.status == S.DELIVERED and "cannot move order" in messages_of(response)[-1]


def test_cancelling_unpaid_or_paid_and_by_agreement(client, brand, creator, package):
    client.force_login(brand)
    unpaid = placed(brand, package)[0]
    before_acceptance = paid(brand, PackageFactory(creator=creator))
    working = order_in(S.IN_PROGRESS, brand=brand, creator=creator)

    dropped = client.post(url("order_cancel", unpaid.pk), {"cancel-reason": ""})
    refunded = client.post(url("order_cancel", before_acceptance.pk), {"cancel-reason": "Plans changed"})
    asked = client.post(url("order_cancel", working.pk), {"request_cancellation-reason": "Budget cut"})

    assert messages_of(dropped)[-1] == "Order cancelled. Nothing was charged."
    assert messages_of(refunded)[-1] == "Order cancelled; the brand is refunded in full."
    assert messages_of(asked)[-1].startswith("Cancellation requested.")
    again = client.post(url("order_cancel", working.pk), {"request_cancellation-reason": ""})
    assert messages_of(again)[-1] == "You have already asked to cancel; the other side has not agreed yet."

    client.force_login(creator)
    page = html_of(client.get(url("order_detail", working.pk)))
    assert "asked to cancel this order: “Budget cut”" in page and "Agree and cancel" in page
    client.post(url("order_cancel", working.pk), {"agree_cancellation-reason": "Understood"})
    for order in (unpaid, before_acceptance, working):
        order.refresh_from_db()
        assert order.status == S.CANCELLED


def test_whoever_asked_to_cancel_can_withdraw(client, brand, creator):
    order = order_in(S.IN_PROGRESS, brand=brand, creator=creator)
    client.force_login(creator)
    client.post(url("order_cancel", order.pk), {"request_cancellation-reason": "Ill"})

    response = client.post(url("order_cancel_withdraw", order.pk))

    order.refresh_from_db()
    assert order.cancellation_requested_by is None and order.status == S.IN_PROGRESS
    assert messages_of(response)[-1] == "Cancellation request withdrawn; the order goes on."
    refused = client.post(url("order_cancel_withdraw", order.pk))
    assert messages_of(refused)[-1] == "There is no cancellation request of yours to withdraw."


def test_a_dispute_needs_a_reason_and_a_description(client, brand, creator):
    order = order_in(S.DELIVERED, brand=brand, creator=creator)
    client.force_login(creator)

    refused = client.post(url("order_dispute", order.pk), {"dispute-reason": "quality", "dispute-description": ""})
    assert "This field is required." in html_of(refused, 400)
    opened = client.post(url("order_dispute", order.pk), {"dispute-reason": "unresponsive",
                                                           "dispute-description": "No answer for a week."})

    order.refresh_from_db()
    assert order.status == S.DISPUTED and opened.status_code == 302
    assert Dispute.objects.get(order=order).reason == "unresponsive"
    page = html_of(client.get(url("order_detail", order.pk)))
    assert "Frozen by a dispute" in page and "No answer for a week." in page


def test_pay_again_goes_to_the_payment_and_a_paid_order_is_refused(as_brand, brand, package):
    order = placed(brand, package)[0]

    again = as_brand.post(url("order_pay", order.pk))

    assert urlsplit(again.url).path == pay_target(order.payment)
    assert parse_qs(urlsplit(again.url).query) == {"next": [url("order_detail", order.pk)]}
    pay_in_sandbox(order.payment)
    refused = as_brand.post(url("order_pay", order.pk))
    assert refused.url == url("order_detail", order.pk)
    assert messages_of(refused)[-1] == f"Order {order.number} is not waiting for payment."


def test_a_creator_cannot_pay(client, creator, brand, package):
    order = paid(brand, PackageFactory(creator=creator))
    client.force_login(creator)

    assert client.post(url("order_pay", order.pk)).status_code == 404


def test_the_brand_reviews_a_completed_order_once(as_brand, brand, creator):
    order = order_in(S.COMPLETED, brand=brand, creator=creator, finished_at=timezone.now())
    assert "Publish the review" in html_of(as_brand.get(url("order_detail", order.pk)))

    bad = as_brand.post(url("order_review", order.pk), {"review-rating": "9", "review-text": "Wow"})
    assert "Ensure this value is less than or equal to 5." in html_of(bad, 400)
    done = as_brand.post(url("order_review", order.pk), {"review-rating": "5", "review-text": "Great work",
                                                         "review-project_type": "Launch"})

    review = Review.objects.get(order_id=order.pk)
    assert done.status_code == 302 and review.rating == 5 and review.is_verified
    assert "Publish the review" not in html_of(as_brand.get(url("order_detail", order.pk)))
    twice = as_brand.post(url("order_review", order.pk), {"review-rating": "4"})
    assert messages_of(twice)[-1] == "This order has already been reviewed."


def test_the_order_page_costs_the_same_queries_with_more_events_and_versions(as_brand, brand, creator,
                                                                             django_assert_num_queries):
    order = order_in(S.DELIVERED, brand=brand, creator=creator)
    with CaptureQueriesContext(connection) as few:
        html_of(as_brand.get(url("order_detail", order.pk)))
    for index in range(10):
        order_services.order_event_add(order=order, kind="note", actor=Actor.of(brand), note=f"Note {index}")

    with django_assert_num_queries(len(few.captured_queries)):
        html_of(as_brand.get(url("order_detail", order.pk)))


# --- Custom offers ----------------------------------------------------------------------------------------------------
def test_a_creator_sends_an_offer_from_an_order_page(as_creator, creator, brand, package):
    order = paid(brand, PackageFactory(creator=creator))

    form = html_of(as_creator.get(f"{NEW_OFFER}?order={order.pk}"))
    assert f'<option value="{brand.pk}" selected>' in form
    response = as_creator.post(f"{NEW_OFFER}?order={order.pk}", {
        "brand_id": brand.pk, "in_reply_to_order_id": order.pk, "title": "Two more reels",
        "description": "A follow-up pair.", "platform": "instagram", "content_type": "reel", "quantity": "2",
        "revisions": "1", "duration_days": "10", "price": "1500.00", "currency": "USD", "expires_in_days": "7"})

    offer = CustomOffer.objects.get()
    assert response.status_code == 302 and response.url == url("offer_detail", offer.pk)
    assert (offer.brand, offer.in_reply_to, offer.price) == (brand, order, Decimal("1500.00"))
    page = html_of(as_creator.get(url("offer_detail", offer.pk)))
    assert "You receive" in page and "$1,425" in page and "Withdraw the offer" in page


def test_offer_fields_are_checked_by_the_serializer_and_the_service(as_creator, creator, brand):
    order = paid(brand, PackageFactory(creator=creator))
    base = {"brand_id": brand.pk, "title": "Reels", "platform": "youtube", "content_type": "reel", "price": "100",
            "currency": "USD", "quantity": "1", "revisions": "1", "expires_in_days": "7"}

    wrong_type = html_of(as_creator.post(NEW_OFFER, base))
    no_price = html_of(as_creator.post(NEW_OFFER, {**base, "content_type": "video", "price": ""}))

    assert "YouTube packages can be: video, short, live stream." in wrong_type
    assert re.search(r'id="id_price_error"><p>This field is required.', no_price)
    assert not CustomOffer.objects.exists() and order


def test_a_creator_with_no_brands_is_told_who_offers_go_to(as_creator):
    assert "No brands to send an offer to yet" in html_of(as_creator.get(NEW_OFFER))


def test_someone_elses_order_cannot_be_replied_to(as_creator):
    theirs = paid(BrandUserFactory(), PackageFactory())

    assert as_creator.get(f"{NEW_OFFER}?order={theirs.pk}").status_code == 404


def test_the_brand_accepts_an_offer_into_the_cart_or_declines(client, brand):
    offer = CustomOfferFactory(brand=brand)
    other = CustomOfferFactory(brand=brand)
    client.force_login(brand)

    listed = html_of(client.get(OFFERS))
    assert offer.title in listed and "Waiting for the brand" in listed
    page = html_of(client.get(url("offer_detail", offer.pk)))
    assert "Accept into my cart" in page and "taken from the creator's share" in page
    accepted = client.post(url("offer_accept", offer.pk))
    declined = client.post(url("offer_decline", other.pk))

    assert accepted.url == CART and CartItem.objects.get(brand=brand).offer == offer
    assert "Custom offer" in html_of(client.get(CART))
    other.refresh_from_db()
    assert other.status == "declined" and declined.url == url("offer_detail", other.pk)
    again = client.post(url("offer_accept", other.pk))
    assert messages_of(again)[-1] == "cannot move offer from declined to accepted as brand"


def test_an_expired_offer_cannot_be_accepted(as_brand, brand):
    offer = CustomOfferFactory(brand=brand, expires_at=timezone.now() - datetime.timedelta(hours=1))

    page = html_of(as_brand.get(url("offer_detail", offer.pk)))
    response = as_brand.post(url("offer_accept", offer.pk))

    assert "Expired" in page and "Accept into my cart" not in page
    assert messages_of(response)[-1] == "This offer has expired; ask the creator for a new one."


def test_the_creator_withdraws_an_offer(client, creator):
    offer = CustomOfferFactory(creator=creator)
    client.force_login(creator)

    client.post(url("offer_withdraw", offer.pk))

    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert "Withdraw the offer" not in html_of(client.get(url("offer_detail", offer.pk)))


def test_brands_cannot_withdraw_and_creators_cannot_accept(client, brand, creator):
    offer = CustomOfferFactory(brand=brand, creator=creator)
    client.force_login(brand)
    assert client.post(url("offer_withdraw", offer.pk)).url == reverse("dashboard")
    client.force_login(creator)
    assert client.post(url("offer_accept", offer.pk)).url == reverse("dashboard")
    offer.refresh_from_db()
    assert offer.status == "pending"


def test_the_offer_list_costs_the_same_queries_for_1_and_25_offers(as_brand, brand, django_assert_num_queries):
    CustomOfferFactory(brand=brand)
    with django_assert_num_queries(4):  # session, user, count, the page with both parties
        html_of(as_brand.get(OFFERS))
    CustomOfferFactory.create_batch(24, brand=brand)

    with django_assert_num_queries(4):
        html_of(as_brand.get(OFFERS))


# --- Dashboards -------------------------------------------------------------------------------------------------------
def test_the_dashboards_count_what_waits_on_each_side(client, brand, creator):
    order_in(S.PENDING_PAYMENT, brand=brand, creator=creator)
    order_in(S.DELIVERED, brand=brand, creator=creator)
    order_in(S.PAID, brand=brand, creator=creator)
    asked = order_in(S.IN_PROGRESS, brand=brand, creator=creator, cancellation_requested_by=creator)
    CartItemFactory(brand=brand)
    CustomOfferFactory(brand=brand, creator=creator)

    client.force_login(brand)
    html = html_of(client.get(reverse("dashboard")))
    assert re.search(r'class="is-hot"><strong>3</strong><span>need you', html)  # pay, review, cancellation
    assert "1 to pay" in html and "1 delivery to review" in html and "1 cancellation request to answer" in html
    assert "<strong>1</strong><span>in your cart" in html and "<strong>1</strong><span>offer to answer" in html

    client.force_login(creator)
    html = html_of(client.get(reverse("dashboard")))
    assert re.search(r'class="is-hot"><strong>2</strong><span>need you', html)  # accept, deliver
    assert "1 to accept or decline" in html and "1 to deliver" in html and asked.number


def test_an_empty_dashboard_card_points_to_discovery(as_brand):
    html = html_of(as_brand.get(reverse("dashboard")))

    assert "No orders yet" in html and reverse("brand_discover") in html


def test_a_closed_order_shows_the_refund_not_a_payout(as_brand, brand, package):
    order = paid(brand, package)
    order_services.order_cancel(order_id=order.pk, actor=Actor.of(brand))

    html = html_of(as_brand.get(url("order_detail", order.pk)))

    assert "Refunded to you" in html and "receives" not in html
    assert "Nothing was delivered" in html and "This order is closed." in html
