"""Provides mask annotations: reading mask images, checking them and attaching them to inputs.

A mask is an image the size of the upright input in which nonzero pixels are inside. The
project keeps each one as a PNG in `.tui-annotate/masks/<annotation id>.png`, and the
annotation's `mask` field contains that path relative to the state folder.

Side effects: `attach_mask` writes the mask PNG before it returns the edit. Edits never delete
mask files, because undoing the deletion of a mask annotation needs its file again.
"""

from __future__ import annotations

import difflib
import os
import struct
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, UnidentifiedImageError

from .edits import Edit
from .errors import ConceptError, MaskError
from .models import Annotation, Concept, InputItem, Mark, new_id
from .operations import resolve_concept
from .projectfile import fsync_directory
from .store import ProjectStore, change_record

MASKS_DIR_NAME = "masks"
"""Folder inside the project's state folder that contains the mask PNGs."""

_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})

_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)
"""Errors that Pillow raises for missing, unreadable, truncated or corrupt image files."""


def normalize_input_path(input_path: str) -> str:
    """Return a path in the form the project lists inputs: forward slashes and no "." parts."""
    return str(PurePosixPath(input_path.replace("\\", "/")))


def find_input(store: ProjectStore, input_path: str) -> InputItem:
    """Return the input listed under `input_path`, relative to the project folder.

    Raises MaskError naming the path, the closest listed paths and where the inputs are listed.
    """
    normalized = normalize_input_path(input_path)
    paths: dict[str, InputItem] = {item.path: item for item in store.inputs()}
    # The exact path is tried first, because a backslash is a valid file name character on POSIX.
    item = paths.get(input_path) or paths.get(normalized)
    if item is not None:
        return item

    message = f'input "{input_path}" is not in the project {store.root}'
    close = difflib.get_close_matches(normalized, list(paths), n=3)
    if close:
        message += "; did you mean " + " or ".join(f'"{path}"' for path in close) + "?"
    message += (
        f'\nGive the path relative to the project folder, as listed under "inputs" in'
        f" {store.project_path}. Opening the project lists the images in its folder."
    )
    raise MaskError(message)


def find_concept(store: ProjectStore, concept_name: str) -> Concept:
    """Return the concept named `concept_name`, ignoring case.

    Raises ConceptError naming the concept and listing the known ones.
    """
    concept = store.concept_named(concept_name)
    if concept is not None:
        return concept
    names = [f'"{known.name}"' for known in store.concepts()]
    known = f"known concepts: {', '.join(names)}" if names else "the project has no concepts yet"
    raise ConceptError(
        f'concept "{concept_name}" is not in the project ({known}).'
        " Pick a known concept, or create it in the app first: press /, type the name, Enter."
    )


def mask_pixels(image: Image.Image) -> np.ndarray:
    """Convert a decoded mask image to a bool array (height, width) that is True inside.

    A pixel is inside when its value is nonzero: the palette index for palette images, and
    any channel for colour images. When an image with an alpha channel has fully transparent
    pixels, the alpha channel alone decides, so strokes of any colour (black too) painted on a
    transparent background are inside. Opaque RGBA images follow the colour rule.
    """
    mode = image.mode
    if mode in _ALPHA_MODES:
        values = np.asarray(image)
        alpha = values[..., -1]
        if not alpha.all():
            return alpha != 0
        return values[..., :-1].any(axis=-1)
    if mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        # Zero in these modes is not black, so the pixels are compared as RGB.
        return np.asarray(image.convert("RGB")).any(axis=-1)
    values = np.asarray(image)
    if values.dtype.kind == "f":
        inside = (values != 0) & ~np.isnan(values)
    else:
        inside = values != 0
    if inside.ndim == 3:
        return inside.any(axis=-1)
    return inside


def read_mask_file(path: Path, expected_size: tuple[int, int] | None = None) -> np.ndarray:
    """Read a mask image file as a bool array (height, width) that is True inside.

    The first frame of an animated file is used, and an EXIF orientation in the mask file is
    ignored, because a mask is drawn on the upright input. When `expected_size` (width,
    height) is given, a file of another size is rejected before its pixels are decoded.
    Raises MaskError naming the file and the problem.
    """
    try:
        with Image.open(path) as image:
            if expected_size is not None and image.size != tuple(expected_size):
                raise MaskError(_size_problem(path, image.size, expected_size))
            image.load()
            if image.format == "PNG":
                # Pillow does not check the CRC of PNG image data while decoding, and a corrupt
                # mask would otherwise attach damaged pixels without an error.
                with Image.open(path) as copy:
                    copy.verify()
            return mask_pixels(image)
    except MaskError:
        raise
    except MemoryError:
        problem = "not enough memory to decode the mask; close other programs"
        raise MaskError(f"{path}: {problem}") from None
    except _DECODE_ERRORS as error:
        raise MaskError(f"{path}: {_describe(error)}") from error


def write_mask_png(path: Path, inside: np.ndarray) -> None:
    """Write a bool mask as a 1-bit greyscale PNG (inside is white, 255) atomically.

    The PNG goes to a temporary file in the same folder, is flushed with fsync and then
    renamed over `path`, so a crash leaves either no file or the whole mask.
    Raises MaskError when the folder or the file cannot be written.
    """
    folder = path.parent
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            fsync_directory(folder.parent)
        with open(temporary, "wb") as handle:
            Image.fromarray(np.asarray(inside, dtype=bool)).save(handle, format="PNG")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        reason = error.strerror or str(error)
        raise MaskError(
            f"{path}: the mask cannot be written ({reason}); check free space and permissions"
        ) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(folder)


def mask_file_path(store: ProjectStore, annotation: Annotation) -> Path:
    """Return the file of a mask annotation, inside the project's state folder.

    Raises MaskError for an annotation without a mask, or for a mask path that points
    outside the state folder, such as one edited by hand to contain "..".
    """
    if annotation.mask is None:
        raise MaskError(f"annotation {annotation.id} has no mask")
    state_dir = store.state_dir.resolve()
    path = (state_dir / annotation.mask).resolve()
    if not path.is_relative_to(state_dir):
        raise MaskError(
            f'annotation {annotation.id} has the mask path "{annotation.mask}", which points'
            f' outside {store.state_dir}; fix its "mask" field in {store.project_path}'
        )
    return path


def attach_mask(
    store: ProjectStore,
    input_path: str,
    mask_file: Path,
    concept_name: str,
    image_size: tuple[int, int],
) -> Edit:
    """Check a mask image, save it in the project's masks folder and build the edit that adds it.

    `input_path` is the input's path as the project lists it, `image_size` its upright
    (width, height) and `concept_name` an existing concept, matched ignoring case. The new
    annotation gets the concept that concept relations lead to.

    The PNG is written before the edit is returned, so the annotation never points at a
    missing file. If the caller never applies the edit, the PNG stays as an orphan in the
    masks folder. Raises MaskError for an unknown input, for an unreadable, wrong-sized or
    empty mask (nothing is written then) and when the PNG cannot be written. Raises
    ConceptError for an unknown concept.
    """
    item = find_input(store, input_path)
    if item.kind != "image":
        raise MaskError(
            f'input "{item.path}" is a {item.kind}, not an image; masks apply to images only'
        )
    concept = find_concept(store, concept_name)
    inside = read_mask_file(Path(mask_file), image_size)
    if not inside.any():
        raise MaskError(
            f"{mask_file}: the mask is empty (it has no nonzero pixel); nonzero pixels mark the"
            " inside, so check that this is the right file"
        )

    masks_dir = store.state_dir / MASKS_DIR_NAME
    annotation_id = new_id()
    while store.annotation(annotation_id) or (masks_dir / f"{annotation_id}.png").exists():
        annotation_id = new_id()
    concept_id = resolve_concept(store, concept.id)
    annotation = Annotation(
        id=annotation_id,
        input_id=item.id,
        concept_id=concept_id,
        mask=f"{MASKS_DIR_NAME}/{annotation_id}.png",
        annotators=[Mark(name=store.annotator)],
    )
    write_mask_png(masks_dir / f"{annotation_id}.png", inside)

    resolved = store.concept(concept_id) or concept
    change = change_record(store, "annotations", annotation.id, annotation)
    return Edit(f"add mask {resolved.name}", [change])


def _size_problem(path: Path, size: tuple[int, int], expected: tuple[int, int]) -> str:
    width, height = size
    expected_width, expected_height = expected
    problem = (
        f"{path}: the mask is {width}x{height} pixels, but the input is"
        f" {expected_width}x{expected_height} (upright); a mask must be the size of its input"
    )
    if (width, height) == (expected_height, expected_width):
        problem += ". The sizes are swapped: rotate the mask to the input's upright orientation"
    return problem


def _describe(error: BaseException) -> str:
    """Turn a Pillow or file system error into a problem statement and a next step."""
    if isinstance(error, FileNotFoundError):
        return "file not found; check the path of the mask"
    if isinstance(error, PermissionError):
        return "permission denied; check that your user can read the mask file"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a mask image"
    if isinstance(error, UnidentifiedImageError):
        return "not an image in a format Pillow can read; save the mask as PNG"
    if isinstance(error, Image.DecompressionBombError):
        return f"the mask has more pixels than Pillow's limit ({error}); split the input into tiles"
    return f"the mask data is truncated or corrupt ({error}); save or copy the mask again"
