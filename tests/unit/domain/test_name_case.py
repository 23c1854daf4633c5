"""Name case on import and visitor display names (shared.domain.display, §1.8)."""

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.display import name_case, visitor_display_name


def test_examples_from_the_spec() -> None:
    assert name_case("MACDONALD") == "MacDonald"
    assert name_case("MCKAY") == "McKay"
    assert name_case("MACK") == "Mack"
    assert name_case("MACHADO") == "Machado"
    assert name_case("O'NEIL") == "O'Neil"
    assert name_case("ST-PIERRE") == "St-Pierre"
    assert name_case("VAN DER BERG") == "Van der Berg"
    assert name_case("jean-luc") == "Jean-Luc"
    assert name_case("  SMITH  ") == "Smith"


NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèàçÉÈÀÇô -'"


@given(st.text(alphabet=NAME_CHARS, max_size=40))
def test_name_case_is_idempotent(raw: str) -> None:
    once = name_case(raw)
    assert name_case(once) == once


def test_visitor_display_name() -> None:
    assert visitor_display_name("Capt", "Anne", "Roy") == "Capt Roy, A"
    assert visitor_display_name(None, "Pat", "Guest") == "Guest, P"
