"""Decoding and re-encoding one upstream image: what a media worker process runs.

Everything here is pure (bytes in, bytes out; or in, the path of a file holding the bytes, so
that they need not cross a pipe) so it can run in a worker process and be tested without I/O.
The upstream's bytes are hostile: the format is checked from the header, the pixel count is
refused before any pixel is decoded, and nothing of the original but its pixels survives
(EXIF, GPS, XMP, comments and ICC profiles are all dropped).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Raster formats a platform serves; anything else (SVG, HTML, PDF, TIFF...) is refused.
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
WEBP_QUALITY = 80
JPEG_QUALITY = 82
# libwebp's effort, 0-6: 2 is a third of the default's time for ~8% more bytes.
WEBP_METHOD = 2
ORIENTATION = 0x0112  # the EXIF tag
# An original is kept as fetched up to this size: a 1280 px photo is 200-400 kB. A bigger one
# (a camera's 4000 px photo of several MB) gives way to its largest variant's fallback, made
# at the poll, from which the other files are made as from an original.
KEEP_ORIGINAL = 1_000_000


class ImageRefused(Exception):
    """The bytes are not an image feedhub will serve; the message says why, for the admin."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One re-encoded size of an image: a WebP and its fallback (`jpg` or `png`); empty
    bytes for a file not made yet (see `check_image`)."""

    width: int
    height: int
    webp: bytes
    fallback: bytes


@dataclass(frozen=True, slots=True)
class Processed:
    """An image as feedhub serves it: its content name and its variants, smallest first."""

    digest: str
    fallback: str  # "jpg" for opaque images, "png" for those with transparency
    variants: tuple[Variant, ...]


def content_digest(data: bytes) -> str:
    """The name of an original's files: derived from its bytes, so equal images share them."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def target_widths(width: int, widths: tuple[int, ...]) -> list[int]:
    """The variant widths of an image `width` pixels wide: each configured width below it,
    and the image's own width when it is narrower than the largest one (never enlarged);
    smallest first."""
    chosen = sorted({w for w in widths if w < width})
    if width <= max(widths):
        chosen.append(width)
    return chosen


def process_image(data: bytes, widths: tuple[int, ...], max_pixels: int) -> Processed:
    """Decode `data`, apply its orientation, drop its metadata, and encode every variant.

    Animated GIF and WebP become their first frame: a still picture, like every other image
    of a widget (and a fraction of the bytes). Raises ImageRefused with a readable reason.
    """
    image, fallback = _for_largest(_open(data, max_pixels), widths)
    variants: list[Variant] = []
    # Largest first, each size made from the one before it: a third of the resampling work
    # of scaling the original every time, and the same picture at a factor of 2 or less.
    sized = image
    for width, height in reversed(variant_sizes(image.size, widths)):
        if width != sized.width:
            sized = sized.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        variants.append(Variant(width, height, _encode(sized, "webp"), _encode(sized, fallback)))
    return Processed(content_digest(data), fallback, tuple(reversed(variants)))


def check_image(source: bytes | Path, widths: tuple[int, ...], max_pixels: int) -> Processed:
    """What a poll does with a fetched image (its bytes, or the file they were saved to):
    refuse it unless it decodes whole, and work out its variants' sizes and fallback type.
    Nothing is encoded (but for an original over KEEP_ORIGINAL bytes): every variant is
    made from the original when first asked for (`derive_variant`), so the decode can be a
    JPEG's at 1/8 scale, which still reads every byte of it (a truncated or corrupt one is
    refused as before) but makes a 64th of the pixels. The sizes are those the largest
    variant's decode gives (`_drafted`)."""
    data = source.read_bytes() if isinstance(source, Path) else source
    image = _open(data, max_pixels)
    if len(data) > KEEP_ORIGINAL:
        return _largest_only(data, image, widths)
    full = _drafted(image, max(widths))
    turned = image.getexif().get(ORIENTATION) in (5, 6, 7, 8)
    image.draft("RGB", (1, 1))
    _, alpha = _cleaned(image)
    size = (full[1], full[0]) if turned else full
    variants = tuple(Variant(w, h, b"", b"") for w, h in variant_sizes(size, widths))
    return Processed(content_digest(data), "png" if alpha else "jpg", variants)


def _largest_only(data: bytes, image: Image.Image, widths: tuple[int, ...]) -> Processed:
    """`check_image` of an original too big to keep: its largest variant's fallback made now
    (the only file with bytes), the other variants' sizes as the full encode gives them."""
    image, fallback = _for_largest(image, widths)
    *smaller, (width, height) = variant_sizes(image.size, widths)
    if width != image.width:
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    variants = [Variant(w, h, b"", b"") for w, h in smaller]
    variants.append(Variant(width, height, b"", _encode(image, fallback)))
    return Processed(content_digest(data), fallback, tuple(variants))


def _for_largest(image: Image.Image, widths: tuple[int, ...]) -> tuple[Image.Image, str]:
    """The pixels, cleaned, at no more than the largest variant needs (a JPEG decodes at 1/2,
    1/4 or 1/8 scale; either side, as the orientation may swap them); its fallback type."""
    image.draft("RGB", (max(widths), max(widths)))
    image, alpha = _cleaned(image)
    return image, "png" if alpha else "jpg"


def variant_sizes(size: tuple[int, int], widths: tuple[int, ...]) -> list[tuple[int, int]]:
    """The (width, height) of each variant of an upright image of `size`, smallest first."""
    width, height = size
    return [(w, max(1, round(height * w / width))) for w in target_widths(width, widths)]


def derive_variant(source: bytes | Path, size: tuple[int, int], fmt: str, max_pixels: int) -> bytes:
    """One variant of an image made from its original (bytes, or the file keeping them) as
    fetched, checked and cleaned as at the poll: scaled to `size` (one of the image's own
    variant sizes, so never enlarged) and encoded as `fmt` (webp, jpg or png). A file kept
    before originals were (an image's largest fallback, already clean) is read the same way."""
    data = source.read_bytes() if isinstance(source, Path) else source
    image = _open(data, max_pixels)
    image.draft("RGB", (max(size), max(size)))  # a JPEG decodes at 1/2, 1/4, 1/8 if enough
    image, _ = _cleaned(image)
    if image.size != size:  # DCT scaling rounds up: 1280×853 at 1/4 is 320×214
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return _encode(image, fmt)


def _drafted(image: Image.Image, edge: int) -> tuple[int, int]:
    """The size `image.draft(mode, (edge, edge))` would decode a JPEG at (Pillow's own
    rule: the largest of 1/8, 1/4, 1/2 that keeps both sides at least `edge`, rounded up);
    any other format's own size."""
    width, height = image.size
    if image.format != "JPEG":
        return width, height
    scale = min(width // edge, height // edge)
    s = next((s for s in (8, 4, 2) if scale >= s), 1)
    return (width + s - 1) // s, (height + s - 1) // s


def _cleaned(image: Image.Image) -> tuple[Image.Image, bool]:
    """The decoded pixels, upright, in sRGB, as RGB or RGBA, with none of the original's
    metadata; and whether it has transparency."""
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt pixel data
        raise ImageRefused(f"the {image.format} data is broken: {exc}") from None
    image = _upright(image)
    alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if alpha else "RGB")
    image.info = {}  # nothing of the original's metadata may reach an encoder
    return image, alpha


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """The image's header read and checked; no pixel decoded yet."""
    # Pillow's own bomb guard allows twice its default and words the refusal its own way;
    # ours is checked from the header right below, so Pillow's is off while it reads it
    # (a worker process runs one image at a time).
    guard, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise ImageRefused(f"not a raster image ({_sniff(data)})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused(f"unreadable image header: {exc}") from None
    finally:
        Image.MAX_IMAGE_PIXELS = guard
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRefused(
            f"refused: {width}×{height} is {width * height} pixels, over the "
            f"{max_pixels}-pixel limit (media.max_pixels)"
        )
    if width < 1 or height < 1:
        raise ImageRefused("the image has no pixels")
    return image


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says, converted to sRGB when it carries a
    colour profile (dropping the profile unconverted would shift its colours)."""
    profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image) or image
    if profile and upright.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            mode = "RGBA" if upright.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(
                upright, source, ImageCms.createProfile("sRGB"), outputMode=mode
            )
            if converted is not None:
                return converted
        except (OSError, ValueError, ImageCms.PyCMSError):
            pass  # a broken profile: the pixels as they are
    return upright


def _encode(image: Image.Image, fmt: str) -> bytes:
    """`image` as `fmt`."""
    out = io.BytesIO()
    if fmt == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    elif fmt == "jpg":
        # Baseline with optimized tables: a third of progressive's time for 4% more bytes,
        # and the fallback is only for the few clients that take no WebP.
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def _sniff(data: bytes) -> str:
    """What the bytes look like, for the error message: an admin wants to know it was HTML."""
    head = data[:256].lstrip().lower()
    if b"<svg" in head or (head.startswith(b"<?xml") and b"svg" in data[:1024].lower()):
        return "SVG is not served"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "the answer is an HTML page"
    if not data:
        return "the answer is empty"
    return f"unknown format, starts with {data[:8]!r}"
