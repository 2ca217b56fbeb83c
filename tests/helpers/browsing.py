"""Helpers for browser tests: Debian's Chromium under Playwright, and axe-core from npm."""

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import service_missing

# Flags for a headless Chromium on a machine with no display and no outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Installed by `make install` / .ci/run with `npm ci --prefix tests/a11y`.
AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA, as axe-core tags them.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Best practices checked beside them: two landmarks of one kind must not share a name, or a
# screen reader's list of regions shows the same entry twice.
BEST_PRACTICES = {"landmark-unique": {"enabled": True}}


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless; skips (or fails in CI) when it is missing."""
    executable = shutil.which("chromium")
    if executable is None:
        service_missing("chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def axe_source() -> str:
    """axe-core's script; skips (or fails in CI) when npm has not installed it."""
    if not AXE.exists():
        service_missing(f"axe-core is not installed: run npm ci --prefix {AXE.parents[2]}")
    return AXE.read_text("utf-8")


def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    """What axe-core finds against WCAG 2.2 AA (and BEST_PRACTICES) on the page as it stands."""
    # A form sent by a click may show its error before the new page's stylesheet has arrived;
    # axe measures sizes and colours, which are the styled ones only once the page has loaded.
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)  # evaluated by the driver, so the page's own CSP does not apply
        # The page's next documents get it as they start: 40 ms less than sending it each time.
        page.context.add_init_script(source)
    options = {
        "runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
        "rules": BEST_PRACTICES,
        "resultTypes": ["violations"],
    }
    results = page.evaluate("options => axe.run(document, options)", options)
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in results["violations"]
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as readable text for an assertion message."""
    return json.dumps(violations, indent=2, ensure_ascii=False)
