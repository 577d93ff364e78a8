"""Provides ObjectsPane: per-concept counts and numbered instances of the current input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..core.relations import superscript
from .emitter import Emitter
from .bindings import OBJECTS_BINDINGS

RowKind = Literal["concept", "instance"]
EYE_OPEN = "◉"
EYE_SHUT = "◌"


@dataclass(frozen=True)
class ObjectRow:
    """One row of the pane: a concept category or one of its instances."""

    kind: RowKind
    target_id: str
    """Concept id for a category row, annotation id for an instance row."""
    concept_id: str
    label: str
    color: str
    hidden: bool
    hotkey: str = ""
    count: int = 0
    annotators: tuple[str, ...] = ()
    original: str = ""
    """Name of the concept this instance was renamed from on its input, shown as a superscript."""

    @property
    def option_id(self) -> str:
        return f"{self.kind}:{self.target_id}"


class ObjectList(Emitter, OptionList):
    """The rows of the Objects pane; keys act on the highlighted row."""

    BINDINGS = OBJECTS_BINDINGS

    class Requested(Message):
        """The annotator asked for `action` on a row (draw, rename, hide, delete, annotators, back)."""

        def __init__(self, action: str, row: ObjectRow | None) -> None:
            super().__init__()
            self.action = action
            self.row = row

    class RowHighlighted(Message):
        def __init__(self, row: ObjectRow | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[ObjectRow] = []

    def current_row(self) -> ObjectRow | None:
        if self.highlighted is None or not (0 <= self.highlighted < len(self.rows)):
            return None
        return self.rows[self.highlighted]

    def _request(self, action: str) -> None:
        self.emit(self.Requested(action, self.current_row()))

    def action_draw_category(self) -> None:
        self._request("draw")

    def action_rename_or_reassign(self) -> None:
        self._request("rename")

    def action_reassign(self) -> None:
        self._request("reassign")

    def action_toggle_hidden(self) -> None:
        self._request("hide")

    def action_delete_row(self) -> None:
        self._request("delete")

    def action_show_annotators(self) -> None:
        self._request("annotators")

    def action_back_to_canvas(self) -> None:
        self._request("back")


class ObjectsPane(Vertical):
    """Header `Objects(N)` and the list of categories with their instances."""

    DEFAULT_CSS = """
    ObjectsPane { height: 1fr; }
    ObjectsPane > #objects-header { height: 1; text-style: bold; padding: 0 1; }
    ObjectsPane > ObjectList { height: 1fr; border: none; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Objects(0)", id="objects-header")
        yield ObjectList(id="objects-list")

    @property
    def list(self) -> ObjectList:
        return self.query_one(ObjectList)

    def show_rows(self, rows: list[ObjectRow], category_count: int, highlight: str | None = None) -> None:
        """Replace the rows, keeping the highlight on the same row where it still exists."""
        object_list = self.list
        previous = object_list.current_row()
        wanted = highlight or (previous.option_id if previous else None)
        self.query_one("#objects-header", Static).update(f"Objects({category_count})")
        object_list.rows = rows
        object_list.clear_options()
        object_list.add_options([Option(self._row_text(row), id=row.option_id) for row in rows])
        ids = [row.option_id for row in rows]
        if wanted in ids:
            with self.prevent(OptionList.OptionHighlighted):
                object_list.highlighted = ids.index(wanted)
        elif rows:
            with self.prevent(OptionList.OptionHighlighted):
                object_list.highlighted = min(previous and object_list.highlighted or 0, len(rows) - 1)

    def highlight(self, option_id: str | None) -> None:
        """Move the highlight to a row without reporting it back as a selection."""
        object_list = self.list
        ids = [row.option_id for row in object_list.rows]
        if option_id in ids:
            with self.prevent(OptionList.OptionHighlighted):
                object_list.highlighted = ids.index(option_id)

    @staticmethod
    def _row_text(row: ObjectRow) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        eye = EYE_SHUT if row.hidden else EYE_OPEN
        if row.kind == "concept":
            text.append("■ ", style=row.color)
            text.append(f"{row.label}({row.count})", style="bold")
            if row.hotkey:
                text.append(f" [{row.hotkey}]", style="dim")
            text.append(f" {eye}")
        else:
            text.append("  ")
            text.append(row.label, style=row.color)
            if row.original:
                text.append(superscript(row.original), style="italic")
            text.append(f" {eye}")
            if row.annotators:
                names = ",".join(row.annotators)
                text.append(f" · {len(row.annotators)}: {names}", style="dim")
        if row.hidden:
            text.stylize("dim")
        return text

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(ObjectList.RowHighlighted(self.list.current_row()))
