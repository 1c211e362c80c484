"""Receipts and payout statements as PDF (WeasyPrint), from templates/payments/pdf/.

The documents are drawn from our own rows only: the fetcher refuses every URL outside our static folder,
so nothing a user typed (an order's title, a brief) can make the server fetch anything.
"""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from payments.selectors.documents import Receipt, Statement

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # three INFO lines per document otherwise
STATIC = (Path(settings.BASE_DIR) / "static").resolve()


def weasyprint():
    """The weasyprint module, imported on first use (it is slow to import). Its import switches on Pillow's
    LOAD_TRUNCATED_IMAGES for the whole process, which would let truncated uploads through the avatar and
    attachment checks; the setting is put back (our documents draw only our own logo)."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint as module
        import weasyprint.formatting_structure.boxes  # noqa: F401  (for tests reading a document's text)
        import weasyprint.urls  # noqa: F401
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return module


def _local_fetcher():
    """A WeasyPrint fetcher for file:// URLs inside static/ only."""
    URLFetcher = weasyprint().urls.URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or not Path(unquote(parts.path)).resolve().is_relative_to(STATIC):
                raise ValueError(f"documents load nothing from {url!r}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols={"file"})


def document(template: str, context: dict):
    """The rendered weasyprint.Document."""
    html = render_to_string(template, {"generated_at": timezone.now(), **context})
    return weasyprint().HTML(string=html, base_url=f"file://{STATIC}/", url_fetcher=_local_fetcher()).render()


def receipt_document(receipt: Receipt):
    return document("payments/pdf/receipt.html", {"receipt": receipt, "payment": receipt.payment,
                                                  "tz": receipt.payment.payer.timezone or "UTC"})


def statement_document(statement: Statement):
    return document("payments/pdf/statement.html", {"statement": statement, "payout": statement.payout,
                                                    "tz": statement.payout.creator.timezone or "UTC"})


def pdf_response(doc, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(doc.write_pdf(), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # money records of one account
    return response
