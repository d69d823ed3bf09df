"""`lorelens app` and `lorelens demo` serve the dashboard on 127.0.0.1 (docs/guide.md,
"The dashboard")."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from click.testing import CliRunner

import cli
from tests.conftest import free_port, odd_mails, run_ingest, wait_for_port, write_mbox

LORELENS = str(Path(sys.executable).with_name("lorelens"))


def test_app_serves_the_dashboard_until_ctrl_c(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    run_ingest([write_mbox(tmp_path / "a.mbox", odd_mails()[:4])], db)
    port = free_port()
    proc = subprocess.Popen([LORELENS, "app", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first and str(db) in first
        assert wait_for_port(port, 60), "the server did not listen"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                    timeout=10) as r:
            assert r.read() == b"ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "Traceback" not in out


def test_app_on_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = CliRunner().invoke(cli.main, ["app", "--db", str(tmp_path / "x.duckdb"),
                                            "--port", str(port)])
    assert res.exit_code == 1
    assert res.stderr.strip().splitlines() == [
        f"lorelens: error: port {port} on 127.0.0.1 is in use (Address already in use): "
        "choose another with --port"]


def test_demo_from_lore_without_network_names_the_offline_demo(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there: as good as no network
    res = CliRunner().invoke(cli.main, [
        "demo", "--from-lore", "linux-watchdog", "--lore-url", f"http://127.0.0.1:{port}",
        "--db", str(tmp_path / "x.duckdb"), "--no-app"])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "unreachable" in lines[0]
    assert "`make demo` or `lorelens demo` without --from-lore" in lines[0]
