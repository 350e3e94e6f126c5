"""The report's chart (FC-REV): rendered headless, sized for Slack's preview, titled with the contract and quarter."""

import struct
import subprocess
import sys
from typing import Any

import pytest

from domain.reports.chart import HEIGHT_PX, WIDTH_PX, chart_png, chart_title, report_figure
from domain.reports.kpis import quarter_report
from tests.domain.test_report_kpis import report_input

TITLE = "HUDSON-FC-03 (Hudson Logistics): incidents and first technical contact, 2026-Q3"


def test_fc_rev_the_figure_names_the_contract_and_quarter_and_labels_both_axes() -> None:
    report = quarter_report(report_input())
    figure = report_figure(report)
    assert figure._suptitle is not None and figure._suptitle.get_text() == TITLE == chart_title(report)
    bars, rate = figure.axes
    assert bars.get_ylabel() == "Incidents opened (count)" and rate.get_ylabel() == "FTC met rate (%)"
    assert bars.get_xlabel() == "Month (contract time, America/New_York)"
    assert [t.get_text() for t in bars.get_xticklabels()] == ["Jul 2026", "Aug 2026", "Sep 2026"]
    assert [p.get_height() for p in bars.patches[:3]] == [1, 1, 1]  # impact 1 in each month, bottom of the stack
    assert list(rate.lines[0].get_ydata()) == [100.0, 0.0, 0.0]
    legend = [t.get_text() for t in bars.get_legend().get_texts()]
    assert legend == ["Impact 1", "Impact 2", "Impact 3", "Impact 4", "FTC met rate (%)"]


def test_the_png_is_a_non_empty_1200_by_675_image() -> None:
    content = chart_png(quarter_report(report_input()))
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) > 20_000
    assert content[12:16] == b"IHDR" and struct.unpack(">II", content[16:24]) == (WIDTH_PX, HEIGHT_PX)


def test_a_quarter_without_incidents_still_draws() -> None:
    report = quarter_report(report_input().__class__(**{**report_input().__dict__, "incidents": []}))
    assert struct.unpack(">II", chart_png(report)[16:24]) == (WIDTH_PX, HEIGHT_PX)


def test_the_bot_starts_without_importing_matplotlib() -> None:
    code = "import sys, bot.app, handlers, domain.reports.chart; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_zh_tw_chart_without_a_chinese_font_is_drawn_in_english_not_boxes(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from domain.reports import chart as module
    from domain.words import speaking

    drawn: list[str] = []
    real = module.report_figure

    def spy(report: Any) -> Any:
        figure = real(report)
        drawn.append(figure.get_suptitle())
        return figure

    monkeypatch.setattr(module, "cjk_font", lambda: None)
    monkeypatch.setattr(module, "report_figure", spy)
    with speaking("zh-TW"):
        module.chart_png(quarter_report(report_input()))
    assert drawn == ["HUDSON-FC-03 (Hudson Logistics): incidents and first technical contact, 2026-Q3"]
    assert "fonts-noto-cjk" in caplog.text
