"""The report page on a phone (390 px) and a desktop (1280 px), measured in headless Chromium:
the page never scrolls sideways (wide tables and charts scroll in their own box), chart text
stays at 11 px or more, and nothing of the header is cut off. The page itself has no script:
the test measures a copy with one measuring script appended, shown in an iframe of the wanted
width (headless Chromium keeps a window at least 500 px wide), which writes what it found into
the host page that Chromium dumps."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ledger.application import open_ledger
from projections.report import movement_report
from projections.report.render_html import render_html
from tests.conftest import Keys
from tests.projections.builder import MOVEMENT
from tests.projections.conftest import Scenario
from tests.projections.path_ledger import path_ledger, report_on

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

MEASURE = """<script>
(function () {
  var doc = document.documentElement, out = {innerWidth: innerWidth,
    scrollWidth: doc.scrollWidth, bodyScrollWidth: document.body.scrollWidth,
    smallText: [], clipped: [], loose: [], svgTexts: 0};
  document.querySelectorAll('svg text').forEach(function (t) {
    var m = t.getScreenCTM(), size = parseFloat(getComputedStyle(t).fontSize) * (m ? m.a : 1);
    out.svgTexts += 1;
    if (size < 11) out.smallText.push(size.toFixed(1) + ' ' + t.textContent.slice(0, 30));
  });
  document.querySelectorAll('header.top *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    var out_of_view = r.right > innerWidth + 0.5 || r.left < -0.5;
    if (r.width && (out_of_view || e.scrollWidth > e.clientWidth + 1))
      out.clipped.push(e.tagName + ': ' + e.textContent.slice(0, 40));
  });
  document.querySelectorAll('table, svg.chart').forEach(function (e) {
    var box = e.closest('.wrap, .charts');
    if (!box) out.loose.push(e.tagName);
    else if (box.getBoundingClientRect().right > innerWidth + 0.5) out.loose.push('box');
  });
  var pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  parent.document.body.appendChild(pre);
})();
</script>"""


def measure(page: str, width: int, tmp_path: Path) -> dict[str, Any]:
    """Render `page` at `width` × 900 px in headless Chromium; what the script measured."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    framed = html.escape(page.replace("</body>", MEASURE + "</body>"), quote=True)
    probe = tmp_path / f"host-{width}.html"
    probe.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe srcdoc="{framed}" style="border:0;width:{width}px;height:900px"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )
    browser = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / f'profile-{width}'}", "--dump-dom",
         "--window-size=1400,1000", probe.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert browser.returncode == 0, browser.stderr[-2000:]
    found = re.search(r'<pre id="measured">(.*?)</pre>', browser.stdout, re.DOTALL)
    assert found is not None, browser.stdout[-2000:]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_report_fits_phone_and_desktop(
    shared: Scenario, tmp_path: Path, width: int, lang: str
) -> None:
    page = render_html(movement_report(shared.app, MOVEMENT), lang)
    assert "<script" not in page  # the page itself stays script-free and self-contained

    got = measure(page, width, tmp_path)

    assert got["innerWidth"] == width
    assert got["scrollWidth"] <= got["innerWidth"], got  # no sideways page scroll
    assert got["bodyScrollWidth"] <= got["innerWidth"], got
    assert got["svgTexts"] > 10 and got["smallText"] == [], got["smallText"]
    assert got["clipped"] == [], got["clipped"]
    assert got["loose"] == [], got["loose"]  # every table and chart in its own scroll box


def test_the_measure_sees_a_page_too_wide(shared: Scenario, tmp_path: Path) -> None:
    """The check can fail: a fixed-width block makes the phone page scroll sideways."""
    page = render_html(movement_report(shared.app, MOVEMENT), "vi")
    wide = page.replace("</main>", '<div style="width:900px">x</div></main>')
    got = measure(wide, 390, tmp_path)
    assert got["scrollWidth"] > got["innerWidth"]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_proposal_path_and_comment_list_fit_phone_and_desktop(
    keys: Keys, tmp_path: Path, width: int, lang: str
) -> None:
    """The proposal path's tables and the list open for comment (tests/projections/
    path_ledger.py's ledger, while the period runs) stay inside the screen."""
    app = open_ledger(str(tmp_path / "path.db"))
    try:
        page = render_html(report_on(path_ledger(app, keys, tmp_path / "k"), "2026-02-27"), lang)
    finally:
        app.close()
    assert 'id="proposals"' in page and 'id="comment"' in page and "<h3>" in page

    got = measure(page, width, tmp_path)

    assert got["scrollWidth"] <= got["innerWidth"], got
    assert got["bodyScrollWidth"] <= got["innerWidth"], got
    assert got["loose"] == [], got["loose"]
