"""Time every dashboard page in a real browser: from the request to the page's last
element (Streamlit has finished the run and the page's title is drawn). Cold: the page's
first visit after the server started, by its address (a new browser session, the
reports not cached). Warm: the page again by its link in the sidebar (the same
session, as a user moves between pages).

Usage: .venv/bin/python bench/bench_dashboard.py --db DB [--runs 3]
Needs Debian's chromium and the playwright package (the dashboard's browser test does
too). Targets (docs/guide.md): every page within 1 s warm and 3 s cold on a 1,000,000-
message generated corpus; results in bench/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PAGES = {"": "Overview", "where": "Where to contribute", "contributors": "Contributors",
         "latency": "Review latency", "maintainers": "Maintainers",
         "series": "Series explorer", "sql": "SQL console", "export": "Export"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settle(page, title: str, started: float) -> float:
    page.wait_for_timeout(50)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=600_000)
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=600_000)
    return time.perf_counter() - started


def load(page, url: str, title: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    return settle(page, title, started)


def click(page, title: str) -> float:
    started = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    return settle(page, title, started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3, help="server starts (cold runs)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    lorelens = str(Path(sys.executable).with_name("lorelens"))
    cold: dict[str, list[float]] = {p: [] for p in PAGES}
    warm: dict[str, list[float]] = {p: [] for p in PAGES}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        for _ in range(args.runs):
            port = free_port()
            server = subprocess.Popen([lorelens, "app", "--db", str(args.db), "--port",
                                       str(port)], stdout=subprocess.DEVNULL)
            try:
                base = f"http://127.0.0.1:{port}"
                for _ in range(600):
                    with socket.socket() as s:
                        if s.connect_ex(("127.0.0.1", port)) == 0:
                            break
                    time.sleep(0.1)
                page = browser.new_page(viewport={"width": 1400, "height": 1400})
                load(page, base + "/", "Overview")  # the session and the snapshot
                for path, title in PAGES.items():
                    cold[path].append(load(page, f"{base}/{path}", title))
                for path, title in PAGES.items():
                    other = "Export" if title != "Export" else "Overview"
                    click(page, other)
                    warm[path].append(click(page, title))
                page.close()
            finally:
                server.send_signal(signal.SIGINT)
                server.wait(30)
        browser.close()
    print(f"{'page':<22} {'cold (best)':>12} {'warm (best)':>12}")
    for path, title in PAGES.items():
        print(f"{title:<22} {min(cold[path]):>11.2f}s {min(warm[path]):>11.2f}s")


if __name__ == "__main__":
    main()
