"""The committee report: a Plan as one self-contained HTML file (or its PDF).

It reads a Plan, the instance and the mandate (and optionally another plan and a set of
alternatives) and imports nothing of ``formulation`` or ``solving``: marginal values come with
the plan (``allocator.marginal_values``), and the CLI computes them when a plan has none.

- ``context``: ``ReportInputs``, what the sections read;
- ``sections``: one function per section and their order, ``SECTIONS``;
- ``charts``: the plotly figures; ``limits``: binding limits in words; ``markup``: escaping;
- ``document``: the page (``render_html``, ``write_report``); ``pdf``: headless Chromium.
"""

from __future__ import annotations

from allocator.report.context import ReportInputs
from allocator.report.document import render_html, write_report

__all__ = ["ReportInputs", "render_html", "write_report"]
