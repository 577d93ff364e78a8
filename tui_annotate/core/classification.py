"""Provides classification edits: one concept for a whole input, with its annotators."""

from __future__ import annotations

from .edits import Edit
from .errors import ConceptError
from .models import Annotation, Mark, now_iso
from .operations import resolve_concept
from .store import ProjectStore, change_record


def classification_of(store: ProjectStore, input_id: str, concept_id: str) -> Annotation | None:
    for annotation in store.annotations_for(input_id):
        if annotation.kind == "classification" and annotation.concept_id == concept_id:
            return annotation
    return None


def classify(store: ProjectStore, input_id: str, concept_id: str) -> Edit:
    """Assign a concept to a whole input, or add this annotator's mark to an existing assignment.

    An input has at most one classification per concept; assigning it again changes nothing.
    """
    if store.concept(concept_id) is None:
        raise ConceptError(f"concept id {concept_id!r} is not in the project")
    concept_id = resolve_concept(store, concept_id)
    name = store.concept(concept_id).name  # type: ignore[union-attr]
    existing = classification_of(store, input_id, concept_id)
    if existing is None:
        annotation = Annotation(input_id=input_id, concept_id=concept_id, annotators=[Mark(name=store.annotator)])
        return Edit(f"classify as {name}", [change_record(store, "annotations", annotation.id, annotation)])
    if any(mark.name == store.annotator for mark in existing.annotators):
        return Edit(f"classify as {name}", [])
    marks = [*existing.annotators, Mark(name=store.annotator)]
    updated = existing.model_copy(update={"annotators": marks, "updated_at": now_iso()})
    return Edit(f"confirm {name}", [change_record(store, "annotations", existing.id, updated)])


def others_marked(store: ProjectStore, annotation_id: str) -> list[str]:
    """Names of the other annotators who marked an annotation."""
    annotation = store.annotation(annotation_id)
    if annotation is None:
        return []
    return [mark.name for mark in annotation.annotators if mark.name != store.annotator]


def unclassify(store: ProjectStore, annotation_id: str, for_everyone: bool = False) -> Edit:
    """Remove this annotator's mark, or the whole classification when no one else marked it
    or `for_everyone` is set. The concept always stays in the project."""
    annotation = store.annotation(annotation_id)
    if annotation is None:
        return Edit("remove classification", [])
    concept = store.concept(annotation.concept_id)
    name = concept.name if concept else annotation.concept_id
    others = [mark for mark in annotation.annotators if mark.name != store.annotator]
    if for_everyone or not others:
        return Edit(f"remove classification {name}", [change_record(store, "annotations", annotation_id, None)])
    updated = annotation.model_copy(update={"annotators": others, "updated_at": now_iso()})
    return Edit(f"remove my mark on {name}", [change_record(store, "annotations", annotation_id, updated)])
