"""Provides the user's key map: binding ids remapped to other keys in a TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from platformdirs import user_config_dir

from .bindings import BINDING_GROUPS


def keymap_path() -> Path:
    """Return the key map file in the user's config folder (it need not exist)."""
    return Path(user_config_dir("tui-annotate")) / "keys.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """Read `[keys]` from the key map file; return the map and a list of problems found.

    A missing file gives an empty map; unknown ids and non-string values are reported and skipped.
    """
    path = path or keymap_path()
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return {}, [f"{path}: cannot be read ({error}); using the default keys"]
    table = data.get("keys", data)
    known = {binding.id for _, bindings in BINDING_GROUPS for binding in bindings}
    keymap: dict[str, str] = {}
    problems = []
    for binding_id, keys in table.items():
        if binding_id not in known:
            problems.append(f"{path}: unknown binding id {binding_id!r}; see the help screen (?) for ids")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f"{path}: keys for {binding_id!r} must be a non-empty string such as \"n\"")
        else:
            keymap[binding_id] = keys
    return keymap, problems
