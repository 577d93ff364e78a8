"""Tests for decoding, sampling, xterm-256 quantisation and half-block strips."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import ExifTags, Image
from rich.color import ColorSystem, ColorType
from rich.console import Console
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.strip import Strip

from tui_annotate.core.errors import ImageLoadError
from tui_annotate.core.viewport import Viewport
from tui_annotate.imaging import decode
from tui_annotate.imaging.decode import (
    MIN_LEVEL_SIDE,
    TRANSPARENT_BACKDROP,
    SourceImage,
    image_size,
    open_image,
)
from tui_annotate.imaging.render import XTERM256_RGB, cell_rgb, sample_view, xterm256_indexes
from tui_annotate.ui import image_strips
from tui_annotate.ui.image_strips import HALF_BLOCK, StripBuilder

# CI checks out the shared data beside the repository, as ../shared.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared test data not found at {DATA}")

IMAGE_SUFFIXES = {".bmp", ".gif", ".jpg", ".png", ".tif", ".webp"}
BACKGROUND = (30, 30, 30)
JPEG_TOLERANCE = 40

# Files that must fail to decode. Every other image in the two folders must open.
BROKEN_FILES = {
    "truncated_jpeg.jpg",
    "xcsn0g01.png",  # Wrong CRC in the image data chunk.
    "xdtn0g01.png",  # No image data chunk.
    "xhdn0g08.png",  # Wrong CRC in the header chunk.
    "xs1n0g01.png",  # Wrong PNG signature.
}


def data_images(folder: str) -> list:
    """Return a pytest parameter per image file in a data folder, or one skipped parameter."""
    if not DATA.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{DATA} not found"))]
    paths = sorted(path for path in (DATA / folder).iterdir() if path.suffix in IMAGE_SUFFIXES)
    return [pytest.param(path, id=path.name) for path in paths]


def grid_image() -> tuple[np.ndarray, SourceImage]:
    """Return a 4x4 image whose 16 pixels all differ, as an array and a SourceImage."""
    ys, xs = np.mgrid[0:4, 0:4]
    pixels = np.stack([xs * 60 + 10, ys * 60 + 20, 100 + xs + 4 * ys], axis=-1).astype(np.uint8)
    return pixels, SourceImage.from_image(Image.fromarray(pixels, "RGB"), Path("grid.png"))


def quadrant_image(width: int, height: int) -> Image.Image:
    """Return an image whose four quadrants are red, green, blue and white (reading order)."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[: height // 2, : width // 2] = (255, 0, 0)
    pixels[: height // 2, width // 2 :] = (0, 255, 0)
    pixels[height // 2 :, : width // 2] = (0, 0, 255)
    pixels[height // 2 :, width // 2 :] = (255, 255, 255)
    return Image.fromarray(pixels, "RGB")


def save_jpeg_with_orientation(image: Image.Image, path: Path, orientation: int) -> Path:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return path


def assert_close(actual, expected, tolerance: int) -> None:
    difference = np.abs(np.asarray(actual, int) - np.asarray(expected, int)).max()
    assert difference <= tolerance, f"{actual} differs from {expected} by {difference}"


# Sampling


def test_sample_view_scale_one_gives_each_pixel():
    pixels, image = grid_image()

    samples = sample_view(image, Viewport(0, 0, 1, 4, 2))

    assert samples.shape == (4, 4, 3)
    assert samples.dtype == np.uint8
    np.testing.assert_array_equal(samples, pixels)


def test_sample_view_zoomed_in_makes_blocks():
    pixels, image = grid_image()

    samples = sample_view(image, Viewport(0, 0, 0.5, 8, 4))

    np.testing.assert_array_equal(samples, pixels.repeat(2, axis=0).repeat(2, axis=1))


def test_sample_view_left_of_image_is_background():
    pixels, image = grid_image()

    samples = sample_view(image, Viewport(-1, 0, 1, 5, 2))

    assert (samples[:, 0] == BACKGROUND).all()
    np.testing.assert_array_equal(samples[:, 1:], pixels)


def test_sample_view_outside_image_is_background():
    pixels, image = grid_image()

    samples = sample_view(image, Viewport(1, -2, 1, 4, 4))

    assert (samples[:2] == BACKGROUND).all()
    assert (samples[6:] == BACKGROUND).all()
    assert (samples[:, 3] == BACKGROUND).all()
    np.testing.assert_array_equal(samples[2:6, :3], pixels[:, 1:])


def test_sample_view_uses_given_background():
    _, image = grid_image()

    samples = sample_view(image, Viewport(100, 100, 1, 3, 2), background=(1, 2, 3))

    assert (samples == (1, 2, 3)).all()


def test_sample_view_pans_by_whole_pixels():
    pixels, image = grid_image()

    samples = sample_view(image, Viewport(2, 2, 1, 2, 1))

    np.testing.assert_array_equal(samples, pixels[2:4, 2:4])


def test_sample_view_zoomed_out_averages_blocks():
    pixels, image = grid_image()

    samples = sample_view(image, Viewport(0, 0, 2, 2, 1))

    expected = pixels.astype(float).reshape(2, 2, 2, 2, 3).mean(axis=(1, 3))
    assert_close(samples, expected, tolerance=1)


def test_sample_view_from_pyramid_matches_full_resize():
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)
    image = SourceImage.from_image(Image.fromarray(pixels, "RGB"), Path("noise.png"))

    samples = sample_view(image, Viewport(0, 0, 4, 64, 32))

    assert image.level_for_scale(4) == 2
    expected = pixels.astype(float).reshape(64, 4, 64, 4, 3).mean(axis=(1, 3))
    assert_close(samples, expected, tolerance=2)


def test_sample_view_partial_edge_samples():
    image = SourceImage.from_image(Image.new("RGB", (100, 100), (200, 10, 10)), Path("red.png"))

    # Sample 0 spans x in [-1.5, 1.5): its centre is inside, its box is not.
    samples = sample_view(image, Viewport(-1.5, -1.5, 3, 40, 20))

    assert (samples[0, 0] == (200, 10, 10)).all()
    assert (samples[:34, :34] == (200, 10, 10)).all()
    assert (samples[34:, :] == BACKGROUND).all()
    assert (samples[:, 34:] == BACKGROUND).all()


def test_sample_view_fits_huge_image():
    image = SourceImage.from_image(Image.new("RGB", (12000, 9000), (0, 90, 200)), Path("big.png"))
    viewport = Viewport.fit(image.width, image.height, 200, 60)

    samples = sample_view(image, viewport)

    assert [level.size for level in image.levels[:3]] == [(12000, 9000), (6000, 4500), (3000, 2250)]
    assert min(image.levels[-1].size) >= MIN_LEVEL_SIDE
    assert min(image.levels[-1].size) < 2 * MIN_LEVEL_SIDE
    # The image fills the 120 sample rows; 20 columns on each side stay background.
    assert samples.shape == (120, 200, 3)
    assert (samples[:, 20:180] == (0, 90, 200)).all()
    assert (samples[:, :20] == BACKGROUND).all()
    assert (samples[:, 180:] == BACKGROUND).all()


def test_level_for_scale_thresholds():
    image = SourceImage.from_image(Image.new("RGB", (1024, 1024)), Path("square.png"))

    assert len(image.levels) == 5
    assert image.level_for_scale(0.25) == 0
    assert image.level_for_scale(1) == 0
    assert image.level_for_scale(1.9) == 0
    assert image.level_for_scale(2) == 1
    assert image.level_for_scale(3.99) == 1
    assert image.level_for_scale(4) == 2
    assert image.level_for_scale(10_000) == 4


def test_cell_rgb_returns_upper_and_lower_sample():
    pixels, _ = grid_image()

    upper, lower = cell_rgb(pixels, column=3, row=1)

    assert upper == tuple(pixels[2, 3].tolist())
    assert lower == tuple(pixels[3, 3].tolist())


# xterm-256 quantisation


def test_xterm256_maps_palette_colours_to_themselves():
    indexes = xterm256_indexes(XTERM256_RGB[16:])

    np.testing.assert_array_equal(indexes, np.arange(16, 256))


def test_xterm256_palette_has_cube_and_grey_ramp():
    assert XTERM256_RGB.shape == (256, 3)
    assert tuple(XTERM256_RGB[16]) == (0, 0, 0)
    assert tuple(XTERM256_RGB[196]) == (255, 0, 0)
    assert tuple(XTERM256_RGB[231]) == (255, 255, 255)
    assert tuple(XTERM256_RGB[232]) == (8, 8, 8)
    assert tuple(XTERM256_RGB[255]) == (238, 238, 238)


def test_xterm256_picks_nearest_colour():
    rng = np.random.default_rng(3)
    colours = rng.integers(0, 256, (2000, 3))

    indexes = xterm256_indexes(colours.astype(np.uint8))

    distances = ((colours[:, None, :] - XTERM256_RGB[None, 16:].astype(int)) ** 2).sum(axis=-1)
    chosen = ((colours - XTERM256_RGB[indexes].astype(int)) ** 2).sum(axis=-1)
    np.testing.assert_array_equal(chosen, distances.min(axis=1))
    assert indexes.min() >= 16


def test_xterm256_keeps_shape():
    samples = np.zeros((6, 5, 3), np.uint8)

    assert xterm256_indexes(samples).shape == (6, 5)
    assert xterm256_indexes(samples).dtype == np.uint8


# Decoding


@pytest.mark.parametrize(
    "orientation, corners",
    [
        # Orientation 6 (display rotated 90 degrees clockwise): the stored top row,
        # red then green, becomes the right column from top to bottom.
        (6, {"top_left": (0, 0, 255), "top_right": (255, 0, 0),
             "bottom_left": (255, 255, 255), "bottom_right": (0, 255, 0)}),
        # Orientation 8 (rotated 90 degrees anticlockwise): the stored top row becomes
        # the left column from bottom to top.
        (8, {"top_left": (0, 255, 0), "top_right": (255, 255, 255),
             "bottom_left": (255, 0, 0), "bottom_right": (0, 0, 255)}),
    ],
)  # fmt: skip
def test_open_image_applies_exif_rotation(tmp_path, orientation, corners):
    path = save_jpeg_with_orientation(quadrant_image(80, 40), tmp_path / "rotated.jpg", orientation)

    image = open_image(path)

    assert (image.width, image.height) == (40, 80)
    assert image_size(path) == (40, 80)
    upright = image.levels[0]
    assert_close(upright.getpixel((5, 5)), corners["top_left"], JPEG_TOLERANCE)
    assert_close(upright.getpixel((34, 5)), corners["top_right"], JPEG_TOLERANCE)
    assert_close(upright.getpixel((5, 74)), corners["bottom_left"], JPEG_TOLERANCE)
    assert_close(upright.getpixel((34, 74)), corners["bottom_right"], JPEG_TOLERANCE)


def test_open_image_without_orientation_keeps_layout(tmp_path):
    path = tmp_path / "plain.jpg"
    quadrant_image(80, 40).save(path, quality=95)

    image = open_image(path)

    assert (image.width, image.height) == (80, 40)
    assert_close(image.levels[0].getpixel((5, 5)), (255, 0, 0), JPEG_TOLERANCE)


@needs_data
@pytest.mark.parametrize(
    "relative_path, size",
    [
        ("exif-orientation-examples/Landscape_6.jpg", (1800, 1200)),
        ("exif-orientation-examples/Landscape_8.jpg", (1800, 1200)),
        ("exif-orientation-examples/Portrait_6.jpg", (1200, 1800)),
        ("exif-orientation-examples/Landscape_0.jpg", (1800, 1200)),
        ("pillow-test-images/hopper_orientation_6.jpg", (128, 128)),
        ("pillow-test-images/orientation_rectangle.jpg", (1, 2)),
    ],
)
def test_real_exif_files_have_upright_size(relative_path, size):
    path = DATA / relative_path

    image = open_image(path)

    assert (image.width, image.height) == size
    assert image_size(path) == size


@needs_data
@pytest.mark.parametrize("orientation", range(2, 9))
def test_hopper_orientations_match_upright_hopper(orientation):
    folder = DATA / "pillow-test-images"
    upright = np.asarray(open_image(folder / "hopper.jpg").levels[0], float)
    path = folder / f"hopper_orientation_{orientation}.jpg"

    image = np.asarray(open_image(path).levels[0], float)

    with Image.open(path) as stored:
        stored_pixels = np.asarray(stored.convert("RGB"), float)
    assert np.abs(image - upright).mean() < 10
    assert np.abs(stored_pixels - upright).mean() > 20, "the stored file is already upright"


@needs_data
@pytest.mark.parametrize("path", data_images("pillow-test-images") + data_images("pngsuite"))
def test_odd_files_open_or_fail_clearly(path):
    if path.name in BROKEN_FILES:
        with pytest.raises(ImageLoadError) as caught:
            open_image(path)
        assert path.name in str(caught.value)
        assert caught.value.path == path
        return

    image = open_image(path)

    assert all(level.mode == "RGB" for level in image.levels)
    assert (image.width, image.height) == image_size(path)


@needs_data
def test_transparent_pixels_show_backdrop():
    path = DATA / "pillow-test-images" / "transparent.png"
    with Image.open(path) as stored:
        alpha = np.asarray(stored.getchannel("A"))
    transparent_y, transparent_x = np.argwhere(alpha == 0)[0]
    opaque_y, opaque_x = np.argwhere(alpha == 255)[0]

    image = open_image(path).levels[0]

    assert image.getpixel((int(transparent_x), int(transparent_y))) == TRANSPARENT_BACKDROP
    with Image.open(path) as stored:
        opaque = stored.getpixel((int(opaque_x), int(opaque_y)))[:3]
    assert image.getpixel((int(opaque_x), int(opaque_y))) == opaque


@needs_data
def test_palette_transparency_shows_backdrop():
    path = DATA / "pngsuite" / "tbbn3p08.png"
    with Image.open(path) as stored:
        alpha = np.asarray(stored.convert("RGBA").getchannel("A"))
    y, x = np.argwhere(alpha == 0)[0]

    image = open_image(path).levels[0]

    assert image.getpixel((int(x), int(y))) == TRANSPARENT_BACKDROP


@needs_data
def test_sixteen_bit_grey_is_scaled_not_clipped():
    path = DATA / "pngsuite" / "basn0g16.png"
    with Image.open(path) as stored:
        raw = np.asarray(stored).astype(int)

    image = np.asarray(open_image(path).levels[0]).astype(int)

    assert_close(image[..., 0], raw / 257, tolerance=1)
    assert (image[..., 0] == image[..., 2]).all()


@needs_data
def test_cmyk_jpeg_opens_as_rgb():
    image = open_image(DATA / "pillow-test-images" / "pil_sample_cmyk.jpg")

    assert image.levels[0].mode == "RGB"
    assert (image.width, image.height) == (100, 100)


def test_animated_gif_uses_first_frame(tmp_path):
    path = tmp_path / "blink.gif"
    frames = [Image.new("RGB", (8, 8), (255, 0, 0)), Image.new("RGB", (8, 8), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)

    image = open_image(path)

    assert image.levels[0].getpixel((4, 4)) == (255, 0, 0)


def test_text_file_named_png_fails_clearly(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")

    with pytest.raises(ImageLoadError) as caught:
        open_image(path)

    assert caught.value.path == path
    assert "notes.png" in str(caught.value)
    assert "not an image" in caught.value.problem
    with pytest.raises(ImageLoadError):
        image_size(path)


def test_truncated_png_fails_clearly(tmp_path):
    path = tmp_path / "cut.png"
    noise = np.random.default_rng(2).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise, "RGB").save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(ImageLoadError) as caught:
        open_image(path)

    assert "truncated or corrupt" in caught.value.problem


def test_missing_file_fails_clearly(tmp_path):
    path = tmp_path / "gone.jpg"

    with pytest.raises(ImageLoadError) as caught:
        open_image(path)

    assert "not found" in caught.value.problem


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [12, 20])
def test_image_above_pixel_limit_fails_clearly(tmp_path, monkeypatch, side):
    # 100 pixels: Pillow only warns for 12x12 and raises for 20x20 (over twice the limit).
    monkeypatch.setattr(decode, "MAX_IMAGE_PIXELS", 100)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    path = tmp_path / "bomb.png"
    Image.new("RGB", (side, side)).save(path)

    with pytest.raises(ImageLoadError) as caught:
        open_image(path)

    assert "limit" in caught.value.problem
    with pytest.raises(ImageLoadError):
        image_size(path)


def test_sixteen_bit_trns_shows_backdrop():
    values = np.array([[0, 65535], [1000, 65535]], np.uint16)
    stored = Image.fromarray(values)
    stored.info["transparency"] = 1000

    rgb = decode.to_rgb(stored)

    assert rgb.getpixel((0, 0)) == (0, 0, 0)
    assert rgb.getpixel((1, 0)) == (255, 255, 255)
    assert rgb.getpixel((0, 1)) == TRANSPARENT_BACKDROP


def test_imaging_avoids_textual_and_rich():
    code = (
        "import sys\n"
        "import tui_annotate.imaging.decode, tui_annotate.imaging.render\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr


# Strips

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def two_row_samples() -> np.ndarray:
    """Return one cell row: the first two cells are equal, the last two are not."""
    upper = [RED, RED, GREEN, WHITE]
    lower = [BLUE, BLUE, BLUE, WHITE]
    return np.array([upper, lower], np.uint8)


def render(strip: Strip, color_system: str) -> str:
    console = Console(file=io.StringIO(), color_system=color_system, force_terminal=True)
    return strip.render(console)


def test_strip_builder_truecolor_colours_and_merging():
    strips = StripBuilder("truecolor").build(two_row_samples())

    assert len(strips) == 1
    segments = list(strips[0])
    assert [segment.text for segment in segments] == [HALF_BLOCK * 2, HALF_BLOCK, HALF_BLOCK]
    colours = [(s.style.color.triplet, s.style.bgcolor.triplet) for s in segments]
    assert colours == [(RED, BLUE), (GREEN, BLUE), (WHITE, WHITE)]
    assert all(s.style.color.type == ColorType.TRUECOLOR for s in segments)
    assert strips[0].cell_length == 4


def test_strip_builder_256_colours_and_merging():
    strips = StripBuilder("256").build(two_row_samples())

    segments = list(strips[0])
    assert [segment.text for segment in segments] == [HALF_BLOCK * 2, HALF_BLOCK, HALF_BLOCK]
    numbers = [(s.style.color.number, s.style.bgcolor.number) for s in segments]
    assert numbers == [(196, 21), (46, 21), (231, 231)]
    assert all(s.style.color.type == ColorType.EIGHT_BIT for s in segments)
    assert strips[0].cell_length == 4


def test_256_merges_quantised_equal_cells():
    samples = np.array([[(250, 2, 3), (255, 0, 0)], [BLUE, (1, 1, 250)]], np.uint8)

    strips = StripBuilder("256").build(samples)

    assert [segment.text for segment in strips[0]] == [HALF_BLOCK * 2]


@pytest.mark.parametrize(
    "color_system, expected",
    [
        ("truecolor", "\x1b[38;2;255;0;0;48;2;0;0;255m▀▀\x1b[0m"),
        ("256", "\x1b[38;5;196;48;5;21m▀▀\x1b[0m"),
    ],
)
def test_strip_renders_expected_sgr(color_system, expected):
    strips = StripBuilder(color_system).build(two_row_samples())

    assert render(strips[0], color_system).startswith(expected)


@pytest.mark.parametrize("color_system", ["truecolor", "256"])
def test_preset_sgr_matches_rich(color_system):
    segments = list(StripBuilder(color_system).build(two_row_samples())[0])

    rich_system = ColorSystem.TRUECOLOR if color_system == "truecolor" else ColorSystem.EIGHT_BIT
    for segment in segments:
        plain = Style.from_color(segment.style.color, segment.style.bgcolor)
        assert Strip.render_ansi(plain, rich_system) == segment.style._ansi


@pytest.mark.parametrize("color_system", ["truecolor", "256"])
def test_fallback_styles_render_same_sgr(monkeypatch, color_system):
    preset = render(StripBuilder(color_system).build(two_row_samples())[0], color_system)
    monkeypatch.setattr(image_strips, "_PRESET_ANSI", False)

    strips = StripBuilder(color_system).build(two_row_samples())

    assert all(segment.style._ansi is None for segment in strips[0])
    assert render(strips[0], color_system) == preset


@pytest.mark.parametrize("color_system", ["truecolor", "256"])
def test_textual_truecolor_filter_keeps_styles(color_system):
    strip = StripBuilder(color_system).build(two_row_samples())[0]
    segments = list(strip)
    line_filter = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)

    filtered = line_filter.apply(segments, Color(0, 0, 0))

    assert all(
        after.style is before.style for after, before in zip(filtered, segments, strict=True)
    )


@pytest.mark.parametrize("color_system", ["truecolor", "256"])
def test_strips_span_all_columns(color_system):
    rng = np.random.default_rng(11)
    samples = rng.integers(0, 4, (20, 37, 3), dtype=np.uint8) * 80

    strips = StripBuilder(color_system).build(samples)

    assert len(strips) == 10
    assert [strip.cell_length for strip in strips] == [37] * 10
    assert all(len(strip.text) == 37 for strip in strips)


def test_strip_builder_repaint_reuses_segments():
    builder = StripBuilder("truecolor")
    samples = two_row_samples()

    first = list(builder.build(samples)[0])
    second = list(builder.build(samples)[0])

    assert all(a is b for a, b in zip(first, second, strict=True))


def test_strip_builder_clears_full_cache(monkeypatch):
    monkeypatch.setattr(image_strips, "MAX_CACHED_SEGMENTS", 5)
    builder = StripBuilder("truecolor")
    rng = np.random.default_rng(5)

    for _ in range(4):
        # Channels with equal top and bottom bits are exact at 6 bits per channel.
        top = rng.integers(0, 64, (2, 4, 3), dtype=np.uint8)
        samples = (top << 2) | (top >> 4)
        strip = builder.build(samples)[0]
        colours = [s.style.color.triplet for s in strip for _ in s.text]
        assert colours == [tuple(rgb) for rgb in samples[0].tolist()]
        assert len(builder._segments) <= 5


def test_cell_colors_match_strip_styles():
    samples = two_row_samples()

    truecolor = StripBuilder("truecolor").cell_colors(samples, column=2, row=0)
    eight_bit = StripBuilder("256").cell_colors(samples, column=2, row=0)

    assert (truecolor[0].triplet, truecolor[1].triplet) == (GREEN, BLUE)
    assert (eight_bit[0].number, eight_bit[1].number) == (46, 21)


def test_strip_builder_rejects_odd_sample_rows():
    with pytest.raises(ValueError, match="2\\*rows"):
        StripBuilder("truecolor").build(np.zeros((3, 4, 3), np.uint8))


def test_strip_builder_rejects_unknown_colour_system():
    with pytest.raises(ValueError, match="unsupported colour system"):
        StripBuilder("16")  # type: ignore[arg-type]


def test_truecolor_rounds_to_six_bits():
    samples = np.array([[[255, 0, 128]], [[1, 2, 3]]], dtype=np.uint8)
    (strip,) = StripBuilder("truecolor").build(samples)
    (segment,) = list(strip)
    assert tuple(segment.style.color.triplet) == (255, 0, 130)
    assert tuple(segment.style.bgcolor.triplet) == (0, 0, 0)
