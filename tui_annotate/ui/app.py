"""Provides AnnotateApp and `create_app`, the one factory shared by the CLI and the tests."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial
from typing import Literal

from collections import deque

from textual import events
from textual._dispatch_key import dispatch_key  # Private: what App._on_key calls in Textual 8.2.8.
from textual.app import App, SystemCommand
from textual.screen import Screen

from ..core.errors import ProjectError
from ..core.store import ProjectStore
from ..core.viewstate import load_view_state, view_state_path
from .bindings import CANVAS_BINDINGS, CLASSIFICATIONS_BINDINGS, OBJECTS_BINDINGS, SCREEN_BINDINGS
from .help import display_keys
from .keymap import load_keymap
from .screen import AnnotateScreen
from .textview import TEXT_BINDINGS

ColorSystem = Literal["truecolor", "256"]


def detect_color_system() -> ColorSystem:
    """Pick truecolour only where COLORTERM or TEXTUAL_COLOR_SYSTEM reports it, else 256 colours.

    OpenSSH does not forward COLORTERM and tmux sets TERM to tmux-256color, so remote
    sessions default to 256 colours, which also sends about 3x fewer bytes per frame.
    """
    wanted = os.environ.get("TEXTUAL_COLOR_SYSTEM", "") or os.environ.get("COLORTERM", "")
    return "truecolor" if wanted.lower() in {"truecolor", "24bit"} else "256"


class AnnotateApp(App[None]):
    """The tui-annotate application on one open project."""

    TITLE = "tui-annotate"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, store: ProjectStore, color_system: ColorSystem | None = None,
                 keymap: dict[str, str] | None = None, keymap_problems: list[str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.color_system: ColorSystem = color_system or detect_color_system()
        self.keymap = keymap or {}
        self.keymap_problems = keymap_problems or []
        self._held_keys: deque[events.Key] = deque()
        self.main_screen = AnnotateScreen(
            store, load_view_state(view_state_path(store.state_dir, store.annotator)), self.color_system
        )

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        self.push_screen(self.main_screen)
        for problem in self.keymap_problems:
            self.notify(problem, severity="warning", timeout=10)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Offer every key binding of the main screen, canvas and Objects pane in the palette."""
        yield from super().get_system_commands(screen)
        if not isinstance(screen, AnnotateScreen):
            return
        targets = [(SCREEN_BINDINGS, screen), (CANVAS_BINDINGS, screen.canvas),
                   (TEXT_BINDINGS, screen.text_view),
                   (OBJECTS_BINDINGS, screen.objects.list),
                   (CLASSIFICATIONS_BINDINGS, screen.classifications.list)]
        for bindings, target in targets:
            for binding in bindings:
                keys = display_keys(self.keymap.get(binding.id or "", binding.key))
                yield SystemCommand(binding.description, f"Key: {keys}", partial(self.run_action, binding.action, target))

    async def _on_key(self, event: events.Key) -> None:
        """Handle main-screen keys in the order they were read, before any binding runs.

        Keys go to an open entry when there is one. While the current input is loading,
        keys are held and replayed once it is shown, so a position typed after `d` is not
        read as concept hotkeys. Textual calls `_on_key` of every class in the MRO, so
        prevent_default stops App's own handler from running the key's binding as well.
        """
        if self.screen is not self.main_screen:
            return
        event.prevent_default()
        event.stop()
        if self._held_keys or self.main_screen.input_loading:
            self._held_keys.append(event)
            return
        await self._handle_main_key(event)

    async def _handle_main_key(self, event: events.Key) -> None:
        screen = self.main_screen
        if screen.entry is not None:
            screen.entry_key(event)
            return
        if screen.hotkey_prefix_armed and not (event.character or "").isdigit():
            screen.clear_hotkey_prefix()
        if not await self._check_bindings(event.key):
            await dispatch_key(self, event)

    async def release_held_keys(self) -> None:
        """Replay keys held while an input was loading, stopping if another load starts."""
        while self._held_keys and not self.main_screen.input_loading and self.screen is self.main_screen:
            await self._handle_main_key(self._held_keys.popleft())

    async def action_quit(self) -> None:
        """Save the view position, fold the journal into the project file and exit.

        When the project file cannot be written, the app exits with code 1 and leaves the
        journal in place. The command line then reports the error.
        """
        self.main_screen.save_view_state()
        try:
            self.store.close()
        except ProjectError:
            self.exit(return_code=1)
            return
        self.exit()


def create_app(store: ProjectStore, color_system: ColorSystem | None = None) -> AnnotateApp:
    keymap, problems = load_keymap()
    return AnnotateApp(store, color_system, keymap, problems)
