"""Charts as PNG images (matplotlib's object API on the Agg canvas: no pyplot global state)."""

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from api.reports.document import Chart

WIDTH_IN, HEIGHT_IN, DPI = 9.0, 2.5, 110
BAR = "#2f5d8a"
MAX_TICKS = 24


def render_chart(chart: Chart) -> bytes:
    """Return the chart as PNG bytes."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(chart.labels)))
    if chart.kind == "line":
        axes.plot(positions, chart.values, color=BAR, linewidth=1.6, marker="o", markersize=2.5)
        if chart.secondary is not None:
            axes.plot(
                positions,
                chart.secondary,
                color="#b5651d",
                linewidth=1.2,
                label=chart.secondary_label,
            )
            axes.legend(loc="upper right", fontsize=7)
    else:
        axes.bar(positions, chart.values, color=chart.colors or BAR, width=0.8)
    for value, label, colour in chart.references:
        axes.axhline(value, color=colour, linestyle="--", linewidth=1)
        axes.annotate(label, (0, value), xytext=(2, 2), textcoords="offset points", fontsize=7)
    step = max(1, len(positions) // MAX_TICKS)
    axes.set_xticks(positions[::step], chart.labels[::step], rotation=45, ha="right", fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title(chart.title, fontsize=10)
    axes.set_ylabel(chart.y_label, fontsize=8)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
