"""Provides box geometry: normalising, clamping, nesting, moving and resizing.

Boxes are tuples (x0, y0, x1, y1) in continuous image pixels of the upright image.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from .errors import GeometryError

BoxTuple = tuple[float, float, float, float]
Handle = Literal["box", "left", "top", "right", "bottom"]
HANDLES: tuple[Handle, ...] = ("box", "left", "top", "right", "bottom")
"""Parts of a selected box that the arrow keys move, in the order `e` cycles through them."""

MIN_SIZE = 1.0
"""Smallest width and height, in pixels, that resizing a box by an edge can leave."""


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def normalize_box(x0: float, y0: float, x1: float, y1: float, width: float, height: float) -> BoxTuple:
    """Order the corners, clamp them to the image and reject an empty box.

    Raises GeometryError when the clamped box has zero width or height.
    """
    left, right = sorted((clamp(x0, 0, width), clamp(x1, 0, width)))
    top, bottom = sorted((clamp(y0, 0, height), clamp(y1, 0, height)))
    if right - left <= 0 or bottom - top <= 0:
        raise GeometryError(
            f"box from ({x0:g}, {y0:g}) to ({x1:g}, {y1:g}) has zero width or height inside the"
            f" {width:g}x{height:g} image; place the two corners apart"
        )
    return (left, top, right, bottom)


def contains(outer: BoxTuple, inner: BoxTuple) -> bool:
    """Return True when `inner` lies entirely inside `outer` (shared edges count as inside)."""
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def area(box: BoxTuple) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def smallest_container(box: BoxTuple, candidates: Iterable[tuple[str, BoxTuple]]) -> str | None:
    """Return the id of the smallest candidate box that contains `box`, or None.

    An identical box does not count as a container, so duplicates are not nested.
    """
    best: tuple[float, str] | None = None
    for candidate_id, candidate in candidates:
        if candidate == box or not contains(candidate, box):
            continue
        size = area(candidate)
        if best is None or size < best[0]:
            best = (size, candidate_id)
    return best[1] if best else None


def move_box(box: BoxTuple, dx: float, dy: float, width: float, height: float) -> BoxTuple:
    """Shift a box by (dx, dy), stopping at the image borders without changing its size."""
    x0, y0, x1, y1 = box
    dx = clamp(dx, -x0, width - x1)
    dy = clamp(dy, -y0, height - y1)
    return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def move_edge(box: BoxTuple, handle: Handle, dx: float, dy: float, width: float, height: float) -> BoxTuple:
    """Move one edge, or the whole box for handle "box", staying inside the image.

    An edge stops MIN_SIZE pixels before the opposite edge, so the box never flips or empties.
    A box already narrower than MIN_SIZE (drawn at high zoom) can grow but not shrink, and
    its edge stays where it is rather than jumping outwards or past the image border.
    """
    if handle == "box":
        return move_box(box, dx, dy, width, height)
    x0, y0, x1, y1 = box
    if handle == "left":
        x0 = clamp(x0 + dx, 0, max(x1 - MIN_SIZE, x0))
    elif handle == "right":
        x1 = clamp(x1 + dx, min(x0 + MIN_SIZE, x1), width)
    elif handle == "top":
        y0 = clamp(y0 + dy, 0, max(y1 - MIN_SIZE, y0))
    elif handle == "bottom":
        y1 = clamp(y1 + dy, min(y0 + MIN_SIZE, y1), height)
    return (x0, y0, x1, y1)


def resize_to_point(box: BoxTuple, corner: tuple[bool, bool, bool, bool], x: float, y: float,
                    width: float, height: float) -> BoxTuple:
    """Move the edges flagged in `corner` (left, top, right, bottom) to the point (x, y).

    Used for mouse drags on an edge or a corner; the result is normalised and clamped.
    """
    x0, y0, x1, y1 = box
    left, top, right, bottom = corner
    if left:
        x0 = x
    if right:
        x1 = x
    if top:
        y0 = y
    if bottom:
        y1 = y
    return normalize_box(x0, y0, x1, y1, width, height)
