"""Bodies of the nominal-roll import endpoints (domain.md §9A)."""

from uuid import UUID

from pydantic import Field

from api.schemas.common import Body, Out

MAX_CSV_CHARS = 5_000_000


class ImportPreviewRequest(Body):
    """The CSV text, and the lines to leave out."""

    csv_text: str = Field(max_length=MAX_CSV_CHARS)
    exclude_rows: list[int] = Field(default_factory=list, max_length=100_000)


class ImportExecuteRequest(ImportPreviewRequest):
    """Apply the import: optionally create missing divisions and deactivate reviewed members."""

    deactivate_ids: list[UUID] = Field(default_factory=list, max_length=100_000)
    create_divisions: bool = True


class RowErrorOut(Out):
    """A problem on one line (header = line 1)."""

    line: int
    field: str
    message: str
    excludable: bool


class RowOut(Out):
    """A member line to add."""

    line: int
    service_number: str
    rank: str
    last_name: str
    first_name: str
    division_code: str


class UpdateOut(Out):
    """A member whose line differs."""

    member_id: UUID
    line: int
    service_number: str
    changes: list[str]


class ReviewOut(Out):
    """An active nominal-roll member absent from the file."""

    member_id: UUID
    service_number: str
    rank: str
    last_name: str
    first_name: str


class DivisionToCreate(Out):
    """A DEPT code with no division yet."""

    code: str
    name: str
    members: int


class ImportPreview(Out):
    """What the import would do; `blocking` errors stop it whatever is excluded."""

    to_add: list[RowOut]
    to_update: list[UpdateOut]
    unchanged: int
    to_review: list[ReviewOut]
    divisions_to_create: list[DivisionToCreate]
    errors: list[RowErrorOut]
    blocking: bool


class ImportResult(Out):
    """What the import did."""

    added: int
    updated: int
    deactivated: int
    divisions_created: int
