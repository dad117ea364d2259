"""The report as one self-contained HTML file: styles and plotly.js inline, no network."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from plotly.offline import get_plotlyjs

from allocator.errors import InputError
from allocator.io import write_atomic
from allocator.report.context import ReportInputs
from allocator.report.markup import Html, esc, join, tag
from allocator.report.sections import SECTIONS, Section

FORMATS = ("html", "pdf")


def sections(report: ReportInputs) -> list[Section]:
    """The sections this report has, in ``SECTIONS`` order."""
    return [s for s in (make(report) for make in SECTIONS) if s is not None]


def render_html(report: ReportInputs) -> str:
    """The whole report as one HTML document."""
    parts = sections(report)
    style = resources.files("allocator.report").joinpath("report.css").read_text("utf-8")
    contents = tag(
        "nav", tag("ol", join(tag("li", tag("a", s.title, href=f"#{s.id}")) for s in parts))
    )
    plan = report.plan
    header = tag(
        "header",
        join(
            (
                tag("h1", f"Investment plan: {report.title}"),
                tag(
                    "p",
                    f"Mandate {report.mandate.name}, horizon {report.mandate.horizon.start}–"
                    f"{report.mandate.horizon.end}, {plan.status.value} plan. "
                    "Money in USD millions.",
                ),
                tag("p", report.instance.meta.description, class_="note")
                if report.instance.meta.description
                else "",
            )
        ),
    )
    body = join(
        tag("section", join((tag("h2", s.title), s.body)), id=s.id, class_="report-section")
        for s in parts
    )
    # plotly.js goes in the head, once: every chart's script calls Plotly.newPlot
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(report.title)}</title>"
        f"<style>{style}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        f"</head><body><main>{join((header, contents, Html(body)))}</main></body></html>\n"
    )


def report_format(path: Path, fmt: str | None) -> str:
    """The output format: as given, else from the file's suffix (``.pdf``), else HTML."""
    chosen = fmt or ("pdf" if path.suffix.lower() == ".pdf" else "html")
    if chosen not in FORMATS:
        raise InputError(f"unknown report format {chosen!r} (html or pdf)", column="--format")
    return chosen


def write_report(report: ReportInputs, path: str | Path, fmt: str | None = None) -> Path:
    """Write the report to ``path`` as HTML or PDF (headless Chromium), atomically."""
    target = Path(path)
    document = render_html(report)
    if report_format(target, fmt) == "pdf":
        from allocator.report.pdf import html_to_pdf

        return write_atomic(target, html_to_pdf(document))
    return write_atomic(target, document)
