"""Provides the `add-mask` command, which attaches a mask made in another tool to an input.

Side effects: the command opens the project as the app does, which lists new images in the
project folder, writes the mask PNG into `.tui-annotate/masks/` and saves the project file.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from .core.errors import ProjectError
from .core.masks import attach_mask, find_input, normalize_input_path
from .core.store import ProjectStore
from .imaging.decode import image_size
from .imaging.masks import load_mask, mask_bounds


@click.command("add-mask")
@click.argument("project", type=click.Path(path_type=Path))
@click.argument("input_path", metavar="INPUT")
@click.argument("mask", type=click.Path(path_type=Path))
@click.option("--concept", "concept_name", required=True, metavar="NAME",
              help="Concept of the mask, matched ignoring case; it must exist in the project.")
@click.option("--annotator", default=None, metavar="NAME",
              help="Name recorded on the annotation; default: your login name.")
def add_mask_command(project: Path, input_path: str, mask: Path, concept_name: str,
                     annotator: str | None) -> None:
    """Attach the mask image MASK to the input INPUT of the project in folder PROJECT.

    \b
    MASK must have the size of the upright INPUT; its nonzero pixels are inside.
    INPUT is the path relative to PROJECT, as listed in PROJECT/tui-annotate.json.
    On any error nothing is attached. Opening the project still lists new images in
    PROJECT, as the app does.
    """
    from .cli import default_annotator, open_store

    try:
        store = open_store(project, annotator or default_annotator())
    except ProjectError as error:
        raise click.ClickException(str(error)) from None
    try:
        summary = _attach(store, input_path, mask, concept_name)
    finally:
        try:
            store.close()
        except (ProjectError, OSError) as error:
            raise click.ClickException(
                f"the project file could not be saved: {error}. Nothing is lost: the next open"
                " of the project replays its journal."
            ) from None
    click.echo(summary)


def _attach(store: ProjectStore, input_path: str, mask: Path, concept_name: str) -> str:
    """Attach the mask and return a summary of what was attached.

    Raises click.ClickException for every error, after removing a PNG that was written for
    an edit that could not be applied.
    """
    try:
        item = find_input(store, _listed_path(store, input_path))
        size = image_size(store.root / item.path)
        edit = attach_mask(store, item.path, mask, concept_name, size)
    except ProjectError as error:
        raise click.ClickException(str(error)) from None

    change = edit.changes[0]
    assert change.after is not None
    saved = store.state_dir / change.after["mask"]
    try:
        inside = load_mask(saved)
        store.apply(edit)
    except (ProjectError, OSError) as error:
        saved.unlink(missing_ok=True)
        raise click.ClickException(f"the mask could not be attached: {error}") from None

    concept = store.concept(change.after["concept_id"])
    shown_concept = concept.name if concept is not None else change.after["concept_id"]
    x0, y0, x1, y1 = mask_bounds(inside)
    return (
        f'Attached mask {mask} to "{item.path}" with concept "{shown_concept}":'
        f" {int(inside.sum())} pixels inside the box [{x0}, {y0}, {x1}, {y1}]."
        f"\nAnnotation {change.record_id}, saved as {saved}"
    )


def _listed_path(store: ProjectStore, input_path: str) -> str:
    """Return the input's path as the project lists it.

    A path that the project does not list, but that names a file inside the project folder
    from the working folder (such as `PROJECT/cat.png`), becomes relative to the project
    folder. Other values are returned unchanged.
    """
    listed = {item.path for item in store.inputs()}
    if input_path in listed or normalize_input_path(input_path) in listed:
        return input_path
    candidate = Path(os.path.abspath(input_path))
    if not candidate.is_file() or not candidate.is_relative_to(store.root):
        return input_path
    return candidate.relative_to(store.root).as_posix()
