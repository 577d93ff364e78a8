"""Tests that the core, imaging and formats layers import neither Textual nor Rich.

Each module is imported in a fresh interpreter, because the test process itself may
already have imported Textual for the UI tests.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

UI_FREE_PACKAGES = ("tui_annotate.core", "tui_annotate.imaging", "tui_annotate.formats")
FORBIDDEN = ("textual", "rich")

CHECK_SCRIPT = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def discover_modules() -> list[str]:
    """List every package and module under the UI-free packages, so new modules are covered."""
    names = []
    for package_name in UI_FREE_PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            names.append(module.name)
    return names


MODULES = discover_modules()


def test_discovery_finds_core_modules():
    assert "tui_annotate.core.store" in MODULES
    assert "tui_annotate.core.geometry" in MODULES
    assert "tui_annotate.imaging" in MODULES
    assert "tui_annotate.formats" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_no_ui(module):
    result = subprocess.run(
        [sys.executable, "-c", CHECK_SCRIPT, module], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)

    for forbidden in FORBIDDEN:
        offenders = [name for name in loaded if name == forbidden or name.startswith(f"{forbidden}.")]
        assert offenders == [], f"importing {module} loaded {forbidden}: {offenders[:5]}"
