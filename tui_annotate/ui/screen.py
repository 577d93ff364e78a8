"""Provides AnnotateScreen: the canvas, the Objects pane and the status bar, and every edit.

The screen is the one owner of changes: widgets post messages, the screen builds edits
with `core.operations`, applies them through the store and redraws from the new state.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from ..core import classification, operations, relations
from ..core.edits import Edit
from ..core.errors import ImageLoadError, ProjectError
from ..core.models import Annotation, Concept, InputItem
from ..core.store import ProjectStore
from ..core.text import TextDocument, load_text
from ..core.integrity import integrity_problems
from ..core.viewstate import ViewState, save_view_state, view_state_path
from ..imaging.decode import SourceImage, open_image
from ..imaging.masks import load_mask, mask_bounds
from .bindings import SCREEN_BINDINGS
from .canvas import ImageCanvas
from .entry import ConceptOption, Entry, EntryPanel, parse_position
from .help import HelpScreen
from .hotkeys import hotkey_label
from .classifications import ClassificationList, ClassificationRow, ClassificationsPane
from .concepts import ConceptListScreen
from .objects import ObjectList, ObjectRow, ObjectsPane
from .overlay import RegionView
from .status import StatusBar
from .textview import TextView

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

CACHE_SIZE = 4
"""Decoded images kept in memory: the current one, neighbours and a prefetched one."""


class AnnotateScreen(Screen):
    """The main screen: one input at a time, drawn on the canvas with its annotations."""

    BINDINGS = SCREEN_BINDINGS

    DEFAULT_CSS = """
    AnnotateScreen { layers: base entry; }
    AnnotateScreen #main { height: 1fr; }
    AnnotateScreen #entry { layer: entry; dock: bottom; offset-y: -2; }
    AnnotateScreen #text-view { display: none; }
    AnnotateScreen #sidebar { width: 34; border-left: solid $panel-lighten-2; }
    AnnotateScreen.narrow #sidebar { width: 26; }
    """

    def __init__(self, store: ProjectStore, view_state: ViewState, color_system: str) -> None:
        super().__init__()
        self.store = store
        self.view_state = view_state
        self.color_system = color_system
        self.index = 0
        self.active_concept_id: str | None = None
        self.hidden_concepts: set[str] = set(view_state.hidden_concepts)
        self.hidden_annotations: set[str] = set(view_state.hidden_annotations)
        self._hotkey_prefix = False
        self._cache: OrderedDict[str, SourceImage | TextDocument | ProjectError] = OrderedDict()
        self._note = ""
        self.entry: Entry | None = None
        self._warned: set[str] = set()
        self._conflicts_shown = 0
        self._mask_bounds: dict[tuple[str, int, int], tuple[int, int, int, int]] = {}
        self.input_loading = False
        """True while the current input is being decoded; the app queues keys meanwhile.
        (Not `loading`: Textual widgets use that name for their loading indicator.)"""

    # Layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ImageCanvas(self.color_system, id="canvas")  # type: ignore[arg-type]
            yield TextView(id="text-view")
            with Vertical(id="sidebar"):
                yield ClassificationsPane(id="classifications")
                yield ObjectsPane(id="objects")
        yield EntryPanel(id="entry")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def canvas(self) -> ImageCanvas:
        return self.query_one(ImageCanvas)

    @property
    def text_view(self) -> TextView:
        return self.query_one(TextView)

    @property
    def objects(self) -> ObjectsPane:
        return self.query_one(ObjectsPane)

    @property
    def classifications(self) -> ClassificationsPane:
        return self.query_one(ClassificationsPane)

    def on_mount(self) -> None:
        self.canvas.sink = self.handle_request
        self.objects.list.sink = self.handle_request
        self.classifications.list.sink = self.handle_request
        concepts = self.store.concepts()
        if self.store.concept(self.view_state.active_concept_id or "") is not None:
            self.active_concept_id = self.view_state.active_concept_id
        elif concepts:
            self.active_concept_id = concepts[0].id
        for problem in integrity_problems(self.store):
            self.notify(problem, severity="warning", timeout=15)
        inputs = self.store.inputs()
        ids = [item.id for item in inputs]
        if self.view_state.input_id in ids:
            self.index = ids.index(self.view_state.input_id)
        self.canvas.focus()
        self.show_input(self.index)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "narrow")

    # Inputs

    @property
    def current_input(self) -> InputItem | None:
        return self.store.input_at(self.index)

    def show_input(self, index: int) -> None:
        """Show input `index`, decoding it in a worker unless it is cached."""
        inputs = self.store.inputs()
        if not inputs:
            self.canvas.show_message(
                f"No inputs in {self.store.root}.\nCopy images (jpg, png, webp, bmp, tif, gif) or .txt texts"
                " into the folder and open it again."
            )
            self._refresh_panes()
            return
        self._remember_view()
        self.index = max(0, min(index, len(inputs) - 1))
        item = inputs[self.index]
        self.view_state.input_id = item.id
        if self.is_mounted:
            self.save_view_state()  # so a crash reopens here too
        self._show_view_for(item)
        cached = self._cache.get(item.id)
        if cached is not None:
            self._cache.move_to_end(item.id)
            self._display(item, cached)
        else:
            self.input_loading = True
            self.main_view.show_message(f"Loading {item.path}…")
            self._refresh_panes()
            self._decode(item, True)
        if self.index + 1 < len(inputs) and inputs[self.index + 1].id not in self._cache:
            self._decode(inputs[self.index + 1], False)

    def _show_view_for(self, item: InputItem) -> None:
        """Show the canvas for an image or the text view for a text, keeping the focus on the visible one."""
        is_text = item.kind == "text"
        had_focus = self.app.focused in (self.canvas, self.text_view)
        # Only assign on a change: each assignment makes Textual lay the screen out again.
        if self.canvas.display == is_text:
            self.canvas.display = not is_text
        if self.text_view.display != is_text:
            self.text_view.display = is_text
        if is_text and self.canvas.tool != "select":
            self.canvas.set_tool("select")
        if had_focus:
            self.set_focus(self.main_view)

    @property
    def main_view(self) -> ImageCanvas | TextView:
        """The widget that shows the current input: the canvas, or the text view for a text."""
        item = self.current_input
        return self.text_view if item is not None and item.kind == "text" else self.canvas

    @work(thread=True, group="decode")
    def _decode(self, item: InputItem, show: bool) -> None:
        result: SourceImage | TextDocument | ProjectError
        try:
            if item.kind == "text":
                result = load_text(self.store.root / item.path)
            else:
                result = open_image(self.store.root / item.path)
        except ProjectError as error:
            result = error
        except Exception as error:  # noqa: BLE001 - the app holds keys until the input is shown
            log.exception("loading %s failed", item.path)
            result = ProjectError(f"loading failed unexpectedly ({error!r}); please report this")
        self.app.call_from_thread(self._decoded, item, result, show)

    def _decoded(self, item: InputItem, result: SourceImage | TextDocument | ProjectError, show: bool) -> None:
        self._cache[item.id] = result
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        current = self.current_input
        if show and current is not None and current.id == item.id:
            self._display(item, result)

    def _display(self, item: InputItem, result: SourceImage | TextDocument | ProjectError) -> None:
        if self.input_loading:
            self.input_loading = False
            self.app.call_later(self.app.release_held_keys)  # type: ignore[attr-defined]
        if isinstance(result, ProjectError):
            problem = getattr(result, "problem", str(result))
            self.main_view.show_message(
                f"Cannot show {item.path}\n{problem}\nThe other inputs still work: press d or a."
            )
        elif isinstance(result, TextDocument):
            self.text_view.show_document(result, self.view_state.text_lines.get(item.id, 0))
            if result.had_invalid_bytes:
                self._warn_once(f"text:{item.id}", result.notice)
        else:
            if (item.width, item.height) != (result.width, result.height):
                self._apply(operations.set_input_size(self.store, item.id, result.width, result.height),
                            undoable=False, quiet=True)
            view = self.view_state.views.get(item.id)
            cursor = self.view_state.cursors.get(item.id)
            self.canvas.show_image(result, tuple(view) if view else None, tuple(cursor) if cursor else None)
        self.refresh_annotations()

    def _remember_view(self) -> None:
        item = self.current_input
        if item is None:
            return
        if item.kind == "text" and self.text_view.document is not None:
            self.view_state.text_lines[item.id] = self.text_view.first_line
        elif self.canvas.image is not None:
            self.view_state.remember(item.id, self.canvas.view_state, self.canvas.cursor)

    def save_view_state(self) -> None:
        self._remember_view()
        self.view_state.active_concept_id = self.active_concept_id
        self.view_state.hidden_concepts = sorted(self.hidden_concepts)
        self.view_state.hidden_annotations = sorted(self.hidden_annotations)
        try:
            save_view_state(view_state_path(self.store.state_dir, self.store.annotator), self.view_state)
        except OSError as error:
            self.notify(f"Could not save the view position: {error}", severity="warning")

    # State to widgets

    def _concept_numbers(self) -> dict[str, int]:
        return {concept.id: index + 1 for index, concept in enumerate(self.store.concepts())}

    def _is_hidden(self, annotation: Annotation) -> bool:
        return annotation.id in self.hidden_annotations or annotation.concept_id in self.hidden_concepts

    def instance_labels(self, annotations: list[Annotation]) -> dict[str, str]:
        """Number each region instance per concept in creation order: cat.1, cat.2, ..."""
        counts: dict[str, int] = {}
        labels = {}
        for annotation in annotations:
            if annotation.kind == "classification":
                continue
            concept = self.store.concept(annotation.concept_id)
            counts[annotation.concept_id] = counts.get(annotation.concept_id, 0) + 1
            name = concept.name if concept else "?"
            labels[annotation.id] = f"{name}.{counts[annotation.concept_id]}"
        return labels

    def refresh_annotations(self) -> None:
        """Redraw boxes, the Objects pane and the status bar from the store."""
        item = self.current_input
        annotations = self.store.annotations_for(item.id) if item else []
        labels = self.instance_labels(annotations)
        regions = []
        for annotation in annotations:
            if annotation.kind == "classification" or self._is_hidden(annotation):
                continue
            region = self._region_view(annotation, labels[annotation.id])
            if region is not None:
                regions.append(region)
        self.canvas.set_regions(regions)
        self._refresh_panes(annotations, labels)
        self._update_status()

    def _region_view(self, annotation: Annotation, label: str) -> RegionView | None:
        concept = self.store.concept(annotation.concept_id)
        color = concept.color if concept else "#ffffff"
        original = relations.original_name(self.store, annotation)
        if original:
            label += relations.superscript(original)
        if annotation.box is not None:
            x0, y0, x1, y1 = annotation.box
            return RegionView(annotation.id, (x0, y0, x1, y1), label, color)
        if annotation.polygon is not None:
            values = annotation.polygon
            points = tuple((values[i], values[i + 1]) for i in range(0, len(values), 2))
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            return RegionView(annotation.id, (min(xs), min(ys), max(xs), max(ys)), label, color, "polygon", points)
        if annotation.mask is not None:
            try:
                mask = load_mask(self.store.state_dir / annotation.mask)
            except (ImageLoadError, OSError, ValueError) as error:
                self._warn_once(f"mask:{annotation.id}", f"Cannot show the mask {annotation.mask} of {label}: {error}")
                return None
            x0, y0, x1, y1 = self._bounds_of(self.store.state_dir / annotation.mask, mask)
            return RegionView(annotation.id, (x0, y0, x1, y1), label, color, "mask", mask=mask)
        return None

    def _bounds_of(self, mask_path: Path, mask: np.ndarray) -> tuple[int, int, int, int]:
        """Return a mask's bounding box, scanning the mask only when its file changed since the last redraw."""
        status = mask_path.stat()
        key = (str(mask_path), status.st_mtime_ns, status.st_size)
        bounds = self._mask_bounds.get(key)
        if bounds is None:
            bounds = mask_bounds(mask)
            self._mask_bounds[key] = bounds
        return bounds

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.notify(message, severity="warning", timeout=10)

    def _refresh_panes(self, annotations: list[Annotation] | None = None,
                       labels: dict[str, str] | None = None) -> None:
        annotations = annotations or []
        labels = labels or {}
        numbers = self._concept_numbers()
        by_concept: dict[str, list[Annotation]] = {}
        for annotation in annotations:
            if annotation.kind != "classification":
                by_concept.setdefault(annotation.concept_id, []).append(annotation)
        rows: list[ObjectRow] = []
        for concept_id, members in sorted(by_concept.items(), key=lambda pair: numbers.get(pair[0], 999)):
            concept = self.store.concept(concept_id)
            name = concept.name if concept else f"unknown concept {concept_id}"
            color = concept.color if concept else "#ffffff"
            rows.append(ObjectRow("concept", concept_id, concept_id, name, color,
                                  concept_id in self.hidden_concepts, hotkey_label(numbers.get(concept_id, 0)),
                                  len(members)))
            for annotation in members:
                rows.append(ObjectRow("instance", annotation.id, concept_id, labels.get(annotation.id, name), color,
                                      self._is_hidden(annotation),
                                      annotators=tuple(mark.name for mark in annotation.annotators),
                                      original=relations.original_name(self.store, annotation) or ""))
        selected = self.canvas.selected_id
        self.objects.show_rows(rows, len(by_concept), f"instance:{selected}" if selected else None)
        assigned = []
        for annotation in annotations:
            if annotation.kind != "classification":
                continue
            concept = self.store.concept(annotation.concept_id)
            assigned.append(ClassificationRow(
                annotation.id, annotation.concept_id, concept.name if concept else annotation.concept_id,
                concept.color if concept else "#ffffff", hotkey_label(numbers.get(annotation.concept_id, 0)),
                tuple(mark.name for mark in annotation.annotators),
                relations.original_name(self.store, annotation) or "",
            ))
        self.classifications.show_rows(assigned)

    def _update_status(self) -> None:
        item = self.current_input
        canvas = self.canvas
        parts: list[tuple[str, str]] = []
        total = self.store.input_count()
        if item is None:
            parts.append(("no inputs", "bold"))
        else:
            parts.append((item.path, "bold"))
            parts.append((f"{self.index + 1}/{total}", ""))
            if item.kind == "text":
                view = self.text_view
                total_lines = max(view.line_count, 1)
                percent = 100 * min(view.first_line + view.page_height, total_lines) // total_lines
                parts.append(("text", ""))
                parts.append((f"line {view.first_logical_line + 1} · {percent}%", ""))
            elif canvas.image is not None:
                parts.append((f"{canvas.image.width}x{canvas.image.height}", ""))
                parts.append((f"x {canvas.cursor[0]:g} y {canvas.cursor[1]:g}", ""))
            if canvas.viewport is not None and item.kind != "text":
                parts.append((f"zoom {canvas.viewport.zoom * 100:.0f}%", ""))
        tool = {"box": "Box", "polygon": "Polygon"}.get(canvas.tool, "Select")
        if canvas.selected_id is not None and isinstance(canvas.handle, int):
            tool += f" (vertex {canvas.handle + 1})"
        elif canvas.selected_id is not None and canvas.handle != "box":
            tool += f" ({canvas.handle} edge)"
        parts.append((tool, "bold"))
        concept = self.store.concept(self.active_concept_id) if self.active_concept_id else None
        if concept is not None:
            key = hotkey_label(self._concept_numbers()[concept.id])
            parts.append((f"{concept.name}" + (f" [{key}]" if key else ""), concept.color))
        else:
            parts.append(("no concept: press /", "italic"))
        note = "; … (press a digit for concept 11-20)" if self._hotkey_prefix else self._note
        self.query_one(StatusBar).show(parts, note)

    # Applying edits

    def _apply(self, edit: Edit, *, undoable: bool = True, quiet: bool = False) -> bool:
        """Apply an edit through the store; report a failure and return False."""
        try:
            self.store.apply(edit, undoable=undoable)
        except ProjectError as error:
            self.notify(str(error), severity="error", timeout=8)
            return False
        except OSError as error:
            self.notify(f"Could not save: {error}. Nothing was changed; free disk space or check"
                        " permissions, then try again.", severity="error", timeout=12)
            return False
        if not quiet:
            self._note = f"saved: {edit.description}"
        if self.store.fold_error:
            self._warn_once("fold", f"{self.store.fold_error} Editing goes on: every edit is in the journal.")
        for conflict in self.store.merge_conflicts[self._conflicts_shown:]:
            self.notify(conflict, severity="warning", timeout=12)
        self._conflicts_shown = len(self.store.merge_conflicts)
        return True

    def _concept_for_new_annotation(self) -> Concept | None:
        if self.active_concept_id is None:
            return None
        return self.store.concept(operations.resolve_concept(self.store, self.active_concept_id))

    # Requests from the canvas and the panes, delivered synchronously (see emitter.py)

    def handle_request(self, message: Message) -> None:
        """Apply an edit request from the canvas or a pane before the next key is handled."""
        handlers = {
            ImageCanvas.BoxDrawn: self._box_drawn,
            ImageCanvas.BoxEdited: self._box_edited,
            ImageCanvas.PolygonDrawn: self._polygon_drawn,
            ImageCanvas.PolygonEdited: self._polygon_edited,
            ImageCanvas.SelectionChanged: self._selection_changed,
            ImageCanvas.DeleteRequested: self._delete_requested,
            ImageCanvas.ExitDrawing: self._exit_drawing,
            ObjectList.Requested: self._row_requested,
            ClassificationList.Requested: self._classification_requested,
        }
        handler = handlers.get(type(message))
        if handler is None:
            raise TypeError(f"no handler for {type(message).__name__}")
        handler(message)  # type: ignore[operator]

    def _box_drawn(self, message: ImageCanvas.BoxDrawn) -> None:
        self._add_region(lambda item_id, concept_id, width, height: operations.add_box(
            self.store, item_id, concept_id, message.corner_a, message.corner_b, width, height)[0])

    def _polygon_drawn(self, message: ImageCanvas.PolygonDrawn) -> None:
        self._add_region(lambda item_id, concept_id, width, height: operations.add_polygon(
            self.store, item_id, concept_id, message.points, width, height)[0])

    def _add_region(self, build: Callable[[str, str, int, int], Edit]) -> None:
        """Build a new region's edit with the active concept (after relations) and apply it."""
        item = self.current_input
        image = self.canvas.image
        concept = self._concept_for_new_annotation()
        if item is None or image is None:
            return
        if concept is None:
            self.notify("Pick a concept first: press / and type a name.", severity="warning")
            return
        self._apply_built(lambda: build(item.id, concept.id, image.width, image.height))

    def _polygon_edited(self, message: ImageCanvas.PolygonEdited) -> None:
        self._apply_built(lambda: operations.set_polygon(
            self.store, message.annotation_id, message.points, message.description))

    def _box_edited(self, message: ImageCanvas.BoxEdited) -> None:
        self._apply_built(lambda: operations.set_box(
            self.store, message.annotation_id, message.box, message.description))

    def _apply_built(self, build: Callable[[], Edit]) -> None:
        """Build an edit, report a rule it breaks, else apply it and redraw."""
        try:
            edit = build()
        except ProjectError as error:
            self.notify(str(error), severity="warning", timeout=6)
            return
        if self._apply(edit):
            self.refresh_annotations()

    def _selection_changed(self, message: ImageCanvas.SelectionChanged) -> None:
        if message.annotation_id is not None:
            self.objects.highlight(f"instance:{message.annotation_id}")
        self._update_status()

    def _delete_requested(self, message: ImageCanvas.DeleteRequested) -> None:
        self._delete_instance(message.annotation_id)

    def _exit_drawing(self, message: ImageCanvas.ExitDrawing | None = None) -> None:
        self.canvas.set_tool("select")

    @on(ImageCanvas.StateChanged)
    @on(TextView.StateChanged)
    def _view_state_changed(self) -> None:
        self._update_status()

    def _delete_instance(self, annotation_id: str) -> None:
        annotation = self.store.annotation(annotation_id)
        if annotation is None:
            return
        label = self.instance_labels(self.store.annotations_for(annotation.input_id)).get(annotation_id, "annotation")
        if self._apply(operations.delete_annotations(self.store, [annotation_id], f"delete {label}")):
            self.canvas.select(None, notify=False)
            self.refresh_annotations()
            self.notify(f"Deleted {label}; u undoes it.")

    # Objects pane messages

    @on(ObjectList.RowHighlighted)
    def _row_highlighted(self, message: ObjectList.RowHighlighted) -> None:
        row = message.row
        if row is not None and row.kind == "instance":
            self.canvas.select(row.target_id, notify=False)
        elif row is not None:
            self.canvas.select(None, notify=False)

    def _row_requested(self, message: ObjectList.Requested) -> None:
        row = message.row
        if message.action == "back":
            self.set_focus(self.main_view)
            return
        if row is None:
            return
        if message.action == "draw":
            self._start_drawing(row.concept_id)
            self.set_focus(self.main_view)
        elif message.action == "hide":
            self._toggle_hidden(row)
        elif message.action == "delete":
            if row.kind == "instance":
                self._delete_instance(row.target_id)
            else:
                self._delete_category(row)
        elif message.action == "annotators":
            self._show_annotators(row)
        elif message.action == "rename":
            item = self.current_input
            if row.kind == "concept" and item is not None:
                ids = [a.id for a in self.store.annotations_for(item.id)
                       if a.concept_id == row.concept_id and a.kind != "classification"]
                self._rename_annotations(ids, f"all {row.label} on this input")
            else:
                self._rename_annotations([row.target_id], row.label)
        elif message.action == "reassign" and row.kind == "instance":
            self._pick_then(partial(self._reassign_to_pick, row.target_id), f"Reassign {row.label} to")
        elif message.action == "reassign":
            self.notify("R reassigns one instance: highlight an instance row (r renames the whole category).",
                        severity="warning")

    def _classification_requested(self, message: ClassificationList.Requested) -> None:
        row = message.row
        if message.action == "back":
            self.set_focus(self.main_view)
        elif row is None:
            return
        elif message.action == "remove":
            self._unclassify(row.annotation_id, row.name)
        elif message.action == "rename":
            self._rename_annotations([row.annotation_id], row.name)
        elif message.action == "annotators":
            annotation = self.store.annotation(row.annotation_id)
            marks = annotation.annotators if annotation else []
            names = ", ".join(f"{mark.name} ({mark.at})" for mark in marks)
            self.notify(f"{row.name}: {len(marks)} annotator{'s' if len(marks) != 1 else ''}: {names}",
                        title="Annotators")

    def _unclassify(self, annotation_id: str, name: str) -> None:
        """Remove this annotator's mark, asking before removing other annotators' marks too."""
        annotation = self.store.annotation(annotation_id)
        if annotation is None:
            return
        others = classification.others_marked(self.store, annotation_id)
        mine = any(mark.name == self.store.annotator for mark in annotation.annotators)
        if others and not mine:
            def confirmed(_: object) -> None:
                if self._apply(classification.unclassify(self.store, annotation_id, for_everyone=True)):
                    self.refresh_annotations()

            self.open_entry(Entry("confirm", f"Remove {name} for everyone ({', '.join(others)})?", confirmed))
            return
        if self._apply(classification.unclassify(self.store, annotation_id)):
            self.refresh_annotations()
            if others:
                self.notify(f"Removed your mark on {name}; {', '.join(others)} still assign it. Press Delete"
                            " on it again to remove it for everyone.")

    def _rename_annotations(self, annotation_ids: list[str], what: str) -> None:
        """Rename the concept of annotations on this input, recording a concept relation."""
        if not annotation_ids:
            return

        def picked(option: object) -> None:
            if not isinstance(option, ConceptOption):
                return
            if option.concept_id is not None:
                concept = self.store.concept(option.concept_id)
                name = concept.name if concept else ""
            else:
                name = option.new_name or ""
            try:
                edit = relations.rename_annotations(self.store, annotation_ids, name)
            except ProjectError as error:
                self.notify(str(error), severity="error", timeout=10)
                return
            if self._apply(edit):
                self.canvas.select(None, notify=False)
                self.refresh_annotations()
                self.notify(f"{edit.description[:1].upper()}{edit.description[1:]}.")

        self.open_entry(Entry("concept", f"Rename {what} to", picked, concepts=self.store.concepts(),
                              notes=self._relation_notes(), placeholder="type the new name"))

    def _toggle_hidden(self, row: ObjectRow) -> None:
        table = self.hidden_concepts if row.kind == "concept" else self.hidden_annotations
        if row.target_id in table:
            table.discard(row.target_id)
        else:
            table.add(row.target_id)
        self.refresh_annotations()

    def _delete_category(self, row: ObjectRow) -> None:
        item = self.current_input
        if item is None:
            return
        doomed = [a.id for a in self.store.annotations_for(item.id)
                  if a.concept_id == row.concept_id and a.kind != "classification"]

        def confirmed(_: object) -> None:
            if self._apply(operations.delete_annotations(self.store, doomed, f"delete all {row.label}")):
                self.canvas.select(None, notify=False)
                self.refresh_annotations()
                self.notify(f"Deleted {len(doomed)} {row.label} on this input; u undoes it.")

        question = (f"Delete the only {row.label} instance on {item.path}?" if len(doomed) == 1
                    else f"Delete all {len(doomed)} {row.label} instances on {item.path}?")
        self.open_entry(Entry("confirm", question, confirmed))

    def _show_annotators(self, row: ObjectRow) -> None:
        if row.kind == "instance":
            annotation = self.store.annotation(row.target_id)
            marks = annotation.annotators if annotation else []
        else:
            item = self.current_input
            marks = [m for a in self.store.annotations_for(item.id) if a.concept_id == row.concept_id
                     for m in a.annotators] if item else []
        names = sorted({mark.name for mark in marks})
        self.notify(f"{row.label}: {len(names)} annotator{'s' if len(names) != 1 else ''}: {', '.join(names)}",
                    title="Annotators")

    # Entries

    def open_entry(self, entry: Entry) -> None:
        """Open a prompt in the entry line; keys go to it until Enter or Escape."""
        self.entry = entry
        self.query_one(EntryPanel).show(entry)

    def entry_key(self, event) -> None:
        """Pass one key to the open entry, closing it when it is finished or cancelled."""
        entry = self.entry
        if entry is None:
            return
        outcome = entry.handle_key(event)
        if outcome != "open" and self.entry is entry:
            self.entry = None
        self.query_one(EntryPanel).show(self.entry)

    # Concepts

    def _pick_then(self, callback, title: str = "Concept") -> None:
        """Open the concept picker; create a new concept when asked, then call `callback(concept_id)`."""

        def picked(result: object) -> None:
            if not isinstance(result, ConceptOption):
                return
            concept_id = result.concept_id
            if concept_id is None and result.new_name:
                try:
                    edit, concept = operations.add_concept(self.store, result.new_name)
                except ProjectError as error:
                    self.notify(str(error), severity="warning")
                    return
                if not self._apply(edit):
                    return
                concept_id = concept.id
                self.notify(f'Created concept "{concept.name}" on hotkey '
                            f"{hotkey_label(len(self.store.concepts())) or '(none: more than 20)'}.")
            if concept_id is not None:
                callback(concept_id)

        self.open_entry(Entry("concept", title, picked, concepts=self.store.concepts(),
                              notes=self._relation_notes(), placeholder="type to filter or to name a new concept"))

    def _relation_notes(self) -> dict[str, str]:
        notes = {}
        for concept in self.store.concepts():
            target = operations.resolve_concept(self.store, concept.id)
            if target != concept.id:
                new = self.store.concept(target)
                notes[concept.id] = f"→ new annotations get {new.name if new else '?'}"
        return notes

    def _set_active(self, concept_id: str) -> None:
        self.active_concept_id = concept_id
        if self.canvas.tool != "select":
            self._start_drawing(concept_id)
        self._update_status()

    def _start_drawing(self, concept_id: str, tool: str | None = None) -> None:
        """Enter drawing mode with a concept; keep the current drawing tool unless `tool` is given."""
        self.active_concept_id = concept_id
        concept = self._concept_for_new_annotation()
        if concept is None:
            return
        original = self.store.concept(concept_id)
        label = concept.name
        if original is not None and original.id != concept.id:
            label = f"{concept.name} (relation: {original.name} → {concept.name})"
        tool = tool or (self.canvas.tool if self.canvas.tool != "select" else "box")
        self.canvas.set_tool(tool, label, concept.color)  # type: ignore[arg-type]
        self._update_status()

    def _reassign_to_pick(self, annotation_id: str, concept_id: str) -> None:
        if self._apply(operations.reassign(self.store, annotation_id, concept_id)):
            self.refresh_annotations()

    # Actions

    def action_pick_concept(self) -> None:
        self._pick_then(self._set_active)

    def _image_only(self, what: str) -> bool:
        """Return True for an image input; tell the annotator why `what` does not apply to a text."""
        item = self.current_input
        if item is not None and item.kind == "text":
            self.notify(f"{what} are for images; on a text, scroll with PageUp/PageDown and classify with c.",
                        severity="warning")
            return False
        return True

    def action_draw_boxes(self) -> None:
        if not self._image_only("Boxes"):
            return
        if self.active_concept_id is None or self.store.concept(self.active_concept_id) is None:
            self._pick_then(self._start_drawing, "Concept for new boxes")
            return
        self._start_drawing(self.active_concept_id)

    def action_draw_polygons(self) -> None:
        if not self._image_only("Polygons"):
            return
        if self.active_concept_id is None or self.store.concept(self.active_concept_id) is None:
            self._pick_then(partial(self._start_drawing, tool="polygon"), "Concept for new polygons")
            return
        self._start_drawing(self.active_concept_id, tool="polygon")

    def action_classify(self) -> None:
        """Open the concept picker and assign the picked concept to the whole input."""
        if self.current_input is None:
            return
        self._pick_then(self._classify, "Classify this input as")

    def _classify(self, concept_id: str) -> None:
        item = self.current_input
        if item is None:
            return
        edit = classification.classify(self.store, item.id, concept_id)
        if not edit.changes:
            concept = self.store.concept(concept_id)
            self.notify(f"You already classified this input as {concept.name if concept else concept_id}.")
            return
        if self._apply(edit):
            self.refresh_annotations()

    def action_rename_selected(self) -> None:
        """Rename the concept of the selected instance or highlighted classification (a relation)."""
        focused = self.app.focused
        if focused is self.classifications.list:
            row = self.classifications.list.current_row()
            if row is not None:
                self._rename_annotations([row.annotation_id], row.name)
            return
        selected = self.canvas.selected_id
        if selected is None:
            self.notify("Select an instance first (Tab), or a classification in its pane.", severity="warning")
            return
        annotation = self.store.annotation(selected)
        label = self.instance_labels(self.store.annotations_for(annotation.input_id)).get(selected, "the instance") \
            if annotation else "the instance"
        self._rename_annotations([selected], label)

    def action_concept_list(self) -> None:
        self.app.push_screen(ConceptListScreen(self))

    def action_select_tool(self) -> None:
        self.canvas.set_tool("select")

    def action_hotkey_prefix(self) -> None:
        self._hotkey_prefix = True
        self._update_status()

    @property
    def hotkey_prefix_armed(self) -> bool:
        return self._hotkey_prefix

    def clear_hotkey_prefix(self) -> None:
        """Forget a `;` prefix when a key other than a digit follows it."""
        self._hotkey_prefix = False
        self._update_status()

    def action_hotkey(self, number: int) -> None:
        """Start drawing with concept `number`, reassign the selected instance, or toggle a classification.

        In the Classifications pane, and on a text input, the hotkey assigns or removes the concept.
        """
        if self._hotkey_prefix:
            number += 10
            self._hotkey_prefix = False
        concepts = self.store.concepts()
        if number > len(concepts):
            self.notify(f"No concept on hotkey {hotkey_label(number)}; press / to create one.", severity="warning")
            self._update_status()
            return
        concept = concepts[number - 1]
        item = self.current_input
        text_input = item is not None and item.kind == "text"
        if self.app.focused is self.classifications.list or text_input:
            # A text has no regions, so its hotkeys classify it.
            self._toggle_classification(concept.id)
            return
        if self.canvas.selected_id is not None:
            self._reassign_to_pick(self.canvas.selected_id, concept.id)
            self.notify(f"Reassigned to {concept.name}.")
            return
        self._start_drawing(concept.id)

    def _toggle_classification(self, concept_id: str) -> None:
        """Assign a concept to the input, or remove it when it is already assigned."""
        item = self.current_input
        if item is None:
            return
        target = operations.resolve_concept(self.store, concept_id)
        existing = classification.classification_of(self.store, item.id, target)
        if existing is None:
            self._classify(concept_id)
            return
        if not any(mark.name == self.store.annotator for mark in existing.annotators):
            self._classify(concept_id)  # someone else assigned it: add this annotator's mark
            return
        concept = self.store.concept(target)
        self._unclassify(existing.id, concept.name if concept else target)

    def action_next_input(self) -> None:
        self._step_input(1)

    def action_previous_input(self) -> None:
        self._step_input(-1)

    def _step_input(self, step: int) -> None:
        total = self.store.input_count()
        target = self.index + step
        if not 0 <= target < total:
            self.notify("This is the last input." if step > 0 else "This is the first input.")
            return
        self.show_input(target)

    def action_undo(self) -> None:
        self._undo_redo(self.store.undo, "Undid")

    def action_redo(self) -> None:
        self._undo_redo(self.store.redo, "Redid")

    def _undo_redo(self, step, verb: str) -> None:
        try:
            edit = step()
        except (ProjectError, OSError) as error:
            self.notify(f"{verb[:-1]} failed: {error}", severity="error")
            return
        if edit is None:
            self.notify(f"Nothing to {verb.lower()[:-1]}.")
            return
        self._go_to_edit(edit)
        self._note = f"{verb.lower()}: {edit.description}"
        self.refresh_annotations()
        self.notify(f"{verb}: {edit.description}")

    def _go_to_edit(self, edit: Edit) -> None:
        """Show the input that an undone or redone edit touched, if it is another one."""
        for change in edit.changes:
            if change.collection != "annotations":
                continue
            payload = change.after or change.before or {}
            input_id = payload.get("input_id")
            ids = [item.id for item in self.store.inputs()]
            if input_id in ids and ids.index(input_id) != self.index:
                self.show_input(ids.index(input_id))
            return

    def action_go_to(self) -> None:
        image = self.canvas.image
        if not self._image_only("Positions") or image is None:
            return

        def parse(text: str) -> tuple[float, float]:
            x, y = parse_position(text)
            if not (0 <= x <= image.width and 0 <= y <= image.height):
                raise ValueError(f"({x:g}, {y:g}) is outside the {image.width}x{image.height} image;"
                                 f" x must be 0-{image.width} and y 0-{image.height}")
            return x, y

        def chosen(position: object) -> None:
            if isinstance(position, tuple):
                self.canvas.move_cursor_to(*position)

        x, y = self.canvas.cursor
        self.open_entry(Entry("text", "Go to x,y in image pixels", chosen, parse, placeholder=f"now {x:g},{y:g}"))

    def action_zoom_in(self) -> None:
        if not self._image_only("Zoom levels"):
            return
        self.canvas.zoom(2.0)

    def action_zoom_out(self) -> None:
        if not self._image_only("Zoom levels"):
            return
        self.canvas.zoom(0.5)

    def action_zoom_fit(self) -> None:
        self.canvas.zoom(None)

    def action_toggle_overlays(self) -> None:
        shown = self.canvas.toggle_overlays()
        self.notify("Overlays shown." if shown else "Overlays hidden; v shows them again.")

    def action_focus_panes(self) -> None:
        """Move the focus from the canvas to the Objects pane, then the Classifications pane, then back.

        Screen.set_focus applies at once (Widget.focus waits for the next message), so a second
        `o` in the same burst of keys starts from the pane the first one focused.
        """
        focused = self.app.focused
        if focused is self.objects.list:
            self.set_focus(self.classifications.list)
        elif focused is self.classifications.list:
            self.set_focus(self.main_view)
        else:
            self.set_focus(self.objects.list)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(getattr(self.app, "keymap", {})))

    async def action_quit(self) -> None:
        await self.app.action_quit()
