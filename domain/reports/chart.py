"""The report's chart (FC-REV): incidents opened per month by impact level as stacked bars, the FTC met rate as a
line on a second axis. A PNG sized for Slack's preview (1200 x 675 px), drawn headless with matplotlib's Agg
backend; matplotlib is imported inside the functions, so the bot starts without paying for it.
"""

import io
import logging
from functools import lru_cache
from typing import TYPE_CHECKING

from domain import formats
from domain.reports.kpis import QuarterReport
from domain.words import DEFAULT_LANGUAGE, _, current_language, speaking

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1200, 675, 100
# Impact 1 (highest) darkest: the eye goes first to what hurt most (FC-INC-1); readable in greyscale too.
IMPACT_COLOURS = ("#7f1d1d", "#dc2626", "#f59e0b", "#94a3b8")
RATE_COLOUR = "#1d4ed8"
# Fonts with Traditional Chinese glyphs, best first (Debian's fonts-noto-cjk, macOS, Windows, older distributions).
CJK_FONTS = ("Noto Sans CJK TC", "Noto Sans TC", "Noto Sans CJK JP", "PingFang TC", "Microsoft JhengHei",
             "WenQuanYi Zen Hei", "AR PL UMing TW", "Droid Sans Fallback")
LATIN_FONTS = ("DejaVu Sans",)  # matplotlib's own, always there
log = logging.getLogger(__name__)


def chart_title(report: QuarterReport) -> str:
    period = (_("%(quarter)s to %(day)s", quarter=report.quarter, day=formats.iso_date(report.last_day))
              if report.to_date else report.quarter)
    return _("%(contract)s (%(customer)s): incidents and first technical contact, %(period)s",
             contract=report.contract_id, customer=report.customer, period=period)


def report_figure(report: QuarterReport) -> "Figure":
    """The chart as a matplotlib Figure (not yet drawn): tests read its title and axes before saving."""
    from matplotlib.figure import Figure  # Figure without pyplot: no global state, no GUI backend
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    bars = figure.add_subplot()
    months = [formats.month_year(m.month) for m in report.months]
    bottom = [0] * len(months)
    for level, colour in enumerate(IMPACT_COLOURS, start=1):
        counts = [m.opened[level - 1] for m in report.months]
        bars.bar(months, counts, bottom=bottom, color=colour, width=0.6, label=_("Impact %(level)s", level=level))
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    bars.set_ylabel(_("Incidents opened (count)"), fontsize=13)
    bars.set_xlabel(_("Month (contract time, %(zone)s)", zone=report.timezone), fontsize=13)
    bars.set_ylim(0, max([*bottom, 1]) * 1.25)  # head room for the legend
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))  # incidents come whole
    bars.tick_params(labelsize=12)
    rate = bars.twinx()
    rates = [None if m.met_rate is None else 100 * m.met_rate for m in report.months]
    points = [(x, y) for x, y in zip(months, rates, strict=True) if y is not None]
    if points:
        rate.plot([x for x, _y in points], [y for _x, y in points], color=RATE_COLOUR, marker="o", linewidth=2.5,
                  markersize=8, label=_("FTC met rate (%)"))
    rate.set_ylim(0, 125)  # 100% stays below the legend, as the bars' head room does
    rate.set_yticks(range(0, 101, 20))
    rate.set_ylabel(_("FTC met rate (%)"), fontsize=13, color=RATE_COLOUR)
    rate.tick_params(labelsize=12, colors=RATE_COLOUR)
    handles, labels = bars.get_legend_handles_labels()
    more_handles, more_labels = rate.get_legend_handles_labels()
    bars.legend(handles + more_handles, labels + more_labels, loc="upper left", ncols=5, fontsize=11, frameon=False)
    figure.suptitle(chart_title(report), fontsize=15, fontweight="bold")
    return figure


def chart_png(report: QuarterReport) -> bytes:
    """The chart as PNG bytes, exactly WIDTH_PX x HEIGHT_PX, in the current language when a font can draw it."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    language, families = current_language(), list(LATIN_FONTS)
    if language != DEFAULT_LANGUAGE:
        font = cjk_font()
        if font is None:  # boxes instead of words help nobody: English labels, and say what to install
            log.warning("no font with Chinese glyphs (e.g. fonts-noto-cjk); the chart is drawn in English")
            language = DEFAULT_LANGUAGE
        else:
            families.insert(0, font)
    with speaking(language), matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": families}):
        figure = report_figure(report)
        FigureCanvasAgg(figure)  # attaches the headless canvas; no display is ever opened
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed font of CJK_FONTS, or None."""
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)
