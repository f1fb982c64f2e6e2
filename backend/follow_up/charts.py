"""Charts drawn as inline SVG by the templates in templates/follow_up/includes/chart_*.html: this module only
computes the geometry, so that a template needs no arithmetic. Each chart comes with the table of its numbers."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

# In the SVG's own units: the browser scales the whole drawing to the width of its container.
# Narrow enough that the text stays readable on a phone (the drawing shrinks to the screen's width).
WIDTH = 480
BAR_AREA = 400  # the longest bar; the rest of the line is for its value
LABEL_CHARACTERS = 62  # SVG text does not wrap: a longer label is cut (the table below has it in full)
ROW_HEIGHT = 42
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float
    width: float
    label_y: int
    bar_y: int

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_CHARACTERS:
            return self.label
        return self.label[: LABEL_CHARACTERS - 1].rstrip(" ,") + "…"


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    unit: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    width: int
    height: int

    @property
    def summary(self) -> str:
        """The chart in one sentence, for the SVG's <desc> (the table below gives the same numbers)."""
        return "; ".join(f"{bar.label} : {bar.value} {self.unit}".strip() for bar in self.bars)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    rows: Iterable[tuple[str, int | float]],
    unit: str = "",
    label_heading: str = "",
    value_heading: str = "",
    maximum: float | None = None,
) -> BarChart:
    """A horizontal bar chart of (label, value) rows, in their order; `maximum` is the value of a full-length bar.
    `chart_id` must be unique in the page (it prefixes the ids the SVG's accessible name points to)."""
    rows = list(rows)
    # The longest bar stands for `maximum` when given (100 for percentages), else for the largest value.
    largest = maximum or max((value for _label, value in rows), default=0) or 1
    bars = [
        Bar(
            label=str(label),
            value=value,
            width=round(BAR_AREA * value / largest, 1) if value > 0 else 0,
            label_y=index * ROW_HEIGHT + 18,
            bar_y=index * ROW_HEIGHT + 24,
        )
        for index, (label, value) in enumerate(rows)
    ]
    return BarChart(
        id=chart_id,
        title=str(title),
        unit=str(unit),
        label_heading=str(label_heading or _("Catégorie")),
        value_heading=str(value_heading or unit or _("Valeur")),
        bars=bars,
        width=WIDTH,
        height=max(len(bars), 1) * ROW_HEIGHT + 8,
    )
