"""Pilot tests: an annotator draws, edits and deletes boxes on a demo photo by key presses."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from conftest import annotations_of, concept_name, disk_state, running_app, screen_text, settle

FIRST = "astronaut.png"


async def type_keys(pilot, text: str) -> None:
    """Type text one character at a time, as a person at a keyboard would."""
    await pilot.press(*text)


async def go_to(pilot, x: float, y: float) -> None:
    await pilot.press("g")
    await type_keys(pilot, f"{x:g},{y:g}")
    await pilot.press("enter")


async def draw_box(pilot, a: tuple[float, float], b: tuple[float, float]) -> None:
    await go_to(pilot, *a)
    await pilot.press("enter")
    await go_to(pilot, *b)
    await pilot.press("enter")
    await pilot.pause()


async def pick_concept(pilot, name: str) -> None:
    await pilot.press("slash")
    await type_keys(pilot, name)
    await pilot.press("enter")
    await pilot.pause()


async def test_issue_walkthrough_saves_box(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pick_concept(pilot, "cat")
        await pilot.press("b")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("q")
        await pilot.pause()
    boxes = annotations_of(demo_copy, FIRST)
    assert len(boxes) == 1
    assert boxes[0]["box"] == [120, 80, 300, 200]
    assert concept_name(demo_copy, boxes[0]["concept_id"]) == "cat"
    assert [mark["name"] for mark in boxes[0]["annotators"]] == ["qa"]
    journals = list((demo_copy / ".tui-annotate" / "journals").glob("*.jsonl"))
    assert journals == [], "quitting folds the journal into the project file"


async def test_box_shows_label_and_counts(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pick_concept(pilot, "cat")
        await pilot.press("b")
        await draw_box(pilot, (120, 80), (300, 200))
        await draw_box(pilot, (320, 300), (400, 380))
        text = screen_text(app)
        assert "cat.1" in text
        assert "cat.2" in text
        assert "cat(2)" in text
        assert "Objects(1)" in str(app.main_screen.query_one("#objects-header").render())


async def test_create_concept_from_picker(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pick_concept(pilot, "  Sheep ")
        await pilot.press("b")
        await draw_box(pilot, (10, 10), (50, 60))
    names = [c["name"] for c in disk_state(demo_copy)["concepts"]]
    assert "Sheep" in names
    boxes = annotations_of(demo_copy, FIRST)
    assert concept_name(demo_copy, boxes[0]["concept_id"]) == "Sheep"


async def test_picker_matches_existing_ignoring_case(demo_copy: Path) -> None:
    before = len(disk_state(demo_copy)["concepts"])
    async with running_app(demo_copy) as (app, pilot):
        await pick_concept(pilot, "CAT")
        await pilot.press("b")
        await draw_box(pilot, (10, 10), (50, 60))
    state = disk_state(demo_copy)
    assert len(state["concepts"]) == before
    assert concept_name(demo_copy, annotations_of(demo_copy, FIRST)[0]["concept_id"]) == "cat"


async def test_corners_in_any_order_are_normalised(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")  # hotkey 2 is "cat" in the demo project
        await draw_box(pilot, (300, 200), (120, 80))
        await draw_box(pilot, (50, 400), (10, 300))
    boxes = [a["box"] for a in annotations_of(demo_copy, FIRST)]
    assert boxes == [[120, 80, 300, 200], [10, 300, 50, 400]]


async def test_zero_width_box_rejected(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (100, 80), (100, 200))
        messages = [n.message for n in app._notifications]
        assert any("zero width or height" in m for m in messages)
        assert "Box" in str(app.main_screen.query_one("#status").render()), "drawing mode stays on"
    assert annotations_of(demo_copy, FIRST) == []


async def test_drawing_mode_stays_on(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (10, 10), (40, 40))
        await draw_box(pilot, (60, 60), (90, 90))
        await draw_box(pilot, (100, 100), (130, 130))
    assert len(annotations_of(demo_copy, FIRST)) == 3


async def test_nested_box_records_smallest_parent(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("1")
        await draw_box(pilot, (50, 50), (450, 450))
        await draw_box(pilot, (100, 100), (300, 300))
        await pilot.press("7")
        await draw_box(pilot, (150, 150), (200, 200))
    outer, middle, inner = annotations_of(demo_copy, FIRST)
    assert "parent_id" not in outer
    assert middle["parent_id"] == outer["id"]
    assert inner["parent_id"] == middle["id"]


async def test_deleting_parent_keeps_children(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("1")
        await draw_box(pilot, (50, 50), (450, 450))
        await draw_box(pilot, (100, 100), (300, 300))
        await pilot.press("escape", "tab", "delete")
        await pilot.pause()
    (child,) = annotations_of(demo_copy, FIRST)
    assert child["box"] == [100, 100, 300, 300]
    assert "parent_id" not in child


async def test_move_edge_by_keys(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("escape", "tab")
        await pilot.press("e")  # whole box -> left edge
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["box"] == [123, 80, 300, 200]
        await pilot.press("e", "e", "e")  # -> top -> right -> bottom
        await pilot.press("shift+down")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["box"] == [123, 80, 300, 210]
        await pilot.press("e")  # back to the whole box
        await pilot.press("left", "up")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["box"] == [122, 79, 299, 209]


async def test_moves_within_a_second_are_one_undo_step(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("escape", "tab")
        await pilot.press("right", "right", "right", "down")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["box"] == [123, 81, 303, 201]
        await pilot.press("u")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["box"] == [120, 80, 300, 200]
        await pilot.press("u")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST) == []


async def test_hotkey_reassigns_selected(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("escape", "tab", "3")
        await pilot.pause()
        assert "cup.1" in screen_text(app)
    (box,) = annotations_of(demo_copy, FIRST)
    assert concept_name(demo_copy, box["concept_id"]) == "cup"


async def test_hotkeys_eleven_to_twenty(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        for name in ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12"]:
            await pick_concept(pilot, name)
        # The demo has 8 concepts, so a3 is concept 11 and a12 is concept 20.
        await pilot.press("semicolon", "1")
        await draw_box(pilot, (10, 10), (40, 40))
        await pilot.press("semicolon", "0")
        await draw_box(pilot, (60, 60), (90, 90))
    first, second = annotations_of(demo_copy, FIRST)
    assert concept_name(demo_copy, first["concept_id"]) == "a3"
    assert concept_name(demo_copy, second["concept_id"]) == "a12"


async def test_hide_category_is_view_only(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("escape", "o")
        await pilot.pause()
        assert app.focused is app.main_screen.objects.list
        await pilot.press("v")
        await pilot.pause()
        canvas_lines = [app.main_screen.canvas.render_line(y).text for y in range(app.main_screen.canvas.size.height)]
        assert not any("cat.1" in line for line in canvas_lines)
        await pilot.press("v")
        await pilot.pause()
        canvas_lines = [app.main_screen.canvas.render_line(y).text for y in range(app.main_screen.canvas.size.height)]
        assert any("cat.1" in line for line in canvas_lines)
    assert len(annotations_of(demo_copy, FIRST)) == 1


async def test_toggle_all_overlays(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("escape", "v")
        await pilot.pause()
        canvas = app.main_screen.canvas
        assert not any("cat.1" in canvas.render_line(y).text for y in range(canvas.size.height))


async def test_delete_all_of_category_asks_first(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (10, 10), (40, 40))
        await draw_box(pilot, (60, 60), (90, 90))
        await pilot.press("3")
        await draw_box(pilot, (100, 100), (200, 200))
        await pilot.press("escape", "o", "home", "delete")
        await pilot.pause()
        assert len(annotations_of(demo_copy, FIRST)) == 3, "nothing is deleted before the answer"
        await pilot.press("n")
        await pilot.pause()
        assert len(annotations_of(demo_copy, FIRST)) == 3
        await pilot.press("delete", "y")
        await pilot.pause()
    (left,) = annotations_of(demo_copy, FIRST)
    assert concept_name(demo_copy, left["concept_id"]) == "cup"
    assert any(c["name"] == "cat" for c in disk_state(demo_copy)["concepts"]), "the concept stays"


async def test_pane_row_selects_box_on_canvas(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (10, 10), (40, 40))
        await draw_box(pilot, (60, 60), (90, 90))
        await pilot.press("escape", "o", "home", "down", "down")
        await pilot.pause()
        second = annotations_of(demo_copy, FIRST)[1]
        assert app.main_screen.canvas.selected_id == second["id"]
        await pilot.press("escape", "shift+tab")
        await pilot.pause()
        first = annotations_of(demo_copy, FIRST)[0]
        assert app.main_screen.canvas.selected_id == first["id"]
        row = app.main_screen.objects.list.current_row()
        assert row is not None and row.target_id == first["id"]


async def test_delete_undo_redo(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("escape", "tab", "delete")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST) == []
        await pilot.press("u")
        await pilot.pause()
        assert [a["box"] for a in annotations_of(demo_copy, FIRST)] == [[120, 80, 300, 200]]
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST) == []
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert len(annotations_of(demo_copy, FIRST)) == 1


async def test_undo_after_restart_and_across_inputs(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        await pilot.press("escape", "d")
        await settle(app, pilot)
        await pilot.press("q")
    async with running_app(demo_copy) as (app, pilot):
        assert app.main_screen.current_input.path == "camera.png", "reopens where the annotator left off"
        await pilot.press("u")
        await settle(app, pilot)
        assert app.main_screen.current_input.path == FIRST, "undo shows the input it changed"
    assert annotations_of(demo_copy, FIRST) == []


async def test_next_and_previous_input(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("d", "d")
        await settle(app, pilot)
        assert app.main_screen.current_input.path == "chelsea.png"
        status = str(app.main_screen.query_one("#status").render())
        assert "chelsea.png" in status
        assert "3/6" in status
        assert "451x300" in status
        await pilot.press("a")
        await settle(app, pilot)
        assert app.main_screen.current_input.path == "camera.png"


async def test_go_to_outside_image_explains(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("g")
        await type_keys(pilot, "600,80")
        await pilot.press("enter")
        await pilot.pause()
        entry = app.main_screen.entry
        assert entry is not None and "outside the 512x512 image" in entry.error
        await pilot.press("escape")
        assert app.main_screen.entry is None
        assert app.main_screen.canvas.cursor == (256, 256)


async def test_undecodable_input_shows_message(demo_copy: Path) -> None:
    (demo_copy / "broken.png").write_bytes(b"this is not a png")
    async with running_app(demo_copy) as (app, pilot):
        # New files are listed after the inputs the project already has.
        await pilot.press(*["d"] * 6)
        await settle(app, pilot)
        assert app.main_screen.current_input.path == "broken.png"
        assert "Cannot show broken.png" in screen_text(app)
        await pilot.press("a")
        await settle(app, pilot)
        assert app.main_screen.current_input.path == "rocket.jpg"
        assert app.main_screen.canvas.image is not None


async def test_zoom_keeps_cursor_visible(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        fit_scale = canvas.viewport.scale
        await go_to(pilot, 400, 100)
        await pilot.press("plus", "plus", "plus", "plus", "plus")
        await pilot.pause()
        assert canvas.viewport.scale == pytest.approx(fit_scale / 32)
        column, row = canvas.viewport.cell_at(400, 100)
        assert canvas.viewport.contains_cell(column, row)
        assert canvas.viewport.cell_width < 1, "one pixel spans several cells"
        await pilot.press("equals_sign")
        await pilot.pause()
        assert canvas.viewport.scale == pytest.approx(fit_scale)


async def test_help_lists_every_binding(demo_copy: Path) -> None:
    from tui_annotate.ui.bindings import BINDING_GROUPS

    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=200, record=True, file=io.StringIO())
        for widget in app.screen.query(Static):
            console.print(widget.content)
        text = console.export_text()
        for _, bindings in BINDING_GROUPS:
            for binding in bindings:
                assert binding.description in text
        await pilot.press("escape")


async def test_small_terminal_layout(demo_copy: Path) -> None:
    async with running_app(demo_copy, size=(80, 24)) as (app, pilot):
        await pilot.press("2")
        await draw_box(pilot, (120, 80), (300, 200))
        canvas = app.main_screen.canvas
        assert canvas.size.width >= 40
        assert canvas.size.height >= 15
        assert "cat.1" in screen_text(app)
