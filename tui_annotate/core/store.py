"""Provides ProjectStore: the project in memory, its journal, undo history and file lock.

Side effects: opening a store creates the state folder, recovers journals left by
crashed sessions and holds an exclusive lock on its own journal until `close`.

Durability: `apply` appends the edit to this session's journal and fsyncs it before it
changes memory, so an edit the caller has seen succeed survives a crash. `fold` writes
the project file atomically and empties the journal.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from .edits import Change, Edit, Payload
from .errors import ProjectError, ProjectFileError, ProjectLockedError
from .models import (
    COLLECTIONS,
    PROJECT_FILE_NAME,
    STATE_DIR_NAME,
    Annotation,
    Concept,
    ConceptRelation,
    InputItem,
    Project,
    Record,
    new_id,
)
from .projectfile import fsync_directory, read_project, write_project

log = logging.getLogger(__name__)

FOLD_EVERY = 200
"""Journal lines after which `apply` folds the journal into the project file."""
HISTORY_LIMIT = 1000
"""Undo steps kept per annotator; older steps are dropped when the history is compacted."""
LOCK_TIMEOUT_S = 10.0


def _safe_file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "annotator"


def _file_signature(path: Path) -> tuple[int, int] | None:
    """Return the modification time and size of a file, or None when it does not exist."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return (status.st_mtime_ns, status.st_size)


class ProjectStore:
    """The open project: records in memory, backed by the project file and a journal."""

    def __init__(self, root: Path, project: Project, annotator: str) -> None:
        self.root = root
        self.annotator = annotator
        self.project_path = root / PROJECT_FILE_NAME
        self.state_dir = root / STATE_DIR_NAME
        self._schema_version = project.schema_version
        self._extra: dict[str, Any] = dict(project.model_extra or {})
        self._records: dict[str, dict[str, Record]] = {name: {} for name in COLLECTIONS}
        self._by_input: dict[str, dict[str, None]] = {}
        self._inputs_cache: list[InputItem] | None = None
        """Inputs in project order; rebuilt after an input record changes."""
        self._load_records(project)
        self._journal: IO[str] | None = None
        self._journal_path: Path | None = None
        self._pending = 0
        self.fold_error: str | None = None
        self.merge_conflicts: list[str] = []
        """Edits of this session that another session's save overrode, for the UI to report."""
        """Why the last automatic fold failed, for the UI to show; None after a successful one."""
        self._disk_signature: tuple[int, int] | None = None
        self.undo_stack: list[Edit] = []
        self.redo_stack: list[Edit] = []
        self._history: IO[str] | None = None

    # Opening and closing

    @classmethod
    def open(cls, root: Path, annotator: str) -> ProjectStore:
        """Open the project in folder `root`, creating its state folder if needed.

        Raises ProjectFileError for a missing folder or a project file that fails
        validation; nothing is written in that case.
        """
        root = Path(os.path.abspath(root))
        if not root.exists():
            raise ProjectFileError(root, "folder not found", hint="Check the path, or create the folder and put images in it.")
        if not root.is_dir():
            raise ProjectFileError(root, "is not a folder", hint="Pass the folder that contains the images.")
        project_path = root / PROJECT_FILE_NAME
        # The signature is taken before reading, so that a save by another session between
        # the two makes the next fold read the file again instead of overwriting that save.
        signature = _file_signature(project_path)
        project = read_project(project_path) if signature is not None else Project()
        store = cls(root, project, annotator)
        store._disk_signature = signature
        try:
            (store.state_dir / "journals").mkdir(parents=True, exist_ok=True)
            (store.state_dir / "history").mkdir(exist_ok=True)
        except OSError as error:
            raise ProjectFileError(store.state_dir, f"cannot be created ({error.strerror})",
                                   hint="Open a folder you can write to.") from error
        store._recover_journals()
        store._start_journal()
        store._load_history()
        if not project_path.exists():
            store.fold()
        return store

    def close(self) -> None:
        """Fold the journal into the project file and release this session's files."""
        if self._journal is None:
            return
        self.fold()
        journal, self._journal = self._journal, None
        if self._journal_path is not None:
            self._journal_path.unlink(missing_ok=True)
        journal.close()
        if self._history is not None:
            self._history.close()
            self._history = None

    # Reading

    def concepts(self) -> list[Concept]:
        """Concepts in hotkey order: reordered ones by `order`, the rest in creation order."""
        concepts: list[Concept] = list(self._records["concepts"].values())  # type: ignore[arg-type]
        if any(concept.order is not None for concept in concepts):
            positions = {concept.id: index for index, concept in enumerate(concepts)}
            concepts.sort(key=lambda c: (c.order if c.order is not None else len(concepts) + positions[c.id]))
        return concepts

    def concept(self, concept_id: str) -> Concept | None:
        return self._records["concepts"].get(concept_id)  # type: ignore[return-value]

    def concept_named(self, name: str) -> Concept | None:
        """Return the concept whose name equals `name` ignoring case and outer spaces."""
        wanted = name.strip().casefold()
        for concept in self.concepts():
            if concept.name.casefold() == wanted:
                return concept
        return None

    def inputs(self) -> list[InputItem]:
        return list(self._input_order())

    def input_count(self) -> int:
        return len(self._records["inputs"])

    def input_at(self, index: int) -> InputItem | None:
        """Return the input at position `index` in project order, or None when out of range.

        Unlike `inputs()`, this copies nothing, so the UI can call it on every key.
        """
        order = self._input_order()
        return order[index] if 0 <= index < len(order) else None

    def _input_order(self) -> list[InputItem]:
        if self._inputs_cache is None:
            self._inputs_cache = list(self._records["inputs"].values())  # type: ignore[arg-type]
        return self._inputs_cache

    def input(self, input_id: str) -> InputItem | None:
        return self._records["inputs"].get(input_id)  # type: ignore[return-value]

    def annotation(self, annotation_id: str) -> Annotation | None:
        return self._records["annotations"].get(annotation_id)  # type: ignore[return-value]

    def annotations_for(self, input_id: str) -> list[Annotation]:
        """Annotations of one input in creation order."""
        records = self._records["annotations"]
        return [records[i] for i in self._by_input.get(input_id, ())]  # type: ignore[misc]

    def all_annotations(self) -> list[Annotation]:
        return list(self._records["annotations"].values())  # type: ignore[arg-type]

    def relations(self) -> list[ConceptRelation]:
        return list(self._records["relations"].values())  # type: ignore[arg-type]

    def record(self, collection: str, record_id: str) -> Record | None:
        return self._records[collection].get(record_id)

    def to_project(self) -> Project:
        return Project.model_construct(
            schema_version=self._schema_version,
            concepts=self.concepts(),
            inputs=self.inputs(),
            annotations=self.all_annotations(),
            relations=self.relations(),
            **self._extra,
        )

    # Writing

    def apply(self, edit: Edit, undoable: bool = True) -> None:
        """Validate an edit, journal it durably, then apply it in memory.

        Raises ProjectError when a changed record fails validation; nothing is written then.
        """
        if not edit.changes:
            return
        validated = self._validate(edit)
        self._append_journal(edit)
        for change, record in zip(edit.changes, validated):
            self._put(change.collection, change.record_id, record)
        if undoable:
            self._push_undo(edit)
        self._pending += 1
        if self._pending >= FOLD_EVERY:
            try:
                self.fold()
            except ProjectError as error:
                # The edit is journaled, so it is safe; the next fold (at the latest on quit) retries.
                self.fold_error = str(error)
                log.warning("could not fold the journal: %s", error)
            else:
                self.fold_error = None

    def undo(self) -> Edit | None:
        """Revert the last undoable edit of this annotator and return it, or None."""
        if not self.undo_stack:
            return None
        edit = self.undo_stack.pop()
        self.apply(edit.inverted(), undoable=False)
        self.redo_stack.append(edit)
        self._write_history({"op": "undo"})
        return edit

    def redo(self) -> Edit | None:
        """Apply the last undone edit again and return it, or None."""
        if not self.redo_stack:
            return None
        edit = self.redo_stack.pop()
        self.apply(Edit(edit.description, edit.changes), undoable=False)
        self.undo_stack.append(edit)
        self._write_history({"op": "redo"})
        return edit

    def fold(self) -> None:
        """Write the project file atomically and empty this session's journal.

        When another session rewrote the file since this one read it, the file is read
        again and this session's journal replayed on top, so both sessions' edits survive.
        """
        if self._pending == 0 and self.project_path.exists() and self._signature() == self._disk_signature:
            return  # nothing to save, so the file (and its time stamp) stays as it is
        with self._project_lock():
            if self.project_path.exists() and self._signature() != self._disk_signature:
                self._reload_with_own_journal()
            self._write_project_file()
            if self._journal is not None:
                self._journal.seek(0)
                self._journal.truncate()
                self._journal.flush()
                os.fsync(self._journal.fileno())
        self._pending = 0

    # Internals: records

    def _load_records(self, project: Project) -> None:
        self._inputs_cache = None
        for name in COLLECTIONS:
            table = self._records[name]
            table.clear()
            for record in getattr(project, name):
                table[record.id] = record
        self._by_input.clear()
        for annotation in self._records["annotations"].values():
            self._by_input.setdefault(annotation.input_id, {})[annotation.id] = None  # type: ignore[attr-defined]

    def _validate(self, edit: Edit) -> list[Record | None]:
        validated: list[Record | None] = []
        for change in edit.changes:
            model = COLLECTIONS.get(change.collection)
            if model is None:
                raise ProjectError(f"unknown collection {change.collection!r} in edit {edit.description!r}")
            if change.after is None:
                validated.append(None)
                continue
            try:
                validated.append(model.model_validate(change.after))
            except ValidationError as error:
                first = error.errors()[0]
                raise ProjectError(f"{edit.description}: {first['msg'].removeprefix('Value error, ')}") from error
        return validated

    def _put(self, collection: str, record_id: str, record: Record | None) -> None:
        if collection == "inputs":
            self._inputs_cache = None
        table = self._records[collection]
        old = table.get(record_id)
        # Replacing a key keeps its place in the dict, so an annotation updated on the same input
        # keeps its creation order in both indexes without scanning all annotations.
        moved = collection == "annotations" and (
            record is None or old is None or old.input_id != record.input_id  # type: ignore[attr-defined]
        )
        if moved and old is not None:
            self._by_input.get(old.input_id, {}).pop(record_id, None)  # type: ignore[attr-defined]
        if record is None:
            table.pop(record_id, None)
            return
        table[record_id] = record
        if moved:
            self._by_input.setdefault(record.input_id, {})[record_id] = None  # type: ignore[attr-defined]
            if old is not None:
                self._restore_creation_order(record.input_id)  # type: ignore[attr-defined]

    def _restore_creation_order(self, input_id: str) -> None:
        table = self._records["annotations"]
        ids = [i for i in table if i in self._by_input.get(input_id, {})]
        self._by_input[input_id] = dict.fromkeys(ids)

    def _apply_payload_line(self, line: str, merge: _Merge | None = None) -> bool:
        """Apply one journal line to memory; return False for a torn or invalid line.

        With `merge`, the line is replayed on top of a file that another session changed:
        see `_Merge` for how conflicts are resolved.
        """
        try:
            edit = Edit.from_json(json.loads(line)["edit"])
            if merge is not None:
                edit = merge.rebase(self, edit)
            validated = self._validate(edit)
        except (ValueError, KeyError, TypeError, ProjectError) as error:
            log.warning("skipped an unreadable journal line: %s", error)
            return False
        for change, record in zip(edit.changes, validated):
            self._put(change.collection, change.record_id, record)
        return True

    # Internals: files

    def _signature(self) -> tuple[int, int] | None:
        return _file_signature(self.project_path)

    @contextmanager
    def _project_lock(self) -> Iterator[None]:
        path = self.state_dir / "lock"
        with open(path, "a") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ProjectLockedError(
                            f"{path} is locked by another tui-annotate session for more than"
                            f" {LOCK_TIMEOUT_S:g} s; try again, or check for a stuck process"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _reload_with_own_journal(self) -> None:
        lines: list[str] = []
        if self._journal_path is not None and self._journal_path.exists():
            lines = [line for line in self._journal_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        self._reload_with_lines(lines)

    def _reload_with_lines(self, lines: list[str]) -> None:
        """Read the project file again and replay journal `lines` on top of it."""
        project = read_project(self.project_path)
        self._load_records(project)
        self._extra = dict(project.model_extra or {})
        merge = _Merge()
        for line in lines:
            self._apply_payload_line(line, merge)
        if merge.conflicts:
            self.merge_conflicts.extend(merge.conflicts)
            for conflict in merge.conflicts:
                log.warning("merge conflict: %s", conflict)

    def _recover_journals(self) -> None:
        """Replay journals whose sessions ended without folding, then fold and remove them."""
        recovered: list[tuple[Path, IO[str]]] = []
        recovered_lines: list[str] = []
        for path in sorted((self.state_dir / "journals").glob("*.jsonl")):
            handle = open(path, "r+", encoding="utf-8")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()  # a live session owns it
                continue
            lines = [line for line in handle.read().splitlines() if line.strip()]
            applied = sum(self._apply_payload_line(line) for line in lines)
            if lines:
                log.info("recovered %d of %d journal lines from %s", applied, len(lines), path)
            recovered.append((path, handle))
            recovered_lines += lines
        if not recovered:
            return
        with self._project_lock():
            if self._signature() != self._disk_signature:
                # Another session saved the project after this one read it. Its journal no longer
                # has those edits, so the recovered lines are replayed on top of the new file.
                self._reload_with_lines(recovered_lines)
            self._write_project_file()
        for path, handle in recovered:
            path.unlink(missing_ok=True)
            handle.close()

    def _write_project_file(self) -> None:
        """Write the project file, turning a file system error into a ProjectFileError.

        The journals are kept when writing fails, so no acknowledged edit is lost.
        """
        try:
            write_project(self.project_path, self.to_project())
        except OSError as error:
            raise ProjectFileError(
                self.project_path, f"cannot be written ({error.strerror or error})",
                hint="Your edits are safe in the journal in .tui-annotate/journals. Make the file and its"
                     " folder writable (check permissions, free space and chattr flags), then open the"
                     " project again to save them.",
            ) from error
        self._disk_signature = self._signature()

    def _start_journal(self) -> None:
        # The random part keeps two sessions of one annotator in one process apart, even when
        # they open in the same millisecond.
        stem = f"{_safe_file_stem(self.annotator)}-{os.getpid()}-{int(time.time() * 1000)}-{new_id()}"
        self._journal_path = self.state_dir / "journals" / f"{stem}.jsonl"
        # The journal gets its .jsonl name only once it is locked, so that another session
        # recovering dead journals never finds it unlocked and deletes it as a crashed one.
        creating = self._journal_path.with_suffix(".creating")
        self._journal = open(creating, "a+", encoding="utf-8")
        fcntl.flock(self._journal.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(creating, self._journal_path)
        # The folder entry must be on disk too, or a power cut could lose the whole journal.
        fsync_directory(self._journal_path.parent)

    def _append_journal(self, edit: Edit) -> None:
        if self._journal is None:
            raise ProjectError("the project is closed; open it again to make changes")
        line = json.dumps({"edit": edit.to_json()}, ensure_ascii=False, separators=(",", ":"))
        self._journal.seek(0, os.SEEK_END)
        self._journal.write(line + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())

    # Internals: undo history

    @property
    def history_path(self) -> Path:
        return self.state_dir / "history" / f"{_safe_file_stem(self.annotator)}.jsonl"

    def _load_history(self) -> None:
        path = self.history_path
        entries = 0
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    op = entry["op"]
                    edit = Edit.from_json(entry["edit"]) if "edit" in entry else None
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line after a crash
                entries += 1
                if op == "do" and edit is not None:
                    self.undo_stack.append(edit)
                    self.redo_stack.clear()
                elif op == "amend" and edit is not None and self.undo_stack:
                    self.undo_stack[-1] = edit
                elif op == "undo" and self.undo_stack:
                    self.redo_stack.append(self.undo_stack.pop())
                elif op == "redo" and self.redo_stack:
                    self.undo_stack.append(self.redo_stack.pop())
        if entries > 2 * HISTORY_LIMIT:
            self._compact_history()
        self._history = open(path, "a", encoding="utf-8")

    def _compact_history(self) -> None:
        self.undo_stack = self.undo_stack[-HISTORY_LIMIT:]
        lines = [json.dumps({"op": "do", "edit": edit.to_json()}) for edit in self.undo_stack]
        lines += [json.dumps({"op": "do", "edit": edit.to_json()}) for edit in reversed(self.redo_stack)]
        lines += [json.dumps({"op": "undo"})] * len(self.redo_stack)
        from .projectfile import write_atomic

        write_atomic(self.history_path, "".join(line + "\n" for line in lines))

    def _push_undo(self, edit: Edit) -> None:
        self.redo_stack.clear()
        top = self.undo_stack[-1] if self.undo_stack else None
        if top is not None and edit.group and top.group == edit.group and edit.made_at - top.made_at <= 1.0:
            self.undo_stack[-1] = top.merged_with(edit)
            self._write_history({"op": "amend", "edit": self.undo_stack[-1].to_json()})
            return
        self.undo_stack.append(edit)
        self._write_history({"op": "do", "edit": edit.to_json()})

    def _write_history(self, entry: dict[str, Any]) -> None:
        if self._history is None:
            return
        self._history.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._history.flush()
        os.fsync(self._history.fileno())


REFERENCE_KEYS = {"concept_id": "concepts", "original_id": "concepts", "new_id": "concepts",
                  "renamed_from": "concepts", "input_id": "inputs"}
"""Record fields that hold the id of a concept or an input."""


class _Merge:
    """Rebases this session's journal onto a project file that another session saved.

    A concept or input created here is dropped when the file already has one with the same
    name (ignoring case) or path, and later changes use the file's id instead. A classification
    made in both sessions is kept once, with both sessions' annotators. A change
    applies only when the record is still as the change found it. When another session
    changed or deleted the record first, its version stays and the change is reported as a
    conflict. A change whose result is already there is skipped without a report.
    """

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, str]] = {"concepts": {}, "inputs": {}, "annotations": {}}
        self.conflicts: list[str] = []

    def _remap(self, collection: str, payload: Payload | None) -> Payload | None:
        if payload is None:
            return None
        payload = dict(payload)
        if collection in self.ids and payload.get("id") in self.ids[collection]:
            payload["id"] = self.ids[collection][payload["id"]]
        for key, target in REFERENCE_KEYS.items():
            value = payload.get(key)
            if isinstance(value, str) and value in self.ids[target]:
                payload[key] = self.ids[target][value]
        return payload

    def rebase(self, store: ProjectStore, edit: Edit) -> Edit:
        changes = []
        for change in edit.changes:
            collection = change.collection
            record_id = self.ids.get(collection, {}).get(change.record_id, change.record_id)
            before = self._remap(collection, change.before)
            after = self._remap(collection, change.after)
            if before is None and after is not None and store.record(collection, record_id) is None:
                twin = self._twin(store, collection, after)
                if twin is not None:
                    self.ids.setdefault(collection, {})[record_id] = twin
                    if collection == "annotations":
                        changes += self._add_marks(store, twin, after)
                    continue
            current = store.record(collection, record_id)
            current_payload = current.to_payload() if current is not None else None
            if current_payload == after:
                continue
            if current_payload != before:
                self.conflicts.append(
                    f"{edit.description!r} was not applied to {collection[:-1]} {record_id}, because another"
                    " session changed or deleted it first"
                )
                continue
            changes.append(Change(collection, record_id, before, after))
        return Edit(edit.description, changes, edit.group, edit.made_at)

    @staticmethod
    def _add_marks(store: ProjectStore, twin_id: str, payload: Payload) -> list[Change]:
        """Add the annotators of a classification made twice to the one that is kept."""
        twin = store.record("annotations", twin_id)
        assert twin is not None
        current = twin.to_payload()
        names = {mark["name"] for mark in current.get("annotators", [])}
        added = [mark for mark in payload.get("annotators", []) if mark.get("name") not in names]
        if not added:
            return []
        after = {**current, "annotators": [*current.get("annotators", []), *added]}
        return [Change("annotations", twin_id, current, after)]

    @staticmethod
    def _twin(store: ProjectStore, collection: str, payload: Payload) -> str | None:
        """Return the id of an existing record that `payload` duplicates.

        That is a concept with the same name, an input with the same path, or a classification
        of the same concept on the same input.
        """
        if collection == "concepts" and isinstance(payload.get("name"), str):
            twin = store.concept_named(payload["name"])
            return twin.id if twin is not None else None
        if collection == "inputs":
            for item in store.inputs():
                if item.path == payload.get("path"):
                    return item.id
        if collection == "annotations" and not any(payload.get(key) for key in ("box", "polygon", "mask")):
            for annotation in store.annotations_for(payload.get("input_id", "")):
                if annotation.kind == "classification" and annotation.concept_id == payload.get("concept_id"):
                    return annotation.id
        return None


def change_record(store: ProjectStore, collection: str, record_id: str, after: Record | None) -> Change:
    """Build the change that sets one record to `after` (None deletes it), from its current state."""
    before = store.record(collection, record_id)
    return Change(
        collection,
        record_id,
        before.to_payload() if before is not None else None,
        after.to_payload() if after is not None else None,
    )
