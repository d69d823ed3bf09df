"""Serving the dashboard: ``streamlit run app.py`` on 127.0.0.1 for one database
(``lorelens app``, and ``lorelens demo`` after it has built the sample)."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from core.errors import LorelensError

APP = Path(__file__).resolve().parents[1] / "app.py"
HOST = "127.0.0.1"  # never on other interfaces: the data may not be public


class AppError(LorelensError):
    """The dashboard cannot be started (not installed, the port is taken)."""


def serve(db: Path, port: int, echo: Callable[[str], None] = print) -> int:
    """Serve the dashboard for ``db`` on http://127.0.0.1:PORT/ until Ctrl-C (or the
    server stops); returns the server's exit status (0 after Ctrl-C)."""
    if not APP.exists():
        raise AppError(f"the dashboard ({APP}) is not here: run lorelens from its checkout")
    if importlib.util.find_spec("streamlit") is None:
        raise AppError("the dashboard needs Streamlit: pip install -e '.[dashboard]' "
                       "(make demo does)")
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError as exc:
            raise AppError(f"port {port} on {HOST} is in use ({exc.strerror}): choose "
                           "another with --port") from exc
    env = {**os.environ, "LORELENS_DB": str(db.absolute())}
    # `streamlit run`, after importing pages/ (in APP's folder, the working directory):
    # that switches off Streamlit's older multipage mode, which a pages/ folder would
    # otherwise turn on for the server's first session (pages/__init__.py)
    cmd = [sys.executable, "-c", "import pages; from streamlit.web.cli import main; main()",
           "run", str(APP),
           "--server.address", HOST, "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]
    echo(f"The dashboard for {db} is at http://{HOST}:{port}/ (Ctrl-C stops it).")
    proc = subprocess.Popen(cmd, env=env, cwd=APP.parent)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # the terminal sent SIGINT to the whole process group; make sure, then wait
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0
