"""Pilot tests: mouse, key map, command palette, view position and the CLI's error messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import annotations_of, running_app, screen_text, settle
from tui_annotate.cli import main
from tui_annotate.ui.canvas import ImageCanvas

FIRST = "astronaut.png"


async def test_mouse_drag_draws_box(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.press("2")
        start = canvas._point_at(30, 10)
        end = canvas._point_at(60, 25)
        await pilot.mouse_down(ImageCanvas, offset=(30, 10))
        await pilot.hover(ImageCanvas, offset=(45, 18))
        await pilot.hover(ImageCanvas, offset=(60, 25))
        await pilot.mouse_up(ImageCanvas, offset=(60, 25))
        await pilot.pause()
    (box,) = annotations_of(demo_copy, FIRST)
    assert box["box"] == [start[0], start[1], end[0], end[1]]


async def test_mouse_click_places_cursor(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.click(ImageCanvas, offset=(40, 12))
        await pilot.pause()
        assert canvas.cursor == canvas._point_at(40, 12)
    assert annotations_of(demo_copy, FIRST) == []


async def test_mouse_drag_moves_selected_box(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.press("2", "g", *"100,100", "enter", "enter", "g", *"300,300", "enter", "enter", "escape")
        await pilot.pause()
        column, row = canvas.viewport.cell_at(200, 200)
        grab = canvas._point_at(column, row)
        drop = canvas._point_at(column + 5, row + 2)
        await pilot.click(ImageCanvas, offset=(column, row))  # selects the box
        await pilot.mouse_down(ImageCanvas, offset=(column, row))
        await pilot.hover(ImageCanvas, offset=(column + 5, row + 2))
        await pilot.mouse_up(ImageCanvas, offset=(column + 5, row + 2))
        await pilot.pause()
    (box,) = annotations_of(demo_copy, FIRST)
    dx, dy = drop[0] - grab[0], drop[1] - grab[1]
    assert box["box"] == [100 + dx, 100 + dy, 300 + dx, 300 + dy]


async def test_mouse_drag_edge_resizes(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.press("2", "g", *"100,100", "enter", "enter", "g", *"300,300", "enter", "enter", "escape")
        await pilot.press("tab")
        await pilot.pause()
        right_column, row = canvas.viewport.cell_at(300 - 1e-6, 200)
        grab = canvas._point_at(right_column, row)
        drop = canvas._point_at(right_column + 6, row)
        await pilot.mouse_down(ImageCanvas, offset=(right_column, row))
        await pilot.hover(ImageCanvas, offset=(right_column + 6, row))
        await pilot.mouse_up(ImageCanvas, offset=(right_column + 6, row))
        await pilot.pause()
    (box,) = annotations_of(demo_copy, FIRST)
    assert box["box"] == [100, 100, 300 + drop[0] - grab[0], 300]


async def test_exit_button_leaves_drawing_mode(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.press("2")
        await pilot.pause()
        assert canvas.tool == "box"
        region = canvas._exit_region
        await pilot.click(ImageCanvas, offset=(region.x + 1, region.y))
        await pilot.pause()
        assert canvas.tool == "select"


async def test_keymap_file_remaps_keys(demo_copy: Path, tmp_path: Path) -> None:
    config = tmp_path / "config" / "tui-annotate"
    config.mkdir(parents=True)
    (config / "keys.toml").write_text('[keys]\n"input.next" = "n"\n"no.such.id" = "x"\n', encoding="utf-8")
    async with running_app(demo_copy) as (app, pilot):
        messages = [n.message for n in app._notifications]
        assert any("unknown binding id 'no.such.id'" in m for m in messages)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.main_screen.current_input.path == "camera.png"
        await pilot.press("d")
        await settle(app, pilot)
        assert app.main_screen.current_input.path == "camera.png", "d is no longer bound"


async def test_palette_offers_every_binding(demo_copy: Path) -> None:
    from tui_annotate.ui.bindings import BINDING_GROUPS

    async with running_app(demo_copy) as (app, pilot):
        titles = {command.title for command in app.get_system_commands(app.main_screen)}
        for _, bindings in BINDING_GROUPS:
            for binding in bindings:
                assert binding.description in titles


async def test_palette_runs_an_action(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        commands = {command.title: command for command in app.get_system_commands(app.main_screen)}
        await commands["Next"].callback()
        await settle(app, pilot)
        assert app.main_screen.current_input.path == "camera.png"


async def test_reopens_at_same_view(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("g", *"400,100", "enter", "plus", "plus")
        await pilot.pause()
        viewport = app.main_screen.canvas.viewport
        saved = (viewport.left, viewport.top, viewport.scale)
        await pilot.press("q")
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        assert (canvas.viewport.left, canvas.viewport.top, canvas.viewport.scale) == saved
        assert canvas.cursor == (400, 100)


def test_cli_broken_project_file(demo_copy: Path) -> None:
    project = demo_copy / "tui-annotate.json"
    broken = project.read_bytes().replace(b'"schema_version": 1,', b'"schema_version": 1,,')
    project.write_bytes(broken)
    result = CliRunner().invoke(main, [str(demo_copy)])
    assert result.exit_code == 1
    assert str(project) in result.output
    assert "line 2" in result.output
    assert "not valid JSON" in result.output
    assert project.read_bytes() == broken


def test_cli_invalid_box_names_field(demo_copy: Path) -> None:
    project = demo_copy / "tui-annotate.json"
    data = json.loads(project.read_text(encoding="utf-8"))
    data["annotations"] = [{"id": "a1", "input_id": data["inputs"][0]["id"],
                            "concept_id": data["concepts"][0]["id"], "box": [300, 80, 120, 200]}]
    project.write_text(json.dumps(data), encoding="utf-8")
    before = project.read_bytes()
    result = CliRunner().invoke(main, [str(demo_copy)])
    assert result.exit_code == 1
    assert "annotations[0]" in result.output
    assert "x0 < x1" in result.output
    assert project.read_bytes() == before


def test_cli_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "folder not found" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_cli_demo_copies_project(tmp_path: Path, monkeypatch) -> None:
    import tui_annotate.cli as cli

    opened: list[Path] = []
    monkeypatch.setattr(cli, "run_app", lambda path, annotator, colors: opened.append(path))
    target = tmp_path / "mydemo"
    result = CliRunner().invoke(main, ["demo", str(target)])
    assert result.exit_code == 0, result.output
    assert opened == [target]
    assert (target / "tui-annotate.json").exists()
    assert (target / "astronaut.png").exists()


def test_cli_empty_argument_rejected(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in ([""], ["demo", ""], ["open", " "]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, args
        assert 'an argument is empty ("")' in result.output
    assert list(tmp_path.iterdir()) == [], "nothing is created in the working folder"


def test_cli_duplicate_ids_rejected(demo_copy: Path) -> None:
    project = demo_copy / "tui-annotate.json"
    data = json.loads(project.read_text(encoding="utf-8"))
    box = {"input_id": data["inputs"][0]["id"], "concept_id": data["concepts"][0]["id"]}
    data["annotations"] = [{"id": "a1", **box, "box": [10, 10, 50, 50]}, {"id": "a1", **box, "box": [1, 1, 9, 9]}]
    project.write_text(json.dumps(data), encoding="utf-8")
    before = project.read_bytes()
    result = CliRunner().invoke(main, [str(demo_copy)])
    assert result.exit_code == 1
    assert "'a1' is used twice, at [0] and [1]" in result.output
    assert "Value error" not in result.output
    assert project.read_bytes() == before


async def test_arrow_moves_cursor_one_cell(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.press("g", *"250,250", "enter")
        for zoom_keys in ([], ["plus"], ["plus", "plus"], ["plus"] * 4):
            await pilot.press(*zoom_keys)
            await pilot.pause()
            for key, (dx, dy) in (("l", (1, 0)), ("j", (0, 1)), ("h", (-1, 0)), ("k", (0, -1)), ("L", (10, 0))):
                # Cells are counted in the view before the key, which stays valid if the view pans.
                viewport = canvas.viewport
                column, row = viewport.cell_at(*canvas.cursor)
                await pilot.press(key)
                await pilot.pause()
                assert viewport.cell_at(*canvas.cursor) == (column + dx, row + dy), (zoom_keys, key)
            if viewport.scale >= 1:
                assert canvas.cursor == (round(canvas.cursor[0]), round(canvas.cursor[1])), "whole pixels"


async def test_integrity_problems_reported(demo_copy: Path) -> None:
    project = demo_copy / "tui-annotate.json"
    data = json.loads(project.read_text(encoding="utf-8"))
    data["annotations"] = [{"id": "a1", "input_id": data["inputs"][0]["id"], "concept_id": "gone",
                            "box": [-100, -100, 5000, 5000]}]
    project.write_text(json.dumps(data), encoding="utf-8")
    async with running_app(demo_copy) as (app, pilot):
        messages = [n.message for n in app._notifications]
        assert any("1 annotation (a1) refer to a concept id" in m for m in messages)
        assert any("reaches outside its image" in m for m in messages)
        assert "?.1" in screen_text(app)


async def test_keymap_conflict_reported(demo_copy: Path, tmp_path: Path) -> None:
    config = tmp_path / "config" / "tui-annotate"
    config.mkdir(parents=True)
    (config / "keys.toml").write_text('[keys]\n"input.previous" = "p,a"\n', encoding="utf-8")
    async with running_app(demo_copy) as (app, pilot):
        messages = [n.message for n in app._notifications]
        assert any("key 'p' is bound to both 'tool.polygon' and 'input.previous'" in m for m in messages)
