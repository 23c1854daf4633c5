"""A report as a printable document: facts, charts and tables; CSV and PDF render from this."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from shared.domain.report_settings import PageSize

Tone = Literal["critical", "warning", "good"] | None


@dataclass(frozen=True)
class Table:
    """A titled table of strings; `tones` colours whole rows in the PDF."""

    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    tones: Sequence[Tone] = ()
    page_break_before: bool = False


@dataclass(frozen=True)
class Chart:
    """Data for one chart; `references` are horizontal lines such as thresholds."""

    kind: Literal["bar", "line", "histogram"]
    title: str
    labels: list[str]
    values: list[float]
    y_label: str = ""
    references: list[tuple[float, str, str]] = field(default_factory=list)  # value, label, colour
    colors: list[str] | None = None
    secondary: list[float] | None = None  # a second line series (e.g. visitors)
    secondary_label: str = ""


@dataclass(frozen=True)
class Document:
    """Everything a renderer needs; `csv` is the one flat table a spreadsheet gets."""

    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    charts: list[Chart]
    tables: list[Table]
    csv: Table
    page_size: PageSize = PageSize.LETTER
    landscape: bool = True
