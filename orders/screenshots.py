"""Screenshots uploaded by merchants, judged by what they are, not by what they are called.

Pillow must recognise the bytes as PNG, JPEG or WebP and decode them in full; the picture is
then encoded again from its pixels, so EXIF (camera, place, time) and anything hidden after the
image data are left behind. A JPEG is turned upright first, as its EXIF said to show it.
"""

from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.refusals import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
# Decoding costs CPU and memory by the pixel, whatever the file's size: five 6300×6300 PNGs of a
# few hundred kB each took a web worker 8.5 s and 300 MB. So pixels are budgeted, read from each
# file's header before anything is decoded. One picture: a long scrolling phone screenshot
# (1080×18,000) fits, as does a 4K desktop. One report: twice that, a few long chats' worth.
MAX_PIXELS = 20_000_000
MAX_PIXELS_PER_REPORT = 40_000_000
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}


class ScreenshotRefused(Invalid):
    """The files are not pictures we take; `messages` says why, one reason a file, in the user's
    language."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class CleanScreenshot:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def screenshots_clean(uploads: list) -> list[CleanScreenshot]:
    """Every upload checked and re-encoded, or ScreenshotRefused with every reason. The pictures'
    sizes are read from their headers first, and nothing is decoded unless each fits MAX_PIXELS
    and all of them together fit MAX_PIXELS_PER_REPORT."""
    problems, total = [], 0
    for upload in uploads:
        try:
            total += screenshot_pixels(upload, name=upload.name)
        except ScreenshotRefused as refused:
            problems.extend(refused.messages)
    if not problems and total > MAX_PIXELS_PER_REPORT:
        problems.append(
            _("These screenshots are too large together: at most %(limit)d megapixels in one report.")
            % {"limit": MAX_PIXELS_PER_REPORT // 1_000_000}
        )
    if problems:
        raise ScreenshotRefused(*problems)
    return [screenshot_clean(upload, name=upload.name) for upload in uploads]


def screenshot_pixels(upload, *, name: str) -> int:
    """Width × height as the file's header says, read without decoding the picture. Refuses a
    file over MAX_BYTES or MAX_PIXELS, or one Pillow does not recognise as PNG, JPEG or WebP."""
    if upload.size > MAX_BYTES:
        raise ScreenshotRefused(_("%(name)s is larger than 5 MB.") % {"name": name})
    try:
        with Image.open(upload) as probe:
            if probe.format not in FORMATS:
                raise ScreenshotRefused(_("%(name)s is not a PNG, JPEG or WebP picture.") % {"name": name})
            pixels = probe.width * probe.height
    except Image.DecompressionBombError:  # Pillow's own ceiling, far above ours
        pixels = MAX_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, ScreenshotRefused):
            raise
        raise ScreenshotRefused(_("%(name)s is not a picture that can be opened.") % {"name": name}) from error
    finally:
        upload.seek(0)
    if pixels > MAX_PIXELS:
        raise ScreenshotRefused(
            _("%(name)s is too large a picture: at most %(limit)d megapixels.")
            % {"name": name, "limit": MAX_PIXELS // 1_000_000}
        )
    return pixels


def screenshot_clean(upload, *, name: str) -> CleanScreenshot:
    """The upload, checked and re-encoded; ScreenshotRefused names the file and the reason."""
    screenshot_pixels(upload, name=name)
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            if kind is None:  # never for a file Image.open has read: the decoder that read it names it
                raise UnidentifiedImageError(name)
            probe.load()  # decodes every pixel: a truncated or corrupt file fails here
            picture = ImageOps.exif_transpose(probe)
            return _encode(picture, kind)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ScreenshotRefused(_("%(name)s is not a picture that can be opened.") % {"name": name}) from error


def _encode(picture: Image.Image, kind: str) -> CleanScreenshot:
    content_type, extension = FORMATS[kind]
    if kind == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    out = BytesIO()
    # Saved with no exif=, icc_profile= or pnginfo=: nothing but the pixels goes on.
    picture.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    return CleanScreenshot(out.getvalue(), content_type, extension, picture.width, picture.height)
