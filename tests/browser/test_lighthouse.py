"""Lighthouse (bench/lighthouse.py) on home, the diary, the summary and an article section,
signed in, against gunicorn with production settings: 100 for accessibility, best
practices and SEO (issue 16).

The performance target (95) is the script's, run by hand: its score comes from simulated
CPU time, which moves with the machine's load, and the suite asserts no timings. The score
is printed here all the same (`pytest -s`, or the failure message).
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

LIGHTHOUSE_CLI = ROOT / "bench" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"


def test_home_diary_summary_and_a_section_score_100_in_lighthouse(request, tmp_path):
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("Lighthouse runs in the SQLite leg: the pages' scores do not depend on it")
    if not LIGHTHOUSE_CLI.exists():
        if request.config.getoption("--strict-requirements"):
            pytest.fail(f"--strict-requirements: no Lighthouse at {LIGHTHOUSE_CLI}")
        pytest.skip("no Lighthouse (make lighthouse, which needs npm)")
    result = subprocess.run(
        [sys.executable, "bench/lighthouse.py", "--report-performance-only", "--output", tmp_path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Every page meets its targets (accessibility, best-practices, seo)." in result.stdout
