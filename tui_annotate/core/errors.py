"""Provides the exception hierarchy shared by the core, imaging and format layers."""

from __future__ import annotations

from pathlib import Path


class ProjectError(Exception):
    """Base class for every error that tui-annotate reports to the user."""


class ProjectFileError(ProjectError):
    """A project file or folder that cannot be opened or validated."""

    def __init__(self, path: Path, problem: str, location: str | None = None, hint: str = "") -> None:
        self.path = path
        self.problem = problem
        self.location = location
        self.hint = hint
        where = f" at {location}" if location else ""
        text = f"{path}{where}: {problem}"
        if hint:
            text += f"\n{hint}"
        super().__init__(text)


class ProjectLockedError(ProjectError):
    """Another process holds the project's write lock for too long."""


class GeometryError(ProjectError):
    """A region that breaks a geometry rule, such as a box of zero width."""


class ConceptError(ProjectError):
    """An invalid concept name, a duplicate name or an unknown concept."""


class ImageLoadError(ProjectError):
    """An input image that cannot be decoded."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class MaskError(ProjectError):
    """A mask that cannot be attached or loaded: an unknown input, or a bad or empty mask file."""
