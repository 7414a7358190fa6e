"""The first questions after a start, in a fresh process: `python -m bench.coldstart`.

In a running bot the first patient pays for everything the matcher loads lazily (caches,
word lists). This runs the dev questions once in a new interpreter, times each, and
reports the slowest and the process's memory before and after, as one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench.memory import peak_rss_mb

REPO = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = REPO / "tests" / "data" / "dev-questions.tsv"


def _rss_mb() -> float:
    return round(float(psutil.Process().memory_info().rss) / 2**20, 1)


def measure() -> dict[str, Any]:
    from faq.evaluate import read_cases
    from faq.loader import DEFAULT_FAQ_PATH, load_faq
    from faq.matcher import Matcher

    questions = [c.question for c in read_cases(DEV_QUESTIONS)]
    start = time.perf_counter()
    matcher = Matcher(load_faq(DEFAULT_FAQ_PATH))  # the shipped FAQ, not a clinic copy
    loaded = time.perf_counter()
    rss_loaded = _rss_mb()
    samples = []
    for text in questions:
        begin = time.perf_counter()
        matcher.decide(text)
        samples.append(time.perf_counter() - begin)
    slowest = max(range(len(samples)), key=samples.__getitem__)
    return {
        "load_s": round(loaded - start, 3),
        "first_pass_questions": len(samples),
        "first_pass_total_ms": round(1000 * sum(samples), 1),
        "slowest_ms": round(1000 * samples[slowest], 1),
        "slowest_question_number": slowest + 1,
        "rss_after_load_mb": rss_loaded,
        "rss_after_first_pass_mb": _rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }


def run_in_fresh_process() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.coldstart"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(measure()))
