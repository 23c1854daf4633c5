"""Nominal-roll CSV import: parse and validate the file, then diff it against members (§9A).

Pure: the edge passes the file text, the active rank codes and the current nominal-roll
members; these functions return rows, row errors (1-based file lines, header = line 1) and
the plan (add, update with a change list, unchanged, review for deactivation, divisions).
"""

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from uuid import UUID

from shared.domain.display import name_case

REQUIRED = ("SN", "RANK", "LAST_NAME", "FIRST_NAME", "DEPT")
ALIASES = {
    "SN": "SN",
    "SERVICE NUMBER": "SN",
    "SERVICE_NUMBER": "SN",
    "SERVICE_NO": "SN",
    "SERVICE_NO_": "SN",
    "EMPL_NUMBER": "EMPL_NUMBER",
    "EMPL #": "EMPL_NUMBER",
    "EMPL#": "EMPL_NUMBER",
    "EMPLOYEE #": "EMPL_NUMBER",
    "EMPLOYEE NUMBER": "EMPL_NUMBER",
    "RANK": "RANK",
    "LAST_NAME": "LAST_NAME",
    "LAST NAME": "LAST_NAME",
    "FIRST_NAME": "FIRST_NAME",
    "FIRST NAME": "FIRST_NAME",
    "INITIALS": "INITIALS",
    "DEPT": "DEPT",
    "DEPARTMENT": "DEPT",
    "DIVISION": "DEPT",
    "MESS": "MESS",
    "MOC": "MOC",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "EMAIL ADDRESS": "EMAIL_ADDRESS",
    "EMAIL": "EMAIL_ADDRESS",
    "HOME_PHONE": "HOME_PHONE",
    "HOME PHONE": "HOME_PHONE",
    "MOBILE_PHONE": "MOBILE_PHONE",
    "MOBILE PHONE": "MOBILE_PHONE",
    "DETAILS": "DETAILS",
}
DIVISION_NAMES = {
    "ADMIN": "Administration",
    "BAND": "Band",
    "BMQ": "Basic Military Qualification",
    "CMD": "Command",
    "DECK": "Deck",
    "LOG": "Logistics",
    "OPS": "Operations",
    "PAO": "Public Affairs",
    "TRG": "Training",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOT_GIVEN = {"", "N/A", "NA", "-"}
LIMITS = {
    "SN": 20,
    "EMPL_NUMBER": 20,
    "LAST_NAME": 100,
    "FIRST_NAME": 100,
    "INITIALS": 10,
    "DEPT": 20,
    "MESS": 50,
    "MOC": 100,
    "EMAIL_ADDRESS": 255,
    "HOME_PHONE": 30,
    "MOBILE_PHONE": 50,
    "DETAILS": 100,
}
LABELS = {
    "SN": "Service number",
    "RANK": "Rank",
    "LAST_NAME": "Last name",
    "FIRST_NAME": "First name",
    "DEPT": "Department",
}


def normalize_header(raw: str) -> str | None:
    """Return the canonical column for a header cell, or None for an ignored column."""
    cleaned = re.sub(r"\s+", " ", raw.strip().upper().replace("-", "_").replace(".", "_"))
    return ALIASES.get(cleaned) or ALIASES.get(cleaned.replace(" ", "_"))


def member_type_for(details: str | None) -> str:
    """Derive the member type from the DETAILS text (§9A.1)."""
    text = (details or "").upper()
    if "CLASS B" in text or "CLASSB" in text:
        return "class_b"
    if "CLASS C" in text or "CLASSC" in text:
        return "class_c"
    if "REG FORCE" in text or "REGFORCE" in text or "REGULAR" in text:
        return "reg_force"
    return "class_a"


@dataclass(frozen=True, slots=True)
class RollRow:
    """One valid member line, normalised."""

    line: int
    service_number: str
    rank: str
    last_name: str
    first_name: str
    initials: str
    division_code: str
    employee_number: str | None = None
    mess: str | None = None
    moc: str | None = None
    email: str | None = None
    home_phone: str | None = None
    mobile_phone: str | None = None
    class_details: str | None = None

    @property
    def member_type(self) -> str:
        """The derived member type."""
        return member_type_for(self.class_details)


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one line; `excludable` errors can be skipped by excluding the line."""

    line: int
    field: str
    message: str
    excludable: bool = True


@dataclass(frozen=True, slots=True)
class ParsedRoll:
    """The valid rows and the errors of a file."""

    rows: list[RollRow]
    errors: list[RowError]

    @property
    def blocking(self) -> bool:
        """True when an error cannot be fixed by excluding lines."""
        return any(not e.excludable for e in self.errors)


def _optional(value: str) -> str | None:
    stripped = value.strip()
    return None if stripped.upper() in NOT_GIVEN else stripped


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Split the file into (first line number, cells); raises csv.Error on bad quoting."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    out, line = [], 1
    for cells in reader:
        out.append((line, cells))
        line = reader.line_num + 1
    return out


def _validate(
    line: int, values: dict[str, str], ranks: Mapping[str, str], seen: dict[str, int]
) -> RollRow | list[RowError]:
    errors: list[RowError] = []
    sn = re.sub(r"\s+", "", values.get("SN", "")).upper()
    context = f"{values.get('RANK', '').strip()} {values.get('LAST_NAME', '').strip()}".strip()
    for column in REQUIRED:
        if not (sn if column == "SN" else values.get(column, "").strip()):
            errors.append(RowError(line, column, f"{LABELS[column]} is required ({context or sn})"))
    for column, limit in LIMITS.items():
        if len(sn if column == "SN" else values.get(column, "").strip()) > limit:
            errors.append(RowError(line, column, f"{column} is longer than {limit} characters"))
    rank = ranks.get(values.get("RANK", "").strip().lower())
    if values.get("RANK", "").strip() and rank is None:
        errors.append(RowError(line, "RANK", f'Unknown rank code "{values["RANK"].strip()}"'))
    email = _optional(values.get("EMAIL_ADDRESS", ""))
    if email is not None and not EMAIL.match(email):
        errors.append(RowError(line, "EMAIL_ADDRESS", "Invalid email format"))
    if sn and sn in seen:
        errors.append(
            RowError(line, "SN", f"Duplicate service number in CSV (first seen at row {seen[sn]})")
        )
    if errors or rank is None:
        return errors
    seen[sn] = line
    return RollRow(
        line=line,
        service_number=sn,
        rank=rank,
        last_name=name_case(values["LAST_NAME"]),
        first_name=name_case(values["FIRST_NAME"]),
        initials=values.get("INITIALS", "").strip().upper(),
        division_code=values["DEPT"].strip().upper(),
        employee_number=_optional(values.get("EMPL_NUMBER", "")),
        mess=_optional(values.get("MESS", "")),
        moc=_optional(values.get("MOC", "")),
        email=email,
        home_phone=_optional(values.get("HOME_PHONE", "")),
        mobile_phone=_optional(values.get("MOBILE_PHONE", "")),
        class_details=_optional(values.get("DETAILS", "")),
    )


def parse_roll(
    text: str, *, ranks: Mapping[str, str], exclude_lines: frozenset[int] = frozenset()
) -> ParsedRoll:
    """Parse and validate a nominal roll; `ranks` maps lower-cased active codes to codes."""
    try:
        records = _records(text)
    except csv.Error as exc:
        return ParsedRoll([], [RowError(1, "csv", f"The file is not valid CSV: {exc}", False)])
    if not records:
        return ParsedRoll([], [RowError(1, "csv", "The file is empty", False)])
    _, header = records[0]
    columns = [normalize_header(h) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        message = f"Missing required headers: {', '.join(missing)}"
        return ParsedRoll([], [RowError(1, "headers", message, False)])
    rows: list[RollRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, cells in records[1:]:
        if line in exclude_lines:
            continue
        values: dict[str, str] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column is not None and column not in values:
                values[column] = cell
        if not any(values.get(c, "").strip() for c in REQUIRED):
            continue  # a row without any required field is skipped silently (§9A.2)
        result = _validate(line, values, ranks, seen)
        if isinstance(result, RollRow):
            rows.append(result)
        else:
            errors.extend(result)
    return ParsedRoll(rows, errors)


@dataclass(frozen=True, slots=True)
class ExistingMember:
    """A nominal-roll member as the diff compares it."""

    id: UUID
    service_number: str
    rank: str
    last_name: str
    first_name: str
    initials: str
    division_code: str | None
    status: str
    employee_number: str | None = None
    mess: str | None = None
    moc: str | None = None
    email: str | None = None
    home_phone: str | None = None
    mobile_phone: str | None = None
    class_details: str | None = None
    member_type: str = "class_a"


COMPARED = (
    ("service_number", "Service number"),
    ("employee_number", "Employee #"),
    ("rank", "Rank"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("initials", "Initials"),
    ("division_code", "Division"),
    ("email", "Email"),
    ("mobile_phone", "Mobile phone"),
    ("home_phone", "Home phone"),
    ("mess", "Mess"),
    ("moc", "MOC"),
    ("class_details", "Details"),
    ("member_type", "Member type"),
)


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs."""

    field: str
    old: str | None
    new: str | None

    def describe(self) -> str:
        """Human-readable form, e.g. "Rank: S2 → S1"."""
        label = dict(COMPARED)[self.field]
        return f"{label}: {self.old or '—'} → {self.new or '—'}"


@dataclass(frozen=True, slots=True)
class Update:
    """An existing member whose line differs."""

    member_id: UUID
    row: RollRow
    changes: list[Change]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What executing the import would do."""

    to_add: list[RollRow] = field(default_factory=list)
    to_update: list[Update] = field(default_factory=list)
    unchanged: list[UUID] = field(default_factory=list)
    to_review: list[ExistingMember] = field(default_factory=list)
    divisions_to_create: dict[str, int] = field(default_factory=dict)


def changes_for(member: ExistingMember, row: RollRow) -> list[Change]:
    """Return the compared fields whose values differ."""
    out = []
    for name, _ in COMPARED:
        old, new = getattr(member, name), getattr(row, name)
        if (old or None) != (new or None):
            out.append(Change(name, old, new))
    return out


def plan_import(
    rows: Sequence[RollRow], existing: Sequence[ExistingMember], *, division_codes: set[str]
) -> ImportPlan:
    """Diff valid rows against the nominal-roll members, matching by service number (§9A.3)."""
    by_sn = {m.service_number.upper(): m for m in existing}  # file numbers are upper-cased
    plan = ImportPlan()
    in_file = set()
    for row in rows:
        if row.division_code not in division_codes:
            count = plan.divisions_to_create.get(row.division_code, 0)
            plan.divisions_to_create[row.division_code] = count + 1
        member = by_sn.get(row.service_number)
        if member is None:
            plan.to_add.append(row)
            continue
        in_file.add(member.id)
        changes = changes_for(member, row)
        if changes:
            plan.to_update.append(Update(member.id, row, changes))
        else:
            plan.unchanged.append(member.id)
    plan.to_review.extend(m for m in existing if m.status == "active" and m.id not in in_file)
    return plan


ROW_FIELDS = tuple(f.name for f in fields(RollRow))
