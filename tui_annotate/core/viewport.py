"""Provides the mapping between image pixels and terminal cells.

A terminal cell shows two image samples stacked vertically (an upper half block), so
one sample is square: `scale` image pixels wide and tall, and a cell covers `scale`
pixels across and `2 * scale` pixels down. Coordinates are continuous image pixels with
the origin at the top-left corner of the upright image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MIN_SCALE = 1 / 32
"""Smallest image pixels per sample: at this zoom one pixel spans 32 columns."""


@dataclass(frozen=True)
class Viewport:
    """A region of the image shown in a grid of cells at one zoom level."""

    left: float
    """Image x at the left edge of column 0."""
    top: float
    """Image y at the top edge of row 0."""
    scale: float
    """Image pixels per sample side; larger values show more of the image."""
    columns: int
    rows: int

    @classmethod
    def fit(cls, width: int, height: int, columns: int, rows: int) -> Viewport:
        """Build the viewport that shows the whole image, centred, as large as it fits."""
        columns = max(columns, 1)
        rows = max(rows, 1)
        scale = max(width / columns, height / (2 * rows), MIN_SCALE)
        left = (width - columns * scale) / 2
        top = (height - 2 * rows * scale) / 2
        return cls(left, top, scale, columns, rows)

    @property
    def cell_width(self) -> float:
        """Image pixels across one cell."""
        return self.scale

    @property
    def cell_height(self) -> float:
        """Image pixels down one cell."""
        return 2 * self.scale

    @property
    def zoom(self) -> float:
        """Samples per image pixel, so 1.0 shows every pixel once."""
        return 1 / self.scale

    def cell_at(self, x: float, y: float) -> tuple[int, int]:
        """Return the (column, row) of the cell that contains image point (x, y).

        The result may lie outside the grid when the point is not visible.
        """
        column = math.floor((x - self.left) / self.scale + 1e-9)
        row = math.floor((y - self.top) / (2 * self.scale) + 1e-9)
        return column, row

    def cell_origin(self, column: float, row: float) -> tuple[float, float]:
        """Return the image point at the top-left corner of a cell."""
        return self.left + column * self.scale, self.top + row * 2 * self.scale

    def contains_cell(self, column: int, row: int) -> bool:
        return 0 <= column < self.columns and 0 <= row < self.rows

    def resized(self, columns: int, rows: int) -> Viewport:
        return replace(self, columns=max(columns, 1), rows=max(rows, 1))

    def zoomed(self, factor: float, anchor_x: float, anchor_y: float) -> Viewport:
        """Zoom in by `factor` (below 1 zooms out) keeping the anchor point's cell in place."""
        scale = max(self.scale / factor, MIN_SCALE)
        column = (anchor_x - self.left) / self.scale
        row = (anchor_y - self.top) / (2 * self.scale)
        left = anchor_x - column * scale
        top = anchor_y - row * 2 * scale
        return replace(self, left=left, top=top, scale=scale).snapped()

    def snapped(self) -> Viewport:
        """Align left and top to whole samples, so panning reuses the same samples."""
        left = round(self.left / self.scale) * self.scale
        top = round(self.top / self.scale) * self.scale
        return replace(self, left=left, top=top)

    def panned(self, columns: int, rows: int) -> Viewport:
        """Move the view by whole cells; positive values show more to the right and below."""
        return replace(self, left=self.left + columns * self.scale, top=self.top + rows * 2 * self.scale)

    def scrolled_to(self, x: float, y: float, margin: int = 1) -> Viewport:
        """Pan by whole cells, as little as possible, so that (x, y) lies `margin` cells inside."""
        column, row = self.cell_at(x, y)
        margin_x = min(margin, (self.columns - 1) // 2)
        margin_y = min(margin, (self.rows - 1) // 2)
        shift_x = 0
        shift_y = 0
        if column < margin_x:
            shift_x = column - margin_x
        elif column > self.columns - 1 - margin_x:
            shift_x = column - (self.columns - 1 - margin_x)
        if row < margin_y:
            shift_y = row - margin_y
        elif row > self.rows - 1 - margin_y:
            shift_y = row - (self.rows - 1 - margin_y)
        if shift_x == 0 and shift_y == 0:
            return self
        return self.panned(shift_x, shift_y)
