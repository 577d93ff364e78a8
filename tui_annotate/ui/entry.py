"""Provides the entry line for typed input: a position, a concept, a name, or yes or no.

Every prompt of the main screen is an entry rather than a modal screen, so the focus
never moves while the annotator types. Textual hands each key to the widget focused at
the moment the key is read. A modal screen that opens or closes between two fast keys (a
burst over SSH, or tmux send-keys) would therefore send the second key to the wrong widget. The
app routes keys to the open entry instead (see `AnnotateApp._on_key`), in the order read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from rich.text import Text
from textual import events
from textual.widgets import Static

from ..core.models import Concept
from .hotkeys import hotkey_label

EntryKind = Literal["text", "concept", "confirm"]


@dataclass(frozen=True)
class ConceptOption:
    """One row of the concept list: an existing concept, or the row that creates one."""

    concept_id: str | None
    label: Text
    new_name: str | None = None


def concept_options(concepts: list[Concept], typed: str, notes: dict[str, str] | None = None) -> list[ConceptOption]:
    """Filter concepts by `typed` ignoring case; offer `+ create "NAME"` unless a name matches exactly.

    The create row comes first when no concept matches, and last otherwise.
    """
    notes = notes or {}
    query = " ".join(typed.split())
    folded = query.casefold()
    options = []
    exact = False
    for index, concept in enumerate(concepts):
        name = concept.name.casefold()
        if folded and folded not in name:
            continue
        exact = exact or name == folded
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append("■ ", style=concept.color)
        label.append(concept.name)
        key = hotkey_label(index + 1)
        if key:
            label.append(f"  [{key}]", style="dim")
        if concept.id in notes:
            label.append(f"  {notes[concept.id]}", style="italic")
        options.append(ConceptOption(concept.id, label))
    if folded and not exact:
        create = ConceptOption(None, Text(f'+ create "{query}"', style="bold"), query)
        if options:
            options.append(create)
        else:
            options.insert(0, create)
    return options


@dataclass
class Entry:
    """One open prompt and what the annotator typed into it so far."""

    kind: EntryKind
    title: str
    on_done: Callable[[object], None]
    """Called with the parsed text, the picked ConceptOption or True; not called on cancel."""
    parse: Callable[[str], object] | None = None
    """For text entries: turns the text into the result or raises ValueError with a message."""
    text: str = ""
    placeholder: str = ""
    concepts: list[Concept] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    highlighted: int = 0
    error: str = ""

    def options(self) -> list[ConceptOption]:
        return concept_options(self.concepts, self.text, self.notes) if self.kind == "concept" else []

    def handle_key(self, event: events.Key) -> Literal["open", "done", "cancel"]:
        """Apply one key; return whether the entry stays open, finished or was cancelled."""
        key = event.key
        if key == "escape" or (self.kind == "confirm" and key == "n"):
            return "cancel"
        if self.kind == "confirm":
            if key in ("y", "enter"):
                self.on_done(True)
                return "done"
            return "open"
        if key == "enter":
            return self._submit()
        if key in ("down", "tab"):
            self._move(1)
        elif key in ("up", "shift+tab"):
            self._move(-1)
        elif key in ("backspace", "ctrl+h"):
            self.text = self.text[:-1]
            self._changed()
        elif key == "ctrl+u":
            self.text = ""
            self._changed()
        elif event.is_printable and event.character:
            self.text += event.character
            self._changed()
        return "open"

    def _changed(self) -> None:
        self.error = ""
        self.highlighted = 0

    def _move(self, step: int) -> None:
        count = len(self.options())
        if count:
            self.highlighted = (self.highlighted + step) % count

    def _submit(self) -> Literal["open", "done"]:
        if self.kind == "concept":
            options = self.options()
            if not options:
                self.error = "type a name to create a concept, or Esc to cancel"
                return "open"
            self.on_done(options[min(self.highlighted, len(options) - 1)])
            return "done"
        try:
            result = self.parse(self.text) if self.parse else self.text
        except ValueError as error:
            self.error = str(error)
            return "open"
        self.on_done(result)
        return "done"


def parse_position(text: str) -> tuple[float, float]:
    """Parse "x,y" (or "x y") in image pixels; raise ValueError with a usable message."""
    parts = text.replace(",", " ").split()
    message = f'"{text}" is not a position; type two numbers such as 120,80'
    if len(parts) != 2:
        raise ValueError(message)
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(message) from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(message)
    return x, y


class EntryPanel(Static):
    """Shows the open entry above the status bar: title, typed text, options and errors."""

    DEFAULT_CSS = """
    EntryPanel {
        display: none; height: auto; max-height: 14; background: $boost;
        border-top: solid $accent; padding: 0 1;
    }
    EntryPanel.open { display: block; }
    """

    MAX_OPTIONS = 10

    def show(self, entry: Entry | None) -> None:
        self.set_class(entry is not None, "open")
        if entry is None:
            self.update("")
            return
        text = Text()
        text.append(entry.title + ": ", style="bold")
        if entry.kind == "confirm":
            text.append("y or Enter: yes · n or Esc: no", style="italic")
        else:
            if entry.text:
                text.append(entry.text)
            elif entry.placeholder:
                text.append(entry.placeholder, style="dim italic")
            text.append("▏", style="blink")
        if entry.error:
            text.append("\n" + entry.error, style="bold red")
        options = entry.options()
        hidden = max(len(options) - self.MAX_OPTIONS, 0)
        if options:
            start = max(0, min(entry.highlighted - self.MAX_OPTIONS + 1, len(options) - self.MAX_OPTIONS))
            for index in range(start, min(start + self.MAX_OPTIONS, len(options))):
                marker = "▶ " if index == entry.highlighted else "  "
                row = Text("\n" + marker)
                row.append_text(options[index].label)
                if index == entry.highlighted:
                    row.stylize("reverse", 1)
                text.append_text(row)
        if hidden:
            text.append(f"\n  … {hidden} more: type to filter, or ↑↓ to scroll", style="dim italic")
        hint = {
            "text": "Enter accepts · Esc cancels",
            "concept": "type to filter · ↑↓ move · Enter picks · Esc cancels",
            "confirm": "",
        }[entry.kind]
        if hint:
            text.append("\n" + hint, style="dim")
        self.update(text)
