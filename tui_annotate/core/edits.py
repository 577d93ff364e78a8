"""Provides edits: the unit of change, of journaling and of undo.

An edit is a list of changes, and each change sets one record of one collection from
`before` to `after` (None means absent). Applying a change is idempotent, so replaying a
journal twice after a crash gives the same project.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

Payload = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One record of one collection going from `before` to `after`."""

    collection: str
    record_id: str
    before: Payload | None
    after: Payload | None

    def inverted(self) -> Change:
        return Change(self.collection, self.record_id, self.after, self.before)

    def to_json(self) -> Payload:
        return {"c": self.collection, "id": self.record_id, "before": self.before, "after": self.after}

    @classmethod
    def from_json(cls, data: Payload) -> Change:
        return cls(data["c"], data["id"], data.get("before"), data.get("after"))


@dataclass
class Edit:
    """A list of changes made by one user action, with a description for messages.

    Consecutive edits with the same `group` made within a second of each other are one
    undo step (used for moving one instance with the arrow keys).
    """

    description: str
    changes: list[Change]
    group: str | None = None
    made_at: float = field(default_factory=time.time)

    def inverted(self) -> Edit:
        changes = [change.inverted() for change in reversed(self.changes)]
        return Edit(f"undo {self.description}", changes, None, time.time())

    def merged_with(self, later: Edit) -> Edit:
        """Combine this edit with a later one into one step, keeping the earliest `before`."""
        first_before: dict[tuple[str, str], Payload | None] = {}
        for change in self.changes + later.changes:
            first_before.setdefault((change.collection, change.record_id), change.before)
        last_after: dict[tuple[str, str], Payload | None] = {}
        for change in self.changes + later.changes:
            last_after[(change.collection, change.record_id)] = change.after
        changes = [Change(c, i, first_before[(c, i)], after) for (c, i), after in last_after.items()]
        return Edit(later.description, changes, later.group, later.made_at)

    def to_json(self) -> Payload:
        return {
            "description": self.description,
            "group": self.group,
            "made_at": self.made_at,
            "changes": [change.to_json() for change in self.changes],
        }

    @classmethod
    def from_json(cls, data: Payload) -> Edit:
        return cls(
            data.get("description", ""),
            [Change.from_json(change) for change in data["changes"]],
            data.get("group"),
            data.get("made_at", 0.0),
        )
