"""Provides text documents: any bytes decoded for a terminal, and wrapping by terminal cell width.

A document is decoded once per input and split into logical lines (the lines of the file).
`TextDocument.wrap` then splits those into wrapped lines that fit a view width, breaking
after whitespace and around wide characters. Lines that fit the width are counted with numpy
in one pass, and only longer lines are broken, once per width, so scrolling a document of
several megabytes never re-wraps it.
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .errors import ProjectError

TAB_SIZE = 8
"""Cells between tab stops, counted from the start of the logical line. Terminals and `less`
also put a tab stop every 8 cells by default."""

REPLACEMENT_CHARACTER = "\ufffd"

_BYTE_ORDER_MARKS = (
    # UTF-32 LE comes before UTF-16 LE because its mark starts with the UTF-16 LE mark.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32-le": "UTF-32",
    "utf-32-be": "UTF-32",
}

_CONTROL_RUN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]+")
"""Control characters other than tab and newline, which could move the terminal cursor."""

_CONTROL_SYMBOLS = {code: 0x2400 + code for code in range(0x20)}
_CONTROL_SYMBOLS[0x7F] = 0x2421
_CONTROL_SYMBOLS.update({code: 0x2426 for code in range(0x80, 0xA0)})
"""C0 controls become their Control Pictures (NUL is "␀", ESC is "␛"), DEL becomes "␡", and
C1 controls, which have no pictures of their own, become "␦"."""

_ZERO_WIDTH_FORMAT_EXCEPTIONS = frozenset(
    "\u00ad\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
)
"""Format characters that take one cell, as Rich 15 also measures them: the soft hyphen and
the Arabic, Syriac and Kaithi signs that are written in front of numbers."""

_ZERO_WIDTH_LETTERS = frozenset("\u3164\uffa0")
"""Hangul fillers, which Rich 15 measures as zero cells."""

_CJK_RESERVED_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFD),
                        (0x30000, 0x3FFFD))
"""Ranges where Unicode's EastAsianWidth.txt gives unassigned code points a width of 2."""

_UNKNOWN_WIDTH = 255
_width_table = np.full(0x110000, _UNKNOWN_WIDTH, dtype=np.uint8)
"""Cell width by code point, filled in by `_char_widths` as documents use the code points."""

_BREAK_AFTER = frozenset(
    [chr(code) for code in range(0x3001) if chr(code).isspace()] + ["\u200b"]
) - frozenset("\n\u00a0\u2007\u202f")
"""Characters that a wrapped line may end after: whitespace and the zero-width space, but not
the newline, which ends the logical line, nor the no-break spaces U+00A0, U+2007 and U+202F."""

_BREAK_AFTER_TABLE = np.zeros(0x3001, dtype=bool)
_BREAK_AFTER_TABLE[[ord(char) for char in _BREAK_AFTER]] = True

MAX_CACHED_WIDTHS = 4
"""Wrapped versions of one document kept for recent view widths, so a resize back is instant."""


class TextLoadError(ProjectError):
    """A text input that cannot be read."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@cache
def char_width(char: str) -> int:
    """Return the terminal cells of one code point: 2 for wide East Asian characters, 0 for
    combining marks, control and most format characters, and 1 for the rest.

    NOTE: this measures code points one by one, so emoji sequences (joined by U+200D, with
    skin tones or with U+FE0F) measure wider or narrower than terminals draw them. It also
    follows the Unicode version of Python's `unicodedata` (14.0 in Python 3.11), so symbols
    made wide in later versions, such as the trigrams at U+2630, count 1 here.
    """
    code = ord(char)
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF or char in _ZERO_WIDTH_LETTERS:
        return 0  # Hangul vowels and final consonants join the syllable before them.
    if 0x1F3FB <= code <= 0x1F3FF:
        return 0  # Emoji skin tone modifiers join the emoji before them.
    category = unicodedata.category(char)
    if category == "Cn":
        # Python 3.11.7's unicodedata reports unassigned code points as "F" (full width), but
        # EastAsianWidth.txt makes them wide only in the ranges reserved for CJK ideographs.
        reserved_cjk = any(first <= code <= last for first, last in _CJK_RESERVED_RANGES)
        return 2 if reserved_cjk else 1
    if category[0] == "M" or category == "Cc":
        return 0
    if category == "Cf":
        return 1 if char in _ZERO_WIDTH_FORMAT_EXCEPTIONS else 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def text_width(text: str) -> int:
    """Return the terminal cells of `text`, the sum of `char_width` over its code points."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def normalize_text(text: str) -> str:
    """Return `text` ready to be written to a terminal.

    Line ends "\\r\\n" and "\\r", and the Unicode line and paragraph separators, become "\\n".
    Tabs become spaces up to the next multiple of `TAB_SIZE` cells. Other control characters
    become visible symbols (see `_CONTROL_SYMBOLS`), so that no character in the text can move
    the terminal cursor or start an escape sequence. Right-to-left text stays in logical
    order, because the terminal does the bidirectional reordering.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROL_RUN.sub(_show_controls, text)
    if "\t" in text:
        lines = text.split("\n")
        text = "\n".join(_expand_tabs(line) if "\t" in line else line for line in lines)
    return text


def _show_controls(match: re.Match[str]) -> str:
    return match.group().translate(_CONTROL_SYMBOLS)


def _expand_tabs(line: str) -> str:
    # str.expandtabs counts characters, so it would misplace the stops after wide characters.
    parts = line.split("\t")
    pieces: list[str] = []
    column = 0
    for part in parts[:-1]:
        pieces.append(part)
        column += text_width(part)
        spaces = TAB_SIZE - column % TAB_SIZE
        pieces.append(" " * spaces)
        column += spaces
    pieces.append(parts[-1])
    return "".join(pieces)


def decode_text(data: bytes, path: Path) -> TextDocument:
    """Decode the bytes of the text file `path` into a normalised document, replacing invalid bytes.

    A byte order mark selects UTF-8, UTF-16 or UTF-32 and is removed, and without one the
    bytes are read as UTF-8. Invalid bytes become U+FFFD, and the document then records
    the offset of the first one.
    """
    encoding = "utf-8"
    mark_length = 0
    for mark, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            encoding, mark_length = name, len(mark)
            break
    body = data[mark_length:] if mark_length else data

    first_invalid_byte = None
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        first_invalid_byte = mark_length + error.start
        text = body.decode(encoding, errors="replace")
    return TextDocument(normalize_text(text), path, encoding, first_invalid_byte)


def load_text(path: Path) -> TextDocument:
    """Read the text file `path` (opened read-only) and decode it with `decode_text`.

    NOTE: the whole file is read into memory, with no size limit.

    Raises:
        TextLoadError: The file cannot be read, for example because it is missing or not permitted.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        problem = (f"reading the text file failed: {reason}. "
                   "Check that the file exists and that you have permission to read it.")
        raise TextLoadError(path, problem) from error
    return decode_text(data, path)


class TextDocument:
    """A decoded text split into logical lines, with the cell width of every character."""

    def __init__(self, text: str, path: Path | None = None, encoding: str = "utf-8",
                 first_invalid_byte: int | None = None) -> None:
        """Index `text`, which should come from `normalize_text`.

        `first_invalid_byte` is the byte offset in the file of the first byte that could not
        be decoded, or None when every byte was valid.
        """
        self.text = text
        self.path = path
        self.encoding = encoding
        self.first_invalid_byte = first_invalid_byte
        self._wrapped: OrderedDict[int, WrappedText] = OrderedDict()
        self._break_offsets: np.ndarray | None = None
        self.widths: np.ndarray | None = None
        """Cells of each character of `text`, or None when every character takes one cell."""
        self.cumulative_cells: np.ndarray | None = None
        """Cells of the first k characters of `text` at index k, or None when `widths` is None."""

        if text.isascii():
            codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        else:
            codes = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
            self.widths = _char_widths(codes)

        newlines = np.flatnonzero(codes == 10)
        self.line_starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
        self.line_ends = np.concatenate((newlines, [len(text)])).astype(np.int64)
        if text.endswith("\n"):
            # A final newline ends the last line; it does not start an empty one.
            self.line_starts = self.line_starts[:-1]
            self.line_ends = self.line_ends[:-1]

        self.line_cells, self.wide_lines = self._measure_lines()

    def _measure_lines(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the cells of each logical line and whether it contains a wide character."""
        if self.widths is None:
            return self.line_ends - self.line_starts, np.zeros(len(self.line_starts), dtype=bool)
        dtype = np.int32 if len(self.widths) < 2**30 else np.int64
        cumulative = np.zeros(len(self.widths) + 1, dtype=dtype)
        np.cumsum(self.widths, out=cumulative[1:])
        self.cumulative_cells = cumulative
        cells = (cumulative[self.line_ends] - cumulative[self.line_starts]).astype(np.int64)
        wide_positions = np.flatnonzero(self.widths == 2)
        wide_lines = np.zeros(len(self.line_starts), dtype=bool)
        wide_lines[np.searchsorted(self.line_starts, wide_positions, side="right") - 1] = True
        return cells, wide_lines

    @property
    def had_invalid_bytes(self) -> bool:
        """Whether some bytes of the file could not be decoded and are shown as U+FFFD."""
        return self.first_invalid_byte is not None

    @property
    def notice(self) -> str | None:
        """Warning for the user, naming the file, when the file had invalid bytes, or else None."""
        if self.first_invalid_byte is None:
            return None
        name = self.path.name if self.path is not None else "This text"
        encoding = _ENCODING_NAMES.get(self.encoding, self.encoding)
        return (f"{name}: invalid {encoding} at byte {self.first_invalid_byte}. Invalid bytes are "
                f"shown as U+FFFD ({REPLACEMENT_CHARACTER}), and the file was not changed.")

    @property
    def logical_line_count(self) -> int:
        return len(self.line_starts)

    def logical_line(self, index: int) -> str:
        """Return logical line `index` (counted from 0) without its newline."""
        return self.text[self.line_starts[index]:self.line_ends[index]]

    def break_offsets(self) -> np.ndarray:
        """Return the sorted character offsets in `text` where a wrapped line may start, other
        than the start of a logical line.

        A wrapped line may start after a character of `_BREAK_AFTER`, and before or after a
        wide character, so that text without spaces (Chinese, Japanese) still wraps between
        any two characters. It never starts at a zero-width character, so it starts after the
        zero-width characters that follow a wide one. The offsets are computed on first use.

        NOTE: these are simpler than the Unicode line breaking rules (UAX #14). For example a
        line may start at a full-width comma or end after an opening bracket.
        """
        if self._break_offsets is None:
            self._break_offsets = self._find_break_offsets()
        return self._break_offsets

    def _find_break_offsets(self) -> np.ndarray:
        if self.widths is None:
            codes = np.frombuffer(self.text.encode("ascii"), dtype=np.uint8)
            return np.flatnonzero(_BREAK_AFTER_TABLE[codes[:-1]]) + 1

        codes = np.frombuffer(self.text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
        in_table = codes < len(_BREAK_AFTER_TABLE)
        break_after = _BREAK_AFTER_TABLE[np.where(in_table, codes, 0)] & in_table
        wide = self.widths == 2
        after_wide = wide.copy()
        marks = np.flatnonzero((self.widths == 0) & (codes != 10))
        if len(marks):
            # A zero-width character joins the last character with a width before it in its
            # line. A newline counts as such a character, so marks starting a line join nothing.
            bases = np.flatnonzero((self.widths > 0) | (codes == 10))
            before = np.searchsorted(bases, marks) - 1
            has_base = before >= 0
            after_wide[marks[has_base]] = wide[bases[before[has_base]]]
        allowed = (self.widths[1:] > 0) & (break_after[:-1] | after_wide[:-1] | wide[1:])
        return np.flatnonzero(allowed) + 1

    def wrap(self, width: int) -> WrappedText:
        """Return the document wrapped at `width` cells, cached for the last few widths."""
        wrapped = self._wrapped.get(width)
        if wrapped is None:
            wrapped = WrappedText(self, width)
            self._wrapped[width] = wrapped
            while len(self._wrapped) > MAX_CACHED_WIDTHS:
                self._wrapped.popitem(last=False)
        else:
            self._wrapped.move_to_end(width)
        return wrapped


def _char_widths(codes: np.ndarray) -> np.ndarray:
    """Return the cell width (uint8) of each code point in `codes`, an array of code points."""
    present = np.zeros(len(_width_table), dtype=bool)
    present[codes] = True
    for code in np.flatnonzero(present & (_width_table == _UNKNOWN_WIDTH)).tolist():
        # Only the distinct code points not seen before are measured in Python.
        _width_table[code] = char_width(chr(code))
    return _width_table[codes]


class WrappedRow(NamedTuple):
    """One wrapped line: a slice of a logical line that fits the view width."""

    text: str
    cells: int
    """Terminal cells of `text` by `char_width`."""
    line: int
    """Index of the logical line it belongs to."""
    offset: int
    """Character offset of `text` in its logical line."""


class WrappedText:
    """A document wrapped at a width in cells, with its wrapped lines numbered from 0.

    Each wrapped line ends at the last break offset (see `TextDocument.break_offsets`) that
    fits, so lines break after whitespace and between wide characters. The whitespace stays at
    the end of the wrapped line it ends. Only a word wider than `width` is broken inside, at the
    last character that fits. A wide character that does not fit moves to the next wrapped line
    whole. Every wrapped line fits `width` except when `width` is 1 and the line contains a
    single wide character. Zero-width characters stay on the wrapped line of the character
    before them.
    """

    def __init__(self, document: TextDocument, width: int) -> None:
        if width < 1:
            raise ValueError(f"wrap width must be at least 1 cell, got {width}")
        self.document = document
        self.width = width
        self._breaks: dict[int, list[int]] = {}
        """Character offsets where the wrapped lines start in each logical line that takes
        more than one wrapped line, by logical line. Other lines take one wrapped line."""

        # A line that fits takes one row. Longer lines are broken now, in Python, to count
        # their rows, so this takes time in proportion to their rows.
        rows = np.ones(len(document.line_cells), dtype=np.int64)
        long_lines = np.flatnonzero(document.line_cells > width)
        if len(long_lines):
            offsets = document.break_offsets()
            starts = document.line_starts[long_lines]
            ends = document.line_ends[long_lines]
            firsts = np.searchsorted(offsets, starts, side="right").tolist()
            stops = np.searchsorted(offsets, ends, side="left").tolist()
            for line, first, stop in zip(long_lines.tolist(), firsts, stops):
                breaks = self._break_line(line, offsets[first:stop])
                self._breaks[line] = breaks
                rows[line] = len(breaks)
        self._row_starts = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(rows, out=self._row_starts[1:])
        self.line_count = int(self._row_starts[-1])
        """Number of wrapped lines."""

    def row(self, index: int) -> WrappedRow:
        """Return wrapped line `index`, counted from 0."""
        if not 0 <= index < self.line_count:
            raise IndexError(f"wrapped line {index} is outside 0..{self.line_count - 1}")
        line = int(np.searchsorted(self._row_starts, index, side="right")) - 1
        breaks = self._line_breaks(line)
        part = index - int(self._row_starts[line])
        start = breaks[part]
        length = int(self.document.line_ends[line] - self.document.line_starts[line])
        end = breaks[part + 1] if part + 1 < len(breaks) else length
        first = int(self.document.line_starts[line])
        text = self.document.text[first + start:first + end]
        widths = self.document.widths
        cells = end - start if widths is None else int(widths[first + start:first + end].sum())
        return WrappedRow(text, cells, line, start)

    def rows(self, first: int, count: int) -> list[WrappedRow]:
        """Return up to `count` wrapped lines from index `first` on."""
        stop = min(first + count, self.line_count)
        return [self.row(index) for index in range(max(first, 0), stop)]

    def rows_of(self, line: int) -> range:
        """Return the indexes of the wrapped lines of logical line `line`."""
        return range(int(self._row_starts[line]), int(self._row_starts[line + 1]))

    def row_at(self, line: int, offset: int) -> int:
        """Return the index of the wrapped line showing character `offset` of logical line `line`."""
        part = bisect.bisect_right(self._line_breaks(line), offset) - 1
        return int(self._row_starts[line]) + max(part, 0)

    def _line_breaks(self, line: int) -> list[int]:
        return self._breaks.get(line, [0])

    def _break_line(self, line: int, break_offsets: np.ndarray) -> list[int]:
        """Return where the wrapped lines of logical line `line` start, as offsets in the line.

        `break_offsets` are the document's break offsets inside the line. Each wrapped line
        takes the characters that fit and ends at the last break offset among them.
        """
        document = self.document
        first, stop = int(document.line_starts[line]), int(document.line_ends[line])
        length = stop - first
        # The offsets in `allowed` count from the start of the text, and the others in this
        # method from the start of the line.
        allowed = break_offsets.tolist()
        width = self.width
        breaks = [0]
        start = 0
        if document.cumulative_cells is None or (not document.wide_lines[line]
                                                 and int(document.line_cells[line]) == length):
            # Every character takes one cell, so cells and character offsets agree.
            while length - start > width:
                fit = start + width
                index = bisect.bisect_right(allowed, first + fit) - 1
                if index >= 0 and allowed[index] > first + start:
                    start = allowed[index] - first
                else:
                    start = fit
                breaks.append(start)
            return breaks

        # cells[k] - cells[0] is the cells of the first k characters of the line.
        cells = document.cumulative_cells[first:stop + 1].tolist()
        while True:
            # The characters before offset `fit` fit, with the zero-width characters after them.
            fit = bisect.bisect_right(cells, cells[start] + width, lo=start) - 1
            if fit >= length:
                return breaks
            index = bisect.bisect_right(allowed, first + fit) - 1
            if index >= 0 and allowed[index] > first + start:
                start = allowed[index] - first
            elif fit > start:
                start = fit
            else:
                # A wide character alone is wider than a one-cell view, so it takes a row.
                start = bisect.bisect_right(cells, cells[start + 1], lo=start) - 1
                if start >= length:
                    return breaks
            breaks.append(start)
