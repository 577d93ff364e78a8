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
    problems += key_conflicts(keymap, path)
    return keymap, problems


def key_conflicts(keymap: dict[str, str], path: Path) -> list[str]:
    """Report keys that two bindings of the main screen would share after remapping.

    A key bound both on the screen and on the canvas or a pane is not a conflict: the
    focused widget's binding wins there on purpose (Delete, Escape, b, v).
    """
    problems = []
    for group, bindings in BINDING_GROUPS:
        owners: dict[str, str] = {}
        for binding in bindings:
            keys = keymap.get(binding.id or "", binding.key)
            for key in (part.strip() for part in keys.split(",")):
                other = owners.setdefault(key, binding.id or binding.action)
                if other != (binding.id or binding.action):
                    problems.append(f"{path}: key {key!r} is bound to both {other!r} and {binding.id!r}"
                                    f" ({group}); only one of them will work")
    return problems
