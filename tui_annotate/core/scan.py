"""Provides the scan of a project folder for input files."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"})
TEXT_SUFFIX = ".txt"
CLASS_LIST_NAME = "classes.txt"
"""File that lists YOLO class names. It is a label file and never a text input."""

InputKind = Literal["image", "text"]


def natural_key(path: str) -> list[object]:
    """Sort key that orders "img2" before "img10", ignoring case."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path)]


def scan_inputs(root: Path) -> list[tuple[str, InputKind]]:
    """Return (relative path, kind) of the images and texts below `root` in natural sort order.

    Paths use forward slashes. A `.txt` file is a text input unless it is `classes.txt` or
    has the stem of an image in the same folder (a YOLO label file such as `cat.txt` beside
    `cat.jpg`). Names, stems and suffixes are compared ignoring case. Hidden folders and
    files (names starting with a dot) are skipped, and so is the project's state folder.

    NOTE: labels in a separate folder, as in the Ultralytics `images/` and `labels/` layout,
    are not recognised and are listed as texts.
    """
    found: list[tuple[str, InputKind]] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        visible = [name for name in files if not name.startswith(".")]
        image_stems = {
            Path(name).stem.casefold()
            for name in visible
            if Path(name).suffix.lower() in IMAGE_SUFFIXES
        }
        for name in visible:
            kind = _input_kind(name, image_stems)
            if kind is not None:
                found.append((Path(folder, name).relative_to(root).as_posix(), kind))
    return sorted(found, key=lambda entry: natural_key(entry[0]))


def _input_kind(name: str, image_stems: set[str]) -> InputKind | None:
    path = Path(name)
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix != TEXT_SUFFIX or name.casefold() == CLASS_LIST_NAME:
        return None
    if path.stem.casefold() in image_stems:
        return None
    return "text"


def scan_images(root: Path) -> list[str]:
    """Return relative paths (forward slashes) of images below `root` in natural sort order.

    Hidden folders and files (names starting with a dot) are skipped, and so is the
    project's state folder.
    """
    return [path for path, kind in scan_inputs(root) if kind == "image"]
