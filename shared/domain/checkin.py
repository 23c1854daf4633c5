"""Check-in vocabulary shared by every layer: directions, sources and methods (domain.md §1.3)."""

from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import TypeVar

K = TypeVar("K")


class Direction(StrEnum):
    """A check-in's direction."""

    IN = "in"
    OUT = "out"


class Method(StrEnum):
    """How a check-in was recorded (domain.md §1.3 `method`)."""

    BADGE = "badge"
    MANUAL = "manual"
    OVERRIDE = "override"
    LOGIN = "login"
    SYSTEM = "system"
    LOCKUP = "lockup"


def toggle(latest: Direction | None) -> Direction:
    """Direction of the next scan: `out` after an `in`, else `in` (domain.md §0.2 rule 1)."""
    return Direction.OUT if latest is Direction.IN else Direction.IN


def realign(
    first: Direction, later: Sequence[tuple[K, Direction]], fixed: Collection[K] = ()
) -> dict[K, Direction]:
    """The check-ins after `first` whose direction must change so the sequence alternates.

    `later` is a member's check-ins after a tap that was decided late (its event time came
    before check-ins already recorded), in event-time order, each with its key. Each must
    toggle its predecessor (domain.md §2.11 step 7), except the `fixed` ones: rows written with
    a direction of their own (a daily reset's or a lockup's check-out, a manual entry), which
    keep it and which the next check-ins toggle. Returns only those that change, keyed.
    """
    changes: dict[K, Direction] = {}
    previous = first
    for key, direction in later:
        if key in fixed:
            previous = direction
            continue
        wanted = toggle(previous)
        if direction is not wanted:
            changes[key] = wanted
        previous = wanted
    return changes
