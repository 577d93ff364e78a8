"""Provides StatusBar: the input, its position, size, cursor, zoom, tool and concept."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def show(self, parts: list[tuple[str, str]], note: str = "") -> None:
        """Show (text, style) parts separated by bars, then an optional note."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (part, style) in enumerate(parts):
            if index:
                text.append(" │ ", style="dim")
            text.append(part, style=style)
        if note:
            text.append("  " + note, style="italic")
        self.update(text)
