"""Pilot tests: text inputs are listed, shown, scrolled and classified like images."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, concept_name, disk_state, running_app, settle

FIXTURES = REPO / "tests" / "fixtures" / "texts"


@pytest.fixture
def text_project(demo_copy: Path) -> Path:
    shutil.copy(FIXTURES / "kuhn-utf8-test" / "UTF-8-test.txt", demo_copy / "UTF-8-test.txt")
    shutil.copy(FIXTURES / "rasa-nlu-examples" / "demo-rasa-zh.txt", demo_copy / "chinese.txt")
    (demo_copy / "classes.txt").write_text("cat\ndog\n", encoding="utf-8")
    (demo_copy / "rocket.txt").write_text("0 0.5 0.5 0.1 0.1\n", encoding="utf-8")
    return demo_copy


async def go_to_input(app, pilot, path: str) -> None:
    paths = [item.path for item in app.store.inputs()]
    steps = paths.index(path) - app.main_screen.index
    await pilot.press(*(["d"] * steps))
    await settle(app, pilot)


async def test_texts_listed_without_label_files(text_project: Path) -> None:
    async with running_app(text_project) as (app, pilot):
        paths = [item.path for item in app.store.inputs()]
        kinds = {item.path: item.kind for item in app.store.inputs()}
    assert "UTF-8-test.txt" in paths
    assert "chinese.txt" in paths
    assert kinds["chinese.txt"] == "text"
    assert "classes.txt" not in paths
    assert "rocket.txt" not in paths, "a .txt beside an image of the same stem is a YOLO label file"


async def test_text_shown_with_notice_and_scrolls(text_project: Path) -> None:
    async with running_app(text_project) as (app, pilot):
        await go_to_input(app, pilot, "UTF-8-test.txt")
        view = app.main_screen.text_view
        assert view.display
        assert not app.main_screen.canvas.display
        assert app.focused is view
        first = view.render_line(0).text
        assert "invalid UTF-8" in first
        assert "was not changed" in first
        status = str(app.main_screen.query_one("#status").render())
        assert "UTF-8-test.txt" in status
        assert "text" in status
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.first_line == view.page_height
        await pilot.press("end")
        await pilot.pause()
        assert view.first_line == view.line_count - view.page_height
        await pilot.press("home")
        await pilot.pause()
        assert view.first_line == 0
    original = (FIXTURES / "kuhn-utf8-test" / "UTF-8-test.txt").read_bytes()
    assert (text_project / "UTF-8-test.txt").read_bytes() == original


async def test_text_classified_like_images(text_project: Path) -> None:
    async with running_app(text_project) as (app, pilot):
        await go_to_input(app, pilot, "chinese.txt")
        await pilot.press("c", *"greeting", "enter")
        await pilot.pause()
        await pilot.press("o", "o", "2")  # hotkey 2 (cat) toggles in the Classifications pane
        await pilot.pause()
        assert "Classifications(2)" in str(app.main_screen.query_one("#classifications-header").render())
    state = disk_state(text_project)
    text_id = next(item["id"] for item in state["inputs"] if item["path"] == "chinese.txt")
    assigned = [a for a in state["annotations"] if a["input_id"] == text_id]
    assert sorted(concept_name(text_project, a["concept_id"]) for a in assigned) == ["cat", "greeting"]
    assert all([m["name"] for m in a["annotators"]] == ["qa"] for a in assigned)


async def test_drawing_refused_on_text(text_project: Path) -> None:
    async with running_app(text_project) as (app, pilot):
        await go_to_input(app, pilot, "chinese.txt")
        await pilot.press("b")
        await pilot.pause()
        assert app.main_screen.canvas.tool == "select"
        messages = [n.message for n in app._notifications]
        assert any("Boxes are for images" in m for m in messages)


async def test_hotkey_on_text_toggles_classification(text_project: Path) -> None:
    async with running_app(text_project) as (app, pilot):
        await go_to_input(app, pilot, "chinese.txt")
        await pilot.press("3")
        await pilot.pause()
        assert app.main_screen.canvas.tool == "select", "no drawing mode on a text"
        rows = app.main_screen.classifications.list.rows
        assert [row.name for row in rows] == ["cup"]
        await pilot.press("3")
        await pilot.pause()
        assert app.main_screen.classifications.list.rows == []


async def test_image_keys_refused_on_text(text_project: Path) -> None:
    async with running_app(text_project) as (app, pilot):
        await go_to_input(app, pilot, "chinese.txt")
        await pilot.press("g")
        await pilot.pause()
        assert app.main_screen.entry is None
        messages = [n.message for n in app._notifications]
        assert any("Positions are for images" in m for m in messages)
