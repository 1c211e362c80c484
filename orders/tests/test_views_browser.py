"""The whole order in headless Chromium, as people click it: a brand adds a package on the creator's public page,
checks out, pays in the sandbox's TEST MODE checkout; the creator accepts and delivers; the brand approves and
the creator's share is released. Phones fit every page on the way.

Drives Debian's /usr/bin/chromium through Playwright's sync API; skipped when Chromium is missing.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.tests.factories import PackageFactory
from influmojo.pytest_plugin import MOBILE, horizontal_overflow
from orders.models import Order
from payments.models import Payment, Payout






@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_brand_orders_pays_in_the_sandbox_and_approves_what_the_creator_delivers(signed_in_page, live_server):
    creator = CreatorUserFactory(name="Sarah Stone")
    package = PackageFactory(creator=creator, title="Morning routine reel", duration_days=5)
    brand = BrandUserFactory(name="Glow Team")
    shop = signed_in_page(brand)

    # The public page: add two of the package to the cart.
    shop.goto(live_server.url + reverse("creator_portfolio", kwargs={"slug": creator.creator_profile.slug}))
    shop.select_option(f"#qty-{package.pk}", "2")
    shop.click("form.add-to-cart button[type=submit]")
    shop.wait_for_url(re.compile(r"/cart/"))
    assert shop.is_visible("text=Added 2 × “Morning routine reel” to your cart.")
    assert shop.is_visible("text=not added to what you pay")

    # Checkout: the brief and a deadline; the earliest date is offered by the date input.
    shop.click("text=Check out")
    shop.wait_for_url(re.compile(r"/cart/checkout/"))
    earliest = shop.get_attribute("input[name=deadline]", "min")
    assert earliest == (timezone.now() + datetime.timedelta(days=5)).date().isoformat()
    shop.fill("textarea[name=requirements]", "Film the serum in natural light; mention GLOW15.")
    shop.fill("input[name=deadline]", (timezone.now() + datetime.timedelta(days=14)).date().isoformat())
    shop.check("input[name=usage_rights][value=brand_channels]")
    shop.click("button:has-text('Place order and pay')")

    # Payments' pay page (when mounted) leads to the sandbox's TEST MODE checkout; pay with the test card.
    shop.wait_for_url(re.compile(r"/payments/"))
    continue_link = shop.locator("text=Continue to the TEST MODE checkout")
    if continue_link.count():
        continue_link.click()
        shop.wait_for_url(re.compile(r"/payments/sandbox/"))
    shop.click("button[name=action][value=pay]")
    order = Order.objects.get(brand=brand)
    shop.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.subtotal == package.price * 2
    assert shop.is_visible("text=Paid: your money is held in escrow.")

    # The creator accepts, seeing what they will receive, then delivers a link.
    studio = signed_in_page(creator)
    studio.goto(live_server.url + reverse("order_detail", args=[order.pk]))
    assert studio.is_visible("text=You will receive $950")  # $1,000 less the 5 % fee
    studio.click("button:has-text('Accept the order')")
    studio.wait_for_selector("text=Order accepted: it is in progress.")
    studio.fill("textarea[name=deliver-message]", "Here is the reel.")
    studio.fill("textarea[name=deliver-links]", "https://www.instagram.com/p/reel123/")
    studio.click("button:has-text('Deliver')")
    studio.wait_for_selector("text=Delivered. The brand has been told")
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED

    # The brand sees the version and approves it; the creator's share is released.
    shop.goto(live_server.url + reverse("order_detail", args=[order.pk]))
    assert shop.is_visible("a:has-text('https://www.instagram.com/p/reel123/')")
    assert shop.is_visible("text=releases $950 to Sarah Stone")
    shop.click("button:has-text('Approve and release payment')")
    shop.wait_for_selector("text=Approved: the order is completed")
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert Payment.objects.get(payer=brand).status == Payment.Status.COMPLETED
    assert Payout.objects.get(order=order).amount == order.creator_amount
    assert shop.is_visible("text=Publish the review")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phones_fit_the_cart_checkout_and_order_pages(signed_in_page, live_server):
    from orders.tests.factories import CartItemFactory, OrderFactory

    brand = BrandUserFactory()
    creator = CreatorUserFactory(name="Maximilian Oberhausen-Schwarzenberg")
    CartItemFactory(brand=brand, package=PackageFactory(
        creator=creator, title="A very long package title that has to wrap on a phone screen somehow"))
    order = OrderFactory(brand=brand, creator=creator)
    page = signed_in_page(brand, MOBILE)

    for path in (reverse("cart"), reverse("checkout"), reverse("order_list"), reverse("order_detail", args=[order.pk])):
        page.goto(live_server.url + path)
        assert horizontal_overflow(page) <= 0, path

    # On a phone the order's status comes first and a button leads to the moves.
    assert page.is_visible("a.om-jump")
    status_top = page.locator(".om-status-card").first.bounding_box()["y"]
    lines_top = page.locator("#lines-title").bounding_box()["y"]
    assert status_top < lines_top
