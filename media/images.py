"""Images of the library: uploaded posters checked, posters and thumbnails written with Pillow.

An uploaded image is opened from its bytes, whatever its name says: it must be JPEG, PNG or WebP, within
`MEDIA_IMAGE_MAX_PIXELS` (Pillow's decompression-bomb limit by default), and decode completely. Thumbnails are
made in each width of `MEDIA_THUMBNAIL_WIDTHS` not larger than the picture, in WebP and JPEG.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
THUMBNAIL_WIDTHS = (320, 640, 1280)
MAX_IMAGE_BYTES = 10 * 1024 * 1024
SAVE_OPTIONS = {"webp": {"format": "WEBP", "quality": 80, "method": 4}, "jpeg": {"format": "JPEG", "quality": 85}}


def max_pixels() -> int:
    return int(getattr(settings, "MEDIA_IMAGE_MAX_PIXELS", None) or Image.MAX_IMAGE_PIXELS)


def max_image_bytes() -> int:
    return int(getattr(settings, "MEDIA_MAX_IMAGE_BYTES", MAX_IMAGE_BYTES))


def thumbnail_widths() -> tuple[int, ...]:
    return tuple(sorted(getattr(settings, "MEDIA_THUMBNAIL_WIDTHS", THUMBNAIL_WIDTHS)))


def _not_an_image() -> ValidationError:
    return ValidationError(_("Ce fichier n'est pas une image JPEG, PNG ou WebP lisible."), code="not_an_image")


def load_checked(data: bytes) -> Image.Image:
    """The uploaded image, decoded and upright, in RGB; ValidationError for anything else."""
    if not data:
        raise ValidationError(_("Le fichier image est vide."), code="empty")
    if len(data) > max_image_bytes():
        raise ValidationError(_("L'image dépasse la taille permise."), code="too_large")
    limit = max_pixels()
    too_big = ValidationError(
        _("L'image est trop grande (plus de %(pixels)s millions de pixels) : réduisez-la avant de l'envoyer."),
        code="too_many_pixels",
        params={"pixels": round(limit / 1_000_000, 1)},
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it, and refuses beyond: both are refusals here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise _not_an_image()
            if image.width * image.height > limit:
                raise too_big
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (OSError, SyntaxError, ValueError):
        raise _not_an_image() from None
    image = ImageOps.exif_transpose(image)
    return image.convert("RGB")


def encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **SAVE_OPTIONS[image_format])
    return buffer.getvalue()


def resized(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def thumbnail_set(image: Image.Image) -> list[tuple[int, int, str, bytes]]:
    """(width, height, format, bytes) for each thumbnail; the widths larger than the picture are left out,
    except the smallest, so that every video has at least one."""
    widths = [width for width in thumbnail_widths() if width <= image.width] or [thumbnail_widths()[0]]
    result = []
    for width in widths:
        picture = resized(image, width)
        for image_format in ("webp", "jpeg"):
            result.append((picture.width, picture.height, image_format, encode(picture, image_format)))
    return result
