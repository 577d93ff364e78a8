"""Tests for text inputs: the folder scan, decoding any bytes, wrapping by cells, and TextView."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from itertools import takewhile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult

from tui_annotate.core.scan import scan_images, scan_inputs
from tui_annotate.core.text import (
    TAB_SIZE,
    TextDocument,
    TextLoadError,
    WrappedText,
    char_width,
    decode_text,
    load_text,
    normalize_text,
    text_width,
)
from tui_annotate.ui.textview import TextView

FIXTURES = Path(__file__).parent / "fixtures" / "texts"
KUHN = FIXTURES / "kuhn-utf8-test" / "UTF-8-test.txt"
RASA_CHINESE = FIXTURES / "rasa-nlu-examples" / "demo-rasa-zh.txt"
DOCCANO_UTF16 = FIXTURES / "doccano-text-classification" / "example.utf16.csv"
DOCCANO_LINES = FIXTURES / "doccano-text-classification" / "text_lines.txt"


def make_files(root: Path, *paths: str) -> None:
    for relative in paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


# Scan


def test_scan_inputs_natural_order(tmp_path: Path) -> None:
    make_files(tmp_path, "img10.png", "img2.png", "notes10.txt", "notes2.txt", "a/z1.txt", "a/b.jpg")

    inputs = scan_inputs(tmp_path)

    assert inputs == [
        ("a/b.jpg", "image"),
        ("a/z1.txt", "text"),
        ("img2.png", "image"),
        ("img10.png", "image"),
        ("notes2.txt", "text"),
        ("notes10.txt", "text"),
    ]


def test_scan_inputs_skips_class_list(tmp_path: Path) -> None:
    make_files(tmp_path, "classes.txt", "yolo/Classes.TXT", "yolo/photo.jpg", "classes_notes.txt")

    paths = [path for path, _ in scan_inputs(tmp_path)]

    assert "classes.txt" not in paths
    assert "yolo/Classes.TXT" not in paths
    assert "classes_notes.txt" in paths


def test_scan_inputs_skips_label_beside_image(tmp_path: Path) -> None:
    make_files(tmp_path, "label.jpg", "label.txt", "upper/label.PNG", "upper/LABEL.TXT",
               "tiff/scan.tiff", "tiff/scan.txt")

    inputs = scan_inputs(tmp_path)

    assert inputs == [("label.jpg", "image"), ("tiff/scan.tiff", "image"), ("upper/label.PNG", "image")]


def test_scan_inputs_keeps_text_in_other_folder(tmp_path: Path) -> None:
    make_files(tmp_path, "images/cat.jpg", "texts/cat.txt", "cat.txt", "cat.jpg.txt")

    inputs = scan_inputs(tmp_path)

    assert ("texts/cat.txt", "text") in inputs
    assert ("cat.txt", "text") in inputs
    assert ("cat.jpg.txt", "text") in inputs


def test_scan_inputs_skips_hidden_and_other_files(tmp_path: Path) -> None:
    make_files(tmp_path, ".hidden/a.txt", ".hidden/b.png", ".notes.txt", ".tui-annotate/journal.txt",
               "data.csv", "data.json", "README.md", "visible.txt")

    inputs = scan_inputs(tmp_path)

    assert inputs == [("visible.txt", "text")]


def test_scan_images_lists_only_images(tmp_path: Path) -> None:
    make_files(tmp_path, "b10.png", "b9.JPG", "notes.txt", "classes.txt", "b9.txt")

    assert scan_images(tmp_path) == ["b9.JPG", "b10.png"]


# Loading and decoding


def test_load_kuhn_stress_test_marks_invalid_bytes(tmp_path: Path) -> None:
    path = tmp_path / "UTF-8-test.txt"
    shutil.copyfile(KUHN, path)
    path.chmod(0o444)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    modified = path.stat().st_mtime_ns

    document = load_text(path)

    assert document.had_invalid_bytes
    assert document.first_invalid_byte == 4461
    assert "\ufffd" in document.text
    assert document.text.count("\ufffd") >= 379
    assert document.logical_line_count == 300
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == modified


def test_kuhn_notice_names_file_and_replacement() -> None:
    document = load_text(KUHN)

    notice = document.notice

    assert notice is not None
    assert "UTF-8-test.txt" in notice
    assert "U+FFFD" in notice
    assert "not changed" in notice
    assert "byte 4461" in notice


def test_valid_text_has_no_notice() -> None:
    document = decode_text("already replaced: \ufffd\n".encode(), Path("ok.txt"))

    assert not document.had_invalid_bytes
    assert document.notice is None
    assert document.text == "already replaced: \ufffd\n"


def test_load_utf16_le_with_bom() -> None:
    document = load_text(DOCCANO_UTF16)

    assert document.encoding == "utf-16-le"
    assert not document.had_invalid_bytes
    assert document.text == "text,label\nAAA,Positive\nBBB,Positive\nCCC,Negative"
    assert [document.logical_line(i) for i in range(4)] == [
        "text,label", "AAA,Positive", "BBB,Positive", "CCC,Negative"]


def test_truncated_utf16_is_marked_invalid() -> None:
    data = b"\xff\xfe" + "ab".encode("utf-16-le") + b"c"

    document = decode_text(data, Path("odd.txt"))

    assert document.had_invalid_bytes
    assert document.first_invalid_byte == 6
    assert document.text == "ab\ufffd"
    assert "invalid UTF-16" in (document.notice or "")


def test_utf8_bom_is_removed() -> None:
    document = decode_text(b"\xef\xbb\xbfhello\n", Path("bom.txt"))

    assert document.text == "hello\n"
    assert document.encoding == "utf-8"


def test_crlf_and_cr_become_newlines() -> None:
    document = decode_text(b"one\r\ntwo\rthree\n\r\nfive", Path("crlf.txt"))

    lines = [document.logical_line(i) for i in range(document.logical_line_count)]

    assert lines == ["one", "two", "three", "", "five"]
    assert "\r" not in document.text


def test_control_characters_become_symbols() -> None:
    data = b"red\x1b[31m bell\x07 nul\x00 del\x7f back\x08 csi\xc2\x9b2J feed\x0c end\n"

    document = decode_text(data, Path("controls.txt"))

    assert document.text == "red␛[31m bell␇ nul␀ del␡ back␈ csi␦2J feed␌ end\n"
    controls = [char for char in document.text if unicodedata.category(char) == "Cc"]
    assert controls == ["\n"]


def test_line_separators_become_newlines() -> None:
    assert normalize_text("a\u2028b\u2029c") == "a\nb\nc"


def test_tabs_expand_to_cell_stops() -> None:
    assert TAB_SIZE == 8
    assert normalize_text("a\tb") == "a" + " " * 7 + "b"
    assert normalize_text("12345678\tx") == "12345678" + " " * 8 + "x"
    # The wide character takes two cells, so six spaces reach the stop at cell 8.
    assert normalize_text("中\tx\n\ty") == "中" + " " * 6 + "x\n" + " " * 8 + "y"


def test_missing_file_raises_load_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"

    with pytest.raises(TextLoadError) as raised:
        load_text(path)

    assert str(path) in str(raised.value)


def test_final_newline_adds_no_line() -> None:
    assert decode_text(b"a\nb\n", Path("x.txt")).logical_line_count == 2
    assert decode_text(b"a\nb\n\n", Path("x.txt")).logical_line_count == 3
    empty = decode_text(b"", Path("x.txt"))
    assert empty.logical_line_count == 1
    assert empty.wrap(10).rows(0, 5) == [("", 0, 0, 0)]


def test_text_module_avoids_textual_and_rich() -> None:
    code = (
        "import sys\n"
        "import tui_annotate.core.text, tui_annotate.core.scan\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr


# Cell widths and wrapping


def test_char_width_rules() -> None:
    assert char_width("a") == 1
    assert char_width("中") == 2
    assert char_width("，") == 2  # full-width comma
    assert char_width("\u0301") == 0  # combining acute accent
    assert char_width("\u200f") == 0  # right-to-left mark
    assert char_width("\u0378") == 1  # unassigned
    assert char_width("\ufffd") == 1


NO_BREAK_SPACES = "\u00a0\u2007\u202f"


def starts_row_allowed(line: str, offset: int) -> bool:
    """Whether a wrapped line may start at `offset` of `line`: after whitespace or a zero-width
    space, or before or after a wide character, but never at a zero-width character."""
    if char_width(line[offset]) == 0:
        return False
    before = line[offset - 1]
    if (before.isspace() and before not in NO_BREAK_SPACES) or before == "\u200b":
        return True
    if char_width(line[offset]) == 2:
        return True
    bases = [char for char in line[:offset] if char_width(char) > 0]
    return bool(bases) and char_width(bases[-1]) == 2


def reference_rows(line: str, width: int) -> list[str]:
    """Wrap one logical line character by character, as the rules state.

    Each row takes the characters that fit and ends at the last offset among them where a row
    may start. Without such an offset, it ends after the last character that fits.
    """
    rows: list[str] = []
    start = 0
    while True:
        end, cells = start, 0
        while end < len(line) and cells + char_width(line[end]) <= width:
            cells += char_width(line[end])
            end += 1
        if end == start < len(line):
            # A wide character alone in a one-cell view, with the zero-width characters after it.
            end += 1
            while end < len(line) and char_width(line[end]) == 0:
                end += 1
        elif end < len(line):
            allowed = [offset for offset in range(start + 1, end + 1) if starts_row_allowed(line, offset)]
            if allowed:
                end = allowed[-1]
        rows.append(line[start:end])
        if end == len(line):
            return rows
        start = end


def wrapped_lines(wrapped: WrappedText, line: int) -> list[str]:
    return [wrapped.row(index).text for index in wrapped.rows_of(line)]


def chinese_document() -> TextDocument:
    """The Rasa utterances one per line, then all of them again as one long line."""
    text = RASA_CHINESE.read_text(encoding="utf-8")
    return TextDocument(normalize_text(text + "，".join(text.split()) + "\n"), RASA_CHINESE)


@pytest.mark.parametrize("width", [2, 3, 5, 7, 8, 13, 40])
def test_chinese_rows_fit_width(width: int) -> None:
    document = chinese_document()
    wrapped = document.wrap(width)

    for index in range(wrapped.line_count):
        row = wrapped.row(index)
        assert row.cells <= width, (index, row)
        assert row.cells == sum(map(char_width, row.text))


@pytest.mark.parametrize("width", [2, 3, 5, 7, 8, 13, 40])
def test_chinese_rows_rebuild_lines(width: int) -> None:
    document = chinese_document()
    wrapped = document.wrap(width)

    for line in range(document.logical_line_count):
        assert "".join(wrapped_lines(wrapped, line)) == document.logical_line(line)


@pytest.mark.parametrize("width", [3, 5, 7, 13])
def test_wide_char_moves_to_next_row(width: int) -> None:
    document = chinese_document()
    wrapped = document.wrap(width)
    long_line = document.logical_line_count - 1

    rows = wrapped_lines(wrapped, long_line)

    assert len(rows) > 3
    for row, following in zip(rows, rows[1:]):
        # A row ends short of the width only when the next wide character, or the next Latin
        # word ("hello", "68"), would not fit.
        cells = sum(map(char_width, row))
        word = "".join(takewhile(lambda char: char_width(char) == 1, following)) or following[0]
        assert cells == width or cells + text_width(word) > width, (row, following)


def test_wrap_matches_reference_on_mixed_text() -> None:
    rng = random.Random(7)
    alphabet = "abc xyz中文，\u0301\u05e9\u0644\t\x1b😀\U00020000"
    lines = ["".join(rng.choices(alphabet, k=rng.randint(0, 90))) for _ in range(300)]
    lines += ["a" * 250, "中" * 125, "e\u0301" * 100]
    document = TextDocument(normalize_text("\n".join(lines)))

    for width in (2, 3, 4, 9, 10, 31, 80):
        wrapped = document.wrap(width)
        expected = [reference_rows(document.logical_line(i), width)
                    for i in range(document.logical_line_count)]
        actual = [wrapped_lines(wrapped, i) for i in range(document.logical_line_count)]
        assert actual == expected, width
        assert wrapped.line_count == sum(len(rows) for rows in expected)


def row_texts(text: str, width: int) -> list[str]:
    wrapped = TextDocument(text).wrap(width)
    return [row.text for row in wrapped.rows(0, wrapped.line_count)]


def test_sentence_wraps_at_spaces() -> None:
    text = "Annotators read every text and never lose work. Lorem ipsum dolor sit amet."

    rows = row_texts(text, 20)

    assert rows == ["Annotators read ", "every text and ", "never lose work. ", "Lorem ipsum dolor ",
                    "sit amet."]


def test_word_wider_than_width_is_split() -> None:
    assert row_texts("see internationalization here", 10) == ["see ", "internatio", "nalization", " here"]
    assert row_texts("abcdefghijklmnopqrstuvwxyz", 10) == ["abcdefghij", "klmnopqrst", "uvwxyz"]


def test_word_filling_width_moves_space_to_next_row() -> None:
    # The space after "abcd" does not fit, and the row has no earlier space to break after.
    assert row_texts("abcd efg", 4) == ["abcd", " efg"]
    assert row_texts("xy abcd efg", 7) == ["xy ", "abcd ", "efg"]


def test_chinese_wraps_between_characters() -> None:
    rows = row_texts("我想订一张去北京的机票，明天下午出发。", 7)

    assert rows == ["我想订", "一张去", "北京的", "机票，", "明天下", "午出发", "。"]


def test_mixed_chinese_and_latin_wraps() -> None:
    rows = row_texts("hello 中文世界 world again", 8)

    assert rows == ["hello 中", "文世界 ", "world ", "again"]
    assert row_texts("abc中def", 4) == ["abc", "中", "def"]


def test_trailing_spaces_stay_on_rows() -> None:
    assert row_texts("trailing spaces     ", 8) == ["trailing", " spaces ", "    "]
    assert row_texts("one two   ", 4) == ["one ", "two ", "  "]


def test_no_break_space_keeps_words_together() -> None:
    assert row_texts("see 10\u00a0kg now", 7) == ["see ", "10\u00a0kg ", "now"]


def test_ideographic_space_allows_break() -> None:
    assert row_texts("ab\u3000cdef", 4) == ["ab\u3000", "cdef"]


def test_zero_width_space_allows_break() -> None:
    assert row_texts("abc\u200bdefgh", 5) == ["abc\u200b", "defgh"]


def test_combining_mark_stays_after_space() -> None:
    # No row starts at a zero-width character, so a mark on a space ends the space's row.
    assert row_texts("ab \u0301cd", 3) == ["ab \u0301", "cd"]
    assert row_texts("ab\u0301 cd", 3) == ["ab\u0301 ", "cd"]


def test_line_starting_with_mark_ignores_previous_line() -> None:
    assert row_texts("中\n\u0301ab", 1) == ["中", "\u0301a", "b"]


LATIN_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14)
CJK_CHARACTERS = st.sampled_from("中文字我想订去北京的机票，。")
SPACES = st.text(alphabet=" ", min_size=1, max_size=4)
LINES = st.lists(st.one_of(LATIN_WORDS, CJK_CHARACTERS, SPACES), max_size=30).map("".join)
LATIN_WORD = re.compile("[a-z]+")


@given(line=LINES, width=st.integers(min_value=1, max_value=30))
def test_wrap_rows_rebuild_line(line: str, width: int) -> None:
    wrapped = TextDocument(line).wrap(width)
    rows = [wrapped.row(index) for index in wrapped.rows_of(0)]

    assert "".join(row.text for row in rows) == line
    assert [row.text for row in rows] == reference_rows(line, width)
    for row in rows:
        assert row.cells == text_width(row.text)
        if width > 1 or len(row.text) > 1:
            assert row.cells <= width, row
        else:
            assert row.cells <= 2, row
    for row in rows[:-1]:
        end = row.offset + len(row.text)
        # A row ends inside a Latin word only when that word is wider than the view.
        for word in LATIN_WORD.finditer(line):
            if word.start() < end < word.end():
                assert len(word.group()) > width, (row, word.group())


def test_width_one_gives_wide_char_own_row() -> None:
    wrapped = TextDocument("a中b").wrap(1)

    assert [row.text for row in wrapped.rows(0, 10)] == ["a", "中", "b"]
    assert row_texts("a中", 1) == ["a", "中"]
    assert row_texts("中\u0301", 1) == ["中\u0301"]


def test_combining_mark_stays_with_base() -> None:
    wrapped = TextDocument("ab\u0301cd").wrap(2)

    assert [row.text for row in wrapped.rows(0, 10)] == ["ab\u0301", "cd"]


def test_row_at_finds_each_row() -> None:
    document = chinese_document()
    wrapped = document.wrap(7)

    for index in range(wrapped.line_count):
        row = wrapped.row(index)
        assert wrapped.row_at(row.line, row.offset) == index


def test_wrap_rejects_zero_width() -> None:
    with pytest.raises(ValueError):
        TextDocument("abc").wrap(0)


@pytest.mark.parametrize("path", [KUHN, RASA_CHINESE, DOCCANO_LINES])
def test_cells_agree_with_rich(path: Path) -> None:
    """The view pads each row by `cells`; Textual measures it with Rich."""
    wrapped = load_text(path).wrap(80)

    for row in wrapped.rows(0, wrapped.line_count):
        assert row.cells == cell_len(row.text), row


@pytest.mark.parametrize("text", ["שלום עולם, מה שלומך?", "مرحبا بالعالم، كيف حالك؟", "abc \u202bשלום\u202c def"])
def test_right_to_left_stays_logical(text: str) -> None:
    document = decode_text(text.encode(), Path("rtl.txt"))
    wrapped = document.wrap(6)

    assert document.text == text
    assert "".join(row.text for row in wrapped.rows(0, wrapped.line_count)) == text
    assert wrapped.row(0).text == text[: len(wrapped.row(0).text)]


# TextView


class TextViewApp(App[None]):
    def __init__(self, document: TextDocument | None) -> None:
        super().__init__()
        self.document = document

    def compose(self) -> ComposeResult:
        yield TextView()

    def on_mount(self) -> None:
        view = self.query_one(TextView)
        if self.document is not None:
            view.show_document(self.document)
        view.focus()


def numbered_document(count: int) -> TextDocument:
    return TextDocument("".join(f"line {number}\n" for number in range(count)))


def rendered(view: TextView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


async def test_text_view_keys_scroll() -> None:
    messages: list[str] = []
    app = TextViewApp(numbered_document(100))

    def record(message: object) -> None:
        if isinstance(message, TextView.StateChanged):
            messages.append(type(message).__name__)

    async with app.run_test(size=(30, 10), message_hook=record) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()
        assert view.line_count == 100
        assert view.page_height == 10

        await pilot.press("down", "j", "j")
        assert view.first_line == 3
        await pilot.press("up", "k")
        assert view.first_line == 1
        await pilot.press("pagedown")
        assert view.first_line == 11
        await pilot.press("pageup", "pageup")
        assert view.first_line == 0
        await pilot.press("end")
        assert view.first_line == 90
        assert rendered(view)[-1].rstrip() == "line 99"
        await pilot.press("down", "pagedown")
        assert view.first_line == 90
        await pilot.press("home", "up")
        assert view.first_line == 0
        assert rendered(view)[0].rstrip() == "line 0"
        await pilot.pause()

    assert len(messages) >= 7


async def test_text_view_mouse_wheel_scrolls() -> None:
    app = TextViewApp(numbered_document(100))
    async with app.run_test(size=(30, 10)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()

        # Pilot has no wheel method in Textual 8.2, so the event goes through the app's driver path.
        app.post_message(events.MouseScrollDown(view, 5, 5, 0, 1, 0, False, False, False, 5, 5))
        await pilot.pause()

        assert view.first_line == 3


@pytest.mark.parametrize("size", [(41, 12), (7, 6), (1, 5)])
@pytest.mark.parametrize("path", [KUHN, RASA_CHINESE], ids=["kuhn", "rasa"])
async def test_text_view_lines_fill_width(path: Path, size: tuple[int, int]) -> None:
    document = load_text(path) if path == KUHN else chinese_document()
    app = TextViewApp(document)
    async with app.run_test(size=size) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()
        width, height = size

        for keys in ([], ["pagedown"], ["pagedown"] * 5, ["end"]):
            await pilot.press(*keys)
            for y in range(height):
                strip = view.render_line(y)
                assert strip.cell_length == width, (keys, y, strip.text)
                assert len({segment.style for segment in strip}) == 1, (keys, y)


async def test_text_view_fits_rich_measure() -> None:
    # Rich 15 counts the trigram U+2630 two cells and the family emoji (joined by U+200D)
    # two cells, while char_width counts 1 and 6, so the view must crop or pad by Rich.
    text = "☰" * 30 + "\n" + "\U0001f468\u200d\U0001f469\u200d\U0001f467 family " * 4 + "\n"
    document = TextDocument(text)
    assert document.wrap(20).row(0).cells != cell_len(document.wrap(20).row(0).text)
    app = TextViewApp(document)
    async with app.run_test(size=(20, 6)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()

        for y in range(6):
            assert view.render_line(y).cell_length == 20, y


async def test_text_view_shows_notice_first() -> None:
    app = TextViewApp(load_text(KUHN))
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()
        notice_strip = view.render_line(0)
        text_strip = view.render_line(3)

        assert notice_strip.text.startswith("UTF-8-test.txt: invalid UTF-8 at byte 4461.")
        assert "not changed" in view.render_line(1).text
        assert view.render_line(2).text.startswith("UTF-8 decoder capability and stress test")
        assert list(notice_strip)[0].style != list(text_strip)[0].style
        assert view.page_height == 18

        await pilot.press("pagedown")

        assert view.render_line(0).text == notice_strip.text
        assert view.first_line == 18


async def test_text_view_without_notice() -> None:
    app = TextViewApp(load_text(DOCCANO_LINES))
    async with app.run_test(size=(40, 6)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()

        assert rendered(view)[:3] == [line.ljust(40) for line in DOCCANO_LINES.read_text().splitlines()]
        assert view.page_height == 6


async def test_text_view_resize_keeps_top_line() -> None:
    text = "".join(f"{number:04d} " + "word " * 30 + "\n" for number in range(50))
    app = TextViewApp(TextDocument(text))
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()
        view.scroll_to_line(view.line_count // 2)
        top = view.first_logical_line
        top_text = view.render_line(0).text

        await pilot.resize_terminal(60, 10)
        await pilot.pause()

        assert view.size.width == 60
        assert view.first_logical_line == top
        assert view.render_line(0).text.startswith(top_text[:4])


async def test_text_view_message_replaces_document() -> None:
    app = TextViewApp(numbered_document(5))
    async with app.run_test(size=(30, 5)) as pilot:
        view = app.query_one(TextView)
        await pilot.pause()

        view.show_message("Cannot read x.txt")
        await pilot.pause()

        assert view.line_count == 0
        assert rendered(view)[2] == "Cannot read x.txt".center(30)
        assert all(view.render_line(y).cell_length == 30 for y in range(5))
