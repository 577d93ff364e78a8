"""Provides the pydantic models of the project file.

Every model allows extra keys, so a file written by a newer version keeps the keys
this version does not know when it is loaded and saved again.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1
PROJECT_FILE_NAME = "tui-annotate.json"
STATE_DIR_NAME = ".tui-annotate"


def new_id() -> str:
    """Return a random id, short enough to read and unique in practice (48 bits)."""
    return uuid.uuid4().hex[:12]


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 with seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Record(BaseModel):
    """Base of every stored record: extra keys are kept and ids are strings."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(default_factory=new_id)

    def to_payload(self) -> dict[str, Any]:
        """Return the record as JSON data for the journal and the project file.

        Known fields that are None are left out to keep the file small, but an unknown key
        keeps its null value, so that a file written by another tool round-trips.
        NOTE: a null unknown key inside a nested model (an annotator's Mark) is still dropped.
        """
        data = self.model_dump(mode="json", exclude_none=True)
        for key, value in (self.model_extra or {}).items():
            if value is None:
                data[key] = None
        return data

    def to_json_line(self) -> str:
        """Return `to_payload()` as compact JSON on one line, using pydantic's fast serializer."""
        if any(value is None for value in (self.model_extra or {}).values()):
            return json.dumps(self.to_payload(), ensure_ascii=False, separators=(",", ":"))
        return self.model_dump_json(exclude_none=True)


class Concept(Record):
    """A label of the project. Its place in the concept list gives its hotkey."""

    name: str
    color: str = "#ffffff"
    """Display colour as #rrggbb, chosen once when the concept is made."""
    order: int | None = None
    """Position in the concept list (and so the hotkey) once the annotator has reordered it;
    concepts without one follow in the order they were made."""

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("concept name must not be empty")
        return name


class InputItem(Record):
    """One image or text file of the project, referenced by a relative path."""

    path: str
    """Path relative to the project folder, with forward slashes."""
    kind: Literal["image", "text"] = "image"
    width: int | None = None
    height: int | None = None
    """Size of the upright image in pixels; None for texts or unreadable images."""


class Mark(BaseModel):
    """One annotator's mark on an annotation: who made or confirmed it, and when."""

    model_config = ConfigDict(extra="allow")

    name: str
    at: str = Field(default_factory=now_iso)


class Annotation(Record):
    """One concept on one input: for the whole input, or with a box, polygon or mask.

    `box` is [x0, y0, x1, y1] in upright image pixels with x0 < x1 and y0 < y1.
    `polygon` is a flat list [x0, y0, x1, y1, ...] of at least three vertices.
    `mask` is a PNG path relative to the project's state folder.
    """

    input_id: str
    concept_id: str
    box: list[Annotated[float, Field(allow_inf_nan=False)]] | None = None
    polygon: list[float] | None = None
    mask: str | None = None
    parent_id: str | None = None
    renamed_from: str | None = None
    """Concept id this annotation had before it was renamed on its input; renaming it back
    to that concept removes the annotation."""
    annotators: list[Mark] = Field(default_factory=list)
    created_at: str = Field(default_factory=now_iso)
    updated_at: str | None = None
    review: str | None = None

    @property
    def kind(self) -> Literal["classification", "box", "polygon", "mask"]:
        if self.box is not None:
            return "box"
        if self.polygon is not None:
            return "polygon"
        if self.mask is not None:
            return "mask"
        return "classification"

    # The region checks are field validators, so that a load error names the field path,
    # such as annotations[3].box, and not only the annotation.
    @field_validator("box")
    @classmethod
    def _valid_box(cls, box: list[float] | None) -> list[float] | None:
        if box is None:
            return box
        if len(box) != 4:
            raise ValueError(f"box must have 4 numbers [x0, y0, x1, y1], got {len(box)}")
        x0, y0, x1, y1 = box
        if not (x0 < x1 and y0 < y1):
            raise ValueError(f"box {box} must have x0 < x1 and y0 < y1")
        return box

    @field_validator("polygon")
    @classmethod
    def _valid_polygon(cls, polygon: list[float] | None) -> list[float] | None:
        if polygon is not None and (len(polygon) % 2 or len(polygon) < 6):
            raise ValueError("polygon must list at least 3 vertices as x, y pairs")
        return polygon

    @model_validator(mode="after")
    def _one_region(self) -> Annotation:
        regions = [r for r in (self.box, self.polygon, self.mask) if r is not None]
        if len(regions) > 1:
            raise ValueError("an annotation has at most one region (box, polygon or mask)")
        return self


class ConceptRelation(Record):
    """A rename of one annotation's concept: annotations made with `original_id` get `new_id`."""

    original_id: str
    new_id: str


class Project(BaseModel):
    """The whole project file."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    concepts: list[Concept] = Field(default_factory=list)
    inputs: list[InputItem] = Field(default_factory=list)
    annotations: list[Annotation] = Field(default_factory=list)
    relations: list[ConceptRelation] = Field(default_factory=list)

    @field_validator("concepts", "inputs", "annotations", "relations")
    @classmethod
    def _unique_ids(cls, records: list[Record]) -> list[Record]:
        first_index: dict[str, int] = {}
        for index, record in enumerate(records):
            if record.id in first_index:
                raise ValueError(
                    f"id {record.id!r} is used twice, at [{first_index[record.id]}] and [{index}]; give one"
                    " of them a new id (a merge of two versions of the file can cause this)"
                )
            first_index[record.id] = index
        return records

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"schema version {version} is newer than this tui-annotate supports ({SCHEMA_VERSION});"
                " upgrade tui-annotate"
            )
        return version


COLLECTIONS: dict[str, type[Record]] = {
    "concepts": Concept,
    "inputs": InputItem,
    "annotations": Annotation,
    "relations": ConceptRelation,
}
"""Record type of each list in Project, by field name; edits address records this way."""
