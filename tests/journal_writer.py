"""Apply box edits to a project one by one and acknowledge each on stdout.

Usage: python journal_writer.py FOLDER COUNT {exit,close}

The crash tests run this in a subprocess. After each `ProjectStore.apply` returns, it
prints "ack N ANNOTATION_ID X0 Y0 X1 Y1" and flushes, so every acknowledged edit is
one the store reported as durable. After COUNT edits, "exit" ends the process without
closing the store, as a crash would, and "close" closes the store normally.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tui_annotate.core import operations
from tui_annotate.core.store import ProjectStore

IMAGE_WIDTH = 640
IMAGE_HEIGHT = 480


def main() -> None:
    folder = Path(sys.argv[1])
    count = int(sys.argv[2])
    ending = sys.argv[3]
    store = ProjectStore.open(folder, "writer")
    concept = store.concept_named("cat")
    if concept is None:
        edit, concept = operations.add_concept(store, "cat")
        store.apply(edit)
    if not store.inputs():
        store.apply(operations.add_inputs(store, ["photo.png"]))
    input_id = store.inputs()[0].id
    print("ready", flush=True)
    for number in range(1, count + 1):
        # The boxes are disjoint, so none becomes the child of another and each keeps its numbers.
        x0 = (number % 600) + 0.25
        y0 = (number // 600) * 2 + 0.5
        edit, annotation = operations.add_box(
            store, input_id, concept.id, (x0, y0), (x0 + 0.5, y0 + 0.75), IMAGE_WIDTH, IMAGE_HEIGHT
        )
        store.apply(edit)
        box = " ".join(repr(value) for value in annotation.box or [])
        print(f"ack {number} {annotation.id} {box}", flush=True)
    if ending == "exit":
        os._exit(0)
    store.close()


if __name__ == "__main__":
    main()
