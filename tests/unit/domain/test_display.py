"""Display names (domain.md §1.8)."""

from shared.domain.display import NameParts, display_name, display_names


def test_short_form_uses_initials_or_first_letter() -> None:
    assert display_name(NameParts("S1", "Jordan", "Smith")) == "S1 Smith, J"
    assert display_name(NameParts("PO2", "Jordan", "Smith", "JK")) == "PO2 Smith, JK"


def test_colliding_short_names_all_switch_to_long_form() -> None:
    people = [
        NameParts("S1", "Jordan", "Smith"),
        NameParts("S2", "Jamie", "smith"),
        NameParts("S1", "Riley", "Smith"),
    ]
    assert display_names(people) == ["S1 Smith, Jordan", "S2 smith, Jamie", "S1 Smith, R"]
