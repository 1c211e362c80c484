"""The payments pages in headless Chromium: a brand pays a checkout in test mode from the pay page and finds the
receipt; a creator sets up payouts and their waiting payout goes out; phones fit every page.

Drives Debian's /usr/bin/chromium through Playwright's sync API; skipped when Chromium is missing.
"""

import pytest

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from influmojo.pytest_plugin import MOBILE, horizontal_overflow
from payments.models import Payment, Payout
from payments.tests.test_api import paid, released




@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_brand_pays_in_test_mode_and_downloads_the_receipt(signed_in_page, live_server, money):
    brand = BrandUserFactory()
    order = money.order(brand=brand, creator=CreatorUserFactory(name="Sarah Lens"), subtotal="640.00")
    payment = money.start(brand, order)
    page = signed_in_page(brand)

    page.goto(f"{live_server.url}/payments/")
    page.click(f"a[href='/payments/{payment.pk}/pay/']")
    assert page.is_visible(f"text={order.number}") and page.is_visible("text=Sarah Lens")
    page.click("text=Continue to the TEST MODE checkout")
    page.wait_for_url(f"**/payments/sandbox/{payment.pk}/**")
    page.click("button[value=pay]")

    page.wait_for_url(f"{live_server.url}/payments/{payment.pk}/")
    assert page.is_visible(".pay-status[data-status=completed]")
    assert page.is_visible("text=Paid with Visa •••• 4242")
    with page.expect_response(f"**/payments/{payment.pk}/receipt.pdf") as receipt:
        page.evaluate(f"fetch('/payments/{payment.pk}/receipt.pdf')")
    assert receipt.value.headers["content-type"] == "application/pdf"
    assert Payment.objects.get(pk=payment.pk).status == "completed"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_creator_sets_up_payouts_and_the_waiting_payout_is_sent(signed_in_page, live_server, money):
    creator = CreatorUserFactory()
    payout = released(money, creator, subtotal="1000.00")
    page = signed_in_page(creator)

    page.goto(f"{live_server.url}/creator/earnings/")
    assert page.is_visible("text=Set up payouts with Stripe to receive your earnings")
    page.click("button:has-text('Set up payouts with Stripe')")
    page.wait_for_url("**/payments/sandbox/connect/**")
    page.click("text=Complete test onboarding")

    page.wait_for_url(f"{live_server.url}/creator/earnings/")
    assert page.is_visible("text=Your payout account is ready")
    assert page.is_visible(".pay-status[data-status=paid]")
    assert Payout.objects.get(pk=payout.pk).status == "paid"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phones_fit_every_payments_page(signed_in_page, live_server, money):
    brand, creator = BrandUserFactory(), CreatorUserFactory()
    payment = paid(money, brand, creator, subtotal="123456.78")
    waiting = money.start(brand, money.order(brand=brand, creator=creator))
    money.settle(payment.escrows.get().order, refund="1000.00")
    pages = {brand: ["/payments/", f"/payments/{payment.pk}/", f"/payments/{waiting.pk}/pay/", "/payments/cards/"],
             creator: ["/creator/earnings/"]}
    for user, urls in pages.items():
        page = signed_in_page(user, MOBILE)
        for url in urls:
            page.goto(live_server.url + url)
            overflow = horizontal_overflow(page)
            assert overflow <= 0, f"{url} is {overflow}px too wide on a phone"
