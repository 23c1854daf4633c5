"""Nominal-roll import: any well-formed file round-trips, any malformed row is reported (§9A)."""

import csv
import io
import uuid
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.display import name_case
from shared.domain.nominal_roll import (
    ExistingMember,
    ParsedRoll,
    RollRow,
    member_type_for,
    parse_roll,
    plan_import,
)

RANKS = {"s1": "S1", "s2": "S2", "a/slt": "A/SLt", "lt(n)": "Lt(N)", "cpl": "Cpl"}
HEADERS = {
    "SN": ["SN", "Service Number", "service_no", "SERVICE NO."],
    "RANK": ["RANK", "Rank"],
    "LAST_NAME": ["LAST NAME", "Last_Name", "last-name"],
    "FIRST_NAME": ["FIRST NAME", "first_name"],
    "INITIALS": ["INITIALS"],
    "DEPT": ["DEPT", "Department", "DIVISION"],
    "MESS": ["MESS"],
    "EMAIL_ADDRESS": ["EMAIL ADDRESS", "Email"],
    "DETAILS": ["DETAILS"],
}
IGNORED = ["TIN", "PASSWORD", "DOB", "NOTES", ""]


@dataclass(frozen=True)
class Line:
    sn: str
    rank: str
    last: str
    first: str
    initials: str
    dept: str
    mess: str
    email: str
    details: str
    ignored: str

    def cells(self) -> dict[str, str]:
        return {
            "SN": self.sn,
            "RANK": self.rank,
            "LAST_NAME": self.last,
            "FIRST_NAME": self.first,
            "INITIALS": self.initials,
            "DEPT": self.dept,
            "MESS": self.mess,
            "EMAIL_ADDRESS": self.email,
            "DETAILS": self.details,
        }


def _rank(code: str) -> st.SearchStrategy[str]:
    return st.sampled_from([code, code.lower(), code.upper()])


UPPER, LOWER, DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789"


def _word(first: str, rest: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, b: a + b,
        st.sampled_from(first),
        st.text(alphabet=rest, min_size=low, max_size=high),
    )


def _service_number() -> st.SearchStrategy[str]:
    digits = st.text(alphabet=DIGITS, min_size=8, max_size=8)
    spaced = st.booleans()
    return st.builds(
        lambda letter, d, space: letter + (f"{d[:2]} {d[2:5]} {d[5:]}" if space else d),
        st.sampled_from(UPPER),
        digits,
        spaced,
    )


lines = st.builds(
    Line,
    sn=_service_number(),
    rank=st.sampled_from(sorted(RANKS.values())).flatmap(_rank),
    last=_word(UPPER + LOWER, LOWER, 1, 12),
    first=_word(UPPER + LOWER, LOWER, 1, 12),
    initials=st.text(alphabet=UPPER, max_size=3),
    dept=st.text(alphabet=UPPER + LOWER, min_size=2, max_size=6),
    mess=st.sampled_from(["", "Junior Ranks ", "Wardroom", "N/A"]),
    email=st.one_of(
        st.just(""),
        st.builds(
            lambda a, b, c: f"{a}@{b}.{c}",
            st.text(alphabet=LOWER, min_size=1, max_size=8),
            st.text(alphabet=LOWER, min_size=1, max_size=8),
            st.text(alphabet=LOWER, min_size=2, max_size=3),
        ),
    ),
    details=st.sampled_from(["", "CLASS B", "class c contract", "REG FORCE", "Reserve"]),
    ignored=st.text(alphabet='ab,\n"x ', max_size=12),
)


def _unique(items: list[Line]) -> list[Line]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.sn.replace(" ", "")
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def render(items: list[Line], data: st.DataObject) -> tuple[str, list[int]]:
    """Write a CSV like the real export; return it with each member line's first line number."""
    columns = data.draw(st.permutations([*HEADERS, *IGNORED[:3]]))
    header = [""] + [data.draw(st.sampled_from(HEADERS[c])) if c in HEADERS else c for c in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, ""])
    starts = []
    for index, item in enumerate(items):
        starts.append(out.getvalue().count("\n") + 1)
        cells = item.cells()
        writer.writerow([str(index + 1)] + [cells.get(c, item.ignored) for c in columns] + [""])
    bom = "\ufeff" if data.draw(st.booleans()) else ""
    return bom + out.getvalue(), starts


def expected(item: Line, line: int) -> RollRow:
    return RollRow(
        line=line,
        service_number=item.sn.replace(" ", ""),
        rank=RANKS[item.rank.lower()],
        last_name=name_case(item.last),
        first_name=name_case(item.first),
        initials=item.initials,
        division_code=item.dept.upper(),
        mess=item.mess.strip() if item.mess.strip() not in ("", "N/A") else None,
        email=item.email or None,
        class_details=item.details or None,
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, max_size=15).map(_unique), st.data())
def test_any_well_formed_file_round_trips(items: list[Line], data: st.DataObject) -> None:
    text, starts = render(items, data)
    parsed = parse_roll(text, ranks=RANKS)
    assert parsed.errors == []
    assert parsed.rows == [expected(i, s) for i, s in zip(items, starts, strict=True)]


CORRUPTIONS = ["empty_sn", "empty_rank", "empty_last", "empty_dept", "bad_rank", "bad_email", "dup"]


def corrupt(item: Line, how: str, first: Line) -> tuple[Line, str]:
    return {
        "empty_sn": (replace(item, sn=" "), "SN"),
        "empty_rank": (replace(item, rank=""), "RANK"),
        "empty_last": (replace(item, last=""), "LAST_NAME"),
        "empty_dept": (replace(item, dept=""), "DEPT"),
        "bad_rank": (replace(item, rank="Zz9"), "RANK"),
        "bad_email": (replace(item, email="not-an-email"), "EMAIL_ADDRESS"),
        "dup": (replace(item, sn=first.sn), "SN"),
    }[how]


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=2, max_size=10).map(_unique), st.data())
def test_a_malformed_row_is_reported_at_its_line_and_the_rest_parse(
    items: list[Line], data: st.DataObject
) -> None:
    if len(items) < 2:
        return
    index = data.draw(st.integers(1, len(items) - 1))
    how = data.draw(st.sampled_from(CORRUPTIONS))
    items[index], column = corrupt(items[index], how, items[0])
    text, starts = render(items, data)
    parsed = parse_roll(text, ranks=RANKS)
    assert (starts[index], column) in {(e.line, e.field) for e in parsed.errors}
    assert all(e.excludable for e in parsed.errors)
    assert [r.line for r in parsed.rows] == [s for i, s in enumerate(starts) if i != index]
    again = parse_roll(text, ranks=RANKS, exclude_lines=frozenset({starts[index]}))
    assert again.errors == [] and len(again.rows) == len(items) - 1


@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert isinstance(parse_roll(text, ranks=RANKS), ParsedRoll)


def test_missing_headers_block_the_import() -> None:
    parsed = parse_roll("SN,RANK,LAST NAME\nX1,S1,Roy\n", ranks=RANKS)
    assert [(e.line, e.field, e.excludable) for e in parsed.errors] == [(1, "headers", False)]
    assert "FIRST_NAME" in parsed.errors[0].message and parsed.blocking


def test_broken_quoting_blocks_the_import() -> None:
    parsed = parse_roll('SN,RANK\n"X1,S1\n', ranks=RANKS)
    assert parsed.blocking and parsed.errors[0].field == "csv"


def test_rows_without_any_required_field_are_skipped() -> None:
    text = "SN,RANK,LAST NAME,FIRST NAME,DEPT,MESS\n,,,,,Wardroom\nX1234567,S1,ROY,ANNE,ops,\n"
    parsed = parse_roll(text, ranks=RANKS)
    assert parsed.errors == [] and [r.line for r in parsed.rows] == [3]
    assert parsed.rows[0].last_name == "Roy" and parsed.rows[0].division_code == "OPS"


def test_member_type_follows_details() -> None:
    assert member_type_for("CLASSB 2025") == "class_b"
    assert member_type_for("Regular force") == "reg_force"
    assert member_type_for(None) == "class_a"


def _member(sn: str, **kw: object) -> ExistingMember:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "service_number": sn,
        "rank": "S2",
        "last_name": "Roy",
        "first_name": "Anne",
        "initials": "",
        "division_code": "OPS",
        "status": "active",
    }
    values.update(kw)
    return ExistingMember(**values)  # type: ignore[arg-type]


def test_plan_sorts_rows_into_add_update_unchanged_and_review() -> None:
    same = _member("A1000001")
    promoted = _member("A1000002")
    gone = _member("A1000003")
    rows = [
        RollRow(2, "A1000001", "S2", "Roy", "Anne", "", "OPS"),
        RollRow(3, "A1000002", "S1", "Roy", "Anne", "", "OPS"),
        RollRow(4, "A1000004", "S1", "Lee", "Kim", "", "BAND"),
    ]
    plan = plan_import(rows, [same, promoted, gone], division_codes={"OPS"})
    assert [r.service_number for r in plan.to_add] == ["A1000004"]
    assert [(u.member_id, [c.describe() for c in u.changes]) for u in plan.to_update] == [
        (promoted.id, ["Rank: S2 → S1"])
    ]
    assert plan.unchanged == [same.id]
    assert [m.id for m in plan.to_review] == [gone.id]
    assert plan.divisions_to_create == {"BAND": 1}
