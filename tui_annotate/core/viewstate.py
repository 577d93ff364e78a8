"""Provides each annotator's view state: the input, view and cursor they left off at.

View state is a convenience, so it is written atomically but not journaled, and a
broken file is ignored rather than reported as an error.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .projectfile import write_atomic

log = logging.getLogger(__name__)
MAX_REMEMBERED_INPUTS = 500
"""Inputs whose view and cursor are remembered; the oldest are forgotten first."""


@dataclass
class ViewState:
    """View position of one annotator: current input, per-input view and cursor, hidden items."""

    input_id: str | None = None
    views: dict[str, list[float]] = field(default_factory=dict)
    """Per input id: [left, top, scale] of the viewport."""
    cursors: dict[str, list[float]] = field(default_factory=dict)
    hidden_concepts: list[str] = field(default_factory=list)
    hidden_annotations: list[str] = field(default_factory=list)
    active_concept_id: str | None = None
    text_lines: dict[str, int] = field(default_factory=dict)
    """Per text input id: the wrapped line at the top of the text view."""

    def remember(self, input_id: str, view: tuple[float, float, float] | None,
                 cursor: tuple[float, float] | None) -> None:
        if view is not None:
            self.views.pop(input_id, None)
            self.views[input_id] = list(view)
        if cursor is not None:
            self.cursors.pop(input_id, None)
            self.cursors[input_id] = list(cursor)
        for table in (self.views, self.cursors):
            while len(table) > MAX_REMEMBERED_INPUTS:
                table.pop(next(iter(table)))


def view_state_path(state_dir: Path, annotator: str) -> Path:
    from .store import _safe_file_stem

    return state_dir / "views" / f"{_safe_file_stem(annotator)}.json"


def load_view_state(path: Path) -> ViewState:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return ViewState(
            input_id=data.get("input_id"),
            views=dict(data.get("views", {})),
            cursors=dict(data.get("cursors", {})),
            hidden_concepts=list(data.get("hidden_concepts", [])),
            hidden_annotations=list(data.get("hidden_annotations", [])),
            text_lines=dict(data.get("text_lines", {})),
            active_concept_id=data.get("active_concept_id"),
        )
    except FileNotFoundError:
        return ViewState()
    except (OSError, ValueError, TypeError, AttributeError) as error:
        log.warning("ignored unreadable view state %s: %s", path, error)
        return ViewState()


def save_view_state(path: Path, state: ViewState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "input_id": state.input_id,
        "views": state.views,
        "cursors": state.cursors,
        "hidden_concepts": state.hidden_concepts,
        "hidden_annotations": state.hidden_annotations,
        "active_concept_id": state.active_concept_id,
        "text_lines": dict(list(state.text_lines.items())[-MAX_REMEMBERED_INPUTS:]),
    }
    write_atomic(path, json.dumps(data, indent=1))
