"""The whole project type-checks: ``python -m mypy`` with the ``[tool.mypy]`` settings of
pyproject.toml (the same check as ``make lint``)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from tests.conftest import ROOT, skip_or_fail

SHOWN = 20  # error lines quoted in the failure message


def test_mypy_is_clean() -> None:
    if importlib.util.find_spec("mypy") is None:
        skip_or_fail("mypy is not installed (pip install -e '.[dev]')")
    # no paths: pyproject.toml says what to check; the cache is .mypy_cache (git-ignored),
    # so a second run takes about a second
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = proc.stdout.splitlines()
    errors = [line for line in lines if ": error:" in line]
    summary = lines[-1] if lines else proc.stderr.strip()
    shown = "\n".join(errors[:SHOWN]) or proc.stderr.strip()[-2000:]
    more = f"\n… and {len(errors) - SHOWN} more" if len(errors) > SHOWN else ""
    assert proc.returncode == 0, f"mypy: {summary}\n{shown}{more}"
