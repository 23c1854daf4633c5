"""Display names for members and visitors (domain.md §1.8)."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NameParts:
    """The parts of a person's name that the display name is built from."""

    rank: str
    first_name: str
    last_name: str
    initials: str = ""


def name_key(person: NameParts) -> tuple[str, str]:
    """Return the key whose collisions switch everyone sharing it to the long form."""
    return (person.last_name.strip().lower(), _initials(person).lower())


def _initials(person: NameParts) -> str:
    if person.initials.strip():
        return person.initials.strip()
    first = person.first_name.strip()
    return first[:1].upper()


def display_name(person: NameParts, *, long_form: bool = False) -> str:
    """Return `"<RANK> <Last>, <Initials>"`, or `"<RANK> <Last>, <First>"` in the long form."""
    tail = person.first_name.strip() if long_form else _initials(person)
    head = f"{person.rank.strip()} {person.last_name.strip()}".strip()
    return f"{head}, {tail}" if tail else head


def display_names(people: Iterable[NameParts]) -> list[str]:
    """Return display names for `people`, using the long form where short names collide."""
    listed = list(people)
    counts: dict[tuple[str, str], int] = {}
    for person in listed:
        counts[name_key(person)] = counts.get(name_key(person), 0) + 1
    return [display_name(p, long_form=counts[name_key(p)] > 1) for p in listed]
