"""Provides every key binding of the app, declared once.

The footer, the help screen and the command palette are all built from these lists, and
each binding has an id that users can remap in the key map file (see `keymap.py`).
"""

from __future__ import annotations

from textual.binding import Binding

from .textview import TEXT_BINDINGS

HOTKEY_COUNT = 20
"""Concepts reachable by hotkey: 1-9 and 0 give 1-10, `;` then a digit gives 11-20."""


def _hotkey_bindings() -> list[Binding]:
    bindings = []
    for number in range(1, 11):
        key = str(number % 10)
        bindings.append(
            Binding(key, f"hotkey({number})", f"Concept {number}: draw, or reassign the selection",
                    show=False, id=f"concept.{number}")
        )
    return bindings


SCREEN_BINDINGS: list[Binding] = [
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("q", "quit", "Quit", id="app.quit"),
    Binding("slash", "pick_concept", "Concept", id="concept.pick"),
    Binding("b", "draw_boxes", "Box", id="tool.box"),
    Binding("p", "draw_polygons", "Polygon", id="tool.polygon"),
    Binding("c", "classify", "Classify", id="input.classify"),
    Binding("r", "rename_selected", "Rename concept of the selection (relation)", show=False, id="edit.rename"),
    Binding("C", "concept_list", "Concept list: rename, reorder, delete", show=False, id="concept.list"),
    Binding("s", "select_tool", "Select", id="tool.select"),
    Binding("d", "next_input", "Next", id="input.next"),
    Binding("a", "previous_input", "Prev", id="input.previous"),
    Binding("u,ctrl+z", "undo", "Undo", id="edit.undo"),
    Binding("ctrl+y,ctrl+r", "redo", "Redo", id="edit.redo"),
    Binding("g", "go_to", "Go to x,y", id="cursor.goto"),
    Binding("plus", "zoom_in", "Zoom in", show=False, id="view.zoom_in"),
    Binding("minus", "zoom_out", "Zoom out", show=False, id="view.zoom_out"),
    Binding("equals_sign", "zoom_fit", "Fit image", show=False, id="view.fit"),
    Binding("v", "toggle_overlays", "Hide/show all overlays", show=False, id="view.overlays"),
    Binding("o", "focus_panes", "Focus: canvas, Objects, Classifications", show=False, id="focus.panes"),
    Binding("semicolon", "hotkey_prefix", "Concepts 11-20: press ; then a digit", show=False,
            id="concept.prefix"),
    *_hotkey_bindings(),
]
"""Keys that work wherever the focus is on the main screen."""

CANVAS_BINDINGS: list[Binding] = [
    Binding("left,h", "nudge(-1,0)", "Cursor or selection left", show=False, id="cursor.left"),
    Binding("right,l", "nudge(1,0)", "Cursor or selection right", show=False, id="cursor.right"),
    Binding("up,k", "nudge(0,-1)", "Cursor or selection up", show=False, id="cursor.up"),
    Binding("down,j", "nudge(0,1)", "Cursor or selection down", show=False, id="cursor.down"),
    Binding("shift+left,H", "nudge(-10,0)", "Left by ten", show=False, id="cursor.left10"),
    Binding("shift+right,L", "nudge(10,0)", "Right by ten", show=False, id="cursor.right10"),
    Binding("shift+up,K", "nudge(0,-10)", "Up by ten", show=False, id="cursor.up10"),
    Binding("shift+down,J", "nudge(0,10)", "Down by ten", show=False, id="cursor.down10"),
    Binding("enter,space", "place", "Place corner / select", id="canvas.place"),
    Binding("escape", "escape", "Exit drawing / clear selection", show=False, id="canvas.escape"),
    Binding("tab", "step_instance(1)", "Next instance", show=False, id="canvas.next_instance"),
    Binding("shift+tab", "step_instance(-1)", "Previous instance", show=False,
            id="canvas.previous_instance"),
    Binding("e", "cycle_handle", "Move whole / edges / vertices", show=False, id="canvas.handle"),
    Binding("f", "close_polygon", "Close polygon", id="canvas.close_polygon"),
    Binding("i", "insert_vertex", "Insert vertex after the chosen one", show=False, id="canvas.insert_vertex"),
    Binding("x", "delete_vertex", "Delete chosen vertex", show=False, id="canvas.delete_vertex"),
    Binding("delete,backspace", "delete_selected", "Delete selection / last vertex", show=False, id="canvas.delete"),
]
"""Keys of the image canvas: they apply while the canvas has focus."""

OBJECTS_BINDINGS: list[Binding] = [
    Binding("b", "draw_category", "Draw this concept", show=True, id="objects.draw"),
    Binding("r", "rename_or_reassign", "Rename on this input (relation)", show=True, id="objects.rename"),
    Binding("R", "reassign", "Reassign instance to another concept", show=False, id="objects.reassign"),
    Binding("v", "toggle_hidden", "Hide/show", show=True, id="objects.hide"),
    Binding("delete,backspace", "delete_row", "Delete", show=True, id="objects.delete"),
    Binding("i", "show_annotators", "Annotators", show=True, id="objects.annotators"),
    Binding("escape", "back_to_canvas", "Back to canvas", show=False, id="objects.back"),
]
"""Keys of the Objects pane: they apply while the pane has focus."""

CLASSIFICATIONS_BINDINGS: list[Binding] = [
    Binding("delete,backspace,space", "remove_row", "Remove (untick) the classification", show=True,
            id="classifications.remove"),
    Binding("r", "rename_row", "Rename on this input (relation)", show=True, id="classifications.rename"),
    Binding("i", "show_annotators", "Annotators", show=False, id="classifications.annotators"),
    Binding("escape", "back_to_canvas", "Back to canvas", show=False, id="classifications.back"),
]
"""Keys of the Classifications pane; concept hotkeys there toggle that concept on the input."""

BINDING_GROUPS: list[tuple[str, list[Binding]]] = [
    ("Everywhere", SCREEN_BINDINGS),
    ("Image canvas", CANVAS_BINDINGS),
    ("Text view", TEXT_BINDINGS),
    ("Objects pane", OBJECTS_BINDINGS),
    ("Classifications pane", CLASSIFICATIONS_BINDINGS),
]
