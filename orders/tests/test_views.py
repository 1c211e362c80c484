"""Orders pages: cart, checkout, the order list and page of both sides with every move, custom offers, the
Stripe pay page and the dashboards' Orders card. Each page: 200 for its owner, login for visitors, 404 for
someone else's object, the role guard; each move through the page, done and refused; list pages at a fixed
number of queries. Payments run through payments' real services with the sandbox gateway (orders/tests/conftest)."""

import datetime
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
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


# --- Add to cart and the cart -------------------------------------------------------------------------------------------
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
    assert "Platform fee (5 %), from the creators' share" in html and "$125" in html
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


# --- Checkout -----------------------------------------------------------------------------------------------------------
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
