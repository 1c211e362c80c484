"""Receipts and payout statements as PDF: what a brand's receipt and a creator's statement say (read from the
rendered document's text), that the bytes are a PDF, and that rendering fetches nothing outside static/."""

import datetime

import pytest
from django.utils import timezone
from PIL import ImageFile

from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from influmojo.errors import Conflict, NotFound
from influmojo.permissions import Actor
from payments import services
from payments.models import Payment
from payments.selectors import documents
from payments.tests.test_api import paid, released
from payments.views.pdf import _local_fetcher, receipt_document, statement_document, weasyprint

pytestmark = pytest.mark.django_db
boxes = weasyprint().formatting_structure.boxes


def text_of(doc) -> str:
    """Every piece of text laid out on the document's pages, in order, one line per text box."""
    return "\n".join(box.text for page in doc.pages for box in page._page_box.descendants()
                     if isinstance(box, boxes.TextBox))


def receipt_text(user, payment) -> str:
    doc = receipt_document(documents.payment_receipt(actor=Actor.of(user), payment_id=payment.pk))
    assert doc.write_pdf().startswith(b"%PDF-")
    return text_of(doc)


def test_a_brands_receipt_lists_orders_lines_amounts_card_and_test_mode(brand, money):
    creator = CreatorUserFactory(name="Sarah Lens")
    payment = paid(money, brand, creator, subtotal="1234.50")
    order = payment.escrows.get().order
    line = order.items.get()

    text = receipt_text(brand, payment)

    assert "Receipt" in text and f"R-{payment.pk:06d}" in text
    assert f"Order {order.number} · Sarah Lens" in text
    assert line.title in text
    assert "$1,234.50" in text and "Total paid" in text
    assert "Visa •••• 4242" in text and f"Transaction ch_sandbox_{payment.pk}" in text
    assert "TEST MODE" in text
    assert brand.email in text and "PLATFORM\nInflumojo" in text  # labels are upper case (CSS)


def test_the_receipt_shows_refunds_and_what_was_paid_net(brand, money):
    payment = paid(money, brand, subtotal="500.00")
    order = payment.escrows.get().order
    money.settle(order, refund="150.00", reason="split after a dispute")

    text = receipt_text(brand, payment)

    refunds = text.split("\nRefunds\n")[1]  # the refunds table, one row per refund
    assert order.number in refunds and "split after a dispute" in refunds and "Succeeded" in refunds
    assert "Refunded to your card" in text and "−$150" in text
    assert "$350" in text  # total paid after the refund


def test_before_payment_the_document_is_an_invoice_of_what_is_due(brand, money):
    payment = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory(), subtotal="80.00"))
    text = receipt_text(brand, payment)
    assert "Invoice" in text and f"INV-{payment.pk:06d}" in text and "Total due" in text and "Receipt" not in text


def test_a_stripe_payment_has_no_test_mode_label_and_dates_follow_the_payers_time_zone(money):
    brand = BrandUserFactory(timezone="Asia/Kolkata")
    payment = paid(money, brand)
    paid_at = timezone.make_aware(datetime.datetime(2026, 3, 1, 20, 0), datetime.timezone.utc)
    Payment.objects.filter(pk=payment.pk).update(gateway="stripe", paid_at=paid_at)

    text = receipt_text(brand, payment)

    assert "TEST MODE" not in text
    assert "2 March 2026, 01:30 IST" in text


def test_receipts_are_the_payers_own_and_cancelled_payments_have_none(brand, money):
    payment = paid(money, brand)
    with pytest.raises(NotFound):
        documents.payment_receipt(actor=Actor.of(BrandUserFactory()), payment_id=payment.pk)
    assert documents.payment_receipt(actor=Actor.of(AgentFactory()), payment_id=payment.pk).is_paid

    waiting = money.start(brand, money.order(brand=brand, creator=CreatorUserFactory()))
    services.payment_cancel(payment_id=waiting.pk, actor=Actor.of(brand))
    with pytest.raises(Conflict):
        documents.payment_receipt(actor=Actor.of(brand), payment_id=waiting.pk)


def test_a_creators_statement_shows_order_gross_fee_and_net(money):
    creator = CreatorUserFactory()
    payout = released(money, creator, brand=BrandUserFactory(), subtotal="1000.00", refund="200.00")
    brand = payout.order.brand
    brand.brand_profile.company_name = "GlowUp Cosmetics"
    brand.brand_profile.save()

    doc = statement_document(documents.payout_statement(actor=Actor.of(creator), payout_id=payout.pk))
    text = text_of(doc)

    assert doc.write_pdf().startswith(b"%PDF-")
    assert "Payout statement" in text and f"PO-{payout.pk:06d}" in text
    assert f"Order {payout.order.number}" in text and "GlowUp Cosmetics" in text
    assert "Order total paid by the brand" in text and "$1,000" in text
    assert "Refunded to the brand" in text and "−$200" in text
    assert "Gross released to you" in text and "$800" in text
    assert "Platform fee (5% of what was released)" in text and "−$40" in text
    assert "Net payout" in text and "$760" in text
    assert "waits for your Stripe payout setup" in text and "TEST MODE" in text


def test_a_statement_is_the_creators_own(money):
    payout = released(money, CreatorUserFactory())
    with pytest.raises(NotFound):
        documents.payout_statement(actor=Actor.of(CreatorUserFactory()), payout_id=payout.pk)


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "https://example.com/logo.png",
                                 "file:///etc/passwd", "file:///work/../etc/hosts"])
def test_documents_fetch_nothing_outside_static(url):
    with pytest.raises(ValueError):
        _local_fetcher()(url)


def test_the_logo_is_drawn_from_static(brand, money):
    doc = receipt_document(documents.payment_receipt(actor=Actor.of(brand), payment_id=paid(money, brand).pk))
    images = [box for page in doc.pages for box in page._page_box.descendants()
              if isinstance(box, boxes.ReplacedBox)]
    assert images, "the logo did not load"


def test_rendering_leaves_pillows_truncated_image_check_on(brand, money):
    """weasyprint's import switches LOAD_TRUNCATED_IMAGES on process-wide; uploads rely on it being off."""
    receipt_document(documents.payment_receipt(actor=Actor.of(brand), payment_id=paid(money, brand).pk)).write_pdf()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
