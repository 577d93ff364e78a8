"""Provides reading and atomic writing of the project file.

The file is UTF-8 JSON with one record per line inside each list, so that a project of
100,000 annotations stays compact and diffs well. It is parsed with the json module, whose
errors give the line and column, and then validated by the pydantic models.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ProjectFileError
from .models import COLLECTIONS, Project

REPAIR_HINT = (
    "The file was left untouched. Fix the value named above in a text editor, or restore the"
    " file from a backup, then open the project again."
)


def _location_of(error: dict[str, Any]) -> str:
    parts: list[str] = []
    for item in error.get("loc", ()):
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "top level"


@contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, which parsing would otherwise trigger often.

    Parsing a project allocates millions of containers and creates no reference cycles, yet
    each allocation burst starts a collection that scans every container made so far. For
    100,000 annotations that scanning took about three quarters of the load time (measured
    with benchmarks/open_project.py on Python 3.11).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_project(path: Path) -> Project:
    """Load and validate a project file.

    Raises ProjectFileError naming the file, the place in it and the problem.
    """
    # One pause around parsing and validation, because the first collection after the pause
    # scans every container made during it, and two pauses would pay that scan twice.
    with _garbage_collector_paused():
        return _read_project(path)


def _read_project(path: Path) -> Project:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProjectFileError(path, f"cannot be read ({error.strerror})", hint=REPAIR_HINT) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProjectFileError(path, "is not valid UTF-8", f"byte {error.start}", REPAIR_HINT) from error
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ProjectFileError(path, f"is not valid JSON ({error.msg})", where, REPAIR_HINT) from error
    if not isinstance(raw, dict):
        raise ProjectFileError(path, "must contain a JSON object at the top level", None, REPAIR_HINT)
    try:
        return Project.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        value = first.get("input")
        shown = json.dumps(value, ensure_ascii=False)[:80] if value is not None else ""
        problem = first["msg"].removeprefix("Value error, ") + (f" (value {shown})" if shown else "")
        more = error.error_count() - 1
        if more:
            problem += f"; {more} more problem{'s' if more > 1 else ''} after this one"
        raise ProjectFileError(path, problem, _location_of(first), REPAIR_HINT) from error


def dump_project(project: Project) -> str:
    """Serialise a project with one record per line.

    Each record goes through pydantic's serializer on its own, which is several times faster
    than dumping the whole project to dicts and encoding them with the json module.
    """
    fields: list[tuple[str, Any]] = [("schema_version", project.schema_version)]
    fields += [(name, getattr(project, name)) for name in COLLECTIONS]
    fields += list((project.model_extra or {}).items())
    lines = ["{"]
    for index, (key, value) in enumerate(fields):
        comma = "," if index < len(fields) - 1 else ""
        if key in COLLECTIONS and value:
            lines.append(f"  {json.dumps(key)}: [")
            lines.append(",\n".join(f"    {record.to_json_line()}" for record in value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def fsync_directory(folder: Path) -> None:
    """Flush a folder's entries to disk, so that a rename in it survives a power cut."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        # Some file systems do not support fsync on folders; the rename is still atomic.
        pass
    finally:
        os.close(descriptor)


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash leaves either the old or the new file.

    The new file keeps the old file's permission bits. Raises OSError when the folder or
    file cannot be written; the old file and no temporary file are left then.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            try:
                os.chmod(handle.fileno(), path.stat().st_mode & 0o7777)
            except FileNotFoundError:
                pass
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def write_project(path: Path, project: Project) -> None:
    write_atomic(path, dump_project(project))
