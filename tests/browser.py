"""A real browser for the web mailbox's tests: Debian's chromium driven by Playwright.

Playwright's own browser download needs the internet, which this machine lacks, so the tests
launch the system chromium that ``scripts/system-deps.sh`` installs. Where it is missing the
browser tests skip and say why. Screenshots go to ``SCREENSHOTS`` (named in the README) so a
person can look at what the tests saw.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts" / "screenshots"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def chromium_path() -> str | None:
    """The system chromium, or None when it is not installed."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def why_no_browser() -> str | None:
    """The reason the browser tests cannot run here, or None when they can."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    if chromium_path() is None:
        return "Debian's chromium is not installed (scripts/system-deps.sh installs it as root)"
    return None


def screenshot_path(name: str) -> Path:
    """Where a named screenshot is saved; the folder is made on first use."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


@pytest.fixture
def chromium() -> Iterator[str]:
    """The path of the system chromium; skips the test with the reason when there is none."""
    reason = why_no_browser()
    if reason is not None:
        pytest.skip(reason)
    path = chromium_path()
    assert path is not None
    yield path
