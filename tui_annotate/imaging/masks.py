"""Provides masks for the viewer: cached loading, blending over view samples, and bounds.

Masks are bool arrays (height, width) of the upright input, True inside. Blending samples a
mask on the same grid as `render.sample_view`, so a mask lines up with the image under it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from tui_annotate.core.errors import MaskError
from tui_annotate.core.masks import read_mask_file
from tui_annotate.core.viewport import Viewport

RGB = tuple[int, int, int]

MASK_CACHE_BYTES = 256 * 1024 * 1024
"""Maximum bytes of decoded masks that `load_mask` keeps: about two masks of 12000x9000 pixels."""

MASK_CACHE_ENTRIES = 32
"""Maximum number of masks that `load_mask` keeps, whatever their size."""

_CacheKey = tuple[str, int, int]


class _MaskCache:
    """A least-recently-used cache of decoded masks, bounded by count and by bytes.

    Entries are keyed by path, modification time and file size, so a rewritten file is read
    again. Stale entries stay until they are evicted as the least recently used.
    """

    def __init__(self, max_bytes: int, max_entries: int) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: OrderedDict[_CacheKey, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: _CacheKey) -> np.ndarray | None:
        with self._lock:
            mask = self._entries.get(key)
            if mask is not None:
                self._entries.move_to_end(key)
            return mask

    def put(self, key: _CacheKey, mask: np.ndarray) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._entries[key] = mask
            self._bytes += mask.nbytes
            # The newest entry stays even when it alone is larger than the byte limit,
            # so the mask on screen is not decoded again for every frame.
            while len(self._entries) > 1 and (
                self._bytes > self.max_bytes or len(self._entries) > self.max_entries
            ):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.nbytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_cache = _MaskCache(MASK_CACHE_BYTES, MASK_CACHE_ENTRIES)


def load_mask(path: Path | str) -> np.ndarray:
    """Load a mask file as a read-only bool array (height, width) that is True inside.

    Decoded masks are cached by path and modification time. Any image that Pillow reads is
    accepted, with the pixel rule of `core.masks.mask_pixels`. Raises MaskError naming the
    file when it is missing or cannot be decoded.
    """
    path = Path(path)
    try:
        status = path.stat()
    except OSError as error:
        reason = error.strerror or str(error)
        raise MaskError(f"{path}: the mask file cannot be read ({reason})") from error
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
    mask = _cache.get(key)
    if mask is None:
        mask = read_mask_file(path)
        mask.setflags(write=False)
        _cache.put(key, mask)
    return mask


def clear_mask_cache() -> None:
    """Forget every cached mask, so the next `load_mask` reads the files again."""
    _cache.clear()


def blend_masks(
    samples: np.ndarray,
    viewport: Viewport,
    masks: list[tuple[np.ndarray, RGB]],
    alpha: float = 0.45,
) -> np.ndarray:
    """Return a copy of view samples with each mask's inside blended with its colour.

    `samples` is the (2*rows, columns, 3) uint8 array of `render.sample_view` for `viewport`.
    Each sample takes the mask pixel under its centre, as `sample_view` does when zoomed in.
    A sample inside a mask becomes `(1 - alpha) * sample + alpha * colour`, rounded. Masks
    are blended in list order, so a later mask is drawn over an earlier one. The input
    array is not changed. Raises ValueError for an alpha outside [0, 1] or samples whose
    shape does not match the viewport.
    """
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    expected_shape = (2 * viewport.rows, viewport.columns, 3)
    if samples.shape != expected_shape:
        raise ValueError(
            f"samples have shape {samples.shape}, but the viewport needs {expected_shape}"
        )

    blended = samples.copy()
    # The same expressions as in render.sample_view, so that the rounding matches.
    x_centres = viewport.left + (np.arange(viewport.columns) + 0.5) * viewport.scale
    y_centres = viewport.top + (np.arange(2 * viewport.rows) + 0.5) * viewport.scale
    for mask, colour in masks:
        height, width = mask.shape
        columns = np.flatnonzero((x_centres >= 0) & (x_centres < width))
        rows = np.flatnonzero((y_centres >= 0) & (y_centres < height))
        if columns.size == 0 or rows.size == 0:
            continue
        xs = np.floor(x_centres[columns]).astype(np.intp)
        ys = np.floor(y_centres[rows]).astype(np.intp)
        inside = mask[ys[:, None], xs[None, :]]

        # Centres increase along each axis, so the visible samples form one rectangle.
        region = blended[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
        covered = region[inside].astype(np.float64)
        mixed = covered * (1 - alpha) + np.asarray(colour, np.float64) * alpha
        region[inside] = np.rint(mixed).astype(np.uint8)
    return blended


def mask_bounds(mask: np.ndarray) -> tuple[int, int, int, int]:
    """Return the box (x0, y0, x1, y1) around a mask's inside, in upright image pixels.

    The box follows the convention of box annotations: x1 and y1 are the right and bottom
    edges of the last pixels inside, so x0 < x1 and y0 < y1. Raises ValueError for an empty mask.
    """
    columns = np.flatnonzero(mask.any(axis=0))
    rows = np.flatnonzero(mask.any(axis=1))
    if columns.size == 0:
        raise ValueError("the mask is empty, so it has no bounds")
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1
