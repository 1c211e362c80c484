"""Untrusted uploads (an order's brief attachments, a deliverable's work, chat attachments), checked by content.

The type is decided by the file's first bytes, never by what the client claims: the sniffed type must be
one we accept and the file name's extension must belong to it, so `invoice.pdf.exe`, a script renamed
`photo.jpg` or a truncated PNG are refused. Images are decoded in full by Pillow (a fake or broken image
fails there). The stored name is ours (a random one with the right extension); the original name is kept
for display only. Each caller passes its own limits (orders.services.files, chat.services.messages).
"""

import io
import os
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from influmojo.errors import ApplicationError

SNIFF_BYTES = 4096
NAME_MAX_LENGTH = 200
MAX_IMAGE_PIXELS = 80_000_000

# content type → extensions a file of that type may carry
ACCEPTED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
    "video/mp4": ("mp4", "m4v"),
    "video/quicktime": ("mov",),
    "video/webm": ("webm",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "text/plain": ("txt", "md"),
    "text/csv": ("csv",),
}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
OFFICE_PARTS = {  # the folder inside the zip that tells which Office document it is
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ACCEPTED_DESCRIPTION = "images (JPEG, PNG, GIF, WEBP), PDF, MP4, MOV, WEBM, Word, Excel, PowerPoint, text or CSV"


@dataclass(frozen=True)
class CheckedFile:
    """A validated upload: its bytes under a name we chose, the original name and the sniffed type."""

    content: ContentFile
    name: str
    size: int
    content_type: str
    width: int | None = None  # images
    height: int | None = None


def _refuse(message: str, code: str = "invalid_file", field: str = "files") -> ApplicationError:
    return ApplicationError(message, code=code, details={field: [message]})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _sniff(head: bytes, data: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return _text_type(head)


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, content_type in OFFICE_PARTS.items():
        if any(name.startswith(prefix) for name in names):
            return content_type
    return None


def _text_type(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut by the sniff window is still text
            return None
    return "text/plain"


def _check_image(data: bytes, content_type: str, name: str, field: str) -> tuple[int, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[content_type]])
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise _refuse(f"{name}: the image has too many pixels.", field=field)
            image.load()
            return image.width, image.height
        except ApplicationError:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
                SyntaxError, ValueError, EOFError):
            raise _refuse(f"{name}: the image is damaged, incomplete or not really an image.", field=field) from None


def _display_name(raw: str) -> str:
    name = os.path.basename((raw or "").replace("\\", "/")).strip() or "file"
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: NAME_MAX_LENGTH - len(extension) - 1]}.{extension}" if dot else name[:NAME_MAX_LENGTH]
    return name


def check_upload(file, *, max_bytes: int, field: str = "files") -> CheckedFile:
    """One uploaded file of at most `max_bytes`, validated; ApplicationError 400 `invalid_file` / `file_too_large`
    otherwise. An image comes back with its width and height."""
    limit = max_bytes
    name = _display_name(getattr(file, "name", ""))
    if getattr(file, "size", None) is not None and file.size > limit:
        raise _refuse(f"{name} is larger than {_megabytes(limit)}.", "file_too_large", field)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _refuse(f"{name} is larger than {_megabytes(limit)}.", "file_too_large", field)
    if not data:
        raise _refuse(f"{name} is empty.", field=field)
    content_type = _sniff(data[:SNIFF_BYTES], data)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if content_type == "text/plain" and extension == "csv":
        content_type = "text/csv"
    if content_type is None or content_type not in ACCEPTED_TYPES:
        raise _refuse(f"{name}: this kind of file is not accepted. Accepted: {ACCEPTED_DESCRIPTION}.", field=field)
    if extension not in ACCEPTED_TYPES[content_type]:
        raise _refuse(f"{name}: the file's contents do not match its name (it looks like {content_type}).",
                      field=field)
    width = height = None
    if content_type in IMAGE_FORMATS:
        width, height = _check_image(data, content_type, name, field)
    stored = ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}")
    return CheckedFile(content=stored, name=name, size=len(data), content_type=content_type, width=width,
                       height=height)


def check_uploads(files, *, max_bytes: int, max_count: int, field: str = "files") -> list[CheckedFile]:
    """Every file checked (at most `max_count` of them, each at most `max_bytes`)."""
    files = list(files or [])
    if len(files) > max_count:
        raise _refuse(f"Attach at most {max_count} files.", "too_many_files", field)
    return [check_upload(file, max_bytes=max_bytes, field=field) for file in files]
