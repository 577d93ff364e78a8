"""Provides ClassificationsPane: the concepts assigned to the whole input, with their annotators."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..core.relations import superscript
from .emitter import Emitter
from .bindings import CLASSIFICATIONS_BINDINGS


@dataclass(frozen=True)
class ClassificationRow:
    """One assigned concept of the input."""

    annotation_id: str
    concept_id: str
    name: str
    color: str
    hotkey: str
    annotators: tuple[str, ...]
    original: str = ""


class ClassificationList(Emitter, OptionList):
    """The rows of the Classifications pane; keys act on the highlighted row."""

    BINDINGS = CLASSIFICATIONS_BINDINGS

    class Requested(Message):
        """The annotator asked for `action` (remove, rename, annotators, back) on a row."""

        def __init__(self, action: str, row: ClassificationRow | None) -> None:
            super().__init__()
            self.action = action
            self.row = row

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[ClassificationRow] = []

    def current_row(self) -> ClassificationRow | None:
        if self.highlighted is None or not (0 <= self.highlighted < len(self.rows)):
            return None
        return self.rows[self.highlighted]

    def _request(self, action: str) -> None:
        self.emit(self.Requested(action, self.current_row()))

    def action_remove_row(self) -> None:
        self._request("remove")

    def action_rename_row(self) -> None:
        self._request("rename")

    def action_show_annotators(self) -> None:
        self._request("annotators")

    def action_back_to_canvas(self) -> None:
        self._request("back")


class ClassificationsPane(Vertical):
    """Header `Classifications(N)` and one ticked row per assigned concept."""

    DEFAULT_CSS = """
    ClassificationsPane { height: auto; max-height: 40%; }
    ClassificationsPane > #classifications-header { height: 1; text-style: bold; padding: 0 1; }
    ClassificationsPane > ClassificationList { height: auto; max-height: 12; min-height: 1; border: none; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Classifications(0)", id="classifications-header")
        yield ClassificationList(id="classifications-list")

    @property
    def list(self) -> ClassificationList:
        return self.query_one(ClassificationList)

    def show_rows(self, rows: list[ClassificationRow]) -> None:
        """Replace the rows, keeping the highlight on the same concept where it still exists."""
        pane_list = self.list
        previous = pane_list.current_row()
        self.query_one("#classifications-header", Static).update(f"Classifications({len(rows)})")
        pane_list.rows = rows
        pane_list.clear_options()
        if not rows:
            pane_list.add_option(Option(Text("  none: press c to classify", style="dim italic"), disabled=True))
            return
        pane_list.add_options([Option(self._row_text(row), id=row.annotation_id) for row in rows])
        ids = [row.concept_id for row in rows]
        if previous is not None and previous.concept_id in ids:
            pane_list.highlighted = ids.index(previous.concept_id)
        else:
            pane_list.highlighted = 0

    @staticmethod
    def _row_text(row: ClassificationRow) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("☑ ", style="bold green")
        if row.hotkey:
            text.append(f"[{row.hotkey}] ", style="dim")
        text.append(row.name, style=f"bold {row.color}")
        if row.original:
            text.append(superscript(row.original), style="italic")
        names = ",".join(row.annotators)
        text.append(f" · {len(row.annotators)}: {names}", style="dim")
        return text

    @on(OptionList.OptionHighlighted)
    def _stop_highlight(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
