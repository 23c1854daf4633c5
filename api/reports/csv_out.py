"""CSV rendering of a report's flat table (UTF-8, header row, spreadsheet-safe cells)."""

import csv
import io

from api.reports.document import Document

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (negative numbers pass)."""
    if value.startswith(_FORMULA) and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def render_csv(document: Document) -> bytes:
    """Return the CSV bytes of `document.csv`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(document.csv.columns)
    for row in document.csv.rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")
