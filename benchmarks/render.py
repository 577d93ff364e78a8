"""Time one 200x60-cell frame of the image view and count the ANSI bytes it sends.

Compares our pipeline (sample_view + StripBuilder.build, then Textual's ANSI
rendering) with rich-pixels on the same photo, at its own size and scaled to
4000x3000. Run from the repository root:

    python benchmarks/render.py [PHOTO]

rich-pixels is a development-only dependency (the "bench" extra); the script
stops with a message when it is missing.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from rich.console import Console
from textual._compositor import LayoutUpdate  # Private, but it is what Textual 8.2.8 writes.
from textual.geometry import Region
from textual.strip import Strip

from tui_annotate.core.viewport import Viewport
from tui_annotate.imaging.decode import SourceImage, open_image
from tui_annotate.imaging.render import sample_view
from tui_annotate.ui.image_strips import ColorSystem, StripBuilder

COLUMNS = 200
ROWS = 60
WARM_RUNS = 21
COLD_RUNS = 21
RICH_PIXELS_RUNS = 9
ZOOM_FACTORS = (1.1, 1.25, 1.5, 1.75, 2.0, 2.5)
"""Zooms for the cold runs, so each one samples a new view with new colours."""

REPAINT_TARGET = 15
NEW_VIEW_TARGET = 3

REPOSITORY = Path(__file__).resolve().parents[1]
DEMO_PHOTOS = (
    REPOSITORY / "assets" / "demo" / "coffee.png",
    REPOSITORY.parent / "shared" / "data" / "demo-photos" / "coffee.png",
)


@dataclass
class Case:
    name: str
    image: SourceImage


@dataclass
class Frame:
    """Median times in milliseconds and the bytes of one full frame."""

    pipeline_ms: float
    with_ansi_ms: float
    ansi_bytes: int


def main() -> None:
    try:
        from rich_pixels import Pixels  # noqa: F401 - only checks that it is installed.
    except ImportError:
        sys.exit("rich-pixels is not installed; install the bench extra: pip install -e '.[bench]'")
    photo = find_photo(sys.argv[1:])
    source = open_image(photo)
    large = source.levels[0].resize((4000, 3000), Image.Resampling.LANCZOS)
    cases = [
        Case(f"{photo.name} {source.width}x{source.height}", source),
        Case(f"{photo.name} scaled to 4000x3000", SourceImage.from_image(large, photo)),
    ]
    print(f"Frame: {COLUMNS}x{ROWS} cells ({COLUMNS}x{2 * ROWS} samples); medians in ms.")
    print("ours = sample_view + StripBuilder.build. +ANSI adds Textual's rendering of each line.")
    print()
    for case in cases:
        report_case(case)
        print()


def find_photo(arguments: list[str]) -> Path:
    if arguments:
        return Path(arguments[0])
    for path in DEMO_PHOTOS:
        if path.exists():
            return path
    sys.exit("No demo photo found; pass the path of a photo as the first argument.")


def report_case(case: Case) -> None:
    print(f"== {case.name}")
    fitted = Viewport.fit(case.image.width, case.image.height, COLUMNS, ROWS)
    rich_ms, rich_bytes = time_rich_pixels(case.image)
    print(f"rich-pixels (from_image + Console.print): {rich_ms:7.1f} ms {kib(rich_bytes)}")
    for color_system in ("truecolor", "256"):
        warm = time_repaint(case.image, fitted, color_system)
        cold = time_new_view(case.image, fitted, color_system)
        rows = (("repaint", warm, REPAINT_TARGET), ("new view", cold, NEW_VIEW_TARGET))
        for label, frame, target in rows:
            ratio = rich_ms / frame.with_ansi_ms
            print(
                f"{color_system:>9} {label:<8}: ours {frame.pipeline_ms:6.1f} ms, +ANSI "
                f"{frame.with_ansi_ms:6.1f} ms {kib(frame.ansi_bytes)}; "
                f"{ratio:5.1f}x faster than rich-pixels (target {target}x)"
            )
    measure_cursor_move(case)


def time_repaint(image: SourceImage, viewport: Viewport, color_system: ColorSystem) -> Frame:
    """Time a frame of a view whose colours are already cached, as on a repaint."""
    builder = StripBuilder(color_system)
    builder.build(sample_view(image, viewport))
    console = make_console(color_system)
    pipeline = median_ms(lambda: builder.build(sample_view(image, viewport)), WARM_RUNS)
    with_ansi = median_ms(
        lambda: render_frame(builder.build(sample_view(image, viewport)), console), WARM_RUNS
    )
    ansi_bytes = len(render_frame(builder.build(sample_view(image, viewport)), console).encode())
    return Frame(pipeline, with_ansi, ansi_bytes)


def time_new_view(image: SourceImage, fitted: Viewport, color_system: ColorSystem) -> Frame:
    """Time the first frame after a zoom: new samples and an empty style cache."""
    builder = StripBuilder(color_system)
    console = make_console(color_system)
    centre = (image.width / 2, image.height / 2)
    views = [fitted.zoomed(factor, *centre) for factor in ZOOM_FACTORS]

    def pipeline_times(render: bool) -> list[float]:
        times = []
        for run in range(COLD_RUNS):
            viewport = views[run % len(views)]
            builder.clear_cache()
            start = time.perf_counter()
            strips = builder.build(sample_view(image, viewport))
            if render:
                render_frame(strips, console)
            times.append(time.perf_counter() - start)
        return times

    pipeline = statistics.median(pipeline_times(render=False)) * 1000
    with_ansi = statistics.median(pipeline_times(render=True)) * 1000
    builder.clear_cache()
    ansi_bytes = len(render_frame(builder.build(sample_view(image, views[0])), console).encode())
    return Frame(pipeline, with_ansi, ansi_bytes)


def time_rich_pixels(image: SourceImage) -> tuple[float, int]:
    """Time rich-pixels on the image resized to the frame's samples, and count its bytes."""
    from rich_pixels import Pixels

    resized = image.levels[0].resize((COLUMNS, 2 * ROWS), Image.Resampling.BOX)
    times = []
    output = ""
    for _ in range(RICH_PIXELS_RUNS):
        console = make_console("truecolor")
        start = time.perf_counter()
        console.print(Pixels.from_image(resized))
        times.append(time.perf_counter() - start)
        output = console.file.getvalue()
    return statistics.median(times) * 1000, len(output.encode())


def measure_cursor_move(case: Case) -> None:
    """Measure a cursor move in the real app, headless, with the canvas at 200x60 cells.

    Prints the canvas's own render work per move (the render_line calls Textual makes
    for the refreshed cells) and the bytes the driver writes per move, for a move right
    (one line changes) and a move down (two lines change), in both colour systems.
    """
    import asyncio

    asyncio.run(_cursor_move_async(case))


async def _cursor_move_async(case: Case) -> None:
    import shutil
    import tempfile

    from tui_annotate.cli import open_store
    from tui_annotate.ui.app import AnnotateApp

    sidebar, bars = 35, 2  # the Objects pane with its border; the status bar and footer
    for color_system in ("truecolor", "256"):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "project"
            root.mkdir()
            shutil.copy(case.image.path, root / case.image.path.name)
            store = open_store(root, "bench")
            app = AnnotateApp(store, color_system)  # type: ignore[arg-type]
            async with app.run_test(size=(COLUMNS + sidebar, ROWS + bars)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                canvas = app.main_screen.canvas
                written: list[int] = []
                # Headless apps skip writing, so render each update as App._display would.
                original_display = app._display  # Private: where Textual 8.2.8 writes an update.

                def counting_display(screen, renderable) -> None:  # type: ignore[no-untyped-def]
                    if renderable is not None and hasattr(renderable, "render_segments"):
                        written.append(len(renderable.render_segments(app.console).encode("utf-8")))
                    original_display(screen, renderable)

                app._display = counting_display  # type: ignore[method-assign]
                render_times: list[float] = []
                original_render_line = canvas.render_line

                def timed_render_line(y: int) -> Strip:
                    start = time.perf_counter()
                    strip = original_render_line(y)
                    render_times.append(time.perf_counter() - start)
                    return strip

                canvas.render_line = timed_render_line  # type: ignore[method-assign]
                for key, label in (("right", "cursor right"), ("down", "cursor down")):
                    per_move_ms: list[float] = []
                    per_move_bytes: list[int] = []
                    for index in range(20):
                        written.clear()
                        render_times.clear()
                        step = key if index % 2 == 0 else {"right": "left", "down": "up"}[key]
                        await pilot.press(step)
                        await pilot.pause()
                        per_move_ms.append(sum(render_times) * 1000)
                        per_move_bytes.append(sum(written))
                    print(
                        f"{case.name:>22} {color_system:>9} {label:<13}"
                        f" render {statistics.median(per_move_ms):6.3f} ms"
                        f"  written {statistics.median(per_move_bytes) / 1024:6.2f} KiB"
                        "  (targets: under 1 ms and 10 KB)"
                    )
            store.close()


def render_frame(strips: list[Strip], console: Console) -> str:
    """Return what Textual 8.2.8 writes for a full update of these lines at the top left."""
    region = Region(0, 0, COLUMNS, len(strips))
    return LayoutUpdate([[strip] for strip in strips], region).render_segments(console)


def make_console(color_system: ColorSystem) -> Console:
    return Console(
        file=io.StringIO(), width=COLUMNS, color_system=color_system, force_terminal=True
    )


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def kib(size: int) -> str:
    return f"{size / 1024:6.1f} KiB"


if __name__ == "__main__":
    main()
