"""Provides the edits an annotator makes: concepts, inputs, boxes, polygons and reassigning.

Each function checks the domain rules and builds an Edit from the store's current state.
It does not apply the edit: the caller passes it to `ProjectStore.apply`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .edits import Edit
from .errors import ConceptError, GeometryError
from .geometry import BoxTuple, normalize_box, smallest_container
from .models import Annotation, Concept, InputItem, Mark, now_iso
from .store import ProjectStore, change_record

PALETTE = (
    "#ff5f5f", "#5fd7ff", "#afff5f", "#ffd75f", "#d787ff", "#ff87d7", "#5fffaf", "#ffaf5f",
    "#8787ff", "#d7ff87", "#ff5faf", "#5fafff", "#ffff87", "#87ffff", "#ff8787", "#afafff",
    "#87d75f", "#d7afff", "#ffd7af", "#5fd7af",
)
"""Concept colours: every entry is an exact xterm-256 colour, so 256-colour terminals show
them unchanged, and neighbours in the list differ in hue."""


def clean_concept_name(name: str) -> str:
    """Trim a concept name and reject an empty one."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ConceptError("a concept name must not be empty; type a name first")
    return cleaned


def add_concept(store: ProjectStore, name: str) -> tuple[Edit, Concept]:
    """Make a new concept; two concepts never differ only by case."""
    cleaned = clean_concept_name(name)
    existing = store.concept_named(cleaned)
    if existing is not None:
        raise ConceptError(f'concept "{existing.name}" already exists; pick it instead of creating "{cleaned}"')
    used = {concept.color for concept in store.concepts()}
    free = [color for color in PALETTE if color not in used]
    color = free[0] if free else PALETTE[len(store.concepts()) % len(PALETTE)]
    concept = Concept(name=cleaned, color=color)
    return Edit(f'create concept "{cleaned}"', [change_record(store, "concepts", concept.id, concept)]), concept


def resolve_concept(store: ProjectStore, concept_id: str) -> str:
    """Follow concept relations from `concept_id` to the concept new annotations should get."""
    targets = {relation.original_id: relation.new_id for relation in store.relations()}
    seen = {concept_id}
    while concept_id in targets:
        concept_id = targets[concept_id]
        if concept_id in seen:
            break
        seen.add(concept_id)
    return concept_id


def add_inputs(store: ProjectStore, paths: Iterable[str | tuple[str, str]], kind: str = "image") -> Edit:
    """Add inputs for relative paths that the project does not list yet, in the given order.

    Each path is a string (of kind `kind`) or a (path, kind) pair as `scan.scan_inputs` returns.
    """
    known = {item.path for item in store.inputs()}
    changes = []
    for entry in paths:
        path, kind = (entry, kind) if isinstance(entry, str) else entry
        if path in known:
            continue
        known.add(path)
        item = InputItem(path=path, kind=kind)  # type: ignore[arg-type]
        changes.append(change_record(store, "inputs", item.id, item))
    return Edit(f"add {len(changes)} inputs", changes)


def set_input_size(store: ProjectStore, input_id: str, width: int, height: int) -> Edit:
    item = store.input(input_id)
    if item is None or (item.width, item.height) == (width, height):
        return Edit("record image size", [])
    updated = item.model_copy(update={"width": width, "height": height})
    return Edit("record image size", [change_record(store, "inputs", input_id, updated)])


def _box_tuple(annotation: Annotation) -> BoxTuple:
    assert annotation.box is not None
    x0, y0, x1, y1 = annotation.box
    return (x0, y0, x1, y1)


def _stored_box(box: BoxTuple) -> BoxTuple:
    """Round a box to the 4 decimals the project file keeps, rejecting one that becomes empty."""
    x0, y0, x1, y1 = (round(value, 4) for value in box)
    if not (x0 < x1 and y0 < y1):
        raise GeometryError(
            f"box {list(box)} must have x0 < x1 and y0 < y1 when rounded to 4 decimals;"
            " make it at least 0.0001 pixels wide and tall"
        )
    return (x0, y0, x1, y1)


def add_box(store: ProjectStore, input_id: str, concept_id: str, corner_a: tuple[float, float],
            corner_b: tuple[float, float], width: int, height: int) -> tuple[Edit, Annotation]:
    """Make a box from two corners in any order, clamped to the image, nested in its container.

    Raises GeometryError for a box of zero width or height, ConceptError for an unknown concept.
    """
    if store.concept(concept_id) is None:
        raise ConceptError(f"concept id {concept_id!r} is not in the project; pick a concept with / first")
    concept_id = resolve_concept(store, concept_id)
    # Boxes are stored to 4 decimals. Nesting compares the stored numbers, so that a box drawn
    # twice counts as identical and not as its own child.
    box = _stored_box(normalize_box(corner_a[0], corner_a[1], corner_b[0], corner_b[1], width, height))
    others = [(a.id, _box_tuple(a)) for a in store.annotations_for(input_id) if a.box is not None]
    parent = smallest_container(box, others)
    annotation = Annotation(
        input_id=input_id,
        concept_id=concept_id,
        box=list(box),
        parent_id=parent,
        annotators=[Mark(name=store.annotator)],
    )
    name = store.concept(concept_id).name  # type: ignore[union-attr]
    edit = Edit(f"draw box {name}", [change_record(store, "annotations", annotation.id, annotation)])
    return edit, annotation


def _touched(annotation: Annotation, annotator: str, **update: object) -> Annotation:
    """Copy an annotation with `update`, a new update time and the annotator's mark."""
    marks = list(annotation.annotators)
    if not any(mark.name == annotator for mark in marks):
        marks.append(Mark(name=annotator))
    return annotation.model_copy(update={**update, "annotators": marks, "updated_at": now_iso()})


def set_box(store: ProjectStore, annotation_id: str, box: BoxTuple, description: str = "move box") -> Edit:
    """Replace a box's coordinates; edits of one box form one undo group."""
    annotation = store.annotation(annotation_id)
    if annotation is None or annotation.box is None:
        raise GeometryError(f"annotation {annotation_id!r} is not a box on this input")
    updated = _touched(annotation, store.annotator, box=list(_stored_box(box)))
    return Edit(description, [change_record(store, "annotations", annotation_id, updated)],
                group=f"move:{annotation_id}")


def reassign(store: ProjectStore, annotation_id: str, concept_id: str) -> Edit:
    """Give an annotation another concept."""
    annotation = store.annotation(annotation_id)
    concept = store.concept(concept_id)
    if annotation is None:
        raise ConceptError(f"annotation {annotation_id!r} no longer exists")
    if concept is None:
        raise ConceptError(f"concept id {concept_id!r} is not in the project")
    if annotation.concept_id == concept_id:
        return Edit("reassign", [])
    # A reassignment is not a rename, so the annotation no longer shows a relation's origin.
    updated = _touched(annotation, store.annotator, concept_id=concept_id, renamed_from=None)
    return Edit(f"reassign to {concept.name}", [change_record(store, "annotations", annotation_id, updated)])


def delete_annotations(store: ProjectStore, annotation_ids: list[str], description: str) -> Edit:
    """Delete annotations; their children stay and lose the link to the deleted parent."""
    doomed = set(annotation_ids)
    changes = []
    inputs = set()
    for annotation_id in annotation_ids:
        annotation = store.annotation(annotation_id)
        if annotation is not None:
            inputs.add(annotation.input_id)
            changes.append(change_record(store, "annotations", annotation_id, None))
    for input_id in inputs:
        for child in store.annotations_for(input_id):
            if child.parent_id in doomed and child.id not in doomed:
                orphan = child.model_copy(update={"parent_id": None})
                changes.append(change_record(store, "annotations", child.id, orphan))
    return Edit(description, changes)


def rename_concept(store: ProjectStore, concept_id: str, name: str) -> Edit:
    """Rename a concept everywhere in the project."""
    concept = store.concept(concept_id)
    if concept is None:
        raise ConceptError(f"concept id {concept_id!r} is not in the project")
    cleaned = clean_concept_name(name)
    other = store.concept_named(cleaned)
    if other is not None and other.id != concept_id:
        raise ConceptError(f'concept "{other.name}" already exists; choose another name')
    renamed = concept.model_copy(update={"name": cleaned})
    return Edit(f'rename concept "{concept.name}" to "{cleaned}"',
                [change_record(store, "concepts", concept_id, renamed)])


def _distinct_points(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    distinct: list[tuple[float, float]] = []
    for point in points:
        if point not in distinct:
            distinct.append(point)
    return distinct


def add_polygon(store: ProjectStore, input_id: str, concept_id: str, points: list[tuple[float, float]],
                width: int, height: int) -> tuple[Edit, Annotation]:
    """Make a polygon from its vertices, clamped to the image.

    Raises GeometryError when fewer than 3 distinct vertices remain, ConceptError for an unknown concept.
    """
    if store.concept(concept_id) is None:
        raise ConceptError(f"concept id {concept_id!r} is not in the project; pick a concept with / first")
    concept_id = resolve_concept(store, concept_id)
    clamped = [(round(min(max(x, 0), width), 4), round(min(max(y, 0), height), 4)) for x, y in points]
    # Drop consecutive repeats (a double press of Enter), keep the order of the rest.
    cleaned = [p for i, p in enumerate(clamped) if i == 0 or p != clamped[i - 1]]
    if len(cleaned) > 1 and cleaned[-1] == cleaned[0]:
        cleaned.pop()
    if len(_distinct_points(cleaned)) < 3:
        raise GeometryError(
            f"a polygon needs at least 3 distinct vertices, got {len(_distinct_points(cleaned))};"
            " place more vertices before closing it"
        )
    if len(_distinct_points(cleaned)) != len(cleaned):
        raise GeometryError("a polygon visits the same vertex twice; remove the repeated vertex (Backspace)")
    annotation = Annotation(
        input_id=input_id,
        concept_id=concept_id,
        polygon=[value for point in cleaned for value in point],
        annotators=[Mark(name=store.annotator)],
    )
    name = store.concept(concept_id).name  # type: ignore[union-attr]
    return Edit(f"draw polygon {name}", [change_record(store, "annotations", annotation.id, annotation)]), annotation


def set_polygon(store: ProjectStore, annotation_id: str, points: list[tuple[float, float]],
                description: str = "move vertex") -> Edit:
    """Replace a polygon's vertices (at least 3); edits of one polygon form one undo group."""
    annotation = store.annotation(annotation_id)
    if annotation is None or annotation.polygon is None:
        raise GeometryError(f"annotation {annotation_id!r} is not a polygon on this input")
    if len(_distinct_points(points)) < 3:
        raise GeometryError("a polygon keeps at least 3 distinct vertices")
    flat = [round(value, 4) for point in points for value in point]
    updated = _touched(annotation, store.annotator, polygon=flat)
    return Edit(description, [change_record(store, "annotations", annotation_id, updated)],
                group=f"move:{annotation_id}")


def move_concept(store: ProjectStore, concept_id: str, step: int) -> Edit:
    """Move a concept up (step -1) or down (step 1) in the concept list, which changes hotkeys."""
    concepts = store.concepts()
    ids = [concept.id for concept in concepts]
    if concept_id not in ids:
        raise ConceptError(f"concept id {concept_id!r} is not in the project")
    index = ids.index(concept_id)
    target = index + step
    if not 0 <= target < len(ids):
        return Edit("move concept", [])
    ids[index], ids[target] = ids[target], ids[index]
    changes = []
    for order, moved_id in enumerate(ids):
        concept = store.concept(moved_id)
        if concept is not None and concept.order != order:
            changes.append(change_record(store, "concepts", moved_id, concept.model_copy(update={"order": order})))
    name = store.concept(concept_id).name  # type: ignore[union-attr]
    return Edit(f"move concept {name} to hotkey position {target + 1}", changes)


def delete_concept(store: ProjectStore, concept_id: str) -> Edit:
    """Delete a concept that no annotation and no concept relation uses."""
    concept = store.concept(concept_id)
    if concept is None:
        raise ConceptError(f"concept id {concept_id!r} is not in the project")
    used = sum(1 for a in store.all_annotations() if a.concept_id == concept_id or a.renamed_from == concept_id)
    if used:
        raise ConceptError(f'concept "{concept.name}" is used by {used} annotation{"s" if used > 1 else ""};'
                           " delete or reassign them first")
    if any(concept_id in (r.original_id, r.new_id) for r in store.relations()):
        raise ConceptError(f'concept "{concept.name}" is part of a concept relation, so it is kept')
    return Edit(f'delete concept "{concept.name}"', [change_record(store, "concepts", concept_id, None)])
