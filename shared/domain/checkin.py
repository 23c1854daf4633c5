"""Check-in vocabulary shared by every layer: directions, sources and methods (domain.md §1.3)."""

from enum import StrEnum


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
