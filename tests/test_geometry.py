"""Tests of box geometry and of the mapping between image pixels and terminal cells."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tui_annotate.core.errors import GeometryError
from tui_annotate.core.geometry import (
    MIN_SIZE,
    contains,
    move_box,
    move_edge,
    normalize_box,
    smallest_container,
)
from tui_annotate.core.viewport import MIN_SCALE, Viewport

WIDTH = 200.0
HEIGHT = 100.0

# normalize_box


@pytest.mark.parametrize(
    ("corner_a", "corner_b"),
    [
        ((10, 20), (60, 70)),  # top left, then bottom right
        ((60, 70), (10, 20)),  # bottom right, then top left
        ((60, 20), (10, 70)),  # top right, then bottom left
        ((10, 70), (60, 20)),  # bottom left, then top right
    ],
)
def test_normalize_box_orders_corners(corner_a, corner_b):
    box = normalize_box(*corner_a, *corner_b, WIDTH, HEIGHT)

    assert box == (10, 20, 60, 70)


def test_normalize_box_clamps_to_image():
    box = normalize_box(-15, -5, 250, 130, WIDTH, HEIGHT)

    assert box[0] == 0
    assert box[1] == 0
    assert box[2] == WIDTH
    assert box[3] == HEIGHT


def test_normalize_box_clamps_one_corner():
    box = normalize_box(150, 40, 260, -8, WIDTH, HEIGHT)

    assert box == (150, 0, WIDTH, 40)


@pytest.mark.parametrize(
    ("corners", "shown"),
    [
        ((5, 10, 5, 30), ["(5, 10)", "(5, 30)"]),  # zero width
        ((5, 10, 40, 10), ["(5, 10)", "(40, 10)"]),  # zero height
        ((210, 10, 250, 30), ["(210, 10)", "(250, 30)"]),  # right of the image, clamped to zero width
        ((5, -30, 40, -1), ["(5, -30)", "(40, -1)"]),  # above the image, clamped to zero height
    ],
)
def test_normalize_box_rejects_empty_box(corners, shown):
    with pytest.raises(GeometryError) as caught:
        normalize_box(*corners, WIDTH, HEIGHT)

    message = str(caught.value)
    for coordinates in shown:
        assert coordinates in message
    assert "200x100" in message


@given(
    x0=st.floats(-500, 500),
    y0=st.floats(-500, 500),
    x1=st.floats(-500, 500),
    y1=st.floats(-500, 500),
    width=st.integers(1, 400),
    height=st.integers(1, 400),
)
def test_normalize_box_output_property(x0, y0, x1, y1, width, height):
    clamped_x = sorted(min(max(x, 0), width) for x in (x0, x1))
    clamped_y = sorted(min(max(y, 0), height) for y in (y0, y1))
    if clamped_x[0] == clamped_x[1] or clamped_y[0] == clamped_y[1]:
        with pytest.raises(GeometryError):
            normalize_box(x0, y0, x1, y1, width, height)
        return

    left, top, right, bottom = normalize_box(x0, y0, x1, y1, width, height)

    assert left < right
    assert top < bottom
    assert 0 <= left
    assert right <= width
    assert 0 <= top
    assert bottom <= height


# contains and smallest_container


def test_contains_nested_box():
    outer = (10.0, 10.0, 90.0, 90.0)
    inner = (20.0, 30.0, 40.0, 50.0)

    assert contains(outer, inner)
    assert not contains(inner, outer)


def test_contains_shared_edges():
    outer = (10.0, 10.0, 90.0, 90.0)

    assert contains(outer, (10.0, 10.0, 50.0, 90.0))
    assert contains(outer, outer)


def test_contains_rejects_overlap():
    outer = (10.0, 10.0, 90.0, 90.0)

    assert not contains(outer, (50.0, 50.0, 95.0, 60.0))
    assert not contains(outer, (5.0, 20.0, 30.0, 30.0))


def test_smallest_container_skips_identical_box():
    box = (20.0, 20.0, 40.0, 40.0)

    assert smallest_container(box, [("same", box)]) is None


def test_smallest_container_picks_smallest():
    box = (20.0, 20.0, 40.0, 40.0)
    candidates = [
        ("large", (0.0, 0.0, 100.0, 100.0)),
        ("small", (15.0, 15.0, 45.0, 45.0)),
        ("medium", (10.0, 10.0, 60.0, 60.0)),
        ("same", box),
        ("overlapping", (18.0, 18.0, 30.0, 30.0)),
        ("elsewhere", (50.0, 50.0, 60.0, 60.0)),
    ]

    assert smallest_container(box, candidates) == "small"


def test_smallest_container_without_candidates():
    box = (20.0, 20.0, 40.0, 40.0)

    assert smallest_container(box, []) is None
    assert smallest_container(box, [("beside", (50.0, 20.0, 70.0, 40.0))]) is None


# move_box and move_edge

BOX = (50.0, 30.0, 80.0, 60.0)


def test_move_box_inside_image():
    assert move_box(BOX, 5, -7, WIDTH, HEIGHT) == (55.0, 23.0, 85.0, 53.0)


@pytest.mark.parametrize(
    ("dx", "dy", "expected"),
    [
        (-500, 0, (0.0, 30.0, 30.0, 60.0)),
        (500, 0, (170.0, 30.0, 200.0, 60.0)),
        (0, -500, (50.0, 0.0, 80.0, 30.0)),
        (0, 500, (50.0, 70.0, 80.0, 100.0)),
        (500, 500, (170.0, 70.0, 200.0, 100.0)),
    ],
)
def test_move_box_stops_at_border(dx, dy, expected):
    moved = move_box(BOX, dx, dy, WIDTH, HEIGHT)

    assert moved == expected
    assert moved[2] - moved[0] == BOX[2] - BOX[0]
    assert moved[3] - moved[1] == BOX[3] - BOX[1]


@pytest.mark.parametrize(
    ("handle", "dx", "dy", "expected"),
    [
        ("left", -4, 9, (46.0, 30.0, 80.0, 60.0)),
        ("right", 4, 9, (50.0, 30.0, 84.0, 60.0)),
        ("top", 9, -4, (50.0, 26.0, 80.0, 60.0)),
        ("bottom", 9, 4, (50.0, 30.0, 80.0, 64.0)),
        ("box", 3, 4, (53.0, 34.0, 83.0, 64.0)),
    ],
)
def test_move_edge_moves_one_edge(handle, dx, dy, expected):
    assert move_edge(BOX, handle, dx, dy, WIDTH, HEIGHT) == expected


@pytest.mark.parametrize(
    ("handle", "dx", "dy", "expected"),
    [
        ("left", 100, 0, (80.0 - MIN_SIZE, 30.0, 80.0, 60.0)),
        ("right", -100, 0, (50.0, 30.0, 50.0 + MIN_SIZE, 60.0)),
        ("top", 0, 100, (50.0, 60.0 - MIN_SIZE, 80.0, 60.0)),
        ("bottom", 0, -100, (50.0, 30.0, 80.0, 30.0 + MIN_SIZE)),
    ],
)
def test_move_edge_stops_before_opposite_edge(handle, dx, dy, expected):
    assert move_edge(BOX, handle, dx, dy, WIDTH, HEIGHT) == expected


@pytest.mark.parametrize(
    ("handle", "dx", "dy", "expected"),
    [
        ("left", -100, 0, (0.0, 30.0, 80.0, 60.0)),
        ("right", 500, 0, (50.0, 30.0, WIDTH, 60.0)),
        ("top", 0, -100, (50.0, 0.0, 80.0, 60.0)),
        ("bottom", 0, 500, (50.0, 30.0, 80.0, HEIGHT)),
        ("box", 500, 500, (170.0, 70.0, WIDTH, HEIGHT)),
    ],
)
def test_move_edge_stops_at_image_border(handle, dx, dy, expected):
    assert move_edge(BOX, handle, dx, dy, WIDTH, HEIGHT) == expected


@pytest.mark.parametrize(
    ("handle", "dx", "dy"),
    [("left", 0.25, 0), ("left", -0.25, 0), ("right", 0.25, 0), ("right", -0.25, 0),
     ("top", 0, 0.25), ("top", 0, -0.25), ("bottom", 0, 0.25), ("bottom", 0, -0.25)],
)
def test_move_edge_narrow_box_at_corner(handle, dx, dy):
    # A box drawn at high zoom can be narrower than MIN_SIZE, and its edges must still stay in the image.
    narrow = (WIDTH - 0.5, HEIGHT - 0.5, WIDTH, HEIGHT)

    x0, y0, x1, y1 = move_edge(narrow, handle, dx, dy, WIDTH, HEIGHT)

    assert 0 <= x0 < x1 <= WIDTH
    assert 0 <= y0 < y1 <= HEIGHT


def test_move_edge_narrow_box_does_not_shrink():
    narrow = (10.0, 10.0, 10.5, 10.5)

    assert move_edge(narrow, "left", 0.25, 0, WIDTH, HEIGHT) == narrow
    assert move_edge(narrow, "right", -0.25, 0, WIDTH, HEIGHT) == narrow
    assert move_edge(narrow, "left", -1, 0, WIDTH, HEIGHT) == (9.0, 10.0, 10.5, 10.5)


@st.composite
def boxes_in_image(draw):
    """Draw an image size and a box inside it, rounded to 4 decimals as the store saves boxes."""
    width = draw(st.integers(1, 300))
    height = draw(st.integers(1, 300))
    stored = st.floats(0, 1).map(lambda fraction: round(fraction, 4))
    xs = sorted(draw(st.lists(stored.map(lambda f: f * width), min_size=2, max_size=2, unique=True)))
    ys = sorted(draw(st.lists(stored.map(lambda f: f * height), min_size=2, max_size=2, unique=True)))
    return (xs[0], ys[0], xs[1], ys[1]), width, height


@given(
    case=boxes_in_image(),
    handle=st.sampled_from(["box", "left", "top", "right", "bottom"]),
    dx=st.floats(-400, 400),
    dy=st.floats(-400, 400),
)
@example(case=((99.5, 0.0, 100.0, 10.0), 100, 10), handle="right", dx=0.25, dy=0.0)
def test_move_edge_stays_valid_property(case, handle, dx, dy):
    box, width, height = case

    x0, y0, x1, y1 = move_edge(box, handle, dx, dy, width, height)

    assert 0 <= x0
    assert x0 < x1
    assert x1 <= width
    assert 0 <= y0
    assert y0 < y1
    assert y1 <= height


# Viewport

scales = st.floats(MIN_SCALE, 64)
positions = st.floats(-20_000, 20_000)
grid_sizes = st.integers(1, 400)


@st.composite
def viewports(draw):
    return Viewport(draw(positions), draw(positions), draw(scales), draw(grid_sizes), draw(grid_sizes))


@given(view=viewports(), column=st.integers(-2_000, 2_000), row=st.integers(-2_000, 2_000))
def test_cell_at_inverts_cell_origin(view, column, row):
    assert view.cell_at(*view.cell_origin(column, row)) == (column, row)


@given(view=viewports(), x=positions, y=positions)
def test_cell_at_contains_point(view, x, y):
    column, row = view.cell_at(x, y)
    left, top = view.cell_origin(column, row)
    right, bottom = view.cell_origin(column + 1, row + 1)
    # cell_at adds 1e-9 of a cell before rounding down, so that a cell origin computed in
    # floating point maps back to its own cell. A point that close below a boundary
    # therefore belongs to the next cell, and the check allows that much slack.
    slack_x = 1e-8 * view.cell_width + 1e-9 * abs(x)
    slack_y = 1e-8 * view.cell_height + 1e-9 * abs(y)

    assert left - slack_x <= x
    assert x < right + slack_x
    assert top - slack_y <= y
    assert y < bottom + slack_y


@given(
    view=viewports(),
    factor=st.floats(1 / 8, 8),
    anchor_column=st.floats(0, 1),
    anchor_row=st.floats(0, 1),
)
def test_zoomed_keeps_anchor_cell(view, factor, anchor_column, anchor_row):
    anchor_x = view.left + anchor_column * view.columns * view.scale
    anchor_y = view.top + anchor_row * view.rows * view.cell_height
    before = view.cell_at(anchor_x, anchor_y)

    zoomed = view.zoomed(factor, anchor_x, anchor_y)
    after = zoomed.cell_at(anchor_x, anchor_y)

    assert zoomed.scale == pytest.approx(max(view.scale / factor, MIN_SCALE))
    # zoomed keeps the anchor's fractional position in the grid, then snaps left and top to
    # whole samples. Snapping shifts the image by at most half a sample (scale / 2), which is
    # less than one cell. So the anchor may land in the neighbouring cell but no further, and
    # only when it lies within half a sample of the cell's edge.
    assert abs(after[0] - before[0]) <= 1
    assert abs(after[1] - before[1]) <= 1
    left, top = zoomed.cell_origin(*before)
    half_sample = zoomed.scale / 2 * (1 + 1e-6)
    assert left - half_sample <= anchor_x
    assert anchor_x <= left + zoomed.cell_width + half_sample
    assert top - half_sample <= anchor_y
    assert anchor_y <= top + zoomed.cell_height + half_sample


@given(
    view=viewports(),
    factor=st.floats(1 / 8, 8),
    anchor_column=st.floats(0, 1),
    anchor_row=st.floats(0, 1),
)
def test_zoomed_snaps_to_whole_samples(view, factor, anchor_column, anchor_row):
    anchor_x = view.left + anchor_column * view.columns * view.scale
    anchor_y = view.top + anchor_row * view.rows * view.cell_height

    zoomed = view.zoomed(factor, anchor_x, anchor_y)

    samples_x = zoomed.left / zoomed.scale
    samples_y = zoomed.top / zoomed.scale
    assert samples_x == pytest.approx(round(samples_x), abs=1e-6)
    assert samples_y == pytest.approx(round(samples_y), abs=1e-6)


@given(width=st.integers(1, 20_000), height=st.integers(1, 20_000), columns=grid_sizes, rows=grid_sizes)
def test_fit_shows_whole_image(width, height, columns, rows):
    view = Viewport.fit(width, height, columns, rows)
    right, bottom = view.cell_origin(view.columns, view.rows)
    tolerance = 1e-9 * max(width, height)

    assert view.left <= tolerance
    assert view.top <= tolerance
    assert right >= width - tolerance
    assert bottom >= height - tolerance
    # The image is as large as fits, so it fills the grid's width or height unless the zoom limit stops it.
    fills_width = math.isclose(columns * view.scale, width)
    fills_height = math.isclose(2 * rows * view.scale, height)
    at_zoom_limit = view.scale == MIN_SCALE
    assert fills_width or fills_height or at_zoom_limit


@given(width=st.integers(1, 20_000), height=st.integers(1, 20_000), columns=grid_sizes, rows=grid_sizes)
def test_fit_centres_image(width, height, columns, rows):
    view = Viewport.fit(width, height, columns, rows)
    right, bottom = view.cell_origin(view.columns, view.rows)

    assert view.left + right == pytest.approx(width)
    assert view.top + bottom == pytest.approx(height)


def test_fit_grid_of_zero_cells():
    view = Viewport.fit(100, 50, 0, 0)

    assert view.columns == 1
    assert view.rows == 1
    assert view.scale == 100


def test_cell_at_outside_grid():
    view = Viewport(0, 0, 2, 10, 5)

    assert view.cell_at(-1, -1) == (-1, -1)
    assert not view.contains_cell(*view.cell_at(-1, -1))
    assert view.cell_at(20, 20) == (10, 5)
    assert not view.contains_cell(10, 5)
    assert view.contains_cell(9, 4)
