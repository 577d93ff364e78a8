"""Shared fixtures: a fresh copy of the demo project and a driver for the real app."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "assets" / "demo"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled demo project."""
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    return target


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's own key map out of the tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def disk_state(root: Path) -> dict[str, Any]:
    """Read what is on disk: the project file with every journal line applied on top.

    This is what a crash at this moment would leave, without taking any lock.
    """
    project = json.loads((root / "tui-annotate.json").read_text(encoding="utf-8"))
    tables = {name: {record["id"]: record for record in project.get(name, [])}
              for name in ("concepts", "inputs", "annotations", "relations")}
    for journal in sorted((root / ".tui-annotate" / "journals").glob("*.jsonl")):
        for line in journal.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for change in json.loads(line)["edit"]["changes"]:
                table = tables[change["c"]]
                if change["after"] is None:
                    table.pop(change["id"], None)
                else:
                    table[change["id"]] = change["after"]
    return {name: list(table.values()) for name, table in tables.items()}


def annotations_of(root: Path, input_path: str) -> list[dict[str, Any]]:
    state = disk_state(root)
    input_id = next(item["id"] for item in state["inputs"] if item["path"] == input_path)
    return [a for a in state["annotations"] if a["input_id"] == input_id]


def concept_name(root: Path, concept_id: str) -> str:
    return next(c["name"] for c in disk_state(root)["concepts"] if c["id"] == concept_id)


@asynccontextmanager
async def running_app(root: Path, annotator: str = "qa", size: tuple[int, int] = (160, 48)) -> AsyncIterator[Any]:
    """Open the project as the CLI does and yield (app, pilot) with the first image shown."""
    from tui_annotate.cli import open_store
    from tui_annotate.ui.app import create_app

    store = open_store(root, annotator)
    app = create_app(store, "256")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        yield app, pilot
    store.close()


async def settle(app: Any, pilot: Any) -> None:
    """Wait until image decoding workers are done and the screen has caught up."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: Any) -> str:
    """The canvas and panes as plain text, line by line, as the terminal would show them."""
    canvas = app.main_screen.canvas
    lines = [canvas.render_line(y).text for y in range(canvas.size.height)]
    objects = app.main_screen.objects.list
    rows = [str(objects.get_option_at_index(i).prompt) for i in range(objects.option_count)]
    return "\n".join(lines + rows)
