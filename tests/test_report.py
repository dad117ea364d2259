"""The committee report read back as HTML: each section against the Plan it reports, escaping
of input text, the command line, and the report's independence from the model."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from helpers import (
    EVIL_NAME,
    EVIL_SOURCE,
    EVIL_SUB_AREA,
    REPORT_MANDATE,
    cand,
    hostile_instance,
    instance,
    invoke,
    write_case,
)

import allocator
from allocator.errors import InputError
from allocator.inputs.mandate import Mandate
from allocator.report import ReportInputs, render_html
from allocator.report.markup import money, number, percent


class Page(HTMLParser):
    """The parts of a report the tests read: sections, key figures, tables, scripts, links."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.figures: dict[str, tuple[str, str]] = {}  # key -> (shown text, data-value)
        self.tables: dict[str, list[list[str]]] = {}  # data-table -> rows of cell text
        self.charts: list[str] = []
        self.links: list[str] = []
        self.scripts = 0
        self.text: list[str] = []
        self._figure: tuple[str, str] | None = None
        self._in_dd = False
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._head = False
        self.feed(text)

    def handle_starttag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if name == "section":
            self.sections.append(a["id"] or "")
        elif name == "div" and "data-key" in a:
            self._figure = (a["data-key"] or "", a.get("data-value") or "")
        elif name == "dd":
            self._in_dd = True
        elif name == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table or ""] = []
        elif name == "thead":
            self._head = True
        elif name == "tr" and self._table and not self._head:
            self.tables[self._table].append([])
        elif name == "td" and self._table:
            self._cell = []
        elif name == "figure" and "data-chart" in a:
            self.charts.append(a["data-chart"] or "")
        elif name == "a":
            self.links.append(a.get("href") or "")
        elif name == "script":
            self.scripts += 1

    def handle_endtag(self, name: str) -> None:
        if name == "dd":
            self._in_dd = False
        elif name == "table":
            self._table = None
        elif name == "thead":
            self._head = False
        elif name == "td" and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_dd and self._figure:
            self.figures[self._figure[0]] = (data.strip(), self._figure[1])
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def solved() -> tuple[allocator.Instance, Mandate, allocator.Plan]:
    inst, mandate = hostile_instance(), Mandate.model_validate(REPORT_MANDATE)
    plan = allocator.solve(inst, mandate)
    assert plan.found and plan.binding
    plan = plan.model_copy(update={"binding": allocator.marginal_values(inst, mandate, plan)})
    return inst, mandate, plan


def page_of(inst, mandate, plan, **extra) -> Page:
    return Page(render_html(ReportInputs(plan, inst, mandate, **extra)))


def test_sections_and_contents(solved):
    page = page_of(*solved)
    assert page.sections == ["summary", "allocation", "pacing", "risk", "binding", "investments"]
    assert page.links == [f"#{s}" for s in page.sections]
    assert page.charts == [
        "allocation",
        "pillar-ranges",
        "sub-area-ranges",
        "pacing",
        "cumulative",
        "risk",
        "loss-distribution",
    ]
    assert page.scripts == 1 + len(page.charts)  # plotly.js once, one call per chart


def test_summary_numbers_are_the_plans(solved):
    inst, mandate, plan = solved
    figures = page_of(*solved).figures
    expected = {
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
    assert {k: v[0] for k, v in figures.items()} == expected
    assert float(figures["objective"][1]) == plan.objective
    assert float(figures["committed"][1]) == plan.totals.committed


def test_tables_match_the_plan(solved):
    inst, mandate, plan = solved
    tables = page_of(*solved).tables
    rows = tables["investments"]
    ordered = sorted(plan.investments, key=lambda i: (i.start_year, i.id))
    assert [r[0] for r in rows] == [str(i.start_year) for i in ordered]
    assert [r[3] for r in rows] == [money(i.amount) for i in ordered]
    for row, inv in zip(rows, ordered, strict=True):
        assert inv.id in row[1] and inst.by_id[inv.id].source in row[1]
    by_sub_area = {r[0]: r[2] for r in tables["sub-areas"]}
    assert by_sub_area == {
        t.sub_area: money(plan.totals.by_sub_area.get(t.sub_area_id, 0.0)) for t in inst.taxonomy
    }
    pacing = {r[0]: (r[1], r[2]) for r in tables["pacing"]}
    for year in mandate.years:
        assert pacing[str(year)] == (
            money(plan.totals.by_year_committed.get(str(year), 0.0)),
            money(plan.totals.by_year_called.get(str(year), 0.0)),
        )
    per_unit = {b.key: b.dual * (0.01 if b.key.endswith("share") else 1.0) for b in plan.binding}
    assert [r[1] for r in tables["binding"]] == sorted(per_unit, key=lambda k: -per_unit[k])
    assert tables["risk"][0][1] == money(plan.metrics.expected_loss)
    assert tables["objective"][-1][-1] == number(plan.objective)


def test_binding_limits_in_words(solved):
    inst, mandate, plan = solved
    text = " ".join(page_of(*solved).text)
    priced = [b for b in plan.binding if b.dual and b.key.startswith("pacing.annual_max")]
    assert priced
    for b in priced:
        year = b.key.rsplit(".", 1)[1]
        assert f"The {year} call cap ($35M) costs {number(b.dual)} of objective per $M." in text
    loss = next(b for b in plan.binding if b.key == "risk.max_expected_loss_share")
    assert (
        f"The expected-loss cap (20% of the budget) costs {number(loss.dual / 100)} of "
        "objective per percentage point." in text
    )


def test_input_text_is_escaped(solved):
    inst, mandate, plan = solved
    assert any(i.id == "evil" for i in plan.investments)
    markup = render_html(ReportInputs(plan, inst, mandate))
    for hostile in (EVIL_NAME, EVIL_SOURCE, EVIL_SUB_AREA):
        assert hostile not in markup  # never as markup: escaped in HTML, \u003c in chart data
    text = "".join(Page(markup).text)
    assert EVIL_NAME in text and EVIL_SOURCE in text and EVIL_SUB_AREA in text


def test_same_plan_same_file(solved):
    inst, mandate, plan = solved
    assert render_html(ReportInputs(plan, inst, mandate)) == render_html(
        ReportInputs(plan, inst, mandate)
    )


def test_marginal_values_not_computed_is_said(solved):
    inst, mandate, plan = solved
    bare = plan.model_copy(
        update={"binding": tuple(b.model_copy(update={"dual": None}) for b in plan.binding)}
    )
    text = " ".join(page_of(inst, mandate, bare).text)
    assert "Marginal values were not computed" in text


def test_alternatives_and_comparison_sections(solved):
    inst, mandate, plan = solved
    alts = allocator.alternatives(inst, mandate, count=2, slack=0.2)
    other = allocator.solve(inst, mandate.with_changes({"budget": 80}))
    page = page_of(inst, mandate, plan, alternatives=alts, compare=other, compare_label="budget 80")
    assert page.sections[-2:] == ["alternatives", "comparison"]
    assert [r[0] for r in page.tables["alternatives"]] == [
        "optimum",
        "alternative 1",
        "alternative 2",
    ]
    costs = [r[2] for r in page.tables["alternatives"]]
    assert costs == [number(plan.objective - p.objective) for _, p in alts.named()]
    committed = next(r for r in page.tables["comparison"] if r[0] == "committed")
    assert committed[1:3] == [number(plan.totals.committed), number(other.totals.committed)]
    assert len(page.tables["changes"]) == len(other.compare(plan).investments)
    assert "alternatives" in page.charts and "comparison" in page.charts


def test_an_infeasible_plan_reports_its_diagnosis():
    limits = {**REPORT_MANDATE, "min_deployment": 1.0, "pacing": {"annual_max": 20}}
    inst, mandate = hostile_instance(), Mandate.model_validate(limits)
    plan = allocator.solve(inst, mandate)
    assert plan.status == allocator.Status.INFEASIBLE
    page = page_of(inst, mandate, plan)
    assert page.sections == ["summary"]
    assert {r[0] for r in page.tables["relaxations"]} == {r.key for r in plan.diagnosis.relaxations}


def test_a_plan_of_another_instance_is_refused(solved):
    inst, mandate, plan = solved
    other = instance([cand("x")])
    with pytest.raises(
        InputError, match="'a' is not a candidate of instance 'toy'|not a candidate"
    ):
        ReportInputs(plan, other, mandate)


def test_the_report_imports_nothing_of_the_model():
    code = (
        "import sys, allocator.report, allocator.report.pdf, allocator.results.alternatives\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('pyomo', 'highspy', "
        "'allocator.formulation', 'allocator.solving')))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


@pytest.fixture
def files(tmp_path, solved):
    inst, mandate, plan = solved
    folder, mandate_file = write_case(tmp_path, inst.with_scenarios(None), REPORT_MANDATE)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan.to_json())
    return folder, mandate_file, plan_file


def test_cli_writes_the_report_and_computes_marginal_values(files, tmp_path):
    folder, mandate_file, plan_file = files
    bare = json.loads(plan_file.read_text())
    for b in bare["binding"]:
        b["dual"] = None
    plan_file.write_text(json.dumps(bare))
    invoke(["report", plan_file, folder, "-m", mandate_file], exit_code=0)
    page = Page((tmp_path / "plan.html").read_text())
    assert "of objective per" in " ".join(page.text)
    assert "loss-distribution" not in page.charts  # this instance folder has no scenarios


def test_cli_bad_plan_file_is_one_line_and_no_report(files, tmp_path):
    folder, mandate_file, plan_file = files
    plan_file.write_text("{not json")
    out = tmp_path / "r.html"
    result = invoke(["report", plan_file, folder, "-m", mandate_file, "-o", out], exit_code=2)
    assert result.stderr.startswith(f"error: {plan_file}: not a plan JSON")
    assert len(result.stderr.splitlines()) == 1 and not out.exists()


def test_cli_plan_of_another_instance_is_refused(files, tmp_path):
    _, _, plan_file = files
    out = tmp_path / "r.html"
    result = invoke(["report", plan_file, "-o", out], exit_code=2)  # the bundled sri-2025
    assert "is not a candidate of instance 'sri-2025'" in result.stderr
    assert not out.exists()


def test_cli_pdf_without_chromium_says_how_to_install(files, tmp_path, monkeypatch):
    folder, mandate_file, plan_file = files
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("ALLOCATOR_CHROMIUM", raising=False)
    out = tmp_path / "r.pdf"
    result = invoke(["report", plan_file, folder, "-m", mandate_file, "-o", out], exit_code=2)
    assert result.stderr == (
        "error: --format pdf: PDF output needs headless Chromium, not found: install it with "
        "`apt-get install -y chromium`, or set ALLOCATOR_CHROMIUM\n"
    )
    assert not out.exists()
