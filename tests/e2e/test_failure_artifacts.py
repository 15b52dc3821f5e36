"""When a browser journey fails, each page open in its browser lands in test-artifacts/ as a
full-page screenshot and its HTML (the hook in conftest.py calls save_failure_artifacts)."""

from __future__ import annotations

import struct
from pathlib import Path

from playwright.sync_api import Browser

from tests.e2e.conftest import ARTIFACTS, VARIANTS
from tests.e2e.helpers import save_failure_artifacts


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_every_open_page_is_saved_whole_with_its_html(browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(**VARIANTS["phone"])
    try:
        first, second = context.new_page(), context.new_page()
        phone_page = "<meta name='viewport' content='width=device-width'>"
        first.set_content(f"{phone_page}<h1>First tab</h1><div style='height:3000px'>tall</div>")
        second.set_content("<h1>Second tab</h1>")
        written = save_failure_artifacts(context, "test_a_journey_desktop_", tmp_path)
    finally:
        context.close()
    assert sorted(p.name for p in written) == [
        "test_a_journey_desktop_-2.html",
        "test_a_journey_desktop_-2.png",
        "test_a_journey_desktop_.html",
        "test_a_journey_desktop_.png",
    ]
    width, height = png_size(tmp_path / "test_a_journey_desktop_.png")
    assert width == 360 * 2  # the phone's width at its pixel ratio
    assert height >= 3000 * 2  # the whole page, not the first screen
    assert "First tab" in (tmp_path / "test_a_journey_desktop_.html").read_text()
    assert "Second tab" in (tmp_path / "test_a_journey_desktop_-2.html").read_text()


def test_the_artifacts_land_in_test_artifacts_which_git_ignores() -> None:
    assert ARTIFACTS.parent.name == "test-artifacts"
    ignored = (ARTIFACTS.parents[1] / ".gitignore").read_text().splitlines()
    assert "test-artifacts/" in ignored
