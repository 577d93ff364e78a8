"""Time loading, wrapping and drawing a 5 MB text input.

Writes four generated 5 MB files to a temporary folder and prints five times for each.
"load" is `load_text`, with the file in the page cache after it is written. "first wrap" is
the first `wrap` at the view width. "screen 1st" draws one screen of the TextView at 90% of
the text for the first time, when the rows of its lines are broken, and "screen" draws it
again. "scroll step" scrolls one line and draws the screen again. The view runs headless with
`App.run_test`, and drawing calls its `render_line` for every row. Run from the repository root:

    python benchmarks/text.py [--columns 120] [--rows 50]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult

from tui_annotate.core.text import TextDocument, load_text
from tui_annotate.ui.textview import TextView

SIZE = 5 * 1024 * 1024
RUNS = 5
FAR_POSITION = 0.9
"""Top of the drawn screen, as a fraction of the wrapped lines."""

REPOSITORY = Path(__file__).resolve().parents[1]
FIXTURES = REPOSITORY / "tests" / "fixtures" / "texts"
WORDS = ("annotation terminal keyboard label concept image text input review wrap the a of and to "
         "in is that it for on with as was at by an be this which from or").split()


def english_prose(size: int) -> bytes:
    """Paragraphs of 1 to 40 sentences of random words, one paragraph per line."""
    rng = random.Random(0)
    parts: list[str] = []
    total = 0
    while total < size:
        sentences = (" ".join(rng.choices(WORDS, k=rng.randint(4, 18))).capitalize() + "."
                     for _ in range(rng.randint(1, 40)))
        paragraph = " ".join(sentences) + "\n"
        parts.append(paragraph)
        total += len(paragraph)
    return "".join(parts).encode("ascii")[:size]


def chinese_prose(size: int) -> bytes:
    """Paragraphs of Chinese utterances from the Rasa fixture joined with full-width commas."""
    rng = random.Random(0)
    utterances = (FIXTURES / "rasa-nlu-examples" / "demo-rasa-zh.txt").read_text(encoding="utf-8").split()
    parts: list[bytes] = []
    total = 0
    while total < size:
        paragraph = ("，".join(rng.choices(utterances, k=rng.randint(1, 60))) + "。\n").encode("utf-8")
        parts.append(paragraph)
        total += len(paragraph)
    return b"".join(parts)[:size]


def one_line(size: int) -> bytes:
    return english_prose(size).replace(b"\n", b" ")


def malformed(size: int) -> bytes:
    """Markus Kuhn's UTF-8 stress test repeated: invalid bytes, controls and wide characters."""
    sample = (FIXTURES / "kuhn-utf8-test" / "UTF-8-test.txt").read_bytes()
    return (sample * (size // len(sample) + 1))[:size]


TEXTS: dict[str, Callable[[int], bytes]] = {
    "English prose (ASCII)": english_prose,
    "Chinese prose (UTF-8)": chinese_prose,
    "one 5 MB line": one_line,
    "Kuhn's UTF-8 test x230": malformed,
}


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TextView()


async def time_view(document: TextDocument, columns: int,
                    rows: int) -> tuple[float, float, float, int]:
    """Return the times to draw one screen far into the text first and again, of one scroll
    step, and the wrapped line count."""
    app = ViewApp()
    async with app.run_test(size=(columns, rows)) as pilot:
        view = app.query_one(TextView)
        view.show_document(document)
        await pilot.pause()
        view.scroll_to_line(int(view.line_count * FAR_POSITION))

        def draw() -> None:
            for y in range(view.size.height):
                view.render_line(y)

        first_draw, _ = timed(draw)
        draw_times = [timed(draw)[0] for _ in range(RUNS)]

        def step() -> None:
            view.action_scroll_lines(1)
            draw()

        step_times = [timed(step)[0] for _ in range(RUNS)]
        screen = statistics.median(draw_times)
        return first_draw, screen, statistics.median(step_times), view.line_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=120, help="view width in cells (default 120)")
    parser.add_argument("--rows", type=int, default=50, help="view height in rows (default 50)")
    arguments = parser.parse_args()

    print(f"{SIZE / 2**20:.0f} MiB per text, view {arguments.columns}x{arguments.rows} cells, "
          f"median of {RUNS} runs except for first wrap and screen 1st")
    print(f"{'text':24} {'load':>11} {'first wrap':>11} {'screen 1st':>11} {'screen':>11} "
          f"{'scroll step':>11}  wrapped lines")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in TEXTS.items():
            path = Path(folder) / "input.txt"
            path.write_bytes(make(SIZE))
            load_times = []
            for _ in range(RUNS):
                seconds, document = timed(lambda: load_text(path))
                load_times.append(seconds)
            assert isinstance(document, TextDocument)
            wrap_time, _ = timed(lambda: document.wrap(arguments.columns))
            # The view wraps a fresh document itself, so the screen timings include no cached rows.
            fresh = load_text(path)
            first, screen, step, lines = asyncio.run(time_view(fresh, arguments.columns, arguments.rows))
            print(f"{name:24} {milliseconds(statistics.median(load_times))} {milliseconds(wrap_time)} "
                  f"{milliseconds(first)} {milliseconds(screen)} {milliseconds(step)}  {lines:,}")


if __name__ == "__main__":
    main()
