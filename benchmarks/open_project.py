"""Measure how long a large project takes to open and to close, and the memory it needs.

Builds a project of box annotations in a temporary folder, by default 100,000 boxes over
1,000 inputs and 20 concepts. It then prints the project file size, and the time of
`ProjectStore.open`, of one `set_box` edit and of `close`, which folds the journal into the
project file. Last it prints the peak memory of opening and closing.

    python benchmarks/open_project.py [--annotations N] [--inputs N] [--concepts N] [--repeat N]

Times are wall-clock seconds, the best of --repeat runs. Peak memory is measured in a
separate run under tracemalloc, which slows Python down, so its times are not reported.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from tui_annotate.core import operations
from tui_annotate.core.models import PROJECT_FILE_NAME, Annotation, Concept, InputItem, Mark, Project
from tui_annotate.core.projectfile import write_project
from tui_annotate.core.store import ProjectStore

IMAGE_WIDTH = 1920
IMAGE_HEIGHT = 1080


def build_project(annotations: int, inputs: int, concepts: int, seed: int = 7) -> Project:
    """Build a project whose boxes are spread evenly over the inputs, with fractional coordinates."""
    rng = random.Random(seed)
    concept_list = [Concept(name=f"concept {number}", color=operations.PALETTE[number % 20])
                    for number in range(concepts)]
    input_list = [InputItem(path=f"images/{number:05d}.jpg", width=IMAGE_WIDTH, height=IMAGE_HEIGHT)
                  for number in range(inputs)]
    annotators = ["alice", "bob", "carol"]
    annotation_list = []
    for number in range(annotations):
        x0 = round(rng.uniform(0, IMAGE_WIDTH - 50), 4)
        y0 = round(rng.uniform(0, IMAGE_HEIGHT - 50), 4)
        x1 = round(rng.uniform(x0 + 1, IMAGE_WIDTH), 4)
        y1 = round(rng.uniform(y0 + 1, IMAGE_HEIGHT), 4)
        annotation_list.append(Annotation(
            input_id=input_list[number % inputs].id,
            concept_id=concept_list[rng.randrange(concepts)].id,
            box=[x0, y0, x1, y1],
            annotators=[Mark(name=rng.choice(annotators), at="2025-01-02T03:04:05Z")],
            created_at="2025-01-02T03:04:05Z",
        ))
    return Project(concepts=concept_list, inputs=input_list, annotations=annotation_list)


def time_open_and_close(folder: Path) -> tuple[float, float, float]:
    """Open the project, move one box and close it, and return the three durations in seconds."""
    gc.collect()
    started = time.perf_counter()
    store = ProjectStore.open(folder, "benchmark")
    opened = time.perf_counter()
    annotation = store.all_annotations()[len(store.all_annotations()) // 2]
    assert annotation.box is not None
    x0, y0, x1, y1 = annotation.box
    edit_started = time.perf_counter()
    store.apply(operations.set_box(store, annotation.id, (x0, y0, x1 + 1, y1)))
    edited = time.perf_counter()
    store.close()
    closed = time.perf_counter()
    return opened - started, edited - edit_started, closed - edited


def measure_peak_memory(folder: Path) -> int:
    """Return the peak bytes that Python allocated while opening and closing the project."""
    gc.collect()
    tracemalloc.start()
    store = ProjectStore.open(folder, "benchmark")
    store.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del store
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000, help="number of box annotations")
    parser.add_argument("--inputs", type=int, default=1_000, help="number of inputs")
    parser.add_argument("--concepts", type=int, default=20, help="number of concepts")
    parser.add_argument("--repeat", type=int, default=3, help="number of timed runs, of which the best is printed")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tui-annotate-bench-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        project = build_project(arguments.annotations, arguments.inputs, arguments.concepts)
        write_project(folder / PROJECT_FILE_NAME, project)
        built = time.perf_counter() - started
        del project

        runs = [time_open_and_close(folder) for _ in range(arguments.repeat)]
        peak = measure_peak_memory(folder)
        size = (folder / PROJECT_FILE_NAME).stat().st_size

    open_times, edit_times, close_times = zip(*runs)
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    max_rss_mib = max_rss / 1024 if sys.platform != "darwin" else max_rss / 2**20
    print(f"python {sys.version.split()[0]}, {arguments.annotations:,} annotations,"
          f" {arguments.inputs:,} inputs, {arguments.concepts} concepts")
    print(f"build and write (setup)       {built:8.3f} s")
    print(f"project file size             {size / 2**20:8.1f} MiB")
    print(f"ProjectStore.open             {min(open_times):8.3f} s  (median {statistics.median(open_times):.3f} s)")
    print(f"apply one set_box             {min(edit_times) * 1000:8.1f} ms")
    print(f"close (fold)                  {min(close_times):8.3f} s  (median {statistics.median(close_times):.3f} s)")
    print(f"peak traced memory open+close {peak / 2**20:8.1f} MiB")
    print(f"max RSS of this process       {max_rss_mib:8.1f} MiB  (includes building the project)")


if __name__ == "__main__":
    main()
