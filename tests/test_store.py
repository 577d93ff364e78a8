"""Tests of ProjectStore: edits in memory and on disk, undo history, crashes and sharing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tui_annotate.core import operations
from tui_annotate.core import store as store_module
from tui_annotate.core.errors import GeometryError, ProjectError, ProjectFileError
from tui_annotate.core.models import PROJECT_FILE_NAME, STATE_DIR_NAME, Annotation, Concept, Project
from tui_annotate.core.projectfile import read_project, write_project
from tui_annotate.core.store import ProjectStore

WIDTH = 640
HEIGHT = 480
WRITER = Path(__file__).with_name("journal_writer.py")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return project


def read_json(folder: Path) -> dict:
    return json.loads((folder / PROJECT_FILE_NAME).read_text(encoding="utf-8"))


def records_by_id(data: dict, collection: str) -> dict[str, dict]:
    return {record["id"]: record for record in data[collection]}


def seed(store: ProjectStore) -> tuple[str, str, str]:
    """Add concepts "cat" and "dog" and one 640x480 input, and return their ids."""
    edit, cat = operations.add_concept(store, "cat")
    store.apply(edit)
    edit, dog = operations.add_concept(store, "dog")
    store.apply(edit)
    store.apply(operations.add_inputs(store, ["images/photo.png"]))
    input_id = store.inputs()[0].id
    store.apply(operations.set_input_size(store, input_id, WIDTH, HEIGHT))
    return cat.id, dog.id, input_id


def draw_box(store: ProjectStore, input_id: str, concept_id: str, box: tuple[float, float, float, float]) -> str:
    edit, annotation = operations.add_box(store, input_id, concept_id, box[:2], box[2:], WIDTH, HEIGHT)
    store.apply(edit)
    return annotation.id


# Opening


def test_open_new_folder_creates_files(folder):
    store = ProjectStore.open(folder, "alice")
    store.close()

    assert (folder / PROJECT_FILE_NAME).is_file()
    assert (folder / STATE_DIR_NAME).is_dir()
    assert read_json(folder)["schema_version"] == 1
    assert read_json(folder)["annotations"] == []


def test_open_missing_folder_raises(tmp_path):
    missing = tmp_path / "nowhere"

    with pytest.raises(ProjectFileError) as caught:
        ProjectStore.open(missing, "alice")

    assert str(missing) in str(caught.value)
    assert not missing.exists()


def test_open_file_instead_of_folder_raises(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"not a folder")

    with pytest.raises(ProjectFileError) as caught:
        ProjectStore.open(path, "alice")

    assert str(path) in str(caught.value)


# Edits in memory and on disk


def test_add_concept_saved(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, _ = seed(store)
    assert [concept.name for concept in store.concepts()] == ["cat", "dog"]
    store.close()

    concepts = read_json(folder)["concepts"]
    assert [concept["id"] for concept in concepts] == [cat_id, dog_id]
    assert [concept["name"] for concept in concepts] == ["cat", "dog"]


def test_add_box_saved(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)

    box_id = draw_box(store, input_id, cat_id, (300, 200, 100, 50))
    annotation = store.annotation(box_id)
    assert annotation is not None
    assert annotation.box == [100, 50, 300, 200]
    assert annotation.concept_id == cat_id
    assert [mark.name for mark in annotation.annotators] == ["alice"]
    assert [a.id for a in store.annotations_for(input_id)] == [box_id]
    store.close()

    saved = records_by_id(read_json(folder), "annotations")[box_id]
    assert saved["box"] == [100, 50, 300, 200]
    assert saved["input_id"] == input_id
    assert saved["concept_id"] == cat_id
    assert saved["annotators"][0]["name"] == "alice"


def test_set_box_saved(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))

    store.apply(operations.set_box(store, box_id, (12.5, 11, 52.5, 49)))
    assert store.annotation(box_id).box == [12.5, 11, 52.5, 49]
    assert store.annotation(box_id).updated_at is not None
    store.close()

    saved = records_by_id(read_json(folder), "annotations")[box_id]
    assert saved["box"] == [12.5, 11, 52.5, 49]
    assert "updated_at" in saved


def test_reassign_saved(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))

    store.apply(operations.reassign(store, box_id, dog_id))
    assert store.annotation(box_id).concept_id == dog_id
    store.close()

    saved = records_by_id(read_json(folder), "annotations")[box_id]
    assert saved["concept_id"] == dog_id
    assert len(read_json(folder)["concepts"]) == 2


def test_delete_parent_keeps_child(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, input_id = seed(store)
    parent_id = draw_box(store, input_id, cat_id, (10, 10, 300, 300))
    child_id = draw_box(store, input_id, dog_id, (50, 50, 100, 100))
    assert store.annotation(child_id).parent_id == parent_id

    store.apply(operations.delete_annotations(store, [parent_id], "delete box"))
    assert store.annotation(parent_id) is None
    assert store.annotation(child_id) is not None
    assert store.annotation(child_id).parent_id is None
    assert [a.id for a in store.annotations_for(input_id)] == [child_id]
    store.close()

    saved = records_by_id(read_json(folder), "annotations")
    assert parent_id not in saved
    assert child_id in saved
    assert saved[child_id].get("parent_id") is None
    assert len(read_json(folder)["concepts"]) == 2


def test_undo_delete_restores_parent_link(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, input_id = seed(store)
    parent_id = draw_box(store, input_id, cat_id, (10, 10, 300, 300))
    child_id = draw_box(store, input_id, dog_id, (50, 50, 100, 100))
    store.apply(operations.delete_annotations(store, [parent_id], "delete box"))

    store.undo()
    assert store.annotation(parent_id) is not None
    assert store.annotation(child_id).parent_id == parent_id
    store.close()

    saved = records_by_id(read_json(folder), "annotations")
    assert parent_id in saved
    assert saved[child_id]["parent_id"] == parent_id


def test_rename_concept_saved(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))

    store.apply(operations.rename_concept(store, cat_id, "  house   cat "))
    assert store.concept(cat_id).name == "house cat"
    assert store.annotation(box_id).concept_id == cat_id
    store.close()

    saved = records_by_id(read_json(folder), "concepts")
    assert saved[cat_id]["name"] == "house cat"
    assert records_by_id(read_json(folder), "annotations")[box_id]["concept_id"] == cat_id


def test_edits_saved_after_reopen(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    store.apply(operations.reassign(store, box_id, dog_id))
    store.close()

    reopened = ProjectStore.open(folder, "bob")
    assert reopened.annotation(box_id).concept_id == dog_id
    assert reopened.annotation(box_id).box == [10, 10, 50, 50]
    assert [concept.id for concept in reopened.concepts()] == [cat_id, dog_id]
    reopened.close()


def test_apply_after_close_raises(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    store.close()
    edit, _ = operations.add_box(store, input_id, cat_id, (1, 1), (5, 5), WIDTH, HEIGHT)

    with pytest.raises(Exception, match="closed"):
        store.apply(edit)

    assert read_json(folder)["annotations"] == []


def test_moved_box_keeps_creation_order(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, input_id = seed(store)
    ids = [draw_box(store, input_id, cat_id, (10 + 40 * i, 10, 40 + 40 * i, 40)) for i in range(3)]

    store.apply(operations.set_box(store, ids[0], (11, 10, 41, 40)))
    store.apply(operations.reassign(store, ids[1], dog_id))

    assert [a.id for a in store.annotations_for(input_id)] == ids
    assert [a.id for a in store.all_annotations()] == ids
    store.close()
    assert [record["id"] for record in read_json(folder)["annotations"]] == ids


def test_add_box_below_stored_precision(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)

    with pytest.raises(GeometryError) as caught:
        operations.add_box(store, input_id, cat_id, (10, 10), (10.00004, 20), WIDTH, HEIGHT)

    assert "10.00004" in str(caught.value)
    assert store.all_annotations() == []
    store.close()


def test_set_box_below_stored_precision(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))

    with pytest.raises(GeometryError):
        operations.set_box(store, box_id, (10, 10, 10.00001, 50))

    assert store.annotation(box_id).box == [10, 10, 50, 50]
    store.close()


def test_box_drawn_twice_not_nested(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    # The stored box rounds its left and top edges down and its right and bottom edges up,
    # so the stored first box contains the exact second one.
    corners = (10 / 3, 10 / 3, 200 / 3, 200 / 3)

    first = draw_box(store, input_id, cat_id, corners)
    second = draw_box(store, input_id, cat_id, corners)

    assert store.annotation(second).box == store.annotation(first).box
    assert store.annotation(second).parent_id is None
    store.close()


def test_infinite_box_rejected(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))

    with pytest.raises(ProjectError):
        store.apply(operations.set_box(store, box_id, (10, 10, float("inf"), 50)))

    assert store.annotation(box_id).box == [10, 10, 50, 50]
    store.close()
    assert "Infinity" not in (folder / PROJECT_FILE_NAME).read_text(encoding="utf-8")


# Unknown keys and exact numbers


def write_project_with_unknown_keys(folder: Path) -> None:
    data = {
        "schema_version": 1,
        "owner": {"team": "vision", "tags": ["a", "b"]},
        "concepts": [{"id": "c1", "name": "cat", "synonyms": ["kitty"]}],
        "inputs": [{"id": "i1", "path": "a.png", "width": WIDTH, "height": HEIGHT, "camera": "X100"}],
        "annotations": [
            {"id": "a1", "input_id": "i1", "concept_id": "c1", "box": [1.5, 2.25, 30, 40],
             "score": 0.875, "source": {"model": "detector-v2"}},
        ],
    }
    (folder / PROJECT_FILE_NAME).write_text(json.dumps(data), encoding="utf-8")


def test_unknown_keys_survive(folder):
    write_project_with_unknown_keys(folder)
    store = ProjectStore.open(folder, "alice")
    store.apply(operations.set_box(store, "a1", (2.5, 3.25, 31, 41)))
    draw_box(store, "i1", "c1", (100, 100, 200, 200))
    store.close()

    data = read_json(folder)
    assert data["owner"] == {"team": "vision", "tags": ["a", "b"]}
    assert records_by_id(data, "concepts")["c1"]["synonyms"] == ["kitty"]
    assert records_by_id(data, "inputs")["i1"]["camera"] == "X100"
    edited = records_by_id(data, "annotations")["a1"]
    assert edited["box"] == [2.5, 3.25, 31, 41]
    assert edited["score"] == 0.875
    assert edited["source"] == {"model": "detector-v2"}


def test_unknown_null_values_survive(folder):
    data = {
        "schema_version": 1,
        "reviewed_by": None,
        "concepts": [{"id": "c1", "name": "cat", "parent_concept": None}],
    }
    (folder / PROJECT_FILE_NAME).write_text(json.dumps(data), encoding="utf-8")
    store = ProjectStore.open(folder, "alice")
    store.apply(operations.rename_concept(store, "c1", "kitten"))
    store.close()

    saved = read_json(folder)
    assert "reviewed_by" in saved
    assert saved["reviewed_by"] is None
    assert "parent_concept" in saved["concepts"][0]
    assert saved["concepts"][0]["parent_concept"] is None


@pytest.mark.parametrize(
    "corners",
    [
        (0.1 + 0.2, 1 / 3, 100.123456789, 200.987654321),
        (12.34565, 0.00005, 639.99995, 479.99999),
        (1e-4, 2e-4, 3e-4, 4e-4),
    ],
)
def test_saved_box_reloads_exactly(folder, corners):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, corners)
    in_memory = list(store.annotation(box_id).box)
    store.close()

    reopened = ProjectStore.open(folder, "bob")
    reloaded = reopened.annotation(box_id).box
    reopened.close()
    assert reloaded == in_memory
    assert read_project(folder / PROJECT_FILE_NAME).annotations[0].box == in_memory


def test_moved_box_reloads_exactly(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    store.apply(operations.set_box(store, box_id, (10.1 + 0.2, 1 / 7, 50.00001, 50.7)))
    in_memory = list(store.annotation(box_id).box)
    store.close()

    reopened = ProjectStore.open(folder, "bob")
    assert reopened.annotation(box_id).box == in_memory
    reopened.close()


def test_project_file_round_trip(folder):
    names = ["caf\u00e9", "line\nbreak", 'quote " and \\ backslash', "\U0001f408 cat", "tab\there"]
    concepts = [Concept(name=name) for name in names]
    boxes = [[1e-05, 2.5e-05, 1e16, 3e16], [0.1, 0.2, 0.30000000000000004, 1 / 3], [5e-324, 1.0, 2.0, 3.0]]
    annotations = [Annotation(input_id="i1", concept_id=concepts[0].id, box=box) for box in boxes]
    project = Project(concepts=concepts, annotations=annotations, note="\u2028 separator")
    path = folder / PROJECT_FILE_NAME

    write_project(path, project)
    text = path.read_text(encoding="utf-8")
    reloaded = read_project(path)

    assert reloaded.model_dump() == project.model_dump()
    assert [concept.name for concept in reloaded.concepts] == names
    assert [annotation.box for annotation in reloaded.annotations] == boxes
    # One record per line: every concept and annotation line parses on its own.
    record_lines = [line.strip().rstrip(",") for line in text.splitlines() if line.startswith("    {")]
    assert len(record_lines) == len(concepts) + len(annotations)
    for line in record_lines:
        assert isinstance(json.loads(line), dict)


# Undo and redo


def test_undo_redo_box(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    edit = operations.set_box(store, box_id, (20, 20, 60, 60))
    edit.made_at -= 10
    store.apply(edit)

    assert store.undo() is not None
    assert store.annotation(box_id).box == [10, 10, 50, 50]
    assert store.undo() is not None
    assert store.annotation(box_id) is None
    assert store.redo() is not None
    assert store.annotation(box_id).box == [10, 10, 50, 50]
    store.close()

    saved = records_by_id(read_json(folder), "annotations")
    assert saved[box_id]["box"] == [10, 10, 50, 50]


def test_undo_empty_history(folder):
    store = ProjectStore.open(folder, "alice")

    assert store.undo() is None
    assert store.redo() is None
    store.close()


def test_new_edit_clears_redo(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    store.undo()
    assert store.redo_stack

    draw_box(store, input_id, dog_id, (100, 100, 150, 150))

    assert store.redo_stack == []
    assert store.redo() is None
    assert store.annotation(box_id) is None
    store.close()


def test_undo_history_survives_restart(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, dog_id, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    store.apply(operations.reassign(store, box_id, dog_id))
    store.close()

    reopened = ProjectStore.open(folder, "alice")
    assert reopened.undo() is not None
    assert reopened.annotation(box_id).concept_id == cat_id
    reopened.close()

    again = ProjectStore.open(folder, "alice")
    assert again.annotation(box_id).concept_id == cat_id
    assert again.undo() is not None
    assert again.annotation(box_id) is None
    assert again.redo() is not None
    assert again.annotation(box_id).concept_id == cat_id
    again.close()

    last = ProjectStore.open(folder, "alice")
    assert last.redo() is not None
    assert last.annotation(box_id).concept_id == dog_id
    assert last.redo() is None
    last.close()
    assert records_by_id(read_json(folder), "annotations")[box_id]["concept_id"] == dog_id


def test_undo_history_per_annotator(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    store.close()

    other = ProjectStore.open(folder, "bob")
    assert other.undo() is None
    assert len(other.all_annotations()) == 1
    other.close()


def move_box_at(store: ProjectStore, box_id: str, box: tuple[float, float, float, float], made_at: float) -> None:
    edit = operations.set_box(store, box_id, box)
    edit.made_at = made_at
    store.apply(edit)


def test_moves_within_second_are_one_step(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    steps = len(store.undo_stack)
    start = store.undo_stack[-1].made_at + 100

    move_box_at(store, box_id, (11, 10, 51, 50), start)
    move_box_at(store, box_id, (12, 10, 52, 50), start + 0.5)
    move_box_at(store, box_id, (13, 10, 53, 50), start + 0.9)

    assert len(store.undo_stack) == steps + 1
    store.undo()
    assert store.annotation(box_id).box == [10, 10, 50, 50]
    store.redo()
    assert store.annotation(box_id).box == [13, 10, 53, 50]
    store.close()


def test_moves_second_apart_are_two_steps(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    steps = len(store.undo_stack)
    start = store.undo_stack[-1].made_at + 100

    move_box_at(store, box_id, (11, 10, 51, 50), start)
    move_box_at(store, box_id, (12, 10, 52, 50), start + 1.5)

    assert len(store.undo_stack) == steps + 2
    store.undo()
    assert store.annotation(box_id).box == [11, 10, 51, 50]
    store.undo()
    assert store.annotation(box_id).box == [10, 10, 50, 50]
    store.close()


def test_moves_of_two_boxes_are_two_steps(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    first = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    second = draw_box(store, input_id, cat_id, (100, 100, 150, 150))
    steps = len(store.undo_stack)
    start = store.undo_stack[-1].made_at + 100

    move_box_at(store, first, (11, 10, 51, 50), start)
    move_box_at(store, second, (101, 100, 151, 150), start + 0.1)

    assert len(store.undo_stack) == steps + 2
    store.undo()
    assert store.annotation(second).box == [100, 100, 150, 150]
    assert store.annotation(first).box == [11, 10, 51, 50]
    store.close()


def test_merged_moves_survive_restart(folder):
    store = ProjectStore.open(folder, "alice")
    cat_id, _, input_id = seed(store)
    box_id = draw_box(store, input_id, cat_id, (10, 10, 50, 50))
    start = store.undo_stack[-1].made_at + 100
    move_box_at(store, box_id, (11, 10, 51, 50), start)
    move_box_at(store, box_id, (12, 10, 52, 50), start + 0.5)
    steps = len(store.undo_stack)
    store.close()

    reopened = ProjectStore.open(folder, "alice")
    assert len(reopened.undo_stack) == steps
    reopened.undo()
    assert reopened.annotation(box_id).box == [10, 10, 50, 50]
    reopened.close()


# Crashes


def start_writer(folder: Path, count: int, ending: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(folder), str(count), ending],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def parse_ack(line: str) -> tuple[int, str, list[float]]:
    _, number, annotation_id, *box = line.split()
    return int(number), annotation_id, [float(value) for value in box]


# Kill before the first fold of the journal, and after the writer folded at least once.
@pytest.mark.parametrize("kill_after", [5, 230])
def test_acknowledged_edits_survive_kill(folder, kill_after):
    writer = start_writer(folder, 100_000, "close")
    acks: list[tuple[int, str, list[float]]] = []
    assert writer.stdout is not None
    for line in writer.stdout:
        if line.startswith("ack"):
            acks.append(parse_ack(line))
        if len(acks) == kill_after:
            writer.send_signal(signal.SIGKILL)
            break
    rest, errors = writer.communicate()
    acks += [parse_ack(line) for line in rest.splitlines() if line.startswith("ack")]
    assert writer.returncode == -signal.SIGKILL, errors
    assert len(acks) >= kill_after

    store = ProjectStore.open(folder, "checker")
    for number, annotation_id, box in acks:
        annotation = store.annotation(annotation_id)
        assert annotation is not None, f"acknowledged edit {number} ({annotation_id}) was lost"
        assert annotation.box == box
    store.close()
    project = read_project(folder / PROJECT_FILE_NAME)
    saved_ids = {annotation.id for annotation in project.annotations}
    assert {annotation_id for _, annotation_id, _ in acks} <= saved_ids
    assert list((folder / STATE_DIR_NAME / "journals").glob("*.jsonl")) == []


def run_writer_to_exit(folder: Path, count: int) -> list[tuple[int, str, list[float]]]:
    writer = start_writer(folder, count, "exit")
    output, errors = writer.communicate()
    assert writer.returncode == 0, errors
    return [parse_ack(line) for line in output.splitlines() if line.startswith("ack")]


def test_torn_journal_line_skipped(folder):
    acks = run_writer_to_exit(folder, 12)
    journals = list((folder / STATE_DIR_NAME / "journals").glob("*.jsonl"))
    assert len(journals) == 1
    lines = journals[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 12
    with open(journals[0], "a", encoding="utf-8") as journal:
        journal.write(lines[-1][: len(lines[-1]) // 2])

    store = ProjectStore.open(folder, "checker")
    recovered = {annotation.id for annotation in store.all_annotations()}
    store.close()
    assert len(acks) == 12
    assert {annotation_id for _, annotation_id, _ in acks} == recovered
    assert len(read_project(folder / PROJECT_FILE_NAME).annotations) == 12
    assert not journals[0].exists()


def test_dead_session_journal_recovered(folder):
    acks = run_writer_to_exit(folder, 3)

    store = ProjectStore.open(folder, "checker")
    boxes = {annotation.id: annotation.box for annotation in store.all_annotations()}
    store.close()
    for _, annotation_id, box in acks:
        assert boxes[annotation_id] == box
    assert [concept.name for concept in store.concepts()] == ["cat"]


# Sharing


def test_two_sessions_merge_by_id(folder):
    setup = ProjectStore.open(folder, "setup")
    cat_id, dog_id, input_id = seed(setup)
    shared_id = draw_box(setup, input_id, cat_id, (300, 300, 400, 400))
    setup.close()
    alice = ProjectStore.open(folder, "alice")
    bob = ProjectStore.open(folder, "bob")

    alice_ids = [draw_box(alice, input_id, cat_id, (10 + i, 10, 20 + i, 20)) for i in range(3)]
    bob_ids = [draw_box(bob, input_id, dog_id, (100 + i, 100, 120 + i, 120)) for i in range(3)]
    edit, bird = operations.add_concept(bob, "bird")
    bob.apply(edit)
    alice.apply(operations.set_box(alice, shared_id, (301, 300, 401, 400)))
    alice.close()
    bob.close()

    data = read_json(folder)
    saved = records_by_id(data, "annotations")
    for annotation_id in alice_ids + bob_ids + [shared_id]:
        assert annotation_id in saved
    assert saved[shared_id]["box"] == [301, 300, 401, 400]
    assert bird.id in records_by_id(data, "concepts")
    assert len(saved) == 7


def test_two_sessions_fold_in_turns(folder):
    setup = ProjectStore.open(folder, "setup")
    cat_id, dog_id, input_id = seed(setup)
    setup.close()
    alice = ProjectStore.open(folder, "alice")
    bob = ProjectStore.open(folder, "bob")

    first = draw_box(alice, input_id, cat_id, (10, 10, 20, 20))
    alice.fold()
    second = draw_box(bob, input_id, dog_id, (30, 30, 40, 40))
    bob.fold()
    third = draw_box(alice, input_id, cat_id, (50, 50, 60, 60))
    alice.fold()
    fourth = draw_box(bob, input_id, dog_id, (70, 70, 80, 80))
    bob.close()
    alice.close()

    saved = records_by_id(read_json(folder), "annotations")
    assert first in saved
    assert second in saved
    assert third in saved
    assert fourth in saved


def test_two_sessions_delete_and_add(folder):
    setup = ProjectStore.open(folder, "setup")
    cat_id, _, input_id = seed(setup)
    doomed = draw_box(setup, input_id, cat_id, (10, 10, 20, 20))
    setup.close()
    alice = ProjectStore.open(folder, "alice")
    bob = ProjectStore.open(folder, "bob")

    alice.apply(operations.delete_annotations(alice, [doomed], "delete box"))
    added = draw_box(bob, input_id, cat_id, (30, 30, 40, 40))
    alice.close()
    bob.close()

    saved = records_by_id(read_json(folder), "annotations")
    assert doomed not in saved
    assert added in saved


def test_session_recovers_crash_while_other_open(folder):
    setup = ProjectStore.open(folder, "setup")
    setup.close()
    alice = ProjectStore.open(folder, "alice")
    edit, cat = operations.add_concept(alice, "cat")
    alice.apply(edit)
    alice.fold()
    acks = run_writer_to_exit(folder, 4)

    bob = ProjectStore.open(folder, "bob")
    edit, dog = operations.add_concept(alice, "dog")
    alice.apply(edit)
    alice.close()
    bob.close()

    data = read_json(folder)
    saved = records_by_id(data, "annotations")
    for _, annotation_id, _ in acks:
        assert annotation_id in saved
    names = sorted(concept["name"] for concept in data["concepts"])
    assert names == ["cat", "dog"]


def test_two_sessions_of_one_annotator(folder):
    setup = ProjectStore.open(folder, "setup")
    cat_id, _, input_id = seed(setup)
    setup.close()
    first = ProjectStore.open(folder, "alice")
    second = ProjectStore.open(folder, "alice")

    first_id = draw_box(first, input_id, cat_id, (10, 10, 20, 20))
    second_id = draw_box(second, input_id, cat_id, (30, 30, 40, 40))
    journals = list((folder / STATE_DIR_NAME / "journals").glob("*.jsonl"))
    first.close()
    second.close()

    assert len(journals) == 2
    saved = records_by_id(read_json(folder), "annotations")
    assert first_id in saved
    assert second_id in saved


def test_save_during_recovery_kept(folder, monkeypatch):
    setup = ProjectStore.open(folder, "setup")
    cat_id, _, input_id = seed(setup)
    setup.close()
    alice = ProjectStore.open(folder, "alice")
    acks = run_writer_to_exit(folder, 3)
    original = ProjectStore._recover_journals
    alice_ids: list[str] = []

    def save_by_alice_then_recover(store: ProjectStore) -> None:
        # Alice saves after bob read the project file and before bob writes the recovered journal.
        if store.annotator == "bob" and not alice_ids:
            alice_ids.append(draw_box(alice, input_id, cat_id, (400, 400, 450, 450)))
            alice.fold()
        original(store)

    monkeypatch.setattr(ProjectStore, "_recover_journals", save_by_alice_then_recover)
    bob = ProjectStore.open(folder, "bob")
    assert bob.annotation(alice_ids[0]) is not None
    alice.close()
    bob.close()

    saved = records_by_id(read_json(folder), "annotations")
    assert alice_ids[0] in saved
    for _, annotation_id, _ in acks:
        assert annotation_id in saved


def test_save_during_open_kept(folder, monkeypatch):
    setup = ProjectStore.open(folder, "setup")
    cat_id, dog_id, input_id = seed(setup)
    setup.close()
    alice = ProjectStore.open(folder, "alice")
    original = store_module.read_project
    alice_ids: list[str] = []

    def read_then_alice_saves(path: Path) -> Project:
        project = original(path)
        # Alice saves after bob read the project file and before bob looks at its signature.
        if not alice_ids:
            alice_ids.append(draw_box(alice, input_id, cat_id, (400, 400, 450, 450)))
            alice.fold()
        return project

    monkeypatch.setattr(store_module, "read_project", read_then_alice_saves)
    bob = ProjectStore.open(folder, "bob")
    monkeypatch.setattr(store_module, "read_project", original)
    bob_id = draw_box(bob, input_id, dog_id, (100, 100, 150, 150))
    bob.close()
    alice.close()

    saved = records_by_id(read_json(folder), "annotations")
    assert alice_ids[0] in saved
    assert bob_id in saved


# Broken project files


INVALID_UTF8 = b'{"schema_version": 1, "concepts": [{"id": "c1", "name": "caf\xe9"}]}'

BROKEN_FILES = [
    pytest.param(b'{"schema_version": 1,\n  "concepts": [}\n', "line 2, column", id="invalid-json"),
    pytest.param(
        json.dumps({
            "schema_version": 1,
            "concepts": [{"id": "c1", "name": "cat"}],
            "inputs": [{"id": "i1", "path": "a.png"}],
            "annotations": [{"id": "a1", "input_id": "i1", "concept_id": "c1", "box": [50, 10, 20, 40]}],
        }).encode(),
        "annotations[0].box",
        id="box-x0-after-x1",
    ),
    pytest.param(
        json.dumps({"schema_version": 1, "concepts": [{"id": "c1", "name": "cat"}, {"id": "c2"}]}).encode(),
        "concepts[1].name",
        id="missing-concept-name",
    ),
    pytest.param(json.dumps({"schema_version": 99}).encode(), "schema_version", id="newer-schema"),
    pytest.param(INVALID_UTF8, f"byte {INVALID_UTF8.index(0xE9)}", id="invalid-utf8"),
    pytest.param(b"[]", "top level", id="not-an-object"),
    pytest.param(
        b'{"schema_version": 1, "annotations": [{"input_id": "i1", "concept_id": "c1",'
        b' "box": [0, 0, Infinity, 5]}]}',
        "annotations[0].box[2]",
        id="infinite-box",
    ),
]


@pytest.mark.parametrize(("content", "place"), BROKEN_FILES)
def test_broken_project_file_raises(folder, content, place):
    path = folder / PROJECT_FILE_NAME
    path.write_bytes(content)

    with pytest.raises(ProjectFileError) as caught:
        ProjectStore.open(folder, "alice")

    message = str(caught.value)
    assert str(path) in message
    assert place in message
    assert path.read_bytes() == content
    assert sorted(os.listdir(folder)) == [PROJECT_FILE_NAME]


def test_save_keeps_file_mode(tmp_path: Path) -> None:
    store = ProjectStore.open(tmp_path, "qa")
    store.close()
    project = tmp_path / "tui-annotate.json"
    project.chmod(0o664)
    store = ProjectStore.open(tmp_path, "qa")
    edit, _ = operations.add_concept(store, "cat")
    store.apply(edit)
    store.close()
    assert project.stat().st_mode & 0o777 == 0o664


def test_close_without_edits_keeps_file(tmp_path: Path) -> None:
    store = ProjectStore.open(tmp_path, "qa")
    store.close()
    project = tmp_path / "tui-annotate.json"
    before = project.stat().st_mtime_ns
    store = ProjectStore.open(tmp_path, "qa")
    store.close()
    assert project.stat().st_mtime_ns == before


def test_unwritable_project_file_keeps_journal(tmp_path: Path, monkeypatch) -> None:
    import tui_annotate.core.projectfile as projectfile

    store = ProjectStore.open(tmp_path, "qa")
    edit, _ = operations.add_concept(store, "cat")
    store.apply(edit)

    def refuse(source, target):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(projectfile.os, "replace", refuse)
    with pytest.raises(ProjectFileError) as raised:
        store.close()
    assert "cannot be written (Operation not permitted)" in str(raised.value)
    assert "journal" in str(raised.value)
    assert not list(tmp_path.glob(".tui-annotate.json.*.tmp")), "no temporary file is left"
    monkeypatch.undo()
    store._journal.close()  # what the end of the process does: the journal lock is released
    reopened = ProjectStore.open(tmp_path, "qa")
    assert [c.name for c in reopened.concepts()] == ["cat"], "the journal is replayed on the next open"
    reopened.close()


def _box_edit(store: ProjectStore, concept_name: str, corner_a, corner_b):
    concept = store.concept_named(concept_name)
    if concept is None:
        edit, concept = operations.add_concept(store, concept_name)
        store.apply(edit)
    item = store.inputs()[0]
    edit, annotation = operations.add_box(store, item.id, concept.id, corner_a, corner_b, 100, 100)
    store.apply(edit)
    return annotation


def _two_sessions(tmp_path: Path) -> tuple[ProjectStore, ProjectStore]:
    first = ProjectStore.open(tmp_path, "alice")
    first.apply(operations.add_inputs(first, ["a.png"]), undoable=False)
    first.close()
    return ProjectStore.open(tmp_path, "alice"), ProjectStore.open(tmp_path, "bob")


def test_merge_keeps_other_sessions_delete(tmp_path: Path) -> None:
    setup = ProjectStore.open(tmp_path, "alice")
    setup.apply(operations.add_inputs(setup, ["a.png"]), undoable=False)
    box = _box_edit(setup, "cat", (10, 10), (50, 50))
    setup.close()
    alice, bob = ProjectStore.open(tmp_path, "alice"), ProjectStore.open(tmp_path, "bob")
    alice.apply(operations.set_box(alice, box.id, (20, 10, 60, 50)))
    bob.apply(operations.delete_annotations(bob, [box.id], "delete cat.1"))
    bob.close()
    alice.close()
    saved = read_project(tmp_path / PROJECT_FILE_NAME)
    assert [a.id for a in saved.annotations] == []
    assert len(alice.merge_conflicts) == 1
    assert "another session changed or deleted it first" in alice.merge_conflicts[0]


def test_merge_unifies_concept_created_twice(tmp_path: Path) -> None:
    alice, bob = _two_sessions(tmp_path)
    _box_edit(alice, "dog", (10, 10), (50, 50))
    _box_edit(bob, "Dog", (60, 60), (90, 90))
    bob.close()
    alice.close()
    saved = read_project(tmp_path / PROJECT_FILE_NAME)
    assert [c.name for c in saved.concepts] == ["Dog"]
    assert {a.concept_id for a in saved.annotations} == {saved.concepts[0].id}
    assert len(saved.annotations) == 2
    assert alice.merge_conflicts == []


def test_merge_unifies_input_scanned_twice(tmp_path: Path) -> None:
    alice, bob = _two_sessions(tmp_path)
    alice.apply(operations.add_inputs(alice, ["b.png"]), undoable=False)
    bob.apply(operations.add_inputs(bob, ["b.png"]), undoable=False)
    item = next(i for i in alice.inputs() if i.path == "b.png")
    concept_edit, concept = operations.add_concept(alice, "cat")
    alice.apply(concept_edit)
    box_edit, _ = operations.add_box(alice, item.id, concept.id, (1, 1), (5, 5), 10, 10)
    alice.apply(box_edit)
    bob.close()
    alice.close()
    saved = read_project(tmp_path / PROJECT_FILE_NAME)
    paths = [i.path for i in saved.inputs]
    assert paths == ["a.png", "b.png"]
    b_id = next(i.id for i in saved.inputs if i.path == "b.png")
    assert [a.input_id for a in saved.annotations] == [b_id]


def test_merge_unifies_classification_made_twice(tmp_path: Path) -> None:
    from tui_annotate.core import classification

    setup = ProjectStore.open(tmp_path, "alice")
    setup.apply(operations.add_inputs(setup, ["a.png"]), undoable=False)
    edit, concept = operations.add_concept(setup, "outdoor")
    setup.apply(edit)
    setup.close()
    alice, bob = ProjectStore.open(tmp_path, "alice"), ProjectStore.open(tmp_path, "bob")
    item_id = alice.inputs()[0].id
    alice.apply(classification.classify(alice, item_id, concept.id))
    bob.apply(classification.classify(bob, item_id, concept.id))
    alice.close()
    bob.close()
    saved = read_project(tmp_path / PROJECT_FILE_NAME)
    (kept,) = saved.annotations
    assert [mark.name for mark in kept.annotators] == ["alice", "bob"]
    assert bob.merge_conflicts == []
