"""Provides ConceptListScreen: rename concepts everywhere, change hotkey order, delete unused ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ..core import operations, relations
from ..core.edits import Edit
from ..core.errors import ProjectError
from .hotkeys import hotkey_label

if TYPE_CHECKING:
    from .screen import AnnotateScreen


class ConceptListScreen(ModalScreen[None]):
    """The project's concepts in hotkey order, with their use counts."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="concepts.close"),
        Binding("r", "rename", "Rename everywhere", id="concepts.rename"),
        Binding("shift+up,left_square_bracket", "move(-1)", "Move up (lower hotkey)", id="concepts.up"),
        Binding("shift+down,right_square_bracket", "move(1)", "Move down (higher hotkey)", id="concepts.down"),
        Binding("delete,backspace", "delete", "Delete if unused", id="concepts.delete"),
        Binding("x", "remove_relation", "Remove its relation", id="concepts.remove_relation"),
    ]

    DEFAULT_CSS = """
    ConceptListScreen { align: center middle; }
    ConceptListScreen > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ConceptListScreen OptionList { height: auto; max-height: 24; }
    ConceptListScreen Input { display: none; }
    ConceptListScreen Input.open { display: block; }
    ConceptListScreen .hint { color: $text-muted; }
    """

    def __init__(self, owner: AnnotateScreen) -> None:
        super().__init__()
        self.owner = owner
        self.store = owner.store
        self._renaming: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Concepts (hotkey order)", classes="title")
            yield OptionList(id="concept-list")
            yield Input(id="rename", placeholder="new name; Enter renames everywhere, Esc cancels")
            yield Label("r: rename everywhere · [ ] or Shift+↑↓: reorder (hotkeys follow)\n"
                        "x: remove its relation (→) · Delete: remove an unused concept · Esc: close",
                        classes="hint")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self, keep: str | None = None) -> None:
        options = self.query_one(OptionList)
        counts: dict[str, int] = {}
        for annotation in self.store.all_annotations():
            counts[annotation.concept_id] = counts.get(annotation.concept_id, 0) + 1
            if annotation.renamed_from is not None:
                # A renamed annotation still uses its original concept: renaming back returns to it.
                counts[annotation.renamed_from] = counts.get(annotation.renamed_from, 0) + 1
        concepts = self.store.concepts()
        names = {concept.id: concept.name for concept in concepts}
        targets = {r.original_id: names.get(r.new_id, r.new_id) for r in self.store.relations()}
        options.clear_options()
        for index, concept in enumerate(concepts):
            text = Text(no_wrap=True, overflow="ellipsis")
            key = hotkey_label(index + 1)
            text.append(f"{key:>3} " if key else "    ", style="dim")
            text.append("■ ", style=concept.color)
            text.append(concept.name, style="bold")
            used = counts.get(concept.id, 0)
            text.append(f"  {used} annotation{'s' if used != 1 else ''}", style="dim")
            target = targets.get(concept.id)
            if target is not None:
                text.append(f"  → {target}", style="italic")
            options.add_option(Option(text, id=concept.id))
        ids = [concept.id for concept in concepts]
        if keep in ids:
            options.highlighted = ids.index(keep)
        elif ids:
            options.highlighted = 0

    def _current(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def _apply(self, edit: Edit, keep: str | None) -> None:
        if self.owner._apply(edit):
            self._fill(keep)
            self.owner.refresh_annotations()

    def action_move(self, step: int) -> None:
        concept_id = self._current()
        if concept_id is not None:
            self._apply(operations.move_concept(self.store, concept_id, step), concept_id)

    def action_delete(self) -> None:
        concept_id = self._current()
        if concept_id is None:
            return
        try:
            edit = operations.delete_concept(self.store, concept_id)
        except ProjectError as error:
            self.notify(str(error), severity="warning", timeout=8)
            return
        self._apply(edit, None)

    def action_remove_relation(self) -> None:
        """Remove the concept's relation, so new annotations made with it keep it."""
        concept_id = self._current()
        if concept_id is None:
            return
        edit = relations.remove_relation(self.store, concept_id)
        if not edit.changes:
            self.notify("This concept has no relation to remove.", severity="warning")
            return
        self._apply(edit, concept_id)

    def action_rename(self) -> None:
        concept_id = self._current()
        concept = self.store.concept(concept_id) if concept_id else None
        if concept is None:
            return
        self._renaming = concept.id
        field = self.query_one(Input)
        field.value = concept.name
        field.add_class("open")
        field.focus()

    @on(Input.Submitted, "#rename")
    def _renamed(self, event: Input.Submitted) -> None:
        concept_id, self._renaming = self._renaming, None
        self._close_rename()
        if concept_id is None:
            return
        try:
            edit = operations.rename_concept(self.store, concept_id, event.value)
        except ProjectError as error:
            self.notify(str(error), severity="warning", timeout=8)
            return
        self._apply(edit, concept_id)

    def _close_rename(self) -> None:
        field = self.query_one(Input)
        field.remove_class("open")
        self.query_one(OptionList).focus()

    def action_close(self) -> None:
        if self._renaming is not None:
            self._renaming = None
            self._close_rename()
            return
        self.dismiss(None)
