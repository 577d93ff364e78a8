"""Provides sampling of an image into colours for half-block cells, and xterm-256 quantisation.

A sample is the colour of one half cell. Sample (r, c) of a viewport covers the image
pixels [left + c*scale, left + (c+1)*scale) x [top + r*scale, top + (r+1)*scale), and a
cell shows samples 2*row (upper half) and 2*row + 1 (lower half).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from tui_annotate.core.viewport import Viewport
from tui_annotate.imaging.decode import SourceImage

RGB = tuple[int, int, int]

BACKGROUND = (30, 30, 30)
"""Default colour of samples outside the image."""


def sample_view(image: SourceImage, viewport: Viewport, background: RGB = BACKGROUND) -> np.ndarray:
    """Sample the part of `image` under `viewport` into a uint8 array (2*rows, columns, 3).

    A sample shows the image when its centre lies inside the image, otherwise
    `background`. Zoomed in (scale <= 1), each sample takes the pixel under its
    centre, so a pixel becomes a block with exact edges. Zoomed out, each sample
    is the area average (BOX filter) of its footprint, taken from the coarsest
    pyramid level that still has at least one level pixel per sample.
    """
    samples = np.empty((2 * viewport.rows, viewport.columns, 3), np.uint8)
    samples[...] = background
    scale = viewport.scale
    column_lo, column_hi = _visible_range(viewport.left, scale, viewport.columns, image.width)
    row_lo, row_hi = _visible_range(viewport.top, scale, 2 * viewport.rows, image.height)
    if column_lo >= column_hi or row_lo >= row_hi:
        return samples

    target = samples[row_lo:row_hi, column_lo:column_hi]
    if scale <= 1:
        target[...] = _sample_nearest(image, viewport, (column_lo, column_hi), (row_lo, row_hi))
    else:
        target[...] = _sample_area(image, viewport, (column_lo, column_hi), (row_lo, row_hi))
    return samples


def _visible_range(origin: float, scale: float, count: int, size: int) -> tuple[int, int]:
    """Return the half-open range of sample indexes whose centres lie in [0, size)."""
    # Sample i has its centre at origin + (i + 0.5) * scale.
    first = math.ceil(-origin / scale - 0.5)
    stop = math.ceil((size - origin) / scale - 0.5)
    return max(first, 0), min(stop, count)


def _sample_nearest(
    image: SourceImage, viewport: Viewport, columns: tuple[int, int], rows: tuple[int, int]
) -> np.ndarray:
    scale = viewport.scale
    xs = np.floor(viewport.left + (np.arange(*columns) + 0.5) * scale).astype(np.intp)
    ys = np.floor(viewport.top + (np.arange(*rows) + 0.5) * scale).astype(np.intp)
    np.clip(xs, 0, image.width - 1, out=xs)
    np.clip(ys, 0, image.height - 1, out=ys)

    # Convert only the visible crop: np.asarray copies, and level 0 may be 300 MP.
    x0, y0 = int(xs[0]), int(ys[0])
    crop = np.asarray(image.levels[0].crop((x0, y0, int(xs[-1]) + 1, int(ys[-1]) + 1)))
    return crop[ys - y0][:, xs - x0]


def _sample_area(
    image: SourceImage, viewport: Viewport, columns: tuple[int, int], rows: tuple[int, int]
) -> np.ndarray:
    index = image.level_for_scale(viewport.scale)
    level = image.levels[index]
    factor = 2**index
    size = (columns[1] - columns[0], rows[1] - rows[0])
    box = (
        (viewport.left + columns[0] * viewport.scale) / factor,
        (viewport.top + rows[0] * viewport.scale) / factor,
        (viewport.left + columns[1] * viewport.scale) / factor,
        (viewport.top + rows[1] * viewport.scale) / factor,
    )
    if box[0] >= 0 and box[1] >= 0 and box[2] <= level.width and box[3] <= level.height:
        resized = level.resize(size, Image.Resampling.BOX, box=box)
    else:
        resized = _resize_past_edges(level, size, box)
    return np.asarray(resized)


def _resize_past_edges(
    level: Image.Image, size: tuple[int, int], box: tuple[float, float, float, float]
) -> Image.Image:
    """Resize a box that reaches past the level's edges by repeating the edge pixels.

    Edge samples whose centre is inside the image can extend up to half a sample
    beyond it, and Pillow rejects such a box. The crop is at most a few samples
    larger than the view, so padding it is cheap.
    """
    x0, y0 = math.floor(box[0]), math.floor(box[1])
    x1, y1 = math.ceil(box[2]), math.ceil(box[3])
    inner = (max(x0, 0), max(y0, 0), min(x1, level.width), min(y1, level.height))
    pixels = np.asarray(level.crop(inner))
    padding = (
        (inner[1] - y0, y1 - inner[3]),
        (inner[0] - x0, x1 - inner[2]),
        (0, 0),
    )
    padded = Image.fromarray(np.pad(pixels, padding, mode="edge"), "RGB")
    shifted = (box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0)
    return padded.resize(size, Image.Resampling.BOX, box=shifted)


def cell_rgb(samples: np.ndarray, column: int, row: int) -> tuple[RGB, RGB]:
    """Return the (upper, lower) sample colours of a cell."""
    upper_red, upper_green, upper_blue = samples[2 * row, column].tolist()
    lower_red, lower_green, lower_blue = samples[2 * row + 1, column].tolist()
    return (upper_red, upper_green, upper_blue), (lower_red, lower_green, lower_blue)


CUBE_LEVELS = np.array([0, 95, 135, 175, 215, 255], np.int32)
"""Channel values of xterm's 6x6x6 colour cube, palette indexes 16 to 231."""

GREY_LEVELS = np.arange(8, 248, 10, dtype=np.int32)
"""Values of xterm's 24-step grey ramp, palette indexes 232 to 255."""

_SYSTEM_RGB = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
    (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
    (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
]  # fmt: skip


def _palette() -> np.ndarray:
    cube = np.stack(np.meshgrid(CUBE_LEVELS, CUBE_LEVELS, CUBE_LEVELS, indexing="ij"), axis=-1)
    greys = np.repeat(GREY_LEVELS[:, None], 3, axis=1)
    return np.concatenate([np.array(_SYSTEM_RGB), cube.reshape(-1, 3), greys]).astype(np.uint8)


XTERM256_RGB = _palette()
"""The xterm 256-colour palette as a (256, 3) uint8 array.

Entries 0 to 15 are xterm's default system colours. Terminal themes change them, so
quantisation never picks them.
"""

# Index of the nearest cube level for each channel value 0..255.
_NEAREST_CUBE_STEP = np.abs(np.arange(256)[:, None] - CUBE_LEVELS[None, :]).argmin(axis=1)


def xterm256_indexes(samples: np.ndarray) -> np.ndarray:
    """Quantise RGB samples (..., 3) to xterm-256 palette indexes (...) as uint8.

    Returns the nearest colour, by squared RGB distance, among the cube (16 to 231)
    and the grey ramp (232 to 255).
    """
    rgb = np.asarray(samples).astype(np.int32)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    steps = _NEAREST_CUBE_STEP[rgb]
    cube = CUBE_LEVELS[steps]
    cube_index = 16 + 36 * steps[..., 0] + 6 * steps[..., 1] + steps[..., 2]
    cube_distance = (
        (red - cube[..., 0]) ** 2 + (green - cube[..., 1]) ** 2 + (blue - cube[..., 2]) ** 2
    )

    # The grey closest to a colour is its channel mean, rounded to the nearest ramp step.
    mean = (red + green + blue) / 3
    grey_step = np.clip(np.rint((mean - 8) / 10), 0, 23).astype(np.int32)
    grey = GREY_LEVELS[grey_step]
    grey_distance = (red - grey) ** 2 + (green - grey) ** 2 + (blue - grey) ** 2

    indexes = np.where(grey_distance < cube_distance, 232 + grey_step, cube_index)
    return indexes.astype(np.uint8)
