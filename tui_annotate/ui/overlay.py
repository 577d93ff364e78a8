"""Provides the cells drawn over the image: box outlines, labels, the rubber band and the cursor.

An overlay is a map from cell row to a list of (column, character, style) cells. The
canvas composes them onto the image strips line by line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ..core.geometry import BoxTuple, Handle
from ..core.viewport import Viewport

Cell = tuple[int, str, Style]
OverlayRows = dict[int, list[Cell]]

THIN = {"tl": "┌", "tr": "┐", "bl": "└", "br": "┘", "h": "─", "v": "│"}
HEAVY = {"tl": "┏", "tr": "┓", "bl": "┗", "br": "┛", "h": "━", "v": "┃"}
DASHED = {"tl": "┌", "tr": "┐", "bl": "└", "br": "┘", "h": "╌", "v": "╎"}
ACTIVE_EDGE = {"h": "═", "v": "║"}


@dataclass(frozen=True, eq=False)
class RegionView:
    """Drawing data of one region instance: a box, a polygon or a mask.

    `box` is the region's bounding box for every kind; `points` lists a polygon's vertices;
    `mask` is a mask's boolean array of the upright image size.
    """

    annotation_id: str
    box: BoxTuple
    label: str
    color: str
    kind: Literal["box", "polygon", "mask"] = "box"
    points: tuple[tuple[float, float], ...] = ()
    mask: np.ndarray | None = None

    def contains(self, x: float, y: float) -> bool:
        """Return True when image point (x, y) is inside the region."""
        x0, y0, x1, y1 = self.box
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        if self.kind == "polygon":
            return point_in_polygon(x, y, self.points)
        if self.kind == "mask" and self.mask is not None:
            row, column = int(min(y, self.mask.shape[0] - 1)), int(min(x, self.mask.shape[1] - 1))
            return bool(self.mask[row, column])
        return True


BoxView = RegionView


def point_in_polygon(x: float, y: float, points: tuple[tuple[float, float], ...]) -> bool:
    """Even-odd rule test of a point against a closed polygon."""
    inside = False
    count = len(points)
    for index in range(count):
        ax, ay = points[index]
        bx, by = points[(index + 1) % count]
        if (ay > y) != (by > y):
            crossing = ax + (y - ay) * (bx - ax) / (by - ay)
            if x < crossing:
                inside = not inside
    return inside


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def cell_background(samples: np.ndarray | None, column: int, row: int) -> tuple[int, int, int]:
    """Return the mean colour of the two samples of a cell, or a dark grey outside the image."""
    if samples is None or not (0 <= 2 * row + 1 < samples.shape[0] and 0 <= column < samples.shape[1]):
        return (30, 30, 30)
    upper = samples[2 * row, column].astype(int)
    lower = samples[2 * row + 1, column].astype(int)
    mean = (upper + lower) // 2
    return int(mean[0]), int(mean[1]), int(mean[2])


def box_cells(view: BoxView, viewport: Viewport, samples: np.ndarray | None, *, selected: bool = False,
              handle: Handle = "box", dashed: bool = False, show_label: bool = True) -> OverlayRows:
    """Return the outline cells of one box, clipped to the viewport, with its label at the top left."""
    x0, y0, x1, y1 = view.box
    c0, r0 = viewport.cell_at(x0, y0)
    # The far edges belong to the last cell that still contains part of the box.
    c1, r1 = viewport.cell_at(max(x0, x1 - 1e-6), max(y0, y1 - 1e-6))
    if dashed:
        glyphs = DASHED
    elif selected:
        glyphs = HEAVY
    else:
        glyphs = THIN
    foreground = Color.from_rgb(*hex_to_rgb(view.color))
    rows: OverlayRows = {}
    styles: dict[tuple[int, int, int], Style] = {}

    def put(column: int, row: int, char: str) -> None:
        if not viewport.contains_cell(column, row):
            return
        background = cell_background(samples, column, row)
        style = styles.get(background)
        if style is None:
            style = Style(color=foreground, bgcolor=Color.from_rgb(*background), bold=selected)
            styles[background] = style
        rows.setdefault(row, []).append((column, char, style))

    left = max(c0, -1)
    right = min(c1, viewport.columns)
    top = max(r0, -1)
    bottom = min(r1, viewport.rows)
    horizontal_top = ACTIVE_EDGE["h"] if selected and handle == "top" else glyphs["h"]
    horizontal_bottom = ACTIVE_EDGE["h"] if selected and handle == "bottom" else glyphs["h"]
    vertical_left = ACTIVE_EDGE["v"] if selected and handle == "left" else glyphs["v"]
    vertical_right = ACTIVE_EDGE["v"] if selected and handle == "right" else glyphs["v"]
    for column in range(left + 1, right):
        put(column, r0, horizontal_top)
        if r1 != r0:
            put(column, r1, horizontal_bottom)
    for row in range(top + 1, bottom):
        put(c0, row, vertical_left)
        if c1 != c0:
            put(c1, row, vertical_right)
    if c0 == c1 and r0 == r1:
        put(c0, r0, "□")
    elif c0 == c1:
        put(c0, r0, "╥")
        put(c0, r1, "╨")
    elif r0 == r1:
        put(c0, r0, "╞")
        put(c1, r0, "╡")
    else:
        put(c0, r0, glyphs["tl"])
        put(c1, r0, glyphs["tr"])
        put(c0, r1, glyphs["bl"])
        put(c1, r1, glyphs["br"])
    if show_label and view.label:
        label_style = Style(color=Color.from_rgb(0, 0, 0), bgcolor=foreground, bold=selected)
        label_row = r0 if 0 <= r0 < viewport.rows else None
        if label_row is not None:
            column = max(c0 + 1, 0)
            for char in view.label:
                if column + cell_len(char) > viewport.columns:
                    break
                rows.setdefault(label_row, []).append((column, char, label_style))
                column += cell_len(char)
    return rows


def polygon_cells(points: list[tuple[float, float]] | tuple[tuple[float, float], ...], color: str,
                  viewport: Viewport, samples: np.ndarray | None, *, closed: bool = True, selected: bool = False,
                  chosen_vertex: int | None = None, dashed: bool = False) -> OverlayRows:
    """Return the cells of a polygon's edges and vertices, clipped to the viewport."""
    foreground = Color.from_rgb(*hex_to_rgb(color))
    rows: OverlayRows = {}
    styles: dict[tuple[tuple[int, int, int], bool], Style] = {}

    def put(column: int, row: int, char: str, bold: bool = False) -> None:
        if not viewport.contains_cell(column, row):
            return
        background = cell_background(samples, column, row)
        key = (background, bold or selected)
        style = styles.get(key)
        if style is None:
            style = Style(color=foreground, bgcolor=Color.from_rgb(*background), bold=bold or selected)
            styles[key] = style
        rows.setdefault(row, []).append((column, char, style))

    count = len(points)
    edges = count if closed and count > 2 else count - 1
    for index in range(max(edges, 0)):
        start = points[index]
        end = points[(index + 1) % count]
        for column, row, char in _line_cells(start, end, viewport):
            put(column, row, "┄" if dashed and char == "─" else char)
    for index, (x, y) in enumerate(points):
        column, row = viewport.cell_at(x, y)
        put(column, row, "◈" if index == chosen_vertex else "◆", bold=index == chosen_vertex)
    return rows


MAX_LINE_STEPS = 4000
"""Samples along one polygon edge; an edge longer than this many cells is drawn sparsely."""


def _line_cells(start: tuple[float, float], end: tuple[float, float],
                viewport: Viewport) -> list[tuple[int, int, str]]:
    """Return the cells an edge passes through, with a line character for its slope."""
    x0, y0 = (start[0] - viewport.left) / viewport.scale, (start[1] - viewport.top) / (2 * viewport.scale)
    x1, y1 = (end[0] - viewport.left) / viewport.scale, (end[1] - viewport.top) / (2 * viewport.scale)
    dx, dy = x1 - x0, y1 - y0
    clipped = _clip_segment(x0, y0, dx, dy, viewport.columns, viewport.rows)
    if clipped is None:
        return []
    t0, t1 = clipped
    x0, y0, dx, dy = x0 + dx * t0, y0 + dy * t0, dx * (t1 - t0), dy * (t1 - t0)
    if abs(dx) >= 2 * abs(dy):
        char = "─"
    elif abs(dy) >= 2 * abs(dx):
        char = "│"
    else:
        char = "╲" if (dx > 0) == (dy > 0) else "╱"
    steps = min(int(max(abs(dx), abs(dy)) * 2) + 1, MAX_LINE_STEPS)
    cells: dict[tuple[int, int], None] = {}
    for step in range(steps + 1):
        t = step / steps
        column = int(np.floor(x0 + dx * t + 1e-9))
        row = int(np.floor(y0 + dy * t + 1e-9))
        if 0 <= column < viewport.columns and 0 <= row < viewport.rows:
            cells[(column, row)] = None
    return [(column, row, char) for column, row in cells]


def _clip_segment(x0: float, y0: float, dx: float, dy: float, width: float,
                  height: float) -> tuple[float, float] | None:
    """Clip the segment (x0, y0) + t (dx, dy), t in [0, 1], to [0, width] x [0, height] (Liang-Barsky)."""
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, width - x0), (-dy, y0), (dy, height - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return t0, t1


def merge_rows(target: OverlayRows, source: OverlayRows) -> None:
    """Add `source` cells on top of `target`; later cells win where they overlap."""
    for row, cells in source.items():
        target.setdefault(row, []).extend(cells)


def text_cells(text: str, column: int, style: Style) -> list[Cell]:
    """Lay out text from `column`, giving wide characters two columns."""
    cells = []
    for char in text:
        cells.append((column, char, style))
        column += cell_len(char)
    return cells


def compose_line(base: Strip, cells: list[Cell], width: int) -> Strip:
    """Draw overlay cells over a base strip; cells outside [0, width) are dropped."""
    if not cells:
        return base
    latest: dict[int, Cell] = {}
    for cell in cells:
        if 0 <= cell[0] < width:
            latest[cell[0]] = cell
    if not latest:
        return base
    parts: list[Strip] = []
    position = 0
    run_text: list[str] = []
    run_style: Style | None = None
    for column in sorted(latest):
        _, char, style = latest[column]
        char_width = cell_len(char)
        if column < position or column + char_width > width:
            continue  # hidden under the previous wide character, or cut by the edge
        if run_text and style is run_style and column == position:
            run_text.append(char)
            position += char_width
            continue
        if run_text:
            text = "".join(run_text)
            parts.append(Strip([Segment(text, run_style)], cell_len(text)))
        if column > position:
            parts.append(base.crop(position, column))
        run_text = [char]
        run_style = style
        position = column + char_width
    text = "".join(run_text)
    parts.append(Strip([Segment(text, run_style)], cell_len(text)))
    if position < width:
        parts.append(base.crop(position, width))
    return Strip.join(parts)
