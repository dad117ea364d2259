"""PDF through headless Chromium's print-to-PDF: the same HTML, laid out by the print styles.

Chromium is found as ``$ALLOCATOR_CHROMIUM`` or on the PATH (Debian: ``apt-get install -y
chromium``). It runs with a fresh profile, no sandbox (it may run as root in containers), no
GPU and no background network traffic; the virtual-time budget lets plotly draw every chart
before the page is printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from allocator.errors import InputError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install it with `apt-get install -y chromium`, or set ALLOCATOR_CHROMIUM"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
RENDER_BUDGET_MS = 15000  # virtual time for scripts (plotly's drawing) before printing
PRINT_TIMEOUT_S = 180  # a Chromium that hangs is stopped, not waited on for ever


def find_chromium() -> str:
    """The Chromium executable, or a one-line error saying how to install it."""
    configured = os.environ.get("ALLOCATOR_CHROMIUM")
    if configured:
        if shutil.which(configured) is None:
            raise InputError(
                f"ALLOCATOR_CHROMIUM={configured} is not an executable", column="--format pdf"
            )
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise InputError(
        f"PDF output needs headless Chromium, not found: {INSTALL_HINT}", column="--format pdf"
    )


def chromium_command(chromium: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The command that prints ``page`` to ``pdf`` with a fresh ``profile``."""
    return [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw",
        f"--virtual-time-budget={RENDER_BUDGET_MS}",
        f"--print-to-pdf={pdf}",
        page.as_uri(),
    ]


def html_to_pdf(document: str) -> bytes:
    """The PDF of an HTML document, printed by headless Chromium."""
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="allocator-pdf-") as folder:
        root = Path(folder)
        page, pdf = root / "report.html", root / "report.pdf"
        page.write_text(document, encoding="utf-8")
        command = chromium_command(chromium, page, pdf, root / "profile")
        try:
            run = subprocess.run(
                command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                f"Chromium did not print within {PRINT_TIMEOUT_S} s", column="--format pdf"
            ) from None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            lines = [line for line in run.stderr.splitlines() if line.strip()]
            detail = lines[-1].strip() if lines else f"exit code {run.returncode}"
            raise InputError(
                f"Chromium could not print the report ({detail})", column="--format pdf"
            )
        return pdf.read_bytes()
