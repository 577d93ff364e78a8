"""Provides image decoding: files become upright RGB images with a pyramid of halved copies.

Importing this module sets Pillow's process-wide `Image.MAX_IMAGE_PIXELS` to `MAX_IMAGE_PIXELS`.
"""

from __future__ import annotations

import logging
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from tui_annotate.core.errors import ImageLoadError

logger = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 300_000_000
"""Largest image, in pixels, that `open_image` decodes: 300 MP of RGB take 900 MB."""

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

MIN_LEVEL_SIDE = 64
"""Smallest width or height, in pixels, of a pyramid level other than level 0."""

TRANSPARENT_BACKDROP = (64, 64, 64)
"""Neutral dark grey shown through transparent pixels."""

# Pillow raises these, besides OSError and its subclasses, for truncated or corrupt data.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)

_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})
"""EXIF orientations that rotate or transpose by 90 degrees, so width and height swap."""


@dataclass(eq=False)
class SourceImage:
    """An upright RGB image and its pyramid of 2x reductions, ready for sampling."""

    path: Path
    levels: list[Image.Image]
    """Level 0 is the full image, and level k is reduced 2**k times with each side rounded up."""

    @classmethod
    def from_image(cls, image: Image.Image, path: Path) -> SourceImage:
        """Build the pyramid for an upright RGB image.

        Halving stops before either side would fall below `MIN_LEVEL_SIDE`. For a
        12000x9000 image this takes about 0.1 to 0.3 s and adds a third to its memory.
        """
        if image.mode != "RGB":
            raise ValueError(f"expected an RGB image, got mode {image.mode}")
        levels = [image]
        while min(levels[-1].size) >= 2 * MIN_LEVEL_SIDE:
            levels.append(levels[-1].reduce(2))
        return cls(path, levels)

    @property
    def width(self) -> int:
        return self.levels[0].width

    @property
    def height(self) -> int:
        return self.levels[0].height

    def level_for_scale(self, scale: float) -> int:
        """Return the index of the coarsest level that still has a pixel per sample.

        `scale` is image pixels per sample, so level k (2**k image pixels per level
        pixel) is used while 2**k <= scale, and level 0 when zoomed in.
        """
        if scale <= 1:
            return 0
        # The small epsilon keeps a scale of exactly 2**k on level k despite rounding.
        index = math.floor(math.log2(scale) + 1e-9)
        return min(index, len(self.levels) - 1)


def open_image(path: Path) -> SourceImage:
    """Decode an image file into an upright RGB `SourceImage`.

    Applies the EXIF orientation, converts every colour mode to 8-bit RGB and
    composites transparency onto `TRANSPARENT_BACKDROP`. An animated image gives its
    first frame. Raises ImageLoadError when the file is missing, unreadable, in an
    unsupported format, larger than `MAX_IMAGE_PIXELS`, truncated or corrupt.
    """
    try:
        with Image.open(path) as image:
            _check_pixel_count(path, image.size)
            image.load()
            if image.format == "PNG":
                _verify_png_checksums(path)
            _apply_orientation(image, path)
            rgb = to_rgb(image)
        return SourceImage.from_image(rgb, path)
    except ImageLoadError:
        raise
    except MemoryError:
        raise ImageLoadError(
            path, "not enough memory to decode the image; close other programs or downscale it"
        ) from None
    except _DECODE_ERRORS as error:
        raise ImageLoadError(path, _describe(error)) from error


def image_size(path: Path) -> tuple[int, int]:
    """Return the upright (width, height) of an image file without decoding its pixels.

    Reads only the header, so a file whose pixel data is corrupt still returns a
    size here and fails later in `open_image`. Raises ImageLoadError as `open_image` does
    for files that cannot be opened or exceed `MAX_IMAGE_PIXELS`.

    NOTE: a PNG orientation stored after the pixel data is not read here, although
    `open_image` applies it, so such a file reports its stored size.
    """
    try:
        with Image.open(path) as image:
            width, height = image.size
            _check_pixel_count(path, image.size)
            orientation = _read_orientation(image)
    except ImageLoadError:
        raise
    except _DECODE_ERRORS as error:
        raise ImageLoadError(path, _describe(error)) from error
    if orientation in _SWAPPING_ORIENTATIONS:
        return height, width
    return width, height


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert a decoded image of any Pillow mode to 8-bit RGB.

    16-bit samples are scaled down rather than clipped, and transparent pixels
    (an alpha channel or a tRNS colour) are composited onto `TRANSPARENT_BACKDROP`.
    """
    mode = image.mode
    if mode.startswith("I") or mode == "F":
        return _wide_grey_to_rgb(image)
    try:
        if "A" in mode or "a" in mode or "transparency" in image.info:
            return _composite(image.convert("RGBA"))
        if mode == "RGB":
            return image
        return image.convert("RGB")
    except ValueError as error:
        raise UnsupportedModeError(mode) from error


class UnsupportedModeError(ValueError):
    """A Pillow colour mode that cannot be converted to RGB."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        super().__init__(f"Pillow cannot convert colour mode {mode} to RGB")


def _wide_grey_to_rgb(image: Image.Image) -> Image.Image:
    """Convert 16-bit integer or float greyscale to RGB, scaling rather than clipping."""
    values = np.asarray(image)
    if image.mode == "F":
        grey = _stretch(values)
    else:
        # NOTE: mode "I" is assumed to hold 16-bit samples, as Pillow decodes 16-bit PNG
        # and TIFF. Larger values in 32-bit integer images are clipped to white.
        grey = (np.clip(values, 0, 65535).astype(np.uint32) * 255 + 32767) // 65535
    rgb = Image.fromarray(np.repeat(grey.astype(np.uint8)[..., None], 3, axis=2), "RGB")
    transparent_value = image.info.get("transparency")
    if isinstance(transparent_value, int):
        alpha = np.where(values == transparent_value, 0, 255).astype(np.uint8)
        rgba = rgb.convert("RGBA")
        rgba.putalpha(Image.fromarray(alpha, "L"))
        return _composite(rgba)
    return rgb


def _stretch(values: np.ndarray) -> np.ndarray:
    """Map float samples linearly so their finite minimum is 0 and maximum 255."""
    # NOTE: float images carry no standard range, so each one is stretched to its own
    # extremes. NaN and infinite samples show black.
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, np.uint8)
    low = float(values[finite].min())
    high = float(values[finite].max())
    span = high - low if high > low else 1.0
    stretched = np.where(finite, (values - low) * (255 / span), 0)
    return np.rint(stretched).astype(np.uint8)


def _composite(rgba: Image.Image) -> Image.Image:
    backdrop = Image.new("RGBA", rgba.size, (*TRANSPARENT_BACKDROP, 255))
    return Image.alpha_composite(backdrop, rgba).convert("RGB")


def _apply_orientation(image: Image.Image, path: Path) -> None:
    """Transpose a loaded image in place to its upright orientation.

    Pillow ignores orientation values outside 1..8, such as 0. An unreadable EXIF
    block leaves the image as stored and logs a warning, because the pixels are intact.
    """
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except (SyntaxError, ValueError, struct.error, OSError) as error:
        logger.warning("Ignored the unreadable EXIF orientation of %s: %s", path, error)


def _read_orientation(image: Image.Image) -> int:
    """Return the EXIF orientation (1 to 8) from the header, or 1 if absent or invalid."""
    try:
        # The base-class method reads only the header. PNG's own getexif() decodes all
        # pixels first to look for an eXIf chunk after the image data.
        exif = Image.Image.getexif(image)
        orientation = exif.get(ExifTags.Base.Orientation, 1)
    except (SyntaxError, ValueError, struct.error, OSError):
        return 1
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        return orientation
    return 1


def _check_pixel_count(path: Path, size: tuple[int, int]) -> None:
    """Raise ImageLoadError for images above `MAX_IMAGE_PIXELS`.

    Pillow only warns between the limit and twice the limit, so the check is made here.
    """
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageLoadError(
            path,
            f"the image is {width}x{height} pixels ({width * height / 1e6:.0f} MP), more than "
            f"the limit of {MAX_IMAGE_PIXELS / 1e6:.0f} MP; split it into tiles or downscale it",
        )


def _verify_png_checksums(path: Path) -> None:
    """Raise SyntaxError if any PNG chunk has a wrong CRC.

    Pillow's decoder does not check the CRC of image data chunks, so a corrupt file
    could otherwise show damaged pixels without an error. Verifying reads the file
    once more: 3 ms for a 4000x3000 PNG that takes 260 ms to decode.
    """
    with Image.open(path) as image:
        image.verify()


def _describe(error: BaseException) -> str:
    """Turn a Pillow or file system error into a problem statement and a next step."""
    if isinstance(error, FileNotFoundError):
        return "file not found; check the path and that the file still exists"
    if isinstance(error, PermissionError):
        return "permission denied; check that your user can read the file"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not an image file"
    if isinstance(error, UnidentifiedImageError):
        return (
            "not an image in a supported format, or its header is corrupt "
            "(Pillow could not identify it); convert it to PNG or JPEG"
        )
    if isinstance(error, UnsupportedModeError):
        return f"colour mode {error.mode} is not supported; convert the image to RGB"
    if isinstance(error, Image.DecompressionBombError):
        return (
            f"the image has more pixels than the limit of {MAX_IMAGE_PIXELS / 1e6:.0f} MP; "
            "split it into tiles or downscale it"
        )
    return (
        f"the image data is truncated or corrupt ({error}); export, copy or download the file again"
    )
