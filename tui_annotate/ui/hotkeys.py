"""Provides the mapping between concept positions and their hotkeys."""

from __future__ import annotations

from .bindings import HOTKEY_COUNT


def hotkey_label(number: int) -> str:
    """Return the keys for the concept at 1-based position `number`: "1" to "0", then ";1" to ";0", or ""."""
    if number < 1 or number > HOTKEY_COUNT:
        return ""
    digit = str(number % 10)
    return digit if number <= 10 else f";{digit}"
