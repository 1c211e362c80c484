"""Untrusted files attached to orders (the brief's attachments) and to deliverables (the work): checked by
content in influmojo.uploads, with the orders' limits (ORDER_ATTACHMENT_MAX_BYTES, ORDER_ATTACHMENTS_MAX)."""

from django.conf import settings

from influmojo import uploads
from influmojo.uploads import ACCEPTED_DESCRIPTION, ACCEPTED_TYPES, CheckedFile

__all__ = ["ACCEPTED_DESCRIPTION", "ACCEPTED_TYPES", "CheckedFile", "check_upload", "check_uploads"]


def check_upload(file, *, field: str = "files") -> CheckedFile:
    """One uploaded file, validated; ApplicationError 400 `invalid_file` / `file_too_large` otherwise."""
    return uploads.check_upload(file, max_bytes=settings.ORDER_ATTACHMENT_MAX_BYTES, field=field)


def check_uploads(files, *, field: str = "files") -> list[CheckedFile]:
    """Every file checked (at most settings.ORDER_ATTACHMENTS_MAX of them)."""
    return uploads.check_uploads(files, max_bytes=settings.ORDER_ATTACHMENT_MAX_BYTES,
                                 max_count=settings.ORDER_ATTACHMENTS_MAX, field=field)
