"""Provides the conversion of image samples into Textual strips of upper half blocks.

Each cell is "▀" with the upper sample as foreground and the lower sample as
background. Equal neighbouring cells share one Segment, and Segments and Styles are
cached per colour pair, so repainting the same pixels allocates only the lists and Strips.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Literal

import numpy as np
from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui_annotate.imaging.render import XTERM256_RGB, xterm256_indexes

HALF_BLOCK = "▀"

ColorSystem = Literal["truecolor", "256"]

MAX_CACHED_SEGMENTS = 400_000
"""Segments kept per builder before all its caches are cleared.

With its Style and Colors a Segment takes about 0.6 KB for a photo and 1 KB for random
noise (measured with tracemalloc), so a full cache takes 240 to 400 MB.
"""

MAX_COLUMNS = 2**16 - 1
"""Widest sample array that `StripBuilder.build` accepts: run lengths are packed in 16 bits."""

_LENGTH_BITS = 16
_LENGTH_MASK = 2**_LENGTH_BITS - 1

# NOTE: Textual 8.2.8's Strip.render writes `style._ansi`, a private Rich attribute,
# when it is set, and otherwise computes the SGR through an LRU cache of 16384
# styles. Presetting it cuts Textual's rendering of a new 200x60 photo frame from
# about 80 ms to 5 ms (benchmarks/render.py). If a later Rich drops the attribute,
# the styles are built through the public API alone and Textual computes their SGR.
_PRESET_ANSI = hasattr(Style.from_color(), "_ansi")

# Channel values as text, so that names and SGR parameters are joined, not formatted.
_DECIMAL = [str(value) for value in range(256)]
_HEX = [f"{value:02x}" for value in range(256)]

# Palette colours carry their RGB triplet. Textual's ANSIToTruecolor line filter
# (enabled unless the app uses native ANSI colours) replaces every colour that has no
# triplet with a new Style, which would drop the preset SGR.
_EIGHT_BIT_COLORS = [
    Color(f"color({index})", ColorType.EIGHT_BIT, index, ColorTriplet(*rgb))
    for index, rgb in enumerate(XTERM256_RGB.tolist())
]

# tuple.__new__ builds the same NamedTuple as the class call, without its Python-level
# wrapper. A new view creates tens of thousands of them.
_new_tuple = tuple.__new__


def _six_bits(samples: np.ndarray) -> np.ndarray:
    """Round 8-bit channels to 6 bits, repeating the top bits below so 0 and 255 stay exact.

    Truecolour frames of photos have tens of thousands of distinct colour pairs, and each
    new pair costs a Style. With 6 bits per channel a new view (after a zoom) has several
    times fewer pairs, and the difference of at most 3 levels per channel is hard to see in
    half-block cells. Measured with benchmarks/render.py.
    """
    top = samples >> 2
    return (top << 2) | (top >> 4)


class StripBuilder:
    """Builds one Strip per cell row from a (2*rows, columns, 3) uint8 sample array.

    In "256" mode the samples are quantised to the xterm-256 palette first, which
    makes runs of equal cells longer and each cell's SGR shorter. The builder keeps
    its caches between frames and is not thread-safe.

    The preset SGR codes bypass Textual's colour downgrade, so `color_system` must be
    "256" whenever the app's console has fewer than 16 million colours.
    """

    def __init__(self, color_system: ColorSystem) -> None:
        if color_system not in ("truecolor", "256"):
            raise ValueError(
                f"unsupported colour system {color_system!r}; use 'truecolor' or '256'"
            )
        self.color_system: ColorSystem = color_system
        self._segments: dict[int, Segment] = {}
        """Segments by (colour pair << 16 | run length)."""
        self._styles: dict[int, Style] = {}
        """Styles by colour pair: upper << 24 | lower for RGB, upper << 8 | lower for indexes."""
        self._colors: dict[int, Color] = {}
        """Truecolor Colors by 24-bit RGB value."""
        self._run_texts: list[str] = [""]

    def clear_cache(self) -> None:
        """Drop every cached Segment, Style and Color, as happens when the cache is full."""
        self._segments.clear()
        self._styles.clear()
        self._colors.clear()

    def build(self, samples: np.ndarray) -> list[Strip]:
        """Build one strip per cell row of a sample array, each `columns` cells long."""
        if samples.ndim != 3 or samples.shape[0] % 2 or samples.shape[2] != 3:
            raise ValueError(f"expected samples of shape (2*rows, columns, 3), got {samples.shape}")
        rows, columns = samples.shape[0] // 2, samples.shape[1]
        if columns > MAX_COLUMNS:
            raise ValueError(f"{columns} columns is more than the maximum of {MAX_COLUMNS}")
        if rows == 0 or columns == 0:
            return [Strip([], 0) for _ in range(rows)]
        pairs = self._pair_keys(samples)

        # A run starts at every row start and wherever a cell differs from its left neighbour.
        starts_mask = np.ones((rows, columns), bool)
        np.not_equal(pairs[:, 1:], pairs[:, :-1], out=starts_mask[:, 1:])
        starts = np.flatnonzero(starts_mask)
        lengths = np.diff(starts, append=rows * columns).astype(np.uint64)
        row_bounds = np.searchsorted(starts, np.arange(rows + 1) * columns).tolist()
        run_keys = (pairs.ravel()[starts] << np.uint64(_LENGTH_BITS) | lengths).tolist()

        cache = self._segments
        try:
            segments = [cache[key] for key in run_keys]
        except KeyError:
            with _collection_paused():
                self._add_segments(run_keys)
            segments = [cache[key] for key in run_keys]
        return [
            Strip(segments[row_bounds[row] : row_bounds[row + 1]], columns) for row in range(rows)
        ]

    def cell_colors(self, samples: np.ndarray, column: int, row: int) -> tuple[Color, Color]:
        """Return the (upper, lower) colours that a strip built from `samples` shows in a cell.

        Overlays drawn in the cell can use them as background. In "256" mode they are
        the quantised palette colours.
        """
        pair = samples[2 * row : 2 * row + 2, column]
        if self.color_system == "256":
            upper, lower = xterm256_indexes(pair).tolist()
            return _EIGHT_BIT_COLORS[upper], _EIGHT_BIT_COLORS[lower]
        upper_rgb, lower_rgb = _six_bits(pair).tolist()
        return _truecolor(*upper_rgb), _truecolor(*lower_rgb)

    def _pair_keys(self, samples: np.ndarray) -> np.ndarray:
        """Pack each cell's (upper, lower) colours into one uint64 below 2**48."""
        if self.color_system == "256":
            indexes = xterm256_indexes(samples).astype(np.uint64)
            return indexes[0::2] << np.uint64(8) | indexes[1::2]
        wide = _six_bits(samples).astype(np.uint64)
        packed = wide[..., 0] << np.uint64(16) | wide[..., 1] << np.uint64(8) | wide[..., 2]
        return packed[0::2] << np.uint64(24) | packed[1::2]

    def _add_segments(self, run_keys: list[int]) -> None:
        """Cache a Segment, and its Style when new, for each run key that has none."""
        segments = self._segments
        missing = set(run_keys).difference(segments)
        if len(segments) + len(missing) > MAX_CACHED_SEGMENTS:
            self.clear_cache()
            missing = set(run_keys)

        styles = self._styles
        new_pairs = {key >> _LENGTH_BITS for key in missing}.difference(styles)
        if self.color_system == "256":
            styles.update((pair, _eight_bit_style(pair)) for pair in new_pairs)
        else:
            styles.update(self._truecolor_styles(new_pairs))

        texts = self._texts_up_to(max(key & _LENGTH_MASK for key in missing))
        for key in missing:
            text = texts[key & _LENGTH_MASK]
            segments[key] = _new_tuple(Segment, (text, styles[key >> _LENGTH_BITS], None))

    def _truecolor_styles(self, pairs: Iterable[int]) -> Iterator[tuple[int, Style]]:
        """Yield a Style for each packed (upper << 24 | lower) pair of 24-bit colours."""
        colors = self._colors
        decimal = _DECIMAL
        for pair in pairs:
            upper, lower = pair >> 24, pair & 0xFFFFFF
            red, green, blue = upper >> 16, upper >> 8 & 0xFF, upper & 0xFF
            lower_red, lower_green, lower_blue = lower >> 16, lower >> 8 & 0xFF, lower & 0xFF
            foreground = colors.get(upper)
            if foreground is None:
                foreground = colors[upper] = _truecolor(red, green, blue)
            background = colors.get(lower)
            if background is None:
                background = colors[lower] = _truecolor(lower_red, lower_green, lower_blue)

            style = Style.from_color(foreground, background)
            if _PRESET_ANSI:
                style._ansi = (
                    f"38;2;{decimal[red]};{decimal[green]};{decimal[blue]};"
                    f"48;2;{decimal[lower_red]};{decimal[lower_green]};{decimal[lower_blue]}"
                )
            yield pair, style

    def _texts_up_to(self, length: int) -> list[str]:
        """Return a list whose item n is n half blocks, for n up to `length`."""
        texts = self._run_texts
        while len(texts) <= length:
            texts.append(HALF_BLOCK * len(texts))
        return texts


def _truecolor(red: int, green: int, blue: int) -> Color:
    # Color.from_triplet gives the same "#rrggbb" name, formatted more slowly by ColorTriplet.hex.
    triplet = _new_tuple(ColorTriplet, (red, green, blue))
    name = f"#{_HEX[red]}{_HEX[green]}{_HEX[blue]}"
    return _new_tuple(Color, (name, ColorType.TRUECOLOR, None, triplet))


def _eight_bit_style(pair: int) -> Style:
    """Build the Style for a packed (upper << 8 | lower) pair of palette indexes."""
    upper, lower = pair >> 8, pair & 0xFF
    style = Style.from_color(_EIGHT_BIT_COLORS[upper], _EIGHT_BIT_COLORS[lower])
    if _PRESET_ANSI:
        style._ansi = f"38;5;{_DECIMAL[upper]};48;5;{_DECIMAL[lower]}"
    return style


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a burst of acyclic objects is allocated.

    A new view allocates tens of thousands of Styles, Colors and Segments, and the
    collections they trigger took about as long as building them (measured with
    benchmarks/render.py). None of them form reference cycles, and the collector runs
    again on the first allocation after it is re-enabled.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
