"""Provides ImageCanvas: the image as half-block cells with a cursor, zoom, pan and boxes.

The canvas owns only view state (viewport, cursor, drawing progress, selection). Finished
boxes, moves and deletions are posted as messages; the screen turns them into edits and
hands the new annotations back with `set_boxes`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.widget import Widget

from ..core.errors import GeometryError
from ..core.geometry import HANDLES, BoxTuple, Handle, clamp, move_box, move_edge, normalize_box
from ..core.viewport import Viewport
from ..imaging.decode import SourceImage
from ..imaging.masks import blend_masks
from ..imaging.render import sample_view
from .bindings import CANVAS_BINDINGS
from .emitter import Emitter
from .image_strips import StripBuilder
from .overlay import (
    OverlayRows,
    RegionView,
    box_cells,
    compose_line,
    hex_to_rgb,
    merge_rows,
    polygon_cells,
    text_cells,
)

Tool = Literal["select", "box", "polygon"]
Point = tuple[float, float]
BACKGROUND = Style(bgcolor=Color.from_rgb(30, 30, 30))
CURSOR_STYLE = Style(color=Color.from_rgb(255, 255, 255), bgcolor=Color.from_rgb(0, 0, 0), bold=True)
MESSAGE_STYLE = Style(color=Color.from_rgb(255, 215, 135), bgcolor=Color.from_rgb(30, 30, 30), bold=True)


@dataclass
class _Drag:
    """A mouse drag in progress."""

    kind: Literal["draw", "move", "resize"]
    start: tuple[float, float]
    original: BoxTuple | None = None
    edges: tuple[bool, bool, bool, bool] = (False, False, False, False)
    moved: bool = False


class ImageCanvas(Emitter, Widget, can_focus=True):
    """The image view: arrows move the cursor, Enter places corners, Tab selects instances."""

    BINDINGS = CANVAS_BINDINGS

    DEFAULT_CSS = """
    ImageCanvas {
        width: 1fr;
        height: 1fr;
        background: rgb(30,30,30);
    }
    ImageCanvas:focus {
        background-tint: transparent;
    }
    """

    tool: var[Tool] = var("select")
    """Select mode, or drawing boxes or polygons."""

    class BoxDrawn(Message):
        """The annotator placed both corners of a new box."""

        def __init__(self, corner_a: tuple[float, float], corner_b: tuple[float, float]) -> None:
            super().__init__()
            self.corner_a = corner_a
            self.corner_b = corner_b

    class BoxEdited(Message):
        """A box was moved or resized by keys or by the mouse."""

        def __init__(self, annotation_id: str, box: BoxTuple, description: str) -> None:
            super().__init__()
            self.annotation_id = annotation_id
            self.box = box
            self.description = description

    class PolygonDrawn(Message):
        """The annotator closed a polygon."""

        def __init__(self, points: list[Point]) -> None:
            super().__init__()
            self.points = points

    class PolygonEdited(Message):
        """A polygon's vertices were moved, inserted or deleted."""

        def __init__(self, annotation_id: str, points: list[Point], description: str) -> None:
            super().__init__()
            self.annotation_id = annotation_id
            self.points = points
            self.description = description

    class SelectionChanged(Message):
        """The selected instance changed; `annotation_id` is None when nothing is selected."""

        def __init__(self, annotation_id: str | None) -> None:
            super().__init__()
            self.annotation_id = annotation_id

    class DeleteRequested(Message):
        def __init__(self, annotation_id: str) -> None:
            super().__init__()
            self.annotation_id = annotation_id

    class StateChanged(Message):
        """The cursor, the view or the tool changed, so the status bar should update."""

    class ExitDrawing(Message):
        """The annotator left drawing mode (Escape or the Exit button)."""

    def __init__(self, color_system: Literal["truecolor", "256"] = "truecolor", **kwargs) -> None:
        super().__init__(**kwargs)
        self.image: SourceImage | None = None
        self.message_text: str = "Loading…"
        self.viewport: Viewport | None = None
        self.cursor: tuple[float, float] = (0.0, 0.0)
        self.pending_corner: tuple[float, float] | None = None
        self.vertices: list[Point] = []
        """Vertices of the polygon being drawn."""
        self.regions: list[RegionView] = []
        self.selected_id: str | None = None
        self.handle: Handle | int = "box"
        """What the arrows move on the selected region: the whole of it, a box edge or a polygon vertex."""
        self.overlays_visible = True
        self.concept_label = ""
        self.concept_color = "#ffffff"
        self._builder = StripBuilder(color_system)
        self._samples: np.ndarray | None = None
        self._strips: list[Strip] = []
        self._frame_key: tuple[object, ...] | None = None
        self._overlay: OverlayRows = {}
        self._drag: _Drag | None = None
        self._preview_box: BoxTuple | None = None
        self._saved_view: tuple[float, float, float] | None = None
        self._exit_region: Region | None = None
        self._fitted = True
        """True while the view shows the whole image as fitted, so a resize fits it again."""

    # Public API used by the screen

    def show_image(self, image: SourceImage, view: tuple[float, float, float] | None = None,
                   cursor: tuple[float, float] | None = None) -> None:
        """Show a decoded image, optionally at a saved view (left, top, scale) and cursor."""
        self.image = image
        self.message_text = ""
        self.pending_corner = None
        self.vertices = []
        self.selected_id = None
        self._saved_view = view
        self._fitted = view is None
        self.viewport = None
        self.cursor = cursor if cursor is not None else (image.width / 2, image.height / 2)
        self._ensure_viewport()
        self._rebuild_overlay(full=True)

    def show_message(self, text: str) -> None:
        """Replace the image by a message, for an input that cannot be shown."""
        self.image = None
        self.message_text = text
        self.viewport = None
        self.regions = []
        self.selected_id = None
        self.pending_corner = None
        self.vertices = []
        self._samples = None
        self._strips = []
        self._frame_key = None
        self._overlay = {}
        self.refresh()
        self.post_message(self.StateChanged())

    def set_regions(self, regions: list[RegionView]) -> None:
        """Replace the regions drawn on the image and redraw the rows that changed."""
        masks_before = [(r.annotation_id, r.color) for r in self.regions if r.kind == "mask"]
        self.regions = regions
        if self.selected_id is not None and not any(r.annotation_id == self.selected_id for r in regions):
            self.selected_id = None
        masks_after = [(r.annotation_id, r.color) for r in regions if r.kind == "mask"]
        if masks_after != masks_before:
            self._frame_key = None  # masks are blended into the image samples
            self._rebuild_overlay(full=True)
            return
        self._rebuild_overlay()

    def select(self, annotation_id: str | None, *, notify: bool = True) -> None:
        """Select an instance (or none), scroll it into view and tell the screen."""
        if annotation_id == self.selected_id:
            return
        self.selected_id = annotation_id
        self.handle = "box"
        view = self._region(annotation_id)
        if view is not None and self.viewport is not None:
            x0, y0, x1, y1 = view.box
            new_viewport = self.viewport.scrolled_to(x1, y1, 0).scrolled_to(x0, y0, 0)
            self._set_viewport(new_viewport)
        self._rebuild_overlay()
        if notify:
            self.emit(self.SelectionChanged(annotation_id))
        self.post_message(self.StateChanged())

    def set_tool(self, tool: Tool, concept_label: str = "", concept_color: str = "#ffffff") -> None:
        if tool != "select" and self.selected_id is not None:
            self.select(None)  # keys in drawing mode must not act on an earlier selection
        self.tool = tool
        self.concept_label = concept_label
        self.concept_color = concept_color
        if tool != "box":
            self.pending_corner = None
        if tool != "polygon":
            self.vertices = []
        self._rebuild_overlay()
        self.post_message(self.StateChanged())

    def move_cursor_to(self, x: float, y: float) -> None:
        """Put the cursor exactly on image point (x, y), clamped to the image."""
        if self.image is None:
            return
        self._set_cursor(clamp(x, 0, self.image.width), clamp(y, 0, self.image.height))

    def zoom(self, factor: float | None) -> None:
        """Zoom around the cursor by `factor`; None fits the whole image."""
        if self.image is None or self.viewport is None:
            return
        if factor is None:
            viewport = Viewport.fit(self.image.width, self.image.height, *self._grid_size())
        else:
            viewport = self.viewport.zoomed(factor, *self.cursor).scrolled_to(*self.cursor, margin=0)
            # Zooming out stops once the image fills a quarter of the fitted size.
            fit = Viewport.fit(self.image.width, self.image.height, *self._grid_size())
            if viewport.scale > 4 * fit.scale:
                self.notify("Zoomed out as far as it goes; = fits the image.")
                return
        self._set_viewport(viewport)
        self._fitted = factor is None
        self.post_message(self.StateChanged())

    def toggle_overlays(self) -> bool:
        self.overlays_visible = not self.overlays_visible
        self._frame_key = None  # masks are part of the frame
        self._rebuild_overlay(full=True)
        return self.overlays_visible

    @property
    def view_state(self) -> tuple[float, float, float] | None:
        if self.viewport is None:
            return None
        return (self.viewport.left, self.viewport.top, self.viewport.scale)

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show polygon keys only where they apply."""
        if action == "close_polygon":
            return self.tool == "polygon"
        if action in ("insert_vertex", "delete_vertex"):
            selected = self._region(self.selected_id)
            return selected is not None and selected.kind == "polygon"
        return True

    def action_nudge(self, dx: int, dy: int) -> None:
        """Move the selected instance by pixels, or else the cursor by cells."""
        if self.image is None or self.viewport is None:
            return
        selected = self._region(self.selected_id)
        if selected is not None and self.tool == "select":
            self._nudge_region(selected, dx, dy)
            return
        self.move_cursor_to(*self._cell_step(dx, dy))

    def _cell_step(self, dx: int, dy: int) -> Point:
        """Return the cursor position `dx` cells across and `dy` cells down from the cursor's cell.

        The cursor lands on the middle pixel of the new cell when a cell spans whole pixels,
        and on the cell's top-left corner when zoomed in so far that a pixel spans several cells.
        """
        assert self.viewport is not None
        viewport = self.viewport
        column, row = self._cursor_cell()
        x, y = self.cursor
        if dx:
            if viewport.scale >= 1:
                x = round(viewport.left + (column + dx + 0.5) * viewport.cell_width)
            else:
                x = viewport.left + (column + dx) * viewport.cell_width
        if dy:
            if viewport.scale >= 1:
                y = round(viewport.top + (row + dy + 0.5) * viewport.cell_height)
            else:
                y = viewport.top + (row + dy) * viewport.cell_height
        return x, y

    def _nudge_region(self, selected: RegionView, dx: int, dy: int) -> None:
        assert self.image is not None
        width, height = self.image.width, self.image.height
        if selected.kind == "box" and isinstance(self.handle, str):
            box = move_edge(selected.box, self.handle, dx, dy, width, height)
            if box != selected.box:
                description = "move box" if self.handle == "box" else f"move {self.handle} edge"
                self.emit(self.BoxEdited(selected.annotation_id, box, description))
        elif selected.kind == "polygon":
            points = list(selected.points)
            if isinstance(self.handle, int):
                x, y = points[self.handle]
                points[self.handle] = (clamp(x + dx, 0, width), clamp(y + dy, 0, height))
                description = f"move vertex {self.handle + 1}"
            else:
                x0, y0, x1, y1 = selected.box
                dx = clamp(dx, -x0, width - x1)
                dy = clamp(dy, -y0, height - y1)
                points = [(x + dx, y + dy) for x, y in points]
                description = "move polygon"
            if points != list(selected.points):
                self.emit(self.PolygonEdited(selected.annotation_id, points, description))
        else:
            self.notify("A mask cannot be moved; it can be hidden or deleted.", severity="warning")

    def action_place(self) -> None:
        """Place a box corner or polygon vertex, or select the innermost region under the cursor."""
        if self.image is None:
            return
        if self.tool == "box":
            if self.pending_corner is None:
                self.pending_corner = self.cursor
                self._rebuild_overlay()
                self.post_message(self.StateChanged())
            else:
                corner, self.pending_corner = self.pending_corner, None
                self._rebuild_overlay()
                self.emit(self.BoxDrawn(corner, self.cursor))
            return
        if self.tool == "polygon":
            self._place_vertex(self.cursor)
            return
        self.select(self._innermost_at(*self.cursor))

    def _place_vertex(self, point: Point) -> None:
        """Add a vertex; a vertex on the first one (same cell or same pixel) closes the polygon."""
        assert self.viewport is not None
        if self.vertices:
            first = self.vertices[0]
            on_first = point == first or self.viewport.cell_at(*point) == self.viewport.cell_at(*first)
            if on_first and len(self.vertices) >= 3:
                self.action_close_polygon()
                return
            if on_first or point in self.vertices:
                self.notify("That vertex is already placed; a polygon closes on its first vertex once it has"
                            " 3 vertices.", severity="warning")
                return
        self.vertices.append(point)
        self._rebuild_overlay()
        self.post_message(self.StateChanged())

    def action_close_polygon(self) -> None:
        """Finish the polygon being drawn; fewer than 3 distinct vertices are rejected."""
        if self.tool != "polygon":
            return
        distinct = len(set(self.vertices))
        if distinct < 3:
            self.notify(f"A polygon needs at least 3 distinct vertices; it has {distinct}. Place more,"
                        " or press Esc to cancel it.", severity="warning")
            return
        points, self.vertices = self.vertices, []
        self._rebuild_overlay()
        self.emit(self.PolygonDrawn(points))

    def action_escape(self) -> None:
        if self.tool == "polygon" and self.vertices:
            self.vertices = []
            self._rebuild_overlay()
            self.post_message(self.StateChanged())
            self.notify("Polygon cancelled; Esc again leaves drawing mode.")
        elif self.tool in ("box", "polygon"):
            self.emit(self.ExitDrawing())
        elif self.selected_id is not None:
            self.select(None)

    def action_step_instance(self, step: int) -> None:
        """Select the next (or previous) instance in creation order."""
        if not self.regions:
            self.notify("No instances on this input yet; press b to draw a box or p a polygon.", severity="warning")
            return
        ids = [r.annotation_id for r in self.regions]
        if self.selected_id in ids:
            index = (ids.index(self.selected_id) + step) % len(ids)
        else:
            index = 0 if step > 0 else len(ids) - 1
        if self.tool != "select":
            self.emit(self.ExitDrawing())
        self.select(ids[index])

    def action_cycle_handle(self) -> None:
        """Cycle what the arrows move: a box's whole, then each edge; a polygon's whole, then each vertex."""
        selected = self._region(self.selected_id)
        if selected is None:
            self.notify("Select a box or polygon first (Tab, or Enter on it).", severity="warning")
            return
        if selected.kind == "polygon":
            order: list[Handle | int] = ["box", *range(len(selected.points))]
        elif selected.kind == "box":
            order = list(HANDLES)
        else:
            return
        current = order.index(self.handle) if self.handle in order else 0
        self.handle = order[(current + 1) % len(order)]
        self._rebuild_overlay()
        self.post_message(self.StateChanged())

    def action_insert_vertex(self) -> None:
        """Insert a vertex in the middle of the edge after the chosen vertex (or after the first)."""
        selected = self._region(self.selected_id)
        if selected is None or selected.kind != "polygon":
            return
        points = list(selected.points)
        index = self.handle if isinstance(self.handle, int) else 0
        (ax, ay), (bx, by) = points[index], points[(index + 1) % len(points)]
        middle = (round((ax + bx) / 2, 4), round((ay + by) / 2, 4))
        points.insert(index + 1, middle)
        self.handle = index + 1
        self.emit(self.PolygonEdited(selected.annotation_id, points, "insert vertex"))

    def action_delete_vertex(self) -> None:
        """Delete the chosen vertex; a polygon keeps at least 3."""
        selected = self._region(self.selected_id)
        if selected is None or selected.kind != "polygon":
            return
        if not isinstance(self.handle, int):
            self.notify("Choose a vertex with e first.", severity="warning")
            return
        if len(selected.points) <= 3:
            self.notify("A polygon keeps at least 3 vertices.", severity="warning")
            return
        points = list(selected.points)
        del points[self.handle]
        self.handle = min(self.handle, len(points) - 1)
        self.emit(self.PolygonEdited(selected.annotation_id, points, "delete vertex"))

    def action_delete_selected(self) -> None:
        """Delete the selected instance, or the last vertex of the polygon being drawn."""
        if self.tool != "select":
            if self.vertices:
                self.vertices.pop()
                self._rebuild_overlay()
                self.post_message(self.StateChanged())
            return
        if self.selected_id is not None:
            self.emit(self.DeleteRequested(self.selected_id))

    # Rendering

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.image is None or self.viewport is None:
            return self._message_line(y, width)
        self._ensure_frame()
        base = self._strips[y] if y < len(self._strips) else Strip.blank(width, BACKGROUND)
        cells = list(self._overlay.get(y, ()))
        cursor_column, cursor_row = self._cursor_cell()
        if cursor_row == y:
            cells.append((cursor_column, "╋", CURSOR_STYLE))
        return compose_line(base, cells, width)

    def _message_line(self, y: int, width: int) -> Strip:
        lines = [wrapped for line in self.message_text.splitlines() or [""]
                 for wrapped in (textwrap.wrap(line, max(width - 2, 1)) or [""])]
        first = max((self.size.height - len(lines)) // 2, 0)
        index = y - first
        if 0 <= index < len(lines):
            text = lines[index][:width]
            pad = max((width - len(text)) // 2, 0)
            return Strip([Segment(" " * pad, BACKGROUND), Segment(text, MESSAGE_STYLE),
                          Segment(" " * (width - pad - len(text)), BACKGROUND)], width)
        return Strip.blank(width, BACKGROUND)

    def _grid_size(self) -> tuple[int, int]:
        return max(self.size.width, 1), max(self.size.height, 1)

    def _ensure_viewport(self) -> None:
        if self.image is None:
            return
        columns, rows = self._grid_size()
        if self.viewport is None:
            if self._saved_view is not None and not self._fitted:
                left, top, scale = self._saved_view
                self.viewport = Viewport(left, top, scale, columns, rows)
            else:
                self.viewport = Viewport.fit(self.image.width, self.image.height, columns, rows)
        elif (self.viewport.columns, self.viewport.rows) != (columns, rows):
            self.viewport = self.viewport.resized(columns, rows)

    def _ensure_frame(self) -> None:
        assert self.image is not None and self.viewport is not None
        key = (id(self.image), self.viewport)
        if key == self._frame_key:
            return
        samples = sample_view(self.image, self.viewport)
        masks = [(r.mask, hex_to_rgb(r.color)) for r in self.regions if r.kind == "mask" and r.mask is not None]
        if masks and self.overlays_visible:
            samples = blend_masks(samples, self.viewport, masks)
        self._samples = samples
        self._strips = self._builder.build(self._samples)
        self._frame_key = key
        self._rebuild_overlay(refresh=False)

    def on_resize(self, event: events.Resize) -> None:
        if self.image is None:
            return
        if self._fitted:
            self.viewport = None  # fit the whole image to the new size
        self._ensure_viewport()
        self._rebuild_overlay(full=True)

    def _set_viewport(self, viewport: Viewport) -> None:
        if viewport != self.viewport:
            self.viewport = viewport
            self._rebuild_overlay(full=True)

    def _cursor_cell(self) -> tuple[int, int]:
        assert self.viewport is not None
        x, y = self.cursor
        if self.image is not None:
            # A cursor on the right or bottom edge is drawn in the last cell of the image.
            x = min(x, self.image.width - 1e-6) if x >= self.image.width else x
            y = min(y, self.image.height - 1e-6) if y >= self.image.height else y
        return self.viewport.cell_at(x, y)

    def _set_cursor(self, x: float, y: float) -> None:
        assert self.viewport is not None
        old_cell = self._cursor_cell()
        self.cursor = (x, y)
        viewport = self.viewport.scrolled_to(x, y, margin=0)
        if viewport != self.viewport:
            self._set_viewport(viewport)
            self._fitted = False
        else:
            new_cell = self._cursor_cell()
            self.refresh(Region(old_cell[0], old_cell[1], 1, 1), Region(new_cell[0], new_cell[1], 1, 1))
            if self.pending_corner is not None or self._preview_box is not None:
                self._rebuild_overlay()
        self.post_message(self.StateChanged())

    # Overlays

    def _region(self, annotation_id: str | None) -> RegionView | None:
        if annotation_id is None:
            return None
        for view in self.regions:
            if view.annotation_id == annotation_id:
                return view
        return None

    def _innermost_at(self, x: float, y: float) -> str | None:
        """Return the smallest region (by bounding box area) that contains the point."""
        best: tuple[float, str] | None = None
        for view in self.regions:
            if view.contains(x, y):
                x0, y0, x1, y1 = view.box
                size = (x1 - x0) * (y1 - y0)
                if best is None or size < best[0]:
                    best = (size, view.annotation_id)
        return best[1] if best else None

    def _rebuild_overlay(self, *, full: bool = False, refresh: bool = True) -> None:
        """Recompute overlay cells and refresh only the rows whose cells changed."""
        if self.image is None or self.viewport is None:
            if refresh:
                self.refresh()
            return
        if self._frame_key != (id(self.image), self.viewport):
            full = True
            self._samples = None
        overlay: OverlayRows = {}
        viewport = self.viewport
        samples = self._samples
        if self.overlays_visible:
            for view in self.regions:
                merge_rows(overlay, self._region_cells(view, viewport, samples))
        if self.pending_corner is not None or (self._drag and self._drag.kind == "draw" and self._drag.moved):
            corner = self.pending_corner or (self._drag.start if self._drag else self.cursor)
            x0, x1 = sorted((corner[0], self.cursor[0]))
            y0, y1 = sorted((corner[1], self.cursor[1]))
            band = RegionView("", (x0, y0, max(x1, x0 + 1e-6), max(y1, y0 + 1e-6)), "", self.concept_color)
            merge_rows(overlay, box_cells(band, viewport, samples, dashed=True, show_label=False))
        if self.tool == "polygon" and self.vertices:
            merge_rows(overlay, polygon_cells([*self.vertices, self.cursor], self.concept_color, viewport, samples,
                                              closed=False, dashed=True))
        if self.tool in ("box", "polygon"):
            self._add_badge(overlay)
        old = self._overlay
        self._overlay = overlay
        if not refresh:
            return
        if full:
            self.refresh()
            return
        width = self.size.width
        changed = [row for row in set(old) | set(overlay) if old.get(row) != overlay.get(row)]
        if changed:
            self.refresh(*(Region(0, row, width, 1) for row in changed))

    def _region_cells(self, view: RegionView, viewport: Viewport, samples: np.ndarray | None) -> OverlayRows:
        selected = view.annotation_id == self.selected_id
        if view.kind == "polygon":
            chosen = self.handle if selected and isinstance(self.handle, int) else None
            rows = polygon_cells(view.points, view.color, viewport, samples, selected=selected, chosen_vertex=chosen)
            merge_rows(rows, _label_only(view, viewport, samples))
            return rows
        if view.kind == "mask":
            # The mask itself is blended into the image; draw its label, and its bounds when selected.
            return box_cells(view, viewport, samples, selected=selected, dashed=not selected,
                             show_label=True) if selected else _label_only(view, viewport, samples)
        if selected and self._preview_box is not None:
            view = RegionView(view.annotation_id, self._preview_box, view.label, view.color)
        handle = self.handle if isinstance(self.handle, str) else "box"
        return box_cells(view, viewport, samples, selected=selected, handle=handle)

    def _add_badge(self, overlay: OverlayRows) -> None:
        """Draw the drawing-mode box at the top right: the concept and a clickable Exit."""
        assert self.viewport is not None
        color = Color.from_rgb(*hex_to_rgb(self.concept_color))
        body = Style(color=Color.from_rgb(0, 0, 0), bgcolor=color, bold=True)
        button = Style(color=Color.from_rgb(255, 255, 255), bgcolor=Color.from_rgb(120, 0, 0), bold=True)
        if self.tool == "polygon":
            count = len(self.vertices)
            hint = f"{count} vertex" if count == 1 else f"{count} vertices"
            text = f" Polygon: {self.concept_label} · {hint} "
        else:
            hint = "corner 2" if self.pending_corner is not None else "corner 1"
            text = f" Box: {self.concept_label} · {hint} "
        exit_text = " Exit ✕ "
        total = len(text) + len(exit_text)
        start = max(self.viewport.columns - total - 1, 0)
        cells = text_cells(text, start, body) + text_cells(exit_text, start + len(text), button)
        overlay.setdefault(0, []).extend(cells)
        self._exit_region = Region(start + len(text), 0, len(exit_text), 1)

    # Mouse

    def _point_at(self, column: int, row: int) -> tuple[float, float]:
        assert self.viewport is not None and self.image is not None
        x, y = self.viewport.cell_origin(column + 0.5, row + 0.5)
        if self.viewport.scale >= 1:
            x, y = round(x), round(y)
        return clamp(x, 0, self.image.width), clamp(y, 0, self.image.height)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if self.image is None or self.viewport is None:
            return
        self.focus()
        exit_region = self._exit_region
        if self.tool != "select" and exit_region is not None and exit_region.contains(event.x, event.y):
            self.emit(self.ExitDrawing())
            return
        point = self._point_at(event.x, event.y)
        self.move_cursor_to(*point)
        if self.tool == "polygon":
            self._place_vertex(point)
            return
        if self.tool == "box":
            self._drag = _Drag("draw", point)
        else:
            selected = self._region(self.selected_id)
            if selected is not None and selected.kind == "box":
                edges = self._edges_near(selected.box, event.x, event.y)
                if any(edges):
                    self._drag = _Drag("resize", point, selected.box, edges)
                elif self._inside(selected.box, *point):
                    self._drag = _Drag("move", point, selected.box)
            if self._drag is None:
                self.select(self._innermost_at(*point))
                selected = self._region(self.selected_id)
                if selected is not None and selected.kind == "box":
                    self._drag = _Drag("move", point, selected.box)
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag is None or self.image is None or self.viewport is None:
            return
        point = self._point_at(event.x, event.y)
        if point != self._drag.start:
            self._drag.moved = True
        drag = self._drag
        if drag.kind == "draw":
            self.cursor = point
            self._rebuild_overlay()
        elif drag.original is not None:
            self._preview_box = self._dragged_box(drag, point)
            self.cursor = point
            self._rebuild_overlay()
        self.post_message(self.StateChanged())

    def on_mouse_up(self, event: events.MouseUp) -> None:
        drag, self._drag = self._drag, None
        self.release_mouse()
        if drag is None or self.image is None or self.viewport is None:
            return
        point = self._point_at(event.x, event.y)
        preview, self._preview_box = self._preview_box, None
        if drag.kind == "draw":
            self.cursor = point
            self._rebuild_overlay()
            if drag.moved and point != drag.start:
                self.pending_corner = None
                self.emit(self.BoxDrawn(drag.start, point))
            return
        if drag.moved and drag.original is not None and self.selected_id is not None:
            box = preview or self._dragged_box(drag, point)
            if box != drag.original:
                description = "move box" if drag.kind == "move" else "resize box"
                self.emit(self.BoxEdited(self.selected_id, box, description))
        self._rebuild_overlay()

    def _dragged_box(self, drag: _Drag, point: tuple[float, float]) -> BoxTuple:
        assert self.image is not None and drag.original is not None
        width, height = self.image.width, self.image.height
        dx, dy = point[0] - drag.start[0], point[1] - drag.start[1]
        if drag.kind == "move":
            return move_box(drag.original, dx, dy, width, height)
        x0, y0, x1, y1 = drag.original
        left, top, right, bottom = drag.edges
        try:
            return normalize_box(x0 + dx if left else x0, y0 + dy if top else y0,
                                 x1 + dx if right else x1, y1 + dy if bottom else y1, width, height)
        except GeometryError:
            return drag.original

    def _inside(self, box: BoxTuple, x: float, y: float) -> bool:
        return box[0] <= x <= box[2] and box[1] <= y <= box[3]

    def _edges_near(self, box: BoxTuple, column: int, row: int) -> tuple[bool, bool, bool, bool]:
        """Return which edges (left, top, right, bottom) lie in the clicked cell's column or row."""
        assert self.viewport is not None
        c0, r0 = self.viewport.cell_at(box[0], box[1])
        c1, r1 = self.viewport.cell_at(max(box[0], box[2] - 1e-6), max(box[1], box[3] - 1e-6))
        within_rows = r0 <= row <= r1
        within_columns = c0 <= column <= c1
        return (
            column == c0 and within_rows,
            row == r0 and within_columns,
            column == c1 and within_rows and c1 != c0,
            row == r1 and within_columns and r1 != r0,
        )


def _label_only(view: RegionView, viewport: Viewport, samples: np.ndarray | None) -> OverlayRows:
    """Return only the label cells a box outline would carry, for a region drawn some other way."""
    rows = box_cells(view, viewport, samples)
    column, row = viewport.cell_at(view.box[0], view.box[1])
    outline = "┌┐└┘─│╥╨╞╡□"
    return {row: [cell for cell in rows.get(row, []) if cell[1] not in outline]} if row in rows else {}
