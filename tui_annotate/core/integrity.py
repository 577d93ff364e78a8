"""Provides checks of references and geometry that the project file's schema cannot express."""

from __future__ import annotations

from .store import ProjectStore

MAX_EXAMPLES = 3
"""Annotation ids named in one message; the rest are counted."""


def integrity_problems(store: ProjectStore) -> list[str]:
    """Return one message per kind of problem: unknown concepts or inputs, boxes outside images.

    Nothing is changed: the annotations stay as they are, so the annotator can reassign or
    delete them, or fix the file.
    """
    unknown_concept: list[str] = []
    unknown_input: list[str] = []
    outside: list[str] = []
    for annotation in store.all_annotations():
        if store.concept(annotation.concept_id) is None:
            unknown_concept.append(annotation.id)
        item = store.input(annotation.input_id)
        if item is None:
            unknown_input.append(annotation.id)
            continue
        if annotation.box is not None and item.width is not None and item.height is not None:
            x0, y0, x1, y1 = annotation.box
            if x0 < 0 or y0 < 0 or x1 > item.width or y1 > item.height:
                outside.append(annotation.id)
    problems = []
    if unknown_concept:
        problems.append(f"{_count(unknown_concept)} refer to a concept id that is not in {store.project_path.name};"
                        " they are shown as ?. Reassign them with a hotkey, or fix the file.")
    if unknown_input:
        problems.append(f"{_count(unknown_input)} refer to an input id that is not in {store.project_path.name};"
                        " they are kept but not shown. Fix the file to show them.")
    if outside:
        problems.append(f"{_count(outside)} have a box that reaches outside its image; move an edge (e and the"
                        " arrows) to bring it inside.")
    return problems


def _count(ids: list[str]) -> str:
    named = ", ".join(ids[:MAX_EXAMPLES]) + (", …" if len(ids) > MAX_EXAMPLES else "")
    return f"{len(ids)} annotation{'s' if len(ids) != 1 else ''} ({named})"
