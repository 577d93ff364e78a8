"""Pilot tests: keys that arrive in one burst (over SSH, or from tmux send-keys) keep their order.

Pilot's `press` waits for the app to go idle after every key, which hides ordering bugs.
These tests post all keys at once, as a terminal read of several keys would deliver them.
"""

from __future__ import annotations

from pathlib import Path

from textual import events

from conftest import annotations_of, concept_name, running_app, settle

FIRST = "astronaut.png"
NAMED = {",": "comma", ".": "full_stop", "/": "slash", ";": "semicolon", " ": "space"}


def key_event(token: str) -> events.Key:
    if len(token) == 1:
        return events.Key(NAMED.get(token, token), token)
    return events.Key(token, "\r" if token == "enter" else None)


async def burst(app, pilot, *tokens: str) -> None:
    """Send every key through the driver without waiting in between, then let the app catch up.

    Multi-character tokens are key names ("enter") unless they contain a digit or comma,
    in which case they are typed one character at a time ("120,80").
    """
    for token in tokens:
        typed = len(token) == 1 or any(c.isdigit() or c == "," for c in token)
        for piece in (list(token) if typed else [token]):
            event = key_event(piece)
            event.set_sender(app)
            app._driver.send_message(event)  # Private: the path a terminal's keys take in Pilot.
    await settle(app, pilot)
    await settle(app, pilot)


async def test_walkthrough_as_one_burst(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await burst(app, pilot, "/", "c", "a", "t", "enter", "b",
                    "g", "120,80", "enter", "enter", "g", "300,200", "enter", "enter", "q")
    (box,) = annotations_of(demo_copy, FIRST)
    assert box["box"] == [120, 80, 300, 200]
    assert concept_name(demo_copy, box["concept_id"]) == "cat"


async def test_box_then_next_input_in_burst(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await burst(app, pilot, "2", "g", "120,80", "enter", "enter", "g", "300,200", "enter", "enter", "d")
        assert app.main_screen.current_input.path == "camera.png"
    (box,) = annotations_of(demo_copy, FIRST)
    assert box["box"] == [120, 80, 300, 200]
    assert annotations_of(demo_copy, "camera.png") == []


async def test_held_arrow_moves_box_every_press(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await burst(app, pilot, "2", "g", "100,100", "enter", "enter", "g", "200,200", "enter", "enter",
                    "escape", "tab", *["l"] * 50)
    (box,) = annotations_of(demo_copy, FIRST)
    assert box["box"] == [150, 100, 250, 200]


async def test_delete_then_quit_in_burst(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await burst(app, pilot, "2", "g", "100,100", "enter", "enter", "g", "200,200", "enter", "enter",
                    "escape", "tab", "delete", "q")
    assert annotations_of(demo_copy, FIRST) == []


async def test_keys_typed_while_input_loads(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        # chelsea.png (the third input) is neither shown nor prefetched yet.
        await burst(app, pilot, "d", "d", "4", "g", "50,50", "enter", "enter", "g", "150,150", "enter", "enter")
        assert app.main_screen.current_input.path == "chelsea.png"
    (box,) = annotations_of(demo_copy, "chelsea.png")
    assert box["box"] == [50, 50, 150, 150]
    assert concept_name(demo_copy, box["concept_id"]) == "rocket"


async def test_prefix_cleared_by_other_key(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await burst(app, pilot, ";", "escape", "1")
        assert "person" in app.main_screen.canvas.concept_label


async def test_focus_cycle_in_burst(demo_copy: Path) -> None:
    async with running_app(demo_copy) as (app, pilot):
        await burst(app, pilot, "o", "o")
        assert app.focused is app.main_screen.classifications.list
        await burst(app, pilot, "o")
        assert app.focused is app.main_screen.canvas
