"""Pilot tests: classification, polygons, concept relations, the concept list and annotators."""

from __future__ import annotations

from pathlib import Path

from conftest import annotations_of, concept_name, disk_state, running_app, screen_text

FIRST = "astronaut.png"


async def classify_as(pilot, name: str) -> None:
    await pilot.press("c", *name, "enter")
    await pilot.pause()


async def place(pilot, x: float, y: float) -> None:
    await pilot.press("g", *f"{x:g},{y:g}", "enter", "enter")


def classifications(root: Path) -> list[dict]:
    return [a for a in annotations_of(root, FIRST) if not ({"box", "polygon", "mask"} & a.keys())]


async def test_classify_with_picker_creates_concept(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await classify_as(pilot, "outdoor")
        assert "Classifications(1)" in str(app.main_screen.query_one("#classifications-header").render())
    (assigned,) = classifications(demo_copy)
    assert concept_name(demo_copy, assigned["concept_id"]) == "outdoor"
    assert [mark["name"] for mark in assigned["annotators"]] == ["qa"]


async def test_hotkey_toggles_classification_in_pane(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("o", "o")  # canvas -> Objects -> Classifications
        await pilot.pause()
        assert app.focused is app.main_screen.classifications.list
        await pilot.press("2")
        await pilot.pause()
        assert [concept_name(demo_copy, a["concept_id"]) for a in classifications(demo_copy)] == ["cat"]
        assert app.main_screen.canvas.tool == "select", "a hotkey in this pane does not start drawing"
        await pilot.press("3")
        await pilot.pause()
        assert len(classifications(demo_copy)) == 2
        await pilot.press("2")
        await pilot.pause()
        assert [concept_name(demo_copy, a["concept_id"]) for a in classifications(demo_copy)] == ["cup"]
    names = [c["name"] for c in disk_state(demo_copy)["concepts"]]
    assert "cat" in names, "removing a classification keeps the concept"


async def test_delete_key_unticks_classification(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await classify_as(pilot, "outdoor")
        await pilot.press("o", "o", "delete")
        await pilot.pause()
    assert classifications(demo_copy) == []


async def test_one_classification_per_concept(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await classify_as(pilot, "cat")
        await classify_as(pilot, "cat")
    assert len(classifications(demo_copy)) == 1


async def test_two_annotators_on_one_classification(demo_copy: Path) -> None:
    async with running_app(demo_copy, annotator="qa") as (app, pilot):
        await classify_as(pilot, "cat")
        await pilot.press("q")
    async with running_app(demo_copy, annotator="bo") as (app, pilot):
        await classify_as(pilot, "cat")
        assert "2: qa,bo" in screen_text(app) or "2: qa,bo" in str(
            app.main_screen.classifications.list.get_option_at_index(0).prompt)
        (assigned,) = classifications(demo_copy)
        assert [mark["name"] for mark in assigned["annotators"]] == ["qa", "bo"]
        await pilot.press("o", "o", "delete")  # removes only bo's own mark
        await pilot.pause()
        (assigned,) = classifications(demo_copy)
        assert [mark["name"] for mark in assigned["annotators"]] == ["qa"]
        await pilot.press("delete")  # qa's mark remains, so removing it for everyone needs a yes
        await pilot.pause()
        assert len(classifications(demo_copy)) == 1
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("q")
    assert classifications(demo_copy) == []


async def test_polygon_closes_on_first_vertex(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2", "p")
        for x, y in [(100, 100), (200, 100), (200, 200), (100, 200), (100, 100)]:
            await place(pilot, x, y)
        await pilot.pause()
        assert app.main_screen.canvas.tool == "polygon", "drawing mode stays on"
        assert app.main_screen.canvas.vertices == []
    (polygon,) = annotations_of(demo_copy, FIRST)
    assert polygon["polygon"] == [100, 100, 200, 100, 200, 200, 100, 200]
    assert concept_name(demo_copy, polygon["concept_id"]) == "cat"


async def test_polygon_close_key(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2", "p")
        for x, y in [(10, 10), (60, 10), (30, 50)]:
            await place(pilot, x, y)
        await pilot.press("f")
        await pilot.pause()
    (polygon,) = annotations_of(demo_copy, FIRST)
    assert polygon["polygon"] == [10, 10, 60, 10, 30, 50]


async def test_two_vertex_polygon_rejected(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2", "p")
        await place(pilot, 10, 10)
        await place(pilot, 60, 10)
        await pilot.press("f")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("at least 3 distinct vertices" in m for m in messages)
        assert len(app.main_screen.canvas.vertices) == 2, "the vertices stay for another try"
    assert annotations_of(demo_copy, FIRST) == []


async def test_backspace_and_escape_while_drawing_polygon(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.press("2", "p")
        await place(pilot, 10, 10)
        await place(pilot, 60, 10)
        await pilot.press("backspace")
        assert canvas.vertices == [(10, 10)]
        await pilot.press("escape")
        await pilot.pause()
        assert canvas.vertices == []
        assert canvas.tool == "polygon"
        await pilot.press("escape")
        await pilot.pause()
        assert canvas.tool == "select"
    assert annotations_of(demo_copy, FIRST) == []


async def test_move_insert_and_delete_vertex(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2", "p")
        for x, y in [(100, 100), (200, 100), (200, 200), (100, 200)]:
            await place(pilot, x, y)
        await pilot.press("f", "escape", "tab")
        await pilot.press("e", "e")  # whole polygon -> vertex 1 -> vertex 2
        await pilot.press("right", "shift+down")
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["polygon"] == [100, 100, 201, 110, 200, 200, 100, 200]
        await pilot.press("i")  # a vertex in the middle of the edge from vertex 2 to vertex 3
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["polygon"] == [100, 100, 201, 110, 200.5, 155, 200, 200, 100, 200]
        await pilot.press("x")  # deletes the inserted vertex, which is now the chosen one
        await pilot.pause()
        assert annotations_of(demo_copy, FIRST)[0]["polygon"] == [100, 100, 201, 110, 200, 200, 100, 200]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("x")  # three vertices left: refused
        await pilot.pause()
        assert len(annotations_of(demo_copy, FIRST)[0]["polygon"]) == 6
        messages = [n.message for n in app._notifications]
        assert any("at least 3 vertices" in m for m in messages)


async def test_polygon_in_objects_pane_and_undo(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2", "p")
        for x, y in [(10, 10), (60, 10), (30, 50)]:
            await place(pilot, x, y)
        await pilot.press("f")
        await pilot.pause()
        assert "cat.1" in screen_text(app)
        assert "cat(1)" in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
    assert annotations_of(demo_copy, FIRST) == []


async def test_rename_instance_creates_relation(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("1")  # person
        await place(pilot, 100, 100)
        await place(pilot, 200, 200)
        await pilot.press("escape", "tab", "r", *"kite", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "kite.1ᵖᵉʳˢᵒⁿ" in text, "the original concept is shown as a superscript"
        state = disk_state(demo_copy)
        (relation,) = state["relations"]
        assert concept_name(demo_copy, relation["original_id"]) == "person"
        assert concept_name(demo_copy, relation["new_id"]) == "kite"
        # A new box drawn with the original concept gets the new one.
        await pilot.press("1")
        await pilot.pause()
        assert "kite" in app.main_screen.canvas.concept_label
        await place(pilot, 300, 300)
        await place(pilot, 350, 350)
        second = annotations_of(demo_copy, FIRST)[1]
        assert concept_name(demo_copy, second["concept_id"]) == "kite"
        # Renaming the first one back to its original removes it from this input.
        await pilot.press("escape", "escape", "tab")
        await pilot.pause()
        first_id = annotations_of(demo_copy, FIRST)[0]["id"]
        assert app.main_screen.canvas.selected_id == first_id
        await pilot.press("r", *"person", "enter")
        await pilot.pause()
    remaining = annotations_of(demo_copy, FIRST)
    assert [a["id"] for a in remaining] == [second["id"]]
    names = [c["name"] for c in disk_state(demo_copy)["concepts"]]
    assert "person" in names
    assert "kite" in names
    assert len(disk_state(demo_copy)["relations"]) == 1


async def test_rename_cycle_refused(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("4")  # rocket
        await place(pilot, 10, 10)
        await place(pilot, 60, 60)
        await pilot.press("escape", "tab", "r", *"kite", "enter")  # relation rocket -> kite
        await pilot.pause()
        await pick_and_draw(pilot, "kite", (100, 100), (160, 160))
        await pilot.press("escape", "escape", "tab", "tab")
        await pilot.pause()
        second = annotations_of(demo_copy, FIRST)[1]
        assert app.main_screen.canvas.selected_id == second["id"]
        await pilot.press("r", *"rocket", "enter")  # kite -> rocket would close rocket -> kite -> rocket
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("cycle" in m for m in messages)
    assert len(disk_state(demo_copy)["relations"]) == 1
    assert concept_name(demo_copy, annotations_of(demo_copy, FIRST)[1]["concept_id"]) == "kite"


async def pick_and_draw(pilot, name: str, a: tuple[float, float], b: tuple[float, float]) -> None:
    await pilot.press("slash", *name, "enter", "b")
    await place(pilot, *a)
    await place(pilot, *b)
    await pilot.pause()


async def test_concept_list_renames_reorders_deletes(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2")
        await place(pilot, 10, 10)
        await place(pilot, 60, 60)
        await pilot.press("escape", "C")
        await pilot.pause()
        await pilot.press("down", "r", *"kitten", "enter")  # rename "cat" everywhere
        await pilot.pause()
        await pilot.press("left_square_bracket")  # kitten moves to hotkey 1
        await pilot.pause()
        await pilot.press("down", "delete")  # person is unused: deleted
        await pilot.pause()
        await pilot.press("home", "delete")  # kitten is in use: refused
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("is used by 1 annotation" in m for m in messages)
        await pilot.press("escape")
        await pilot.pause()
        assert "kitten.1" in screen_text(app)
    state = disk_state(demo_copy)
    names = [c["name"] for c in sorted(state["concepts"], key=lambda c: c.get("order", 99))]
    assert names[0] == "kitten"
    assert "person" not in names
    assert "cat" not in names
    assert concept_name(demo_copy, annotations_of(demo_copy, FIRST)[0]["concept_id"]) == "kitten"


async def test_mask_listed_hidden_and_deleted(demo_copy: Path) -> None:
    import numpy as np
    from PIL import Image

    from tui_annotate.cli import open_store
    from tui_annotate.core.masks import attach_mask

    inside = np.zeros((512, 512), dtype=np.uint8)
    inside[100:200, 150:300] = 255
    mask_file = demo_copy.parent / "mask.png"
    Image.fromarray(inside).save(mask_file)
    store = open_store(demo_copy, "qa")
    store.apply(attach_mask(store, FIRST, mask_file, "cat", (512, 512)))
    store.close()
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        assert "cat.1" in screen_text(app)
        column, row = canvas.viewport.cell_at(220, 150)
        tinted = canvas._samples[2 * row, column].copy()
        await pilot.press("o", "down", "v")  # hide the instance row
        await pilot.pause()
        canvas.render_line(0)
        assert not np.array_equal(canvas._samples[2 * row, column], tinted), "hiding removes the tint"
        await pilot.press("v", "delete")
        await pilot.pause()
    assert annotations_of(demo_copy, FIRST) == []


async def test_backspace_while_drawing_keeps_selection(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("2", "p")
        for x, y in [(10, 10), (60, 10), (30, 50)]:
            await place(pilot, x, y)
        await pilot.press("f", "escape", "tab", "p")
        await pilot.pause()
        assert app.main_screen.canvas.selected_id is None, "drawing mode clears the selection"
        await place(pilot, 100, 100)
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
    assert len(annotations_of(demo_copy, FIRST)) == 1


async def test_vertex_on_first_too_early_rejected(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        canvas = app.main_screen.canvas
        await pilot.press("2", "p")
        for x, y in [(100, 100), (200, 100), (100, 100)]:
            await place(pilot, x, y)
        await pilot.pause()
        assert canvas.vertices == [(100, 100), (200, 100)]
        messages = [n.message for n in app._notifications]
        assert any("already placed" in m for m in messages)


async def test_hotkey_adds_mark_to_others_classification(demo_copy: Path) -> None:
    async with running_app(demo_copy, annotator="bob") as (app, pilot):
        await classify_as(pilot, "cat")
        await pilot.press("q")
    async with running_app(demo_copy, annotator="alice") as (app, pilot):
        await pilot.press("o", "o", "2")
        await pilot.pause()
        assert app.main_screen.entry is None, "no question: the mark is added"
    (assigned,) = classifications(demo_copy)
    assert [mark["name"] for mark in assigned["annotators"]] == ["bob", "alice"]


async def test_reassign_drops_superscript(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("1")
        await place(pilot, 100, 100)
        await place(pilot, 200, 200)
        await pilot.press("escape", "tab", "r", *"kite", "enter")
        await pilot.pause()
        await pilot.press("tab", "o", "R", *"cat", "enter")  # the selected instance's row is highlighted
        await pilot.pause()
        assert "cat.1" in screen_text(app)
        assert "ᵖᵉʳˢᵒⁿ" not in screen_text(app)
    (box,) = annotations_of(demo_copy, FIRST)
    assert concept_name(demo_copy, box["concept_id"]) == "cat"
    assert "renamed_from" not in box


async def test_concept_list_removes_relation(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await pilot.press("1")
        await place(pilot, 100, 100)
        await place(pilot, 200, 200)
        await pilot.press("escape", "tab", "r", *"kite", "enter", "C")  # relation person -> kite
        await pilot.pause()
        await pilot.press("home", "x", "escape")
        await pilot.pause()
        assert disk_state(demo_copy)["relations"] == []
        await pilot.press("1")
        await pilot.pause()
        assert app.main_screen.canvas.concept_label == "person", "new annotations keep the concept again"
    (box,) = annotations_of(demo_copy, FIRST)
    assert concept_name(demo_copy, box["concept_id"]) == "kite", "the renamed annotation keeps its concept"
