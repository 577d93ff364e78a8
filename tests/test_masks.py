"""Tests of mask annotations: attaching mask files, the add-mask command, loading and blending."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import click
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import SHARED_DATA
from tui_annotate.core.edits import Edit
from tui_annotate.core.errors import ConceptError, MaskError
from tui_annotate.core.masks import attach_mask, mask_file_path, mask_pixels
from tui_annotate.core.models import Annotation, ConceptRelation
from tui_annotate.core.store import ProjectStore, change_record
from tui_annotate.core.viewport import Viewport
from tui_annotate.imaging.decode import SourceImage
from tui_annotate.imaging.masks import blend_masks, clear_mask_cache, load_mask, mask_bounds
from tui_annotate.imaging.render import sample_view
from tui_annotate.mask_cli import add_mask_command

CHELSEA = "chelsea.png"
CHELSEA_SIZE = (451, 300)
VOC_DATASET = SHARED_DATA / "datumaro-assets" / "voc_dataset" / "voc_dataset1"
VOC_MASK = VOC_DATASET / "SegmentationClass" / "2007_000001.png"


def chelsea_mask() -> np.ndarray:
    """Return a 451x300 label map with a 20x10 rectangle of value 7 and one pixel of value 1."""
    values = np.zeros((300, 451), np.uint8)
    values[10:20, 30:50] = 7
    values[299, 450] = 1
    return values


def save_array(path: Path, values: np.ndarray, mode: str | None = None) -> Path:
    image = Image.fromarray(values) if mode is None else Image.fromarray(values).convert(mode)
    image.save(path)
    return path


def project_bytes(root: Path) -> bytes:
    return (root / "tui-annotate.json").read_bytes()


def mask_pngs(root: Path) -> list[Path]:
    return sorted((root / ".tui-annotate" / "masks").glob("*"))


def run_add_mask(*args: str) -> click.testing.Result:
    group = click.Group()
    group.add_command(add_mask_command, "add-mask")
    return CliRunner().invoke(group, ["add-mask", *args])


def saved_annotations(root: Path) -> list[dict]:
    return json.loads((root / "tui-annotate.json").read_text(encoding="utf-8"))["annotations"]


@pytest.fixture(autouse=True)
def fresh_mask_cache() -> None:
    clear_mask_cache()


# Attaching a mask


def test_attach_mask_saves_png_and_project(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "made-elsewhere.png", chelsea_mask())
    store = ProjectStore.open(demo_copy, "qa")

    edit = attach_mask(store, CHELSEA, mask_file, "CAT", CHELSEA_SIZE)
    store.apply(edit)
    store.close()

    annotations = saved_annotations(demo_copy)
    assert len(annotations) == 1
    saved = annotations[0]
    assert saved["mask"] == f"masks/{saved['id']}.png"
    assert saved["input_id"] == "8e722ebd813c"
    assert saved["concept_id"] == "d9cb9f32effc"
    assert [mark["name"] for mark in saved["annotators"]] == ["qa"]
    assert "box" not in saved
    assert "polygon" not in saved

    png = demo_copy / ".tui-annotate" / saved["mask"]
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.mode in ("1", "L")
        assert image.size == CHELSEA_SIZE
        values = np.asarray(image.convert("L"))
    assert set(np.unique(values).tolist()) == {0, 255}
    np.testing.assert_array_equal(values == 255, chelsea_mask() != 0)


def test_attach_mask_reloads_as_mask(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())
    store = ProjectStore.open(demo_copy, "qa")
    store.apply(attach_mask(store, CHELSEA, mask_file, "cat", CHELSEA_SIZE))
    store.close()

    reopened = ProjectStore.open(demo_copy, "qa")
    annotation = reopened.annotations_for("8e722ebd813c")[0]
    path = mask_file_path(reopened, annotation)
    reopened.close()

    assert annotation.kind == "mask"
    assert path == (demo_copy / ".tui-annotate" / annotation.mask).resolve()
    np.testing.assert_array_equal(load_mask(path), chelsea_mask() != 0)


def test_attach_mask_writes_png_before_apply(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())
    store = ProjectStore.open(demo_copy, "qa")

    edit = attach_mask(store, CHELSEA, mask_file, "cat", CHELSEA_SIZE)

    after = edit.changes[0].after
    assert after is not None
    assert (demo_copy / ".tui-annotate" / after["mask"]).is_file()
    assert store.all_annotations() == []
    store.close()


def test_attach_mask_follows_concept_relation(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())
    store = ProjectStore.open(demo_copy, "qa")
    cat, person = store.concept_named("cat"), store.concept_named("person")
    relation = ConceptRelation(original_id=cat.id, new_id=person.id)
    store.apply(Edit("relate", [change_record(store, "relations", relation.id, relation)]))

    edit = attach_mask(store, CHELSEA, mask_file, "cat", CHELSEA_SIZE)

    assert edit.changes[0].after["concept_id"] == person.id
    assert edit.description == "add mask person"
    store.close()


def test_attach_mask_undo_keeps_png(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())
    store = ProjectStore.open(demo_copy, "qa")
    store.apply(attach_mask(store, CHELSEA, mask_file, "cat", CHELSEA_SIZE))

    store.undo()
    assert store.all_annotations() == []
    store.redo()

    annotation = store.all_annotations()[0]
    assert mask_file_path(store, annotation).is_file()
    store.close()


def test_mask_file_path_rejects_escape(demo_copy: Path):
    store = ProjectStore.open(demo_copy, "qa")
    annotation = Annotation(
        input_id="8e722ebd813c", concept_id="d9cb9f32effc", mask="../../secret.png"
    )

    with pytest.raises(MaskError, match="outside"):
        mask_file_path(store, annotation)
    store.close()


class BadMask(NamedTuple):
    make_file: Callable[[Path], Path]
    concept: str
    input_path: str
    phrases: list[str]
    """Parts of the error message: the value that failed and what is expected."""


def write_text_as_png(path: Path) -> Path:
    path.write_text("this is a text file, not an image\n", encoding="utf-8")
    return path


def good_mask_file(folder: Path) -> Path:
    return save_array(folder / "mask.png", chelsea_mask())


BAD_MASKS = {
    "wrong size": BadMask(
        lambda folder: save_array(folder / "small.png", chelsea_mask()[:100]),
        "cat", CHELSEA, ["small.png", "451x100", "451x300"],
    ),
    "unreadable file": BadMask(
        lambda folder: write_text_as_png(folder / "notes.png"),
        "cat", CHELSEA, ["notes.png", "not an image"],
    ),
    "empty mask": BadMask(
        lambda folder: save_array(folder / "empty.png", np.zeros((300, 451), np.uint8)),
        "cat", CHELSEA, ["empty.png", "empty"],
    ),
    "missing file": BadMask(
        lambda folder: folder / "absent.png",
        "cat", CHELSEA, ["absent.png", "not found"],
    ),
    "unknown concept": BadMask(
        good_mask_file, "dog", CHELSEA, ['"dog"', '"cat"', '"person"'],
    ),
    "unknown input": BadMask(
        good_mask_file, "cat", "chelsa.png", ['"chelsa.png"', '"chelsea.png"', '"inputs"'],
    ),
}


@pytest.mark.parametrize("case", list(BAD_MASKS))
def test_attach_mask_rejects_bad_mask(case: str, demo_copy: Path, tmp_path: Path):
    make_file, concept, input_path, phrases = BAD_MASKS[case]
    mask_file = make_file(tmp_path)
    store = ProjectStore.open(demo_copy, "qa")

    expected = ConceptError if case == "unknown concept" else MaskError
    with pytest.raises(expected) as raised:
        attach_mask(store, input_path, mask_file, concept, CHELSEA_SIZE)
    store.close()

    for phrase in phrases:
        assert phrase in str(raised.value)
    assert mask_pngs(demo_copy) == []


def test_attach_mask_names_swapped_size(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "rotated.png", chelsea_mask().T.copy())
    store = ProjectStore.open(demo_copy, "qa")

    with pytest.raises(MaskError, match="rotate the mask"):
        attach_mask(store, CHELSEA, mask_file, "cat", CHELSEA_SIZE)
    store.close()


# The add-mask command


def test_add_mask_attaches(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())

    result = run_add_mask(
        str(demo_copy), CHELSEA, str(mask_file), "--concept", "Cat", "--annotator", "qa"
    )

    assert result.exit_code == 0, result.output
    assert '"chelsea.png"' in result.output
    assert '"cat"' in result.output
    assert "201 pixels" in result.output
    assert "[30, 10, 451, 300]" in result.output
    annotations = saved_annotations(demo_copy)
    assert len(annotations) == 1
    assert annotations[0]["annotators"][0]["name"] == "qa"
    assert [path.name for path in mask_pngs(demo_copy)] == [f"{annotations[0]['id']}.png"]
    assert list((demo_copy / ".tui-annotate" / "journals").glob("*.jsonl")) == []


def test_add_mask_accepts_working_folder_path(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())

    input_arg = str(demo_copy / CHELSEA)

    result = run_add_mask(str(demo_copy), input_arg, str(mask_file), "--concept", "cat")

    assert result.exit_code == 0, result.output
    assert len(saved_annotations(demo_copy)) == 1


@pytest.mark.parametrize("case", list(BAD_MASKS))
def test_add_mask_rejects_bad_mask(case: str, demo_copy: Path, tmp_path: Path):
    make_file, concept, input_path, phrases = BAD_MASKS[case]
    mask_file = make_file(tmp_path)
    before = project_bytes(demo_copy)

    result = run_add_mask(str(demo_copy), input_path, str(mask_file), "--concept", concept)

    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output
    assert project_bytes(demo_copy) == before
    assert mask_pngs(demo_copy) == []


def test_add_mask_rejects_missing_project(tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())

    result = run_add_mask(str(tmp_path / "absent"), CHELSEA, str(mask_file), "--concept", "cat")

    assert result.exit_code == 1
    assert "folder not found" in result.output
    assert not (tmp_path / "absent").exists()


def test_add_mask_requires_concept(demo_copy: Path, tmp_path: Path):
    mask_file = save_array(tmp_path / "mask.png", chelsea_mask())

    result = run_add_mask(str(demo_copy), CHELSEA, str(mask_file))

    assert result.exit_code == 2
    assert "--concept" in result.output


@pytest.mark.skipif(not VOC_MASK.is_file(), reason="shared sample data is absent")
def test_add_mask_attaches_voc_mask(demo_copy: Path):
    with Image.open(VOC_MASK) as voc:
        size = voc.size
        expected = np.asarray(voc.convert("RGB")).any(axis=-1)
    Image.new("RGB", size, (90, 120, 150)).save(demo_copy / "voc-sized.png")

    result = run_add_mask(str(demo_copy), "voc-sized.png", str(VOC_MASK), "--concept", "person")

    assert result.exit_code == 0, result.output
    state = json.loads((demo_copy / "tui-annotate.json").read_text(encoding="utf-8"))
    item = next(item for item in state["inputs"] if item["path"] == "voc-sized.png")
    annotation = next(a for a in state["annotations"] if a["input_id"] == item["id"])
    saved = load_mask(demo_copy / ".tui-annotate" / annotation["mask"])
    assert saved.shape == (size[1], size[0])
    assert expected.any()
    np.testing.assert_array_equal(saved, expected)


# Loading masks


def test_load_mask_palette_png_uses_indexes(tmp_path: Path):
    indexes = np.array([[0, 1, 2], [0, 0, 3]], np.uint8)
    image = Image.fromarray(indexes, "P")
    # Index 0 is white, so a rule that looked at colours would call every pixel inside.
    image.putpalette([255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0])
    image.save(tmp_path / "palette.png")

    loaded = load_mask(tmp_path / "palette.png")

    assert loaded.dtype == bool
    np.testing.assert_array_equal(loaded, indexes != 0)


def test_load_mask_transparent_rgba_uses_alpha(tmp_path: Path):
    pixels = np.zeros((2, 3, 4), np.uint8)
    pixels[0, 0] = (0, 0, 0, 255)  # an opaque black stroke
    pixels[1, 2] = (200, 10, 10, 128)  # a half-transparent red stroke
    pixels[0, 2] = (255, 255, 255, 0)  # transparent white background
    Image.fromarray(pixels, "RGBA").save(tmp_path / "strokes.png")

    loaded = load_mask(tmp_path / "strokes.png")

    expected = np.array([[True, False, False], [False, False, True]])
    np.testing.assert_array_equal(loaded, expected)


def test_load_mask_opaque_rgba_uses_colour(tmp_path: Path):
    pixels = np.zeros((2, 2, 4), np.uint8)
    pixels[..., 3] = 255
    pixels[1, 0, :3] = 255
    pixels[0, 1, 2] = 1
    Image.fromarray(pixels, "RGBA").save(tmp_path / "opaque.png")

    loaded = load_mask(tmp_path / "opaque.png")

    np.testing.assert_array_equal(loaded, [[False, True], [True, False]])


def test_load_mask_sixteen_bit_grey(tmp_path: Path):
    values = np.array([[0, 1], [65535, 0]], np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")

    np.testing.assert_array_equal(load_mask(tmp_path / "deep.png"), values != 0)


def test_load_mask_reads_rewritten_file(tmp_path: Path):
    path = tmp_path / "mask.png"
    save_array(path, np.array([[1, 0]], np.uint8))
    first = load_mask(path)
    save_array(path, np.array([[0, 1, 1]], np.uint8))

    second = load_mask(path)

    np.testing.assert_array_equal(first, [[True, False]])
    np.testing.assert_array_equal(second, [[False, True, True]])


def test_load_mask_result_is_read_only(tmp_path: Path):
    path = save_array(tmp_path / "mask.png", np.array([[1, 0]], np.uint8))

    loaded = load_mask(path)

    assert load_mask(path) is loaded
    with pytest.raises(ValueError):
        loaded[0, 0] = False


def test_load_mask_missing_file_names_it(tmp_path: Path):
    with pytest.raises(MaskError, match="absent.png"):
        load_mask(tmp_path / "absent.png")


def test_mask_pixels_float_nan_is_outside():
    values = np.array([[0.0, np.nan, 0.5]], np.float32)

    inside = mask_pixels(Image.fromarray(values, "F"))

    np.testing.assert_array_equal(inside, [[False, False, True]])


# Blending and bounds

TINY_MASK = np.array(
    [
        [0, 0, 0, 0, 0, 0],
        [0, 1, 1, 0, 0, 0],
        [0, 1, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 1],
    ],
    bool,
)
MASK_COLOUR = (255, 0, 0)


def tiny_image() -> SourceImage:
    """Return a 6x4 image whose pixels all differ, so a shifted grid would show."""
    values = np.arange(6 * 4 * 3, dtype=np.uint8).reshape(4, 6, 3) * 3
    return SourceImage.from_image(Image.fromarray(values, "RGB"), Path("tiny.png"))


def blended_value(sample: np.ndarray, colour: tuple[int, int, int], alpha: float) -> np.ndarray:
    mixed = sample.astype(np.float64) * (1 - alpha) + np.asarray(colour) * alpha
    return np.rint(mixed).astype(np.uint8)


VIEWS = {
    # name: (viewport, which samples are inside the mask)
    "scale 1": (Viewport(0, 0, 1.0, 6, 2), TINY_MASK),
    "scale 0.5": (Viewport(0, 0, 0.5, 12, 4), TINY_MASK.repeat(2, axis=0).repeat(2, axis=1)),
    "scale 1 shifted past the edges": (
        Viewport(-1, -1, 1.0, 8, 3),
        np.pad(TINY_MASK, ((1, 1), (1, 1))),
    ),
    "scale 2": (Viewport(0, 0, 2.0, 3, 1), TINY_MASK[1::2, 1::2]),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_blend_masks_changes_samples_inside(name: str):
    viewport, expected_inside = VIEWS[name]
    samples = sample_view(tiny_image(), viewport)
    original = samples.copy()

    blended = blend_masks(samples, viewport, [(TINY_MASK, MASK_COLOUR)], alpha=0.45)

    assert expected_inside.shape == samples.shape[:2]
    np.testing.assert_array_equal(samples, original)
    changed = (blended != original).any(axis=-1)
    np.testing.assert_array_equal(changed, expected_inside)
    expected_colours = blended_value(original[expected_inside], MASK_COLOUR, 0.45)
    np.testing.assert_array_equal(blended[expected_inside], expected_colours)
    np.testing.assert_array_equal(blended[~expected_inside], original[~expected_inside])


def test_blend_masks_fractional_view_grid():
    image = tiny_image()
    pixels = np.asarray(image.levels[0])
    viewport = Viewport(-0.3, 0.45, 0.37, 19, 6)
    samples = sample_view(image, viewport, background=(255, 255, 255))

    blended = blend_masks(samples, viewport, [(TINY_MASK, MASK_COLOUR)])

    # Every pixel of the tiny image has its own colour, so each sample names its pixel.
    matches = (samples[:, :, None, None, :] == pixels[None, None, :, :, :]).all(axis=-1)
    inside_image = matches.any(axis=(2, 3))
    expected_inside = (matches & TINY_MASK[None, None]).any(axis=(2, 3))
    assert inside_image.any()
    assert not inside_image.all()
    assert expected_inside.sum() > 4
    changed = (blended != samples).any(axis=-1)
    np.testing.assert_array_equal(changed, expected_inside)


def test_blend_masks_later_mask_on_top():
    viewport = Viewport(0, 0, 1.0, 6, 2)
    samples = sample_view(tiny_image(), viewport)
    second = np.zeros_like(TINY_MASK)
    second[1, 1] = True

    masks = [(TINY_MASK, MASK_COLOUR), (second, (0, 0, 255))]

    blended = blend_masks(samples, viewport, masks, alpha=1.0)

    assert blended[1, 1].tolist() == [0, 0, 255]
    assert blended[1, 2].tolist() == [255, 0, 0]


def test_blend_masks_without_masks_copies():
    viewport = Viewport(0, 0, 1.0, 6, 2)
    samples = sample_view(tiny_image(), viewport)

    blended = blend_masks(samples, viewport, [])

    assert blended is not samples
    np.testing.assert_array_equal(blended, samples)


def test_blend_masks_rejects_bad_arguments():
    viewport = Viewport(0, 0, 1.0, 6, 2)
    samples = sample_view(tiny_image(), viewport)

    with pytest.raises(ValueError, match="alpha"):
        blend_masks(samples, viewport, [(TINY_MASK, MASK_COLOUR)], alpha=1.5)
    with pytest.raises(ValueError, match="shape"):
        blend_masks(samples[:2], viewport, [(TINY_MASK, MASK_COLOUR)])


def test_mask_bounds_of_tiny_mask():
    assert mask_bounds(TINY_MASK) == (1, 1, 6, 4)


def test_mask_bounds_of_one_pixel():
    mask = np.zeros((5, 7), bool)
    mask[3, 2] = True

    assert mask_bounds(mask) == (2, 3, 3, 4)


def test_mask_bounds_rejects_empty_mask():
    with pytest.raises(ValueError, match="empty"):
        mask_bounds(np.zeros((3, 3), bool))


def test_mask_modules_avoid_textual_and_rich():
    code = (
        "import sys\n"
        "import tui_annotate.core.masks, tui_annotate.imaging.masks\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
