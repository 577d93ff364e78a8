"""Provides concept relations: renaming the concept of one annotation on its input.

Renaming records the relation original -> new in the project, so later annotations made
with the original concept get the new one. Renaming an annotation back to its original
concept removes that annotation from the input; both concepts and the relation stay.
"""

from __future__ import annotations

from .edits import Change, Edit
from .errors import ConceptError
from .models import Annotation, Concept, ConceptRelation, now_iso
from .operations import add_concept, resolve_concept
from .store import ProjectStore, change_record


def _concept_for_name(store: ProjectStore, name: str) -> tuple[Concept, list[Change]]:
    existing = store.concept_named(name)
    if existing is not None:
        return existing, []
    edit, concept = add_concept(store, name)
    return concept, edit.changes


def rename_annotations(store: ProjectStore, annotation_ids: list[str], new_name: str) -> Edit:
    """Rename the concept of annotations on their input, creating the new concept if needed.

    Raises ConceptError when the rename would make relations form a cycle.
    """
    annotations = [a for a in (store.annotation(i) for i in annotation_ids) if a is not None]
    if not annotations:
        raise ConceptError("nothing to rename: the annotation no longer exists")
    target, changes = _concept_for_name(store, new_name)
    relations = {relation.original_id: relation for relation in store.relations()}
    removed = 0
    for annotation in annotations:
        original = annotation.renamed_from or annotation.concept_id
        if target.id == original and annotation.renamed_from is not None:
            changes.append(change_record(store, "annotations", annotation.id, None))
            removed += 1
            continue
        if target.id == annotation.concept_id:
            continue
        if resolve_concept(store, target.id) == original or _reaches(relations, target.id, original):
            current = store.concept(original)
            raise ConceptError(
                f'renaming "{current.name if current else original}" to "{target.name}" would make the'
                f' concept relations a cycle, because "{target.name}" already leads back to it; choose another name'
            )
        existing = relations.get(original)
        if existing is None or existing.new_id != target.id:
            if existing is not None:
                relation = existing.model_copy(update={"new_id": target.id})
            else:
                relation = ConceptRelation(original_id=original, new_id=target.id)
            changes.append(change_record(store, "relations", relation.id, relation))
            relations[original] = relation
        updated = annotation.model_copy(update={"concept_id": target.id, "renamed_from": original,
                                                "updated_at": now_iso()})
        changes.append(change_record(store, "annotations", annotation.id, updated))
    if removed and removed == len(annotations):
        description = f"rename back to {target.name}: remove from this input"
    else:
        description = f"rename to {target.name}"
    return Edit(description, _merge(changes))


def remove_relation(store: ProjectStore, original_id: str) -> Edit:
    """Remove the relation from a concept, so new annotations with it keep it again.

    Annotations already renamed keep their concept and their `renamed_from`.
    """
    for relation in store.relations():
        if relation.original_id == original_id:
            original = store.concept(original_id)
            new = store.concept(relation.new_id)
            description = (f"remove relation {original.name if original else original_id}"
                           f" → {new.name if new else relation.new_id}")
            return Edit(description, [change_record(store, "relations", relation.id, None)])
    return Edit("remove relation", [])


def _reaches(relations: dict[str, ConceptRelation], start: str, goal: str) -> bool:
    """Return True when following relations from `start` arrives at `goal`."""
    seen = {start}
    current = start
    while current in relations:
        current = relations[current].new_id
        if current == goal:
            return True
        if current in seen:
            return False
        seen.add(current)
    return False


def _merge(changes: list[Change]) -> list[Change]:
    """Keep one change per record: the first `before` and the last `after`."""
    merged: dict[tuple[str, str], Change] = {}
    for change in changes:
        key = (change.collection, change.record_id)
        if key in merged:
            merged[key] = Change(change.collection, change.record_id, merged[key].before, change.after)
        else:
            merged[key] = change
    return list(merged.values())


def original_name(store: ProjectStore, annotation: Annotation) -> str | None:
    """Name of the concept an annotation was renamed from, shown as a superscript."""
    if annotation.renamed_from is None:
        return None
    concept = store.concept(annotation.renamed_from)
    return concept.name if concept else None


SUPERSCRIPT = str.maketrans(
    "abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW0123456789+-=()",
    "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾",
)
"""Unicode superscript forms; letters without one (q, some capitals) stay as they are."""


def superscript(text: str) -> str:
    return text.translate(SUPERSCRIPT)
