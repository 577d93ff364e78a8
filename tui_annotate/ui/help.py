"""Provides HelpScreen: every key of the app, generated from the binding declarations."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .bindings import BINDING_GROUPS
from .keymap import keymap_path


def binding_rows(keymap: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """Return (group, keys, description, id) for every declared binding, with remapped keys applied."""
    rows = []
    for group, bindings in BINDING_GROUPS:
        for binding in bindings:
            keys = keymap.get(binding.id or "", binding.key)
            rows.append((group, display_keys(keys), binding.description, binding.id or ""))
    return rows


KEY_NAMES = {
    "question_mark": "?", "slash": "/", "plus": "+", "minus": "-", "equals_sign": "=",
    "semicolon": ";", "space": "Space", "enter": "Enter", "escape": "Esc", "tab": "Tab",
    "shift+tab": "Shift+Tab", "delete": "Delete", "backspace": "Backspace",
}


def display_keys(keys: str) -> str:
    shown = []
    for key in keys.split(","):
        key = key.strip()
        shown.append(KEY_NAMES.get(key, key.replace("ctrl+", "Ctrl+").replace("shift+", "Shift+")))
    return " / ".join(shown)


class HelpScreen(ModalScreen[None]):
    """All keys by where they apply; Escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 96; max-width: 98%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, expand=True, pad_edge=False)
        table.add_column("Where", style="bold", ratio=1)
        table.add_column("Keys", style="cyan", ratio=1)
        table.add_column("Does", ratio=3, min_width=24)
        table.add_column("Id (for the key map)", style="dim", ratio=1, overflow="fold")
        previous = ""
        for group, keys, description, binding_id in binding_rows(self.keymap):
            table.add_row(group if group != previous else "", keys, description, binding_id)
            previous = group
        notes = Text.from_markup(
            "\n[b]Focus[/b]: Tab and Shift+Tab step through instances while the canvas has focus;"
            " [b]o[/b] moves the focus to the Objects pane and Esc brings it back to the canvas."
            "\n[b]Concepts 11-20[/b]: press ; then a digit (;1 is 11, ;0 is 20)."
            "\n[b]Mouse[/b]: click places the cursor; in drawing mode drag draws a box;"
            " with a box selected, drag inside it to move it or on an edge or corner to resize it."
            f"\n[b]Remap keys[/b] in {keymap_path()} (TOML, e.g. \"input.next\" = \"n\")."
            "\nCtrl+P opens the command palette with every action."
        )
        with VerticalScroll():
            yield Static(Text("tui-annotate keys", style="bold"))
            yield Static(table)
            yield Static(notes)

    def action_close(self) -> None:
        self.dismiss(None)
