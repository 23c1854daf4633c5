"""Display names: the collision key the member store queries by, a name with nothing after the
comma, and name case after an apostrophe.

Found by mutation testing (`uv run python -m tools.mutation`).
"""

from shared.domain.display import NameParts, display_name, name_case, name_key


def test_the_key_is_the_lower_case_trimmed_last_name_and_initials() -> None:
    # shared.store.members matches it against lower(trim(last_name)) in SQL.
    assert name_key(NameParts("S1", "Jordan", "  McKay ", "JK")) == ("mckay", "jk")
    assert name_key(NameParts("S1", "jordan", "Smith")) == ("smith", "j")


def test_no_first_name_and_no_initials_leaves_no_trailing_comma() -> None:
    assert display_name(NameParts("S1", "", "Smith")) == "S1 Smith"
    assert display_name(NameParts("", " ", "Guest")) == "Guest"


def test_the_letter_after_an_apostrophe_is_capitalised() -> None:
    assert name_case("D'ARCY") == "D'Arcy"
    assert name_case("jean-d'arc") == "Jean-D'Arc"


def test_every_part_of_a_hyphenated_saint_name_is_capitalised() -> None:
    assert name_case("ST-PIERRE-JEAN") == "St-Pierre-Jean"


def test_a_hyphenated_o_name_capitalises_both_parts() -> None:
    assert name_case("O'NEIL-SMITH") == "O'Neil-Smith"
