"""PDF rendering with reportlab: title, facts, charts as images, tables with repeated headers."""

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, LETTER, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import inch  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from api.reports.charts import HEIGHT_IN, WIDTH_IN, render_chart
from api.reports.document import Document, Tone
from api.reports.document import Table as DocTable
from shared.domain.report_settings import PageSize

TONES = {
    "critical": colors.HexColor("#f8d7da"),
    "warning": colors.HexColor("#fff3cd"),
    "good": colors.HexColor("#d1e7dd"),
}
HEADER = colors.HexColor("#1f3b57")
MARGIN = 0.5 * inch
WRAP_AT = 32  # characters; `_widths` gives a column at most 32 characters' share


def _page_size(document: Document) -> tuple[float, float]:
    size = A4 if document.page_size is PageSize.A4 else LETTER
    return landscape(size) if document.landscape else size  # type: ignore[no-any-return]


# reportlab ships no type information: its canvas and document are `Any` here.
def _footer(title: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(MARGIN, 0.3 * inch, title)
        canvas.drawRightString(
            doc.pagesize[0] - MARGIN, 0.3 * inch, f"Page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    return draw


def _table(table: DocTable, width: float) -> list[object]:
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=7, leading=8.5)
    head = cell.clone("head", textColor=colors.white, fontName="Helvetica-Bold")
    data: list[list[object]] = [[Paragraph(c, head) for c in table.columns]]
    # Plain strings draw an order of magnitude faster than Paragraphs; only long text wraps.
    data += [
        [Paragraph(_escape(v), cell) if len(v) > WRAP_AT else v for v in row] for row in table.rows
    ]
    flow = Table(data, repeatRows=1, colWidths=_widths(table, width))
    style: list[tuple[object, ...]] = [
        ("FONT", (0, 1), (-1, -1), "Helvetica", 7, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for index, tone in enumerate(_tones(table), start=1):
        if tone:
            style.append(("BACKGROUND", (0, index), (-1, index), TONES[tone]))
    flow.setStyle(TableStyle(style))
    title = Paragraph(_escape(table.title), styles["Heading3"])
    parts: list[object] = [PageBreak()] if table.page_break_before else []
    if not table.rows:
        return [*parts, title, Paragraph("None.", styles["BodyText"]), Spacer(1, 6)]
    return [*parts, title, flow, Spacer(1, 8)]


def _widths(table: DocTable, width: float) -> list[float]:
    """Column widths in proportion to their longest cell, within 4 and 32 characters."""
    weights = [
        max(4, min(32, max([len(header)] + [len(row[i]) for row in table.rows])))
        for i, header in enumerate(table.columns)
    ]
    return [width * w / sum(weights) for w in weights]


def _tones(table: DocTable) -> list[Tone]:
    return list(table.tones) or [None] * len(table.rows)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(document: Document) -> bytes:
    """Return the PDF bytes of `document`."""
    out = io.BytesIO()
    size = _page_size(document)
    pdf = SimpleDocTemplate(
        out,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=document.title,
        author="Sentinel",
    )
    width = size[0] - 2 * MARGIN
    styles = getSampleStyleSheet()
    story: list[object] = [
        Paragraph(_escape(document.title), styles["Title"]),
        Paragraph(_escape(document.subtitle), styles["Normal"]),
        Spacer(1, 8),
    ]
    if document.facts:
        facts = Table(
            [
                [Paragraph(f"<b>{_escape(k)}</b>", styles["BodyText"]), _escape(v)]
                for k, v in document.facts
            ],
            colWidths=[2.2 * inch, width - 2.2 * inch],
            hAlign="LEFT",
        )
        facts.setStyle(
            TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        story += [facts, Spacer(1, 8)]
    scale = min(1.0, width / (WIDTH_IN * inch))
    for chart in document.charts:
        image = Image(
            io.BytesIO(render_chart(chart)),
            width=WIDTH_IN * inch * scale,
            height=HEIGHT_IN * inch * scale,
        )
        story += [image, Spacer(1, 6)]
    for table in document.tables:
        story += _table(table, width)
    footer = _footer(f"{document.title} — {document.subtitle}")
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
