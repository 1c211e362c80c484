"""Untrusted image uploads: refuse what is not a sane image, then re-encode what is.

Re-encoding is the point: the stored file is pixels we wrote ourselves (no EXIF, no GPS, no
polyglot payload), oriented as the camera meant, and no larger than the UI shows.
"""

import io
import uuid
import warnings

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from influmojo.errors import ApplicationError

# Pillow only tries these decoders, so an upload never reaches the rarer (and riskier) plugins.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
OUTPUT_FORMATS = {"JPEG": "jpg", "WEBP": "webp"}
ENCODE_OPTIONS = {"JPEG": {"quality": 85, "optimize": True, "progressive": True}, "WEBP": {"quality": 85, "method": 4}}


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_image")


def _read_limited(file, max_bytes: int) -> bytes:
    """Reads at most max_bytes + 1, so a client that lies about the size cannot make us read more."""
    if getattr(file, "size", None) is not None and file.size > max_bytes:
        raise _invalid(f"The image is larger than {max_bytes // (1024 * 1024)} MB.")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _invalid(f"The image is larger than {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise _invalid("The file is empty.")
    return data


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    """Opens and fully decodes the first frame; every way an upload can be broken becomes invalid_image."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            # The header alone tells the size: refuse before decoding a single pixel.
            if image.width * image.height > max_pixels:
                raise _invalid(f"The image is larger than {max_pixels // 1_000_000} megapixels.")
            image.seek(0)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _invalid("The image is too large to process.") from None
        except UnidentifiedImageError:
            raise _invalid("The file is not a JPEG, PNG, WEBP or GIF image.") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _invalid("The image is damaged or incomplete.") from exc
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flattens transparency onto white (JPEG has no alpha) and returns an RGB copy."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def process_image_upload(
    file, *, max_bytes: int, max_pixels: int, size: int, output_format: str = "JPEG"
) -> ContentFile:
    """Validates an uploaded image and returns it re-encoded, upright, RGB, fitting size×size.

    Raises ApplicationError(code="invalid_image") for anything that is too big, not an image,
    in an unaccepted format, truncated or a decompression bomb. Animated images keep their first frame.
    """
    if output_format not in OUTPUT_FORMATS:
        raise ValueError(f"output_format must be one of {sorted(OUTPUT_FORMATS)}")
    image = _decode(_read_limited(file, max_bytes), max_pixels)
    try:
        image = _to_rgb(ImageOps.exif_transpose(image))
    except (OSError, SyntaxError, ValueError) as exc:  # a corrupt EXIF block
        raise _invalid("The image is damaged or incomplete.") from exc
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format=output_format, **ENCODE_OPTIONS[output_format])
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{OUTPUT_FORMATS[output_format]}")
