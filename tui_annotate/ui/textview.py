"""Provides TextView: a text input wrapped at the view width, scrolled by wrapped lines.

The view only reads the document and its scroll position. It posts `StateChanged` when
either changes, so that the status bar can show the line and the percentage.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ..core.text import TextDocument, WrappedRow, WrappedText, normalize_text

TEXT_BINDINGS: list[Binding] = [
    Binding("up,k", "scroll_lines(-1)", "Text up one line", show=False, id="text.up"),
    Binding("down,j", "scroll_lines(1)", "Text down one line", show=False, id="text.down"),
    Binding("pageup", "scroll_pages(-1)", "Text up one screen", show=False, id="text.page_up"),
    Binding("pagedown", "scroll_pages(1)", "Text down one screen", show=False, id="text.page_down"),
    Binding("home", "scroll_to_start", "Start of the text", show=False, id="text.start"),
    Binding("end", "scroll_to_end", "End of the text", show=False, id="text.end"),
]
"""Keys of the text view, which apply while it has focus."""

NOTICE_MAX_ROWS = 3
"""Rows at the top of the view for the invalid-bytes notice. A longer notice is cut off."""

MOUSE_SCROLL_LINES = 3


class TextView(Widget, can_focus=True):
    """The text view: arrows, `j`/`k`, PageUp/PageDown and Home/End scroll the text."""

    BINDINGS = TEXT_BINDINGS

    COMPONENT_CLASSES = {"text-view--notice", "text-view--message"}

    DEFAULT_CSS = """
    TextView {
        width: 1fr;
        height: 1fr;
        background: rgb(30,30,30);
        color: rgb(220,220,220);
    }
    TextView:focus {
        background-tint: transparent;
    }
    TextView > .text-view--notice {
        color: $text-warning;
        background: $warning-muted;
        text-style: bold;
    }
    TextView > .text-view--message {
        color: rgb(255,215,135);
        text-style: bold;
    }
    """

    class StateChanged(Message):
        """The document, the view width or the scroll position changed."""

        def __init__(self, text_view: TextView) -> None:
            super().__init__()
            self.text_view = text_view

        @property
        def control(self) -> TextView:
            return self.text_view

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.document: TextDocument | None = None
        self.message_text = "Loading…"
        self.first_line = 0
        """Index of the wrapped line at the top of the text area, counted from 0."""
        self._wrapped: WrappedText | None = None
        self._notice_rows: list[WrappedRow] = []

    # Public API used by the screen

    def show_document(self, document: TextDocument, first_line: int = 0) -> None:
        """Show a text document, scrolled so that wrapped line `first_line` is at the top."""
        self.document = document
        self.message_text = ""
        self.first_line = first_line
        self._wrapped = None
        self._rewrap()
        self.refresh()
        self.post_message(self.StateChanged(self))

    def show_message(self, text: str) -> None:
        """Replace the text by a message, for an input that cannot be shown."""
        self.document = None
        self.message_text = text
        self.first_line = 0
        self._wrapped = None
        self._notice_rows = []
        self.refresh()
        self.post_message(self.StateChanged(self))

    def scroll_to_line(self, line: int) -> None:
        """Scroll so that wrapped line `line` is at the top, within the document's bounds."""
        line = self._clamp(line)
        if line != self.first_line:
            self.first_line = line
            self.refresh()
            self.post_message(self.StateChanged(self))

    @property
    def line_count(self) -> int:
        """Number of wrapped lines of the document at the current width (0 without one)."""
        return self._wrapped.line_count if self._wrapped is not None else 0

    @property
    def page_height(self) -> int:
        """Rows of the view that show the document, below the notice."""
        return max(self.size.height - len(self._notice_rows), 1)

    @property
    def first_logical_line(self) -> int:
        """Index of the logical line (line of the file) shown at the top, counted from 0."""
        if self._wrapped is None or self.line_count == 0:
            return 0
        return self._wrapped.row(self.first_line).line

    # Actions

    def action_scroll_lines(self, count: int) -> None:
        self.scroll_to_line(self.first_line + count)

    def action_scroll_pages(self, count: int) -> None:
        self.scroll_to_line(self.first_line + count * self.page_height)

    def action_scroll_to_start(self) -> None:
        self.scroll_to_line(0)

    def action_scroll_to_end(self) -> None:
        self.scroll_to_line(self.line_count)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_to_line(self.first_line + MOUSE_SCROLL_LINES)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_to_line(self.first_line - MOUSE_SCROLL_LINES)

    # Layout

    def on_resize(self, event: events.Resize) -> None:
        if self.document is None:
            return
        self._rewrap()
        self.refresh()
        self.post_message(self.StateChanged(self))

    def _rewrap(self) -> None:
        """Wrap the document at the current width, keeping the same text at the top."""
        assert self.document is not None
        width = self.size.width
        if width < 1:
            return  # The view is not laid out yet, and on_resize wraps the document once it is.
        top = None
        if self._wrapped is not None and 0 <= self.first_line < self._wrapped.line_count:
            row = self._wrapped.row(self.first_line)
            top = (row.line, row.offset)
        self._wrapped = self.document.wrap(width)
        notice = self.document.notice
        if notice is None:
            self._notice_rows = []
        else:
            # The notice names the file, and a file name may contain control characters.
            rows = TextDocument(normalize_text(notice)).wrap(width).rows(0, NOTICE_MAX_ROWS)
            self._notice_rows = rows[: max(self.size.height - 1, 1)]
        if top is not None:
            self.first_line = self._wrapped.row_at(*top)
        self.first_line = self._clamp(self.first_line)

    def _clamp(self, line: int) -> int:
        return min(max(line, 0), max(self.line_count - self.page_height, 0))

    # Rendering

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.document is None or self._wrapped is None:
            return self._message_line(y, width)
        if self._wrapped.width != width and width > 0:
            self._rewrap()  # Resized, and on_resize has not run yet.
        if y < len(self._notice_rows):
            notice_style = self.get_component_rich_style("text-view--notice")
            return self._row_strip(self._notice_rows[y], notice_style, width)
        index = self.first_line + y - len(self._notice_rows)
        if index >= self._wrapped.line_count:
            return Strip.blank(width, self.rich_style)
        return self._row_strip(self._wrapped.row(index), self.rich_style, width)

    def _row_strip(self, row: WrappedRow, style: Style, width: int) -> Strip:
        """Return one wrapped line as a strip of exactly `width` cells in one style."""
        strip = Strip([Segment(row.text + " " * max(width - row.cells, 0), style)])
        if strip.cell_length != width:
            # Textual lays out by Rich's measure, which differs from char_width for emoji
            # sequences and newer wide symbols, so the strip is cropped or padded to fit it.
            # Cropping also turns a wide character in a one-cell view into a space.
            strip = strip.adjust_cell_length(width, style)
        return strip

    def _message_line(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("text-view--message")
        lines = self.message_text.splitlines() or [""]
        first = max((self.size.height - len(lines)) // 2, 0)
        index = y - first
        if not 0 <= index < len(lines) or width < 1:
            return Strip.blank(width, self.rich_style)
        message = TextDocument(normalize_text(lines[index])).wrap(width).row(0)
        left = max((width - message.cells) // 2, 0)
        centred = message._replace(text=" " * left + message.text, cells=left + message.cells)
        return self._row_strip(centred, style, width)
