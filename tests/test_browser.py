"""The dashboard in a real browser: Debian's chromium, headless, driven by Playwright for
Python (never a downloaded browser build), against `lorelens app` on 127.0.0.1. Every
page opens, a filter changes the address, a series leads to its raw mail, the SQL
console runs a query and its CSV download holds every row. A screenshot of every page
is saved in the test's tmp folder (docs/guide.md, "The dashboard")."""

from __future__ import annotations

import csv
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics.db import run_query
from core.database import connect_readonly
from tests.conftest import free_port, skip_or_fail, wait_for_port

LORELENS = str(Path(sys.executable).with_name("lorelens"))
# the default page (the overview) is served at the root
PAGES = {"": "Overview", "where": "Where to contribute", "contributors": "Contributors",
         "latency": "Review latency", "maintainers": "Maintainers",
         "series": "Series explorer", "sql": "SQL console", "export": "Export"}


def chromium() -> str:
    exe = shutil.which("chromium")
    if exe is None:
        skip_or_fail("needs Debian's chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("needs the playwright package (pip install -e '.[dev]')")
    return str(exe)


@pytest.fixture(scope="module")
def served(report_db) -> Iterator[str]:
    exe = chromium()  # skip before starting anything
    assert exe
    port = free_port()
    proc = subprocess.Popen([LORELENS, "app", "--db", str(report_db.path), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_port(port, 60), "lorelens app did not listen"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err


@pytest.fixture(scope="module")
def browser(served: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), headless=True)
        try:
            yield b
        finally:
            b.close()


def test_a_first_visit_by_a_page_address_gets_the_app_navigation(report_db, browser: Any
                                                                 ) -> None:
    """The first session of a new server, opened at a page's address (a shared link):
    the sidebar lists the app's pages by title, not the files of pages/ (Streamlit's
    older multipage mode, which a pages/ folder would turn on)."""
    port = free_port()
    proc = subprocess.Popen([LORELENS, "app", "--db", str(report_db.path), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for_port(port, 60), "lorelens app did not listen"
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/contributors")
        settle(page, "Contributors")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Where to contribute" in nav and "common" not in nav, nav
        page.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


def settle(page: Any, title: str | None = None) -> None:
    """Wait until Streamlit has finished running the page (and shows ``title``)."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
    if title:
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0, \
        page.locator('[data-testid="stException"]').first.inner_text()


def test_every_page_in_a_real_browser(served: str, browser: Any, report_db,
                                      tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page.goto(served + "/")
    settle(page, "Overview")
    for path, title in PAGES.items():
        page.goto(f"{served}/{path}")
        settle(page, title)
        page.screenshot(path=str(shots / f"{path or 'overview'}.png"), full_page=True)
    assert len(list(shots.iterdir())) == len(PAGES)

    # a filter changes the address, which reopens the same view
    page.goto(f"{served}/")
    settle(page, "Overview")
    con = connect_readonly(report_db.path)
    try:
        lst = run_query(con, "SELECT l FROM (SELECT unnest(lists) l FROM messages) "
                             "GROUP BY l ORDER BY count(*) LIMIT 1").rows[0][0]
        sid, subject = run_query(con, "SELECT series_id, subject FROM series WHERE "
                                      "next_series_id IS NOT NULL ORDER BY 1 LIMIT 1").rows[0]
    finally:
        con.close()
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=lst).click()
    page.wait_for_url(lambda url: "list=" in url, timeout=30_000)
    settle(page, "Overview")
    assert lst.replace("@", "%40") in page.url or lst in page.url
    page.screenshot(path=str(shots / "overview-filtered.png"), full_page=True)
    again = browser.new_page(viewport={"width": 1400, "height": 1200})
    again.goto(page.url)
    settle(again, "Overview")
    again.get_by_text(f"Scope: list {lst}", exact=False).wait_for(timeout=30_000)
    again.close()

    # follow a series to its raw mail
    page.goto(f"{served}/series")
    settle(page, "Series explorer")
    box = page.get_by_label("Search subject, author (address or name) or series id")
    box.fill(sid)
    box.press("Enter")
    page.wait_for_url(lambda url: "q=" in url, timeout=30_000)
    settle(page, "Series explorer")
    page.get_by_role("heading", name=subject).wait_for(timeout=30_000)
    raw = page.locator('[data-testid="stCode"]').first.inner_text()
    assert "Message-ID:" in raw or "Message-Id:" in raw
    assert page.locator('a[href^="https://lore.kernel.org/"]').count() >= 1
    page.screenshot(path=str(shots / "series-raw-mail.png"), full_page=True)

    # a query in the SQL console, and its CSV download with every row
    page.goto(f"{served}/sql")
    settle(page, "SQL console")
    page.locator("textarea").fill("SELECT range AS n FROM range(1500)")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("Truncated: only the first 1,000 rows").wait_for(timeout=60_000)
    settle(page, "SQL console")
    page.screenshot(path=str(shots / "sql-result.png"), full_page=True)
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="All rows (CSV)").click()
    target = tmp_path / "query.csv"
    dl.value.save_as(str(target))
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["n"] and len(rows) == 1501 and rows[-1] == ["1499"]

    # a chart as PNG, and the write-up of export-report as a zip
    page.goto(f"{served}/contributors")
    settle(page, "Contributors")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="PNG", exact=True).first.click()
    assert Path(dl.value.path()).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    page.goto(f"{served}/export")
    settle(page, "Export")
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="Report (zip").click()
    with zipfile.ZipFile(dl.value.path()) as z:
        names = set(z.namelist())
    assert {"lorelens-report/report.md", "lorelens-report/report.html"} <= names
    assert any(n.endswith(".png") for n in names) and any(n.endswith(".svg") for n in names)
    page.close()
