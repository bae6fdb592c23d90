"""Screenshots uploaded by merchants, judged by what they are, not by what they are called.

Pillow must recognise the bytes as PNG, JPEG or WebP and decode them in full; the picture is
then encoded again from its pixels, so EXIF (camera, place, time) and anything hidden after the
image data are left behind. A JPEG is turned upright first, as its EXIF said to show it.
"""

from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
# A screenshot of a phone or a desktop; far beyond that is a decompression bomb, not a picture.
MAX_PIXELS = 40_000_000
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}


class ScreenshotRefused(ValueError):
    """The file is not a picture we take; the message says why, in the user's language."""


@dataclass(frozen=True)
class CleanScreenshot:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def screenshot_clean(upload, *, name: str) -> CleanScreenshot:
    """The upload, checked and re-encoded; ScreenshotRefused names the file and the reason."""
    if upload.size > MAX_BYTES:
        raise ScreenshotRefused(_("%(name)s is larger than 5 MB.") % {"name": name})
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            if kind not in FORMATS:
                raise ScreenshotRefused(_("%(name)s is not a PNG, JPEG or WebP picture.") % {"name": name})
            if probe.width * probe.height > MAX_PIXELS:
                raise ScreenshotRefused(_("%(name)s is too large a picture.") % {"name": name})
            probe.load()  # decodes every pixel: a truncated or corrupt file fails here
            picture = ImageOps.exif_transpose(probe)
            return _encode(picture, kind)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        if isinstance(error, ScreenshotRefused):
            raise
        raise ScreenshotRefused(_("%(name)s is not a picture that can be opened.") % {"name": name}) from error


def _encode(picture: Image.Image, kind: str) -> CleanScreenshot:
    content_type, extension = FORMATS[kind]
    if kind == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    out = BytesIO()
    # Saved with no exif=, icc_profile= or pnginfo=: nothing but the pixels goes on.
    picture.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    return CleanScreenshot(out.getvalue(), content_type, extension, picture.width, picture.height)
