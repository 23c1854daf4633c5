"""`DriverStatement`: named parameters turned once into the driver's `$n` form."""

import pytest

from ingest.stages.batch_tx import DriverStatement


def test_each_distinct_name_is_numbered_in_order_of_first_use() -> None:
    statement = DriverStatement.from_named(
        "SELECT CAST(:b AS text[]), :a, make_interval(secs => :b), :a_2"
    )
    assert statement.sql == "SELECT CAST($1 AS text[]), $2, make_interval(secs => $1), $3"
    assert statement.names == ("b", "a", "a_2")


def test_casts_and_literals_with_colons_are_left_alone() -> None:
    statement = DriverStatement.from_named("SELECT :x::int, '10:30', now()::date")
    assert statement.sql == "SELECT $1::int, '10:30', now()::date"
    assert statement.names == ("x",)


def test_arguments_follow_the_numbering() -> None:
    statement = DriverStatement.from_named("SELECT :first, :second, :first")
    assert statement.arguments({"second": 2, "first": 1}) == (1, 2)


def test_an_unknown_parameter_is_refused_by_name() -> None:
    statement = DriverStatement.from_named("SELECT :known")
    with pytest.raises(KeyError, match="stray"):
        statement.arguments({"known": 1, "stray": 2})


def test_a_missing_parameter_is_refused_by_name() -> None:
    statement = DriverStatement.from_named("SELECT :known, :absent")
    with pytest.raises(KeyError, match="absent"):
        statement.arguments({"known": 1})
