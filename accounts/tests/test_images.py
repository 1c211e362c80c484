"""influmojo.images.process_image_upload: what it refuses, and what it makes of what it accepts."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from influmojo.errors import ApplicationError
from influmojo.images import process_image_upload

MB = 1024 * 1024
LIMITS = {"max_bytes": 5 * MB, "max_pixels": 40_000_000, "size": 512}
EXIF_ORIENTATION = 0x0112
EXIF_MAKE = 0x010F


# --- Images built in memory -------------------------------------------------------------------------------
def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def noisy(size: tuple[int, int]) -> Image.Image:
    """Random pixels do not compress, so truncating the file really cuts image data."""
    return Image.effect_noise(size, 64).convert("RGB")


def photo_with_exif(size=(1200, 600), orientation=6) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°" and names a camera."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    exif[EXIF_MAKE] = "SpyCam"
    return encode(Image.new("RGB", size, (30, 120, 200)), "JPEG", exif=exif)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG of a few hundred bytes whose header claims width×height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def process(data: bytes, name: str = "photo.png", **overrides):
    return process_image_upload(upload(data, name), **{**LIMITS, **overrides})


def refusal(data: bytes, name: str = "photo.png", **overrides) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        process(data, name, **overrides)
    assert caught.value.code == "invalid_image"
    assert caught.value.status == 400
    return caught.value


def opened(content) -> Image.Image:
    return Image.open(io.BytesIO(content.read()))


# --- Accepted ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_valid_image_is_resized_to_fit_and_reencoded_as_jpeg(fmt):
    # given a 2000×1000 image
    data = encode(Image.new("RGB", (2000, 1000), (200, 40, 40)), fmt)

    # when it is processed
    result = process(data, f"photo.{fmt.lower()}")

    # then it is a JPEG that fits 512×512 with its aspect ratio kept
    image = opened(result)
    assert image.format == "JPEG"
    assert image.size == (512, 256)
    assert image.mode == "RGB"
    assert result.name.endswith(".jpg")


def test_exif_is_stripped_and_its_orientation_applied():
    # given a landscape JPEG whose EXIF says it was taken rotated, by a named camera
    data = photo_with_exif(size=(1200, 600), orientation=6)

    # when it is processed
    image = opened(process(data, "photo.jpg"))

    # then the pixels are turned upright (portrait) and no EXIF survives
    assert image.size == (256, 512)
    assert dict(image.getexif()) == {}
    assert b"SpyCam" not in encode(image, "JPEG")


def test_transparency_is_flattened_onto_white():
    # given a fully transparent PNG
    data = encode(Image.new("RGBA", (100, 100), (0, 0, 0, 0)), "PNG")

    # when it is processed
    image = opened(process(data))

    # then the result is opaque white RGB, not black
    assert image.mode == "RGB"
    assert min(image.getpixel((50, 50))) > 245


def test_a_small_image_is_not_enlarged():
    image = opened(process(encode(Image.new("RGB", (64, 48)), "PNG")))

    assert image.size == (64, 48)


def test_an_animated_gif_keeps_only_its_first_frame():
    # given a three-frame animated GIF whose first frame is red
    frames = [Image.new("RGB", (80, 80), color) for color in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    # when it is processed
    image = opened(process(data, "party.gif"))

    # then it is a still JPEG of the first frame
    assert image.format == "JPEG"
    assert getattr(image, "n_frames", 1) == 1
    red, green, blue = image.getpixel((40, 40))
    assert red > 200 and green < 60 and blue < 60


def test_webp_output_when_asked():
    result = process(encode(Image.new("RGB", (600, 600)), "PNG"), output_format="WEBP")

    assert opened(result).format == "WEBP"
    assert result.name.endswith(".webp")


def test_an_image_of_exactly_the_pixel_limit_is_accepted():
    data = encode(Image.new("L", (100, 100)), "PNG")

    assert opened(process(data, max_pixels=100 * 100)).size == (100, 100)


# --- Refused ----------------------------------------------------------------------------------------------
def test_a_file_over_the_byte_limit_is_refused_before_decoding():
    # given a real image padded past 5 MB
    data = encode(Image.new("RGB", (10, 10)), "PNG") + b"\x00" * (5 * MB)

    error = refusal(data)

    assert "5 MB" in error.message


def test_a_file_that_lies_about_its_size_is_still_cut_off():
    # given an upload object that claims to be small but holds more than the limit
    data = encode(Image.new("RGB", (10, 10)), "PNG") + b"\x00" * 2048
    file = upload(data)
    file.size = 10

    with pytest.raises(ApplicationError) as caught:
        process_image_upload(file, max_bytes=1024, max_pixels=LIMITS["max_pixels"], size=512)

    assert caught.value.code == "invalid_image"


def test_a_text_file_named_png_is_refused():
    error = refusal(b"this is not an image, only its name says so\n" * 10, "cat.png")

    assert "not a JPEG, PNG, WEBP or GIF" in error.message


def test_an_empty_file_is_refused():
    refusal(b"", "empty.png")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused(fmt):
    # given an image cut in half
    data = encode(noisy((400, 400)), fmt)

    error = refusal(data[: len(data) // 2], f"half.{fmt.lower()}")

    assert "damaged or incomplete" in error.message


@pytest.mark.parametrize("width,height", [(20_000, 20_000), (10_000, 10_000)])
def test_a_decompression_bomb_is_refused_without_being_decoded(width, height):
    # given a few hundred bytes claiming hundreds of megapixels
    data = png_header_claiming(width, height)
    assert len(data) < 1024

    refusal(data, "bomb.png")


def test_a_header_over_the_megapixel_limit_is_refused_before_decoding():
    # given a header of 8000×5001 (40.008 MP): under Pillow's own bomb threshold, over ours
    data = png_header_claiming(8000, 5001)

    error = refusal(data)

    assert "40 megapixels" in error.message


def test_a_real_image_over_the_megapixel_limit_is_refused():
    # given a genuine (compressible, so small) 8000×5001 grayscale PNG
    data = encode(Image.new("L", (8000, 5001)), "PNG", optimize=False)
    assert len(data) < 5 * MB

    error = refusal(data)

    assert "megapixels" in error.message


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO"])
def test_formats_outside_jpeg_png_webp_gif_are_refused(fmt):
    data = encode(Image.new("RGB", (32, 32)), fmt)

    error = refusal(data, f"picture.{fmt.lower()}")

    assert "JPEG, PNG, WEBP or GIF" in error.message


def test_an_unknown_output_format_is_a_programming_error():
    with pytest.raises(ValueError):
        process(encode(Image.new("RGB", (10, 10)), "PNG"), output_format="BMP")
