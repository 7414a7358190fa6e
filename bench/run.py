"""Performance benchmark of the FAQ bot: matcher latency, FAQ loading, end-to-end throughput.

    python bench/run.py                  # full run (a few minutes), writes bench/results.json
    python bench/run.py --smoke          # a few seconds; every section, tiny sizes (for CI)
    python bench/run.py --profile DIR    # also write cProfile files of each section to DIR

Sections:
  1. Matcher.decide latency (p50/p99) on the shipped FAQ and synthetic FAQs of ~1,000 and
     ~10,000 phrasings, over the dev questions repeated to ~20,000 calls after a warm-up;
     also the "cold" first pass on a fresh matcher (empty spelling and prefix caches).
  2. Load-and-check time (check_faq + Matcher) at the same sizes, median of several runs.
  3. End-to-end throughput and peak RSS of the real bot process (see bench/e2e.py).
  4. Our matcher beside rapidfuzz WRatio and BM25 on the shipped FAQ: speed and quality.
  5. Machine info, and each target as pass or miss.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Imported after the path fix above, so `python bench/run.py` works from anywhere.
from bench import e2e  # noqa: E402
from bench.baselines import BM25Baseline, FuzzyBaseline, quality  # noqa: E402
from bench.machine import load_average, machine_info  # noqa: E402
from bench.synth import write_synthetic_faq  # noqa: E402
from bench.timing import Latency, summarise, time_each, time_repeated  # noqa: E402
from faq.evaluate import Case, read_cases  # noqa: E402
from faq.loader import DEFAULT_FAQ_PATH, check_faq  # noqa: E402
from faq.matcher import Matcher  # noqa: E402
from faq.model import FAQ  # noqa: E402
from faq.text import stem  # noqa: E402

DEV_QUESTIONS = REPO / "tests" / "data" / "dev-questions.tsv"
HOLDOUT_QUESTIONS = REPO / "tests" / "data" / "holdout-questions.tsv"
DEFAULT_OUT = REPO / "bench" / "results.json"
SEED = 20260117

TARGET_P99_SHIPPED_US = 1_000.0
TARGET_P99_10K_US = 10_000.0
TARGET_LOAD_SHIPPED_S = 0.5
TARGET_RSS_MB = 120.0
TARGET_UPDATES_PER_S = 200.0
LARGE_FAQ = 10_000


@dataclass(frozen=True)
class Config:
    synthetic_sizes: tuple[int, ...]
    target_calls: int
    budget_s: float  # per FAQ size: stop repeating passes after this long
    load_runs: int
    e2e_updates: int


FULL = Config((1_000, 10_000), target_calls=20_000, budget_s=90.0, load_runs=5, e2e_updates=2_000)
SMOKE = Config((1_000,), target_calls=200, budget_s=0.5, load_runs=1, e2e_updates=40)


@dataclass(frozen=True)
class FaqUnderTest:
    label: str
    path: Path
    faq: FAQ

    @property
    def phrasings(self) -> int:
        return sum(len(e.phrasings) for e in self.faq.entries)

    def describe(self) -> dict[str, Any]:
        return {"faq": self.label, "entries": len(self.faq.entries), "phrasings": self.phrasings}


# -- section 1: matcher latency --------------------------------------------------------------


def cold_latency(faq: FAQ, questions: Sequence[str]) -> Latency:
    """The first pass on a fresh matcher: spelling, prefix and stem caches all empty."""
    stem.cache_clear()
    matcher = Matcher(faq)
    return summarise(time_each(matcher.decide, questions))


def matcher_latency(
    under_test: FaqUnderTest, questions: Sequence[str], config: Config, profile: Path | None
) -> dict[str, Any]:
    cold = cold_latency(under_test.faq, questions)
    matcher = Matcher(under_test.faq)
    warm = time_repeated(matcher.decide, questions, config.target_calls, config.budget_s)
    if profile is not None:
        _profile(lambda: time_each(matcher.decide, questions), profile, f"decide-{under_test.label}")
    return {
        **under_test.describe(),
        **warm.as_dict(),
        "cold_p50_us": round(cold.p50_us, 1),
        "cold_p99_us": round(cold.p99_us, 1),
    }


# -- section 2: load and check ---------------------------------------------------------------


def load_once(path: Path) -> tuple[float, float]:
    """Seconds for check_faq and for building the Matcher, from a cold stem cache."""
    stem.cache_clear()
    start = time.perf_counter()
    faq, problems = check_faq(path)
    checked = time.perf_counter()
    if faq is None:
        raise RuntimeError(f"{path} does not pass the checker: {problems[:3]}")
    Matcher(faq)
    return checked - start, time.perf_counter() - checked


def load_time(under_test: FaqUnderTest, runs: int, profile: Path | None) -> dict[str, Any]:
    timings = [load_once(under_test.path) for _ in range(max(runs, 1))]
    checks = sorted(t[0] for t in timings)
    builds = sorted(t[1] for t in timings)
    totals = sorted(sum(t) for t in timings)
    if profile is not None:
        _profile(lambda: load_once(under_test.path), profile, f"load-{under_test.label}")
    return {
        **under_test.describe(),
        "runs": len(timings),
        "check_s": round(_median(checks), 4),
        "matcher_build_s": round(_median(builds), 4),
        "total_s": round(_median(totals), 4),
    }


def _median(ordered: Sequence[float]) -> float:
    n = len(ordered)
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


# -- section 4: comparison -------------------------------------------------------------------


def comparison(
    shipped: FAQ, dev: Sequence[Case], holdout: Sequence[Case], config: Config
) -> list[dict[str, Any]]:
    questions = [c.question for c in dev]
    ours = Matcher(shipped)
    fuzzy = FuzzyBaseline(shipped)
    bm25 = BM25Baseline(shipped)
    threshold = bm25.calibrate(holdout)
    rows: list[tuple[str, str, Callable[[str], object], Callable[[str], Any] | None]] = [
        ("ours: Matcher.decide", "thresholds from faq.yaml; includes urgent screen",
         ours.decide, ours.decide),
        ("ours: Matcher.rank only", "scoring without urgent screen or decision",
         ours.rank, None),
        ("rapidfuzz WRatio", f"extractOne over canonical questions, cutoff {fuzzy.cutoff:g}",
         fuzzy.decide, fuzzy.decide),
        ("BM25Okapi", f"all phrasings, answer if top score > {threshold:g} "
         "(calibrated on hold-out set)", bm25.decide, bm25.decide),
    ]
    out = []
    for name, setting, timed, decide in rows:
        latency = time_repeated(timed, questions, config.target_calls, config.budget_s)
        row: dict[str, Any] = {"method": name, "setting": setting, **latency.as_dict()}
        if decide is not None:
            row.update(quality(decide, dev).as_dict())
        out.append(row)
    return out


# -- targets, table, JSON --------------------------------------------------------------------


def _by_label(rows: Sequence[dict[str, Any]], label: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["faq"] == label), None)


def target(name: str, value: float | None, limit: float, *, at_least: bool = False) -> dict[str, Any]:
    if value is None:
        status = "skipped"
    else:
        status = "pass" if (value >= limit if at_least else value < limit) else "miss"
    return {"target": name, "limit": f"{'>=' if at_least else '<'} {limit:g}", "value": value,
            "status": status}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    shipped = _by_label(results["matcher_latency"], "shipped")
    large = next((r for r in results["matcher_latency"] if r["phrasings"] >= LARGE_FAQ), None)
    load = _by_label(results["load_and_check"], "shipped")
    run = results["end_to_end"]
    return [
        target("matcher p99, shipped FAQ (us)", shipped and shipped["p99_us"], TARGET_P99_SHIPPED_US),
        target("matcher p99, 10,000 phrasings (us)", large and large["p99_us"], TARGET_P99_10K_US),
        target("load-and-check, shipped FAQ (s)", load and load["total_s"], TARGET_LOAD_SHIPPED_S),
        target("bot peak RSS (MB)", run["bot_peak_rss_mb"], TARGET_RSS_MB),
        target("end-to-end updates/s", run["updates_per_s"], TARGET_UPDATES_PER_S, at_least=True),
    ]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    run = results["end_to_end"]
    parts = [
        f"Machine: {m['cpu_model']}, {m['logical_cores']} cores, Python {m['python']}, "
        f"{m['date']} (load average {m['load_average_at_start']} -> {m['load_average_at_end']})"
        f"  [{results['mode']} run]",
        "\n1. Matcher.decide latency (dev questions; warm = after warm-up, cold = first pass)",
        table(
            ["FAQ", "entries", "phrasings", "calls", "p50 us", "p99 us", "max us",
             "cold p50", "cold p99"],
            [[r["faq"], r["entries"], r["phrasings"], r["calls"], r["p50_us"], r["p99_us"],
              r["max_us"], r["cold_p50_us"], r["cold_p99_us"]] for r in results["matcher_latency"]],
        ),
        "\n2. Load-and-check (check_faq + Matcher), median seconds",
        table(
            ["FAQ", "phrasings", "runs", "check s", "matcher s", "total s"],
            [[r["faq"], r["phrasings"], r["runs"], r["check_s"], r["matcher_build_s"],
              r["total_s"]] for r in results["load_and_check"]],
        ),
        "\n3. End to end (real Application in its own process, fake Bot API in this one)",
        table(
            ["updates", "users", "seconds", "updates/s", "bot peak RSS MB",
             "of which harness imports MB"],
            [[run["updates"], run["users"], run["seconds"], run["updates_per_s"],
              run["bot_peak_rss_mb"], run["harness_import_overhead_mb"]]],
        ),
        "\n4. Shipped FAQ, dev set: speed and quality (faq/evaluate.py scoring)",
        table(
            ["method", "p50 us", "p99 us", "in-scope right %", "wrong confident %",
             "oos abstained %"],
            [[r["method"], r["p50_us"], r["p99_us"], r.get("in_scope_right_pct"),
              r.get("wrong_confident_pct"), r.get("out_of_scope_abstained_pct")]
             for r in results["comparison"]],
        ),
        *(f"   {r['method']}: {r['setting']}" for r in results["comparison"]),
        "\n5. Targets",
        table(
            ["target", "limit", "value", "status"],
            [[t["target"], t["limit"], t["value"], t["status"].upper()] for t in results["targets"]],
        ),
    ]
    return "\n".join(parts)


# -- the run ---------------------------------------------------------------------------------


def _profile(work: Callable[[], object], directory: Path, name: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    profiler.runcall(work)
    profiler.dump_stats(directory / f"{name}.prof")


def faqs_under_test(shipped: FAQ, sizes: Sequence[int], tmp: Path) -> list[FaqUnderTest]:
    out = [FaqUnderTest("shipped", DEFAULT_FAQ_PATH, shipped)]
    for size in sizes:
        path = write_synthetic_faq(shipped, size, tmp, seed=SEED + size)
        faq, problems = check_faq(path)
        if faq is None:
            raise RuntimeError(f"the synthetic FAQ {path} fails the checker: {problems[:3]}")
        out.append(FaqUnderTest(f"synthetic-{size}", path, faq))
    return out


def run(config: Config, mode: str, profile: Path | None) -> dict[str, Any]:
    shipped, problems = check_faq(DEFAULT_FAQ_PATH)
    if shipped is None:
        raise RuntimeError(f"the shipped FAQ fails the checker: {problems[:3]}")
    dev = read_cases(DEV_QUESTIONS)
    questions = [c.question for c in dev]
    results: dict[str, Any] = {"mode": mode, "machine": machine_info(REPO)}
    with tempfile.TemporaryDirectory(prefix="bench-faq-") as tmp:
        faqs = faqs_under_test(shipped, config.synthetic_sizes, Path(tmp))
        _say("matcher latency")
        results["matcher_latency"] = [
            matcher_latency(f, questions, config, profile) for f in faqs
        ]
        _say("load-and-check")
        results["load_and_check"] = [load_time(f, config.load_runs, profile) for f in faqs]
    _say("comparison with rapidfuzz and BM25")
    results["comparison"] = comparison(shipped, dev, read_cases(HOLDOUT_QUESTIONS), config)
    _say("end to end")
    gc.collect()
    bot_profile = profile / "bot.prof" if profile else None
    throughput = e2e.measure_throughput(questions, config.e2e_updates, bot_profile)
    results["end_to_end"] = {
        **throughput.as_dict(),
        "harness_import_overhead_mb": e2e.harness_overhead_mb(),
    }
    results["machine"]["load_average_at_end"] = load_average()
    results["targets"] = targets(results)
    return results


def _say(what: str) -> None:
    print(f"... {what}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: a few seconds")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON file")
    parser.add_argument("--profile", type=Path, help="write cProfile .prof files here")
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "full"
    results = run(SMOKE if args.smoke else FULL, mode, args.profile)
    print(report(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
