"""Provides Emitter: widgets whose edit requests reach their owner at once, in key order.

Textual runs a key's binding in the app's task but delivers a posted message later, from
the receiving widget's queue. A request posted by one key (say "box drawn" on Enter) could
then be handled after the binding of the next key (say `q`, which saves and quits), so the
box would be lost. Widgets that request edits call `emit`, which hands the message to the
owner's `sink` synchronously when the owner has set one.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message


class Emitter:
    """Mixin for a widget that sends edit requests to the screen that owns the state."""

    sink: Callable[[Message], None] | None = None
    """Called with each emitted message in place of posting it; set by the owning screen."""

    def emit(self, message: Message) -> None:
        if self.sink is not None:
            self.sink(message)
        else:
            self.post_message(message)  # type: ignore[attr-defined]
