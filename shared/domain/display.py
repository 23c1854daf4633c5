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


def visitor_display_name(rank_prefix: str | None, first_name: str, last_name: str) -> str:
    """Return a visitor's display name: `"<Prefix> <Last>, <F>"` (domain.md §1.8)."""
    return display_name(NameParts(rank_prefix or "", first_name, last_name))


# Name case on import (domain.md §1.8): particles stay lower case inside a name.
PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "di",
        "du",
        "da",
        "la",
        "le",
        "les",
        "lo",
        "van",
        "von",
        "den",
        "der",
        "het",
        "el",
        "al",
        "y",
        "e",
    ]
)
_MAC_EXCEPTIONS = ("mach", "mack", "mace")


def _case_part(part: str) -> str:
    """Case one hyphen- or apostrophe-free piece: Mc/Mac handling, else capitalise."""
    low = part.lower()
    if low.startswith("mc") and len(low) > 2:
        return "Mc" + low[2:].capitalize()
    if low.startswith("mac") and len(low) >= 5 and not low.startswith(_MAC_EXCEPTIONS):
        return "Mac" + low[3:].capitalize()
    return low.capitalize()


def _case_word(word: str, *, first: bool) -> str:
    low = word.lower()
    if not first and low in PARTICLES:
        return low
    # Each part between hyphens and apostrophes is cased on its own: O'Neil-Smith, St-Pierre.
    return "-".join("'".join(_case_part(q) for q in p.split("'")) for p in low.split("-"))


def name_case(raw: str) -> str:
    """Return `raw` in name case: `MACDONALD` → `MacDonald`, `VAN DER BERG` → `Van der Berg`."""
    words = raw.split()
    return " ".join(_case_word(w, first=i == 0) for i, w in enumerate(words))
