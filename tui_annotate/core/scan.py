"""Provides the scan of a project folder for input files."""

from __future__ import annotations

import os
import re
from pathlib import Path

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"})


def natural_key(path: str) -> list[object]:
    """Sort key that orders "img2" before "img10", ignoring case."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path)]


def scan_images(root: Path) -> list[str]:
    """Return relative paths (forward slashes) of images below `root` in natural sort order.

    Hidden folders and files (names starting with a dot) are skipped, and so is the
    project's state folder.
    """
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() not in IMAGE_SUFFIXES:
                continue
            relative = Path(folder, name).relative_to(root)
            found.append(relative.as_posix())
    return sorted(found, key=natural_key)
