"""Provides the `tui-annotate` command: open a project (the default), `demo`, and more."""

from __future__ import annotations

import gc
import getpass
import logging
import os
import shutil
import sys
from pathlib import Path

import click

from .core import operations
from .core.edits import Edit
from .core.errors import ImageLoadError, ProjectError
from .core.scan import scan_inputs
from .core.store import ProjectStore
from .imaging.decode import image_size
from .mask_cli import add_mask_command

DEMO_SOURCE_NAMES = ("demo",)


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "annotator"


def demo_source() -> Path:
    """Return the bundled demo project: inside the installed package, or assets/ in a checkout."""
    packaged = Path(__file__).parent / "demo"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / "assets" / "demo"
    if checkout.is_dir():
        return checkout
    raise click.ClickException("the bundled demo project is missing from this installation; reinstall tui-annotate")


def open_store(path: Path, annotator: str) -> ProjectStore:
    """Open the project in `path` and add images the project does not list yet."""
    store = ProjectStore.open(path, annotator)
    try:
        edit = operations.add_inputs(store, scan_inputs(store.root))
        if edit.changes:
            store.apply(edit, undoable=False)
        record_missing_sizes(store)
    except BaseException:
        store.close()
        raise
    return store


def record_missing_sizes(store: ProjectStore) -> None:
    """Read the size of inputs that have none from their file headers (pixels are not decoded)."""
    changes = []
    for item in store.inputs():
        if item.kind != "image" or item.width is not None:
            continue
        try:
            width, height = image_size(store.root / item.path)
        except ImageLoadError:
            continue  # the viewer shows the problem when the input is opened
        changes += operations.set_input_size(store, item.id, width, height).changes
    if changes:
        store.apply(Edit("record image sizes", changes), undoable=False)


def run_app(path: Path, annotator: str, colors: str) -> None:
    from .ui.app import create_app

    try:
        store = open_store(path, annotator)
    except ProjectError as error:
        raise click.ClickException(str(error)) from None
    # The loaded project lives as long as the app, so the garbage collector need not scan it
    # again (about 0.2 s per full collection with 100,000 annotations).
    gc.freeze()
    app = create_app(store, None if colors == "auto" else colors)  # type: ignore[arg-type]
    try:
        app.run()
    finally:
        # Runs after a crash too: the journal already contains every edit, and folding it
        # here only saves the next open a replay.
        try:
            store.close()
        except (ProjectError, OSError) as error:
            click.echo(f"Error: could not save the project file: {error}", err=True)
            raise SystemExit(1) from None
        for conflict in store.merge_conflicts:
            click.echo(f"warning: {conflict}", err=True)


ANNOTATOR_OPTION = click.option("--annotator", default=None, metavar="NAME",
                                help="Name recorded on every annotation; default: your login name.")
COLORS_OPTION = click.option("--colors", type=click.Choice(["auto", "truecolor", "256"]), default="auto",
                             show_default=True,
                             help="Colour system; auto picks truecolor only when COLORTERM is truecolor or 24bit.")


class DefaultGroup(click.Group):
    """A group whose first argument opens a project when it is not a subcommand name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if any(not arg.strip() for arg in args):
            # An unset shell variable would otherwise open (and scan) the working folder.
            raise click.UsageError('an argument is empty (""); pass a value, such as . for the working folder')
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["open", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tui-annotate")
def main() -> None:
    """Annotate images in a terminal, from the keyboard.

    \b
    tui-annotate PATH          open the project in folder PATH (made on first open); it
                               lists the images and .txt texts below PATH
    tui-annotate demo [DIR]    copy the demo project to DIR and open it
    tui-annotate add-mask PROJECT INPUT MASK.png --concept NAME
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command("open")
@click.argument("path", type=click.Path(path_type=Path))
@ANNOTATOR_OPTION
@COLORS_OPTION
def open_command(path: Path, annotator: str | None, colors: str) -> None:
    """Open the project in folder PATH (its project file is PATH/tui-annotate.json)."""
    run_app(path, annotator or default_annotator(), colors)


@main.command("demo")
@click.argument("directory", type=click.Path(path_type=Path), default=Path("tui-annotate-demo"))
@ANNOTATOR_OPTION
@COLORS_OPTION
def demo_command(directory: Path, annotator: str | None, colors: str) -> None:
    """Copy the bundled demo project to DIRECTORY (default ./tui-annotate-demo) and open it.

    An existing copy is opened as it is, so earlier work in it is kept.
    """
    if not directory.exists():
        shutil.copytree(demo_source(), directory)
        for file in directory.rglob("*"):
            file.chmod(file.stat().st_mode | 0o200)
        click.echo(f"Copied the demo project to {directory}")
    run_app(directory, annotator or default_annotator(), colors)


main.add_command(add_mask_command, "add-mask")


if __name__ == "__main__":
    sys.exit(main())
