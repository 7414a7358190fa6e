"""The benchmark script works (a tiny run); its figures are measured elsewhere, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_smoke_run_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    for section in ("matcher_latency", "load_and_check", "comparison", "end_to_end", "targets"):
        assert results[section], section
    assert "p99" in result.stdout
