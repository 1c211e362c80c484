"""Cart, custom offers and checkout (orders.services.cart / offers / checkout)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.services.packages import package_deactivate, package_update
from creators.tests.factories import PackageFactory
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound, PermissionDenied
from influmojo.permissions import Actor
from orders.models import CartItem, Order, OrderAttachment
from orders.selectors.cart import cart_get
from orders.services import cart, checkout, offers
from orders.tests.conftest import future, order_in
from orders.tests.factories import CustomOfferFactory

pytestmark = pytest.mark.django_db


def as_actor(user):
    return Actor.of(user)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def place(brand, **overrides):
    values = {"requirements": "Show the bottle in daylight.", "deadline": future(days=14)}
    values.update(overrides)
    return checkout.checkout(actor=as_actor(brand), **values)


# --- Cart ------------------------------------------------------------------------------------------------------
def test_adding_a_package_twice_adds_to_its_line(brand, package):
    cart.cart_add_package(actor=as_actor(brand), package_id=package.pk, quantity=2)
    item = cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)

    assert item.quantity == 3 and CartItem.objects.filter(brand=brand).count() == 1
    with pytest.raises(ApplicationError) as refused:
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk, quantity=8)
    assert refused.value.code == "invalid_quantity"


@pytest.mark.parametrize("quantity", [0, 11, -1, True, "2"])
def test_quantities_are_one_to_ten(brand, package, quantity):
    with pytest.raises(ApplicationError):
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk, quantity=quantity)


def test_only_brands_have_a_cart(creator, package):
    with pytest.raises(PermissionDenied):
        cart.cart_add_package(actor=as_actor(CreatorUserFactory()), package_id=package.pk)


def test_packages_off_sale_or_of_private_creators_cannot_be_added(brand, package):
    package_deactivate(package_id=package.pk, actor=as_actor(package.creator))
    with pytest.raises(Conflict):
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)

    private = PackageFactory(creator=CreatorUserFactory(profile_public=False))
    with pytest.raises(NotFound):
        cart.cart_add_package(actor=as_actor(brand), package_id=private.pk)


def test_a_line_is_changed_and_removed_only_by_its_brand(brand, package):
    item = cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)

    with pytest.raises(NotFound):
        cart.cart_item_update(item_id=item.pk, actor=as_actor(BrandUserFactory()), quantity=2)
    assert cart.cart_item_update(item_id=item.pk, actor=as_actor(brand), quantity=4).quantity == 4
    cart.cart_item_remove(item_id=item.pk, actor=as_actor(brand))
    assert not CartItem.objects.exists()


def test_the_cart_totals_each_currency_with_the_fee_preview(brand):
    usd_a = PackageFactory(price=Decimal("100.00"))
    usd_b = PackageFactory(price=Decimal("33.33"))
    eur = PackageFactory(price=Decimal("80.00"), currency="EUR")
    for package, quantity in ((usd_a, 2), (usd_b, 1), (eur, 1)):
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk, quantity=quantity)

    found = cart_get(actor=as_actor(brand))

    usd, euros = found.totals
    assert (usd.currency, usd.subtotal, usd.platform_fee, usd.creators) == ("USD", Decimal("233.33"),
                                                                            Decimal("11.67"), 2)
    assert usd.creator_amount == Decimal("221.66")
    assert (euros.currency, euros.subtotal) == ("EUR", Decimal("80.00"))
    assert found.can_checkout is False and "several currencies" in found.problems[-1]


# --- Custom offers --------------------------------------------------------------------------------------------
OFFER = {"title": "Launch bundle", "platform": "instagram", "content_type": "reel", "quantity": 2, "revisions": 3,
         "duration_days": 10, "price": Decimal("1200.00"), "currency": "USD"}


def test_a_creator_sends_an_offer_and_the_brand_accepts_it_into_the_cart(brand, creator, mailoutbox,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        offer = offers.offer_create(actor=as_actor(creator), brand_id=brand.pk, data=OFFER)

    assert offer.status == "pending" and offer.expires_at > timezone.now()
    assert [mail.to for mail in mailoutbox] == [[brand.email]]
    item = offers.offer_accept(offer_id=offer.pk, actor=as_actor(brand))
    offer.refresh_from_db()
    assert offer.status == "accepted" and item.offer == offer and item.quantity == 1
    with pytest.raises(Conflict):
        cart.cart_item_update(item_id=item.pk, actor=as_actor(brand), quantity=2)
    cart.cart_item_remove(item_id=item.pk, actor=as_actor(brand))
    offer.refresh_from_db()
    assert offer.status == "pending"


def test_an_offer_goes_to_a_real_brand_and_replies_only_to_their_shared_orders(brand, creator):
    with pytest.raises(NotFound):
        offers.offer_create(actor=as_actor(creator), brand_id=CreatorUserFactory().pk, data=OFFER)
    with pytest.raises(PermissionDenied):
        offers.offer_create(actor=as_actor(brand), brand_id=brand.pk, data=OFFER)
    strangers = order_in(Order.Status.COMPLETED)
    with pytest.raises(NotFound):
        offers.offer_create(actor=as_actor(creator), brand_id=brand.pk, data=OFFER,
                            in_reply_to_order_id=strangers.pk)
    ours = order_in(Order.Status.COMPLETED, brand=brand, creator=creator)
    assert offers.offer_create(actor=as_actor(creator), brand_id=brand.pk, data=OFFER,
                               in_reply_to_order_id=ours.pk).in_reply_to == ours


def test_an_offer_must_suit_its_platform(brand, creator):
    with pytest.raises(ApplicationError) as refused:
        offers.offer_create(actor=as_actor(creator), brand_id=brand.pk, data={**OFFER, "content_type": "short"})
    assert refused.value.details == {"content_type": [refused.value.message]}


def test_declined_withdrawn_and_expired_offers(brand, creator):
    declined = CustomOfferFactory(brand=brand, creator=creator)
    offers.offer_decline(offer_id=declined.pk, actor=as_actor(brand))
    with pytest.raises(InvalidTransition):
        offers.offer_accept(offer_id=declined.pk, actor=as_actor(brand))

    withdrawn = CustomOfferFactory(brand=brand, creator=creator)
    offers.offer_accept(offer_id=withdrawn.pk, actor=as_actor(brand))
    offers.offer_withdraw(offer_id=withdrawn.pk, actor=as_actor(creator))
    assert not CartItem.objects.filter(offer=withdrawn).exists()

    late = CustomOfferFactory(brand=brand, creator=creator, expires_at=timezone.now() - datetime.timedelta(1))
    with pytest.raises(InvalidTransition) as refused:
        offers.offer_accept(offer_id=late.pk, actor=as_actor(brand))
    assert refused.value.code == "offer_expired"
    assert offers.offer_expire(offer_id=late.pk) is True and offers.offer_expire(offer_id=late.pk) is False


def test_someone_elses_offer_is_not_found(brand):
    offer = CustomOfferFactory()
    for actor in (as_actor(brand), as_actor(CreatorUserFactory())):
        with pytest.raises(NotFound):
            offers.offer_accept(offer_id=offer.pk, actor=actor)
    with pytest.raises(NotFound):
        offers.offer_withdraw(offer_id=offer.pk, actor=as_actor(CreatorUserFactory()))
    with pytest.raises(InvalidTransition):  # the brand may not withdraw the creator's offer
        offers.offer_withdraw(offer_id=offer.pk, actor=as_actor(offer.brand))


# --- Checkout --------------------------------------------------------------------------------------------------
def test_checkout_places_one_order_per_creator_priced_at_that_moment(brand, payments, settings):
    settings.PLATFORM_FEE_RATE = "0.10"
    alice, bob = CreatorUserFactory(), CreatorUserFactory()
    reel = PackageFactory(creator=alice, price=Decimal("300.00"), revisions=1, duration_days=5)
    story = PackageFactory(creator=alice, price=Decimal("50.00"), revisions=3, duration_days=2)
    video = PackageFactory(creator=bob, price=Decimal("999.99"), revisions=0, duration_days=10)
    offer = CustomOfferFactory(creator=bob, brand=brand, price=Decimal("120.00"), revisions=2)
    for package, quantity in ((reel, 2), (story, 1), (video, 1)):
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk, quantity=quantity)
    offers.offer_accept(offer_id=offer.pk, actor=as_actor(brand))

    outcome = place(brand, usage_rights="paid_30", usage_notes="Meta ads only")

    by_creator = {order.creator_id: order for order in outcome.orders}
    alices, bobs = Order.objects.get(pk=by_creator[alice.pk].pk), Order.objects.get(pk=by_creator[bob.pk].pk)
    assert (alices.subtotal, alices.platform_fee, alices.fee_rate) == (Decimal("650.00"), Decimal("65.00"),
                                                                       Decimal("0.1000"))
    assert (bobs.subtotal, bobs.platform_fee) == (Decimal("1119.99"), Decimal("112.00"))
    assert (alices.revisions_allowed, bobs.revisions_allowed) == (3, 2)  # the most generous line decides
    assert list(alices.items.values_list("title", "quantity", "unit_price", "line_total")) == [
        (reel.title, 2, Decimal("300.00"), Decimal("600.00")), (story.title, 1, Decimal("50.00"), Decimal("50.00"))]
    assert alices.deliverable.creator == alice and alices.deliverable.reviewer == brand
    assert alices.usage_rights == "paid_30" and alices.usage_notes == "Meta ads only"
    assert {alices.payment_id, bobs.payment_id} == {outcome.payment.pk}
    assert payments.started == [(outcome.payment.pk, sorted([alices.pk, bobs.pk]))]
    assert payments.prepared == [outcome.payment.pk] and outcome.intent.client_secret
    assert not CartItem.objects.filter(brand=brand).exists()
    offer.refresh_from_db()
    assert offer.status == "ordered" and offer.order_item.order == bobs
    assert alices.events.get().note == "Order placed."

    package_update(package_id=reel.pk, actor=as_actor(alice), data={"price": Decimal("900.00")})
    alices.refresh_from_db()
    assert alices.subtotal == Decimal("650.00") and alices.items.first().unit_price == Decimal("300.00")


def test_checkout_of_selected_lines_leaves_the_others_in_the_cart(brand, package):
    other = PackageFactory()
    first = cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)
    second = cart.cart_add_package(actor=as_actor(brand), package_id=other.pk)

    outcome = place(brand, item_ids=[first.pk])

    assert [order.creator_id for order in outcome.orders] == [package.creator_id]
    assert list(CartItem.objects.filter(brand=brand)) == [second]
    with pytest.raises(NotFound):
        place(brand, item_ids=[first.pk])


def test_mixed_currencies_are_refused_and_nothing_is_placed(brand, payments):
    cart.cart_add_package(actor=as_actor(brand), package_id=PackageFactory(currency="USD").pk)
    cart.cart_add_package(actor=as_actor(brand), package_id=PackageFactory(currency="EUR").pk)

    with pytest.raises(ApplicationError) as refused:
        place(brand)

    assert refused.value.code == "mixed_currencies" and refused.value.details == {"currencies": ["EUR", "USD"]}
    assert not Order.objects.exists() and CartItem.objects.count() == 2 and payments.started == []


def test_an_empty_cart_cannot_be_checked_out(brand):
    with pytest.raises(ApplicationError) as refused:
        place(brand)
    assert refused.value.code == "cart_empty"


def test_a_package_taken_off_sale_since_it_was_added_stops_the_checkout(brand, package):
    cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)
    package_deactivate(package_id=package.pk, actor=as_actor(package.creator))

    with pytest.raises(Conflict) as refused:
        place(brand)

    assert refused.value.code == "cart_item_unavailable" and not Order.objects.exists()


@pytest.mark.parametrize("deadline,code", [
    (lambda: timezone.now() - datetime.timedelta(hours=1), "deadline_too_soon"),
    (lambda: timezone.now() + datetime.timedelta(days=6), "deadline_too_soon"),  # the package takes 7 days
    (lambda: timezone.now() + datetime.timedelta(days=400), "invalid_deadline"),
    (lambda: datetime.datetime(2030, 1, 1), "invalid_deadline"),  # no time zone
])
def test_the_deadline_leaves_time_to_deliver(brand, package, deadline, code):
    cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)

    with pytest.raises(ApplicationError) as refused:
        place(brand, deadline=deadline())

    assert refused.value.code == code and not Order.objects.exists()


def test_the_brief_is_required(brand, package):
    cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)
    with pytest.raises(ApplicationError) as refused:
        place(brand, requirements="   ")
    assert refused.value.code == "requirements_required"


def test_attachments_are_checked_stored_once_and_shared_by_the_orders(brand):
    for package in (PackageFactory(), PackageFactory()):
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)

    outcome = place(brand, attachments=[upload("moodboard.png", png_bytes()),
                                        upload("Guidelines.pdf", b"%PDF-1.7\n1 0 obj\n")])

    rows = OrderAttachment.objects.filter(order__in=outcome.orders)
    assert rows.count() == 4
    assert sorted(set(rows.values_list("name", "content_type"))) == [("Guidelines.pdf", "application/pdf"),
                                                                      ("moodboard.png", "image/png")]
    assert len(set(rows.values_list("file", flat=True))) == 2
    stored = rows.first()
    assert stored.file.storage.exists(stored.file.name) and not stored.file.name.endswith("moodboard.png")


@pytest.mark.parametrize("files,code", [
    ([("big.pdf", b"%PDF-" + b"0" * 2048)], "file_too_large"),
    ([("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00")], "invalid_file"),
    ([("photo.jpg", b"<?php system($_GET['c']); ?>")], "invalid_file"),  # text pretending to be a picture
    ([("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)], "invalid_file"),  # a PNG header and nothing else
    ([("report.pdf", png_bytes())], "invalid_file"),  # the name says PDF, the bytes say PNG
    ([("empty.txt", b"")], "invalid_file"),
    ([(f"note{n}.txt", b"hello") for n in range(4)], "too_many_files"),
])
def test_attachments_are_refused_by_size_count_and_real_type(brand, package, settings, files, code, payments):
    settings.ORDER_ATTACHMENT_MAX_BYTES = 1024
    settings.ORDER_ATTACHMENTS_MAX = 3
    cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)

    with pytest.raises(ApplicationError) as refused:
        place(brand, attachments=[upload(name, data) for name, data in files])

    assert refused.value.code == code and "attachments" in refused.value.details
    assert not Order.objects.exists() and payments.started == []


def test_a_gateway_failure_leaves_the_orders_placed_and_payable_again(brand, package, payments):
    payments.fail_prepare = ApplicationError("The card service is unavailable.", code="gateway_unavailable",
                                             status=502)
    cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)

    outcome = place(brand)

    assert outcome.intent is None and outcome.error.code == "gateway_unavailable"
    order = Order.objects.get()
    assert order.status == "pending_payment" and order.payment_id == outcome.payment.pk


# --- Paying again ----------------------------------------------------------------------------------------------------
def test_paying_the_same_orders_again_reuses_their_payment(brand, payments):
    for package in (PackageFactory(), PackageFactory()):
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)
    placed = place(brand)

    again = checkout.orders_pay(actor=as_actor(brand), order_ids=[order.pk for order in placed.orders])

    assert again.payment.pk == placed.payment.pk and len(payments.started) == 1 and payments.cancelled == []


def test_paying_part_of_a_checkout_abandons_its_payment_and_starts_another(brand, payments):
    for package in (PackageFactory(), PackageFactory()):
        cart.cart_add_package(actor=as_actor(brand), package_id=package.pk)
    placed = place(brand)
    first, second = placed.orders

    again = checkout.orders_pay(actor=as_actor(brand), order_ids=[first.pk])

    first.refresh_from_db(), second.refresh_from_db()
    assert again.payment.pk != placed.payment.pk and payments.cancelled == [placed.payment.pk]
    assert first.payment_id == again.payment.pk and second.payment_id is None


def test_only_the_brands_unpaid_orders_can_be_paid(brand, payments):
    paid = order_in(Order.Status.PAID, brand=brand)
    with pytest.raises(InvalidTransition):
        checkout.orders_pay(actor=as_actor(brand), order_ids=[paid.pk])
    with pytest.raises(NotFound):
        checkout.orders_pay(actor=as_actor(brand), order_ids=[order_in(Order.Status.PENDING_PAYMENT).pk])
    assert payments.started == []
