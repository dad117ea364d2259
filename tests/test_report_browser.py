"""The report as a person sees it: opened in headless Chromium, and printed to PDF.

The baseline report (sri-2025 under baseline, with sampled loss scenarios) is made through the
command line, as a user would; a small report with alternatives, a comparison and hostile input
text covers the other sections. Skipped only where no Chromium is installed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser import Opened, chromium, launch, open_page
from helpers import (
    EVIL_NAME,
    EVIL_SOURCE,
    EVIL_SUB_AREA,
    REPORT_MANDATE,
    hostile_instance,
    invoke,
)
from PIL import Image
from pypdf import PdfReader

import allocator
from allocator.inputs.mandate import Mandate
from allocator.inputs.scenario_file import save_scenarios
from allocator.report.markup import money, number, percent

pytestmark = pytest.mark.skipif(
    chromium() is None, reason="no Chromium: apt-get install -y chromium"
)

# every chart: drawn (plotly's SVG is there), with traces that hold data and marks on screen
CHART_STATE = """() => [...document.querySelectorAll('figure.chart')].map(f => {
    const gd = f.querySelector('.js-plotly-plot');
    const points = (gd && gd._fullData || []).map(
        t => (t.x || t.values || t.z || []).length);
    return {name: f.dataset.chart, svg: !!f.querySelector('.main-svg'),
            traces: points.length, points: Math.max(0, ...points),
            marks: f.querySelectorAll('g.trace, g.slice, g.hm').length};
})"""
FIGURES = """() => Object.fromEntries([...document.querySelectorAll('dl.figures .figure')].map(
    f => [f.dataset.key, f.querySelector('dd').innerText.trim()]))"""
HANDLERS = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"""


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[allocator.Plan, Path, Path]:
    """The baseline plan solved with loss scenarios, its files, and its report from the CLI."""
    folder = tmp_path_factory.mktemp("baseline")
    instance_dir = allocator.bundled("instances/sri-2025")
    mandate_file = allocator.bundled("models/baseline.yaml")
    inst = allocator.load_instance(instance_dir)
    scenarios = folder / "scenarios.csv"
    save_scenarios(allocator.sample_scenarios(inst, 400, 0), inst, scenarios)
    common = [instance_dir, "-m", mandate_file, "--scenarios", scenarios]
    plan_file = folder / "plan.json"
    invoke(["explain", *common, "-o", plan_file], exit_code=0)  # the plan with marginal values
    plan = allocator.Plan.from_json(plan_file.read_text())
    invoke(["report", plan_file, *common, "-o", folder / "report.html"], exit_code=0)
    invoke(["report", plan_file, *common, "-o", folder / "report.pdf"], exit_code=0)
    return plan, folder / "report.html", folder / "report.pdf"


@pytest.fixture(scope="module")
def browser():
    with launch() as running:
        yield running


@pytest.fixture(scope="module")
def baseline_page(browser, baseline) -> Opened:
    return open_page(browser, baseline[1])


@pytest.fixture(scope="module")
def hostile_page(browser, tmp_path_factory: pytest.TempPathFactory) -> Opened:
    """A small report with every optional section and input text that is markup."""
    inst, mandate = hostile_instance(), Mandate.model_validate(REPORT_MANDATE)
    plan = allocator.solve(inst, mandate)
    alternatives = allocator.alternatives(inst, mandate, count=2, slack=0.2)
    other = allocator.solve(inst, mandate.with_changes({"budget": 80}))
    path = tmp_path_factory.mktemp("hostile") / "report.html"
    plan.report(path, inst, mandate, compare=other, alternatives=alternatives)
    return open_page(browser, path)


def drawn(opened: Opened) -> dict[str, dict]:
    return {c["name"]: c for c in opened.page.evaluate(CHART_STATE)}


def test_the_page_loads_without_errors(baseline_page):
    assert baseline_page.console_errors == []
    assert baseline_page.errors == []
    assert baseline_page.page.title() == "sri-2025 under baseline"


def test_every_chart_is_drawn_with_data(baseline_page):
    charts = drawn(baseline_page)
    assert list(charts) == [
        "allocation",
        "pillar-ranges",
        "sub-area-ranges",
        "pacing",
        "cumulative",
        "risk",
        "loss-distribution",
    ]
    for name, chart in charts.items():
        assert chart["svg"] and chart["traces"] >= 1 and chart["points"] >= 2, name
        assert chart["marks"] >= 1, name


def test_the_summary_shows_the_plans_numbers(baseline, baseline_page):
    plan = baseline[0]
    assert baseline_page.page.evaluate(FIGURES) == {
        "status": plan.status.value,
        "objective": number(plan.objective),
        "strategic": number(plan.objective_terms.strategic),
        "return": number(plan.objective_terms.return_),
        "gap": percent(plan.gap, 2),
        "committed": money(plan.totals.committed),
        "deals": str(plan.metrics.deals),
        "expected_loss": money(plan.metrics.expected_loss),
        "high_risk_share": percent(plan.metrics.high_risk_share),
        "cvar": money(plan.metrics.cvar["cvar"]),
    }
    rows = baseline_page.page.locator("table[data-table=investments] tbody tr")
    assert rows.count() == plan.metrics.deals


def test_the_screenshot_is_not_blank(baseline_page):
    shot = Image.open(io.BytesIO(baseline_page.page.screenshot())).convert("RGB")
    colours = shot.getcolors(maxcolors=1 << 20)
    assert len(colours) > 100  # text, charts and tables, not one flat colour
    background = max(colours)[0] / (shot.width * shot.height)
    assert background < 0.9


def test_the_pdf_prints_every_section(baseline):
    plan, _, pdf = baseline
    pages = PdfReader(pdf).pages
    assert 8 <= len(pages) <= 30
    first = pages[0].extract_text()
    assert "Summary" in first and money(plan.totals.committed) in first
    text = " ".join(page.extract_text() for page in pages)
    for title in (
        "Allocation",
        "Commitments and calls by year",
        "Risk",
        "Binding limits",
        "Investments",
    ):
        assert title in text
    assert all(page.extract_text().strip() for page in pages)  # no empty page


def test_the_small_report_draws_every_section(hostile_page):
    assert hostile_page.console_errors == [] and hostile_page.errors == []
    charts = drawn(hostile_page)
    assert {"alternatives", "comparison", "loss-distribution"} <= set(charts)
    for name, chart in charts.items():
        assert chart["svg"] and chart["traces"] >= 1 and chart["marks"] >= 1, name


def test_input_markup_stays_text(hostile_page):
    page = hostile_page.page
    assert hostile_page.dialogs == []
    assert page.evaluate(HANDLERS) == []  # no element got an event handler from the input
    assert page.locator("table[data-table=investments] img").count() == 0
    text = page.inner_text("body")
    assert EVIL_NAME in text and EVIL_SOURCE in text and EVIL_SUB_AREA in text
    for chart in ("allocation", "sub-area-ranges", "alternatives"):  # labels show the text too
        drawn_text = page.evaluate(f"document.querySelector('[data-chart={chart}]').textContent")
        assert EVIL_SUB_AREA in drawn_text, chart
