"""Nominal-roll import details: the exact row errors (line, field, text that identifies the
row), column length limits, optional columns the property test never writes, short rows,
repeated columns, header spellings, line endings, and the import plan's records.

Found by mutation testing (`uv run python -m tools.mutation`).
"""

import uuid

import pytest

from shared.domain.nominal_roll import (
    Change,
    ExistingMember,
    ImportPlan,
    RollRow,
    RowError,
    Update,
    member_type_for,
    normalize_header,
    parse_roll,
    plan_import,
)

RANKS = {"s1": "S1", "s2": "S2", "lt(n)": "Lt(N)"}
HEADER = "SN,RANK,LAST NAME,FIRST NAME,DEPT"


def parse(*lines: str, header: str = HEADER) -> tuple[list[RollRow], list[RowError]]:
    parsed = parse_roll("\n".join([header, *lines]) + "\n", ranks=RANKS)
    return parsed.rows, parsed.errors


class TestFileErrors:
    def test_an_empty_file_blocks_the_import(self) -> None:
        parsed = parse_roll("", ranks=RANKS)
        assert parsed.rows == []
        assert parsed.errors == [RowError(1, "csv", "The file is empty", False)]
        assert parsed.blocking

    def test_broken_quoting_blocks_the_import_at_line_one(self) -> None:
        parsed = parse_roll('SN,RANK\n"X1,S1\n', ranks=RANKS)
        assert parsed.rows == []
        [error] = parsed.errors
        assert (error.line, error.field, error.excludable) == (1, "csv", False)
        assert error.message.startswith("The file is not valid CSV: ")

    def test_missing_headers_are_listed(self) -> None:
        parsed = parse_roll("SN,RANK,FIRST NAME\n", ranks=RANKS)
        assert parsed.rows == []
        assert parsed.errors == [
            RowError(1, "headers", "Missing required headers: LAST_NAME, DEPT", False)
        ]


class TestRowErrors:
    def test_each_missing_field_is_reported_with_the_row_it_is_on(self) -> None:
        rows, errors = parse("X1234567,S1,,,")
        assert rows == []
        assert errors == [
            RowError(2, "LAST_NAME", "Last name is required (S1)"),
            RowError(2, "FIRST_NAME", "First name is required (S1)"),
            RowError(2, "DEPT", "Department is required (S1)"),
        ]

    def test_a_row_without_rank_or_name_is_identified_by_its_service_number(self) -> None:
        _, errors = parse("x123 4567")
        assert errors[0] == RowError(2, "RANK", "Rank is required (X1234567)")
        assert [e.field for e in errors] == ["RANK", "LAST_NAME", "FIRST_NAME", "DEPT"]

    def test_a_missing_service_number_is_identified_by_rank_and_name(self) -> None:
        _, errors = parse(" ,S1,Roy,Anne,OPS")
        assert errors == [RowError(2, "SN", "Service number is required (S1 Roy)")]

    def test_an_unknown_rank_is_quoted(self) -> None:
        _, errors = parse("X1234567,Zz9,Roy,Anne,OPS")
        assert errors == [RowError(2, "RANK", 'Unknown rank code "Zz9"')]

    def test_a_bad_email_is_reported_on_its_column(self) -> None:
        _, errors = parse("X1234567,S1,Roy,Anne,OPS,roy@", header=HEADER + ",EMAIL")
        assert [(e.line, e.field) for e in errors] == [(2, "EMAIL_ADDRESS")]
        assert errors[0].message

    def test_a_duplicate_names_the_first_line(self) -> None:
        rows, errors = parse("X1234567,S1,Roy,Anne,OPS", "X1234567,S2,Lee,Kim,OPS")
        assert [r.line for r in rows] == [2]
        assert errors == [
            RowError(3, "SN", "Duplicate service number in CSV (first seen at row 2)")
        ]

    @pytest.mark.parametrize(
        ("column", "limit", "header"),
        [("SN", 20, None), ("LAST_NAME", 100, None), ("INITIALS", 10, "INITIALS")],
    )
    def test_a_value_may_be_exactly_as_long_as_its_column_allows(
        self, column: str, limit: int, header: str | None
    ) -> None:
        full_header = HEADER + (f",{header}" if header else "")

        def line(value: str) -> str:
            values = {"SN": "X1234567", "LAST_NAME": "Roy", "INITIALS": "A", column: value}
            row = f"{values['SN']},S1,{values['LAST_NAME']},Anne,OPS"
            return row + (f",{values['INITIALS']}" if header else "")

        rows, errors = parse(line("A" * limit), header=full_header)
        assert errors == [] and len(rows) == 1
        rows, errors = parse(line("A" * (limit + 1)), header=full_header)
        assert rows == []
        assert errors == [RowError(2, column, f"{column} is longer than {limit} characters")]


def test_every_optional_column_is_read() -> None:
    header = (
        "Service Number,Empl #,Rank,Last Name,First Name,Initials,Division,Mess,MOC,"
        "Email Address,Home Phone,Mobile Phone,Details"
    )
    line = (
        "x1234567,E-42,lt(n),O'NEIL,ANNE,ak,ops, Wardroom ,NCOP, anne@example.ca ,"
        "204-555-0100,204-555-0199,CLASS C 2026"
    )
    rows, errors = parse(line, header=header)
    assert errors == []
    assert rows == [
        RollRow(
            line=2,
            service_number="X1234567",
            rank="Lt(N)",
            last_name="O'Neil",
            first_name="Anne",
            initials="AK",
            division_code="OPS",
            employee_number="E-42",
            mess="Wardroom",
            moc="NCOP",
            email="anne@example.ca",
            home_phone="204-555-0100",
            mobile_phone="204-555-0199",
            class_details="CLASS C 2026",
        )
    ]
    assert rows[0].member_type == "class_c"


def test_optional_columns_that_say_not_given_are_empty() -> None:
    header = HEADER + ",EMPL_NUMBER,MOC,HOME_PHONE,MOBILE_PHONE"
    rows, _ = parse("X1234567,S1,Roy,Anne,OPS,N/A,-,na, ", header=header)
    [row] = rows
    assert (row.employee_number, row.moc, row.home_phone, row.mobile_phone) == (None,) * 4


class TestRowShapes:
    def test_a_short_row_lacks_only_its_missing_optional_cells(self) -> None:
        rows, errors = parse("X1234567,S1,Roy,Anne,ops", header=HEADER + ",INITIALS,MESS,DETAILS")
        assert errors == []
        assert rows == [RollRow(2, "X1234567", "S1", "Roy", "Anne", "", "OPS")]

    def test_a_short_row_with_no_required_value_is_skipped(self) -> None:
        assert parse(",,", "X1234567,S1,Roy,Anne,OPS") == (
            [RollRow(3, "X1234567", "S1", "Roy", "Anne", "", "OPS")],
            [],
        )

    def test_a_short_row_missing_the_service_number_cell_is_refused(self) -> None:
        rows, errors = parse("S1,Roy,Anne,OPS", header="RANK,LAST NAME,FIRST NAME,DEPT,SN")
        assert rows == []
        assert errors == [RowError(2, "SN", "Service number is required (S1 Roy)")]

    def test_a_long_row_ignores_the_extra_cells(self) -> None:
        rows, errors = parse("X1234567,S1,Roy,Anne,OPS,extra,more")
        assert errors == [] and len(rows) == 1

    def test_a_repeated_column_takes_the_first_cell(self) -> None:
        rows, _ = parse("X1234567,S1,Roy,Anne,OPS,Z9999999", header=HEADER + ",Service Number")
        assert rows[0].service_number == "X1234567"

    def test_a_byte_order_mark_before_the_header_is_dropped(self) -> None:
        parsed = parse_roll("\ufeff" + HEADER + "\nX1234567,S1,Roy,Anne,OPS\n", ranks=RANKS)
        assert parsed.errors == [] and len(parsed.rows) == 1

    @pytest.mark.parametrize("newline", ["\r\n", "\r"])
    def test_windows_and_old_mac_line_endings(self, newline: str) -> None:
        text = newline.join([HEADER, "X1234567,S1,Roy,Anne,OPS", "X7654321,S2,Lee,Kim,OPS", ""])
        parsed = parse_roll(text, ranks=RANKS)
        assert parsed.errors == []
        assert [r.line for r in parsed.rows] == [2, 3]


@pytest.mark.parametrize(
    ("raw", "column"),
    [
        ("Empl #", "EMPL_NUMBER"),
        ("employee #", "EMPL_NUMBER"),
        ("Last   Name", "LAST_NAME"),
        (" e-mail ", None),
        ("Service No.", "SN"),
    ],
)
def test_header_spellings(raw: str, column: str | None) -> None:
    assert normalize_header(raw) == column


@pytest.mark.parametrize(
    ("details", "member_type"),
    [
        ("Class B 2026", "class_b"),
        ("CLASSB", "class_b"),
        ("class c contract", "class_c"),
        ("CLASSC", "class_c"),
        ("Reg Force", "reg_force"),
        ("REGFORCE transfer", "reg_force"),
        ("regular", "reg_force"),
        ("Reserve", "class_a"),
        ("", "class_a"),
    ],
)
def test_member_type_from_details(details: str, member_type: str) -> None:
    assert member_type_for(details) == member_type


def test_a_change_from_or_to_nothing_shows_a_dash() -> None:
    assert Change("email", None, "a@b.ca").describe() == "Email: — → a@b.ca"
    assert Change("mess", "Wardroom", None).describe() == "Mess: Wardroom → —"


def _member(sn: str, **kw: object) -> ExistingMember:
    values: dict[str, object] = {
        "id": uuid.UUID(int=int(sn[1:])),
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


def test_the_plan_keeps_going_after_a_new_member_and_counts_new_divisions() -> None:
    new_a = RollRow(2, "A1000009", "S1", "Lee", "Kim", "", "BAND")
    new_b = RollRow(3, "A1000008", "S1", "Poe", "Ed", "", "BAND")
    promoted = RollRow(4, "A1000002", "S1", "Roy", "Anne", "", "OPS")
    existing = _member("A1000002")
    plan = plan_import([new_a, new_b, promoted], [existing], division_codes={"OPS"})
    assert plan == ImportPlan(
        to_add=[new_a, new_b],
        to_update=[Update(existing.id, promoted, [Change("rank", "S2", "S1")])],
        unchanged=[],
        to_review=[],
        divisions_to_create={"BAND": 2},
    )
