"""A report opened in headless Chromium as a person would see it (Playwright over the system
Chromium; no ``playwright install``). Used by the browser tests, and as a script that makes the
screenshot in docs/:

    python tests/browser.py report.html docs/report.png [--height 1800]
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the launch flags that work in a container, as root, with no network
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 900, "height": 1200}
CHARTS_DRAWN = (
    "[...document.querySelectorAll('figure.chart')].every(f => f.querySelector('.main-svg'))"
)


def chromium() -> str | None:
    """The system Chromium, or None."""
    return os.environ.get("ALLOCATOR_CHROMIUM") or shutil.which("chromium")


@dataclass
class Opened:
    """A loaded page and what it reported while loading."""

    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt messages

    @property
    def console_errors(self) -> list[str]:
        """Console messages of type error."""
        return [text for kind, text in self.console if kind == "error"]


@contextmanager
def launch() -> Iterator[Any]:
    """Headless Chromium driven by Playwright; one per test module (Playwright's sync API
    allows one at a time in a thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, path: Path, viewport: dict[str, int] = VIEWPORT) -> Opened:
    """The report at ``path`` loaded in a new page, with every chart drawn."""
    page = browser.new_page(viewport=viewport)
    opened = Opened(page)
    page.on("console", lambda m: opened.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))

    def dismiss(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    page.wait_for_function(CHARTS_DRAWN)
    return opened


def main() -> None:
    """Write a screenshot of the top of a report (the docs' picture)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--height", type=int, default=1800, help="Pixels from the top.")
    args = parser.parse_args()
    with launch() as browser:
        viewport = {"width": VIEWPORT["width"], "height": args.height}
        open_page(browser, args.report, viewport).page.screenshot(path=str(args.png))


if __name__ == "__main__":
    main()
