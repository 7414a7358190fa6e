"""Performance benchmark of the FAQ bot: matcher latency, FAQ loading, end-to-end throughput.

    python bench/run.py                  # full run (a few minutes), writes bench/results.json
    python bench/run.py --smoke          # a few seconds; every section, tiny sizes (for CI)
    python bench/run.py --profile DIR    # also write cProfile files of each section to DIR

Sections:
  1. Matcher.decide latency (p50/p99) on the shipped FAQ and synthetic FAQs of ~1,000 and
     ~10,000 phrasings, over the dev questions repeated to ~20,000 calls after a warm-up;
     also the "cold" first pass on a fresh matcher (empty per-matcher and stem caches), and
     the first questions in a fresh process (bench/coldstart.py).
  2. Load-and-check time (check_faq + Matcher) at the same sizes, median of several runs.
  3. End-to-end throughput and peak RSS of the real bot process (bench/e2e.py).
  4. Our matcher beside rapidfuzz WRatio and BM25 on the shipped FAQ: speed and quality
     (bench/baselines.py).
  5. Machine info (bench/machine.py), and each target as pass or miss (bench/report.py).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import statistics
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

# Imported after the path fix above, so `python bench/run.py` works from any directory.
from bench import coldstart, e2e, report  # noqa: E402
from bench.baselines import (  # noqa: E402
    BM25Baseline,
    FuzzyBaseline,
    IntentClassifierBaseline,
    full_quality,
    quality,
)
from bench.machine import load_average, machine_info  # noqa: E402
from bench.synth import write_synthetic_faq  # noqa: E402
from bench.timing import summarise, time_each, time_repeated  # noqa: E402
from faq.evaluate import Case, read_cases  # noqa: E402
from faq.loader import DEFAULT_FAQ_PATH, check_faq  # noqa: E402
from faq.matcher import Decision, Matcher  # noqa: E402
from faq.model import FAQ  # noqa: E402
from faq.text import stem  # noqa: E402

DEV_QUESTIONS = REPO / "tests" / "data" / "dev-questions.tsv"
HOLDOUT_QUESTIONS = REPO / "tests" / "data" / "holdout-questions.tsv"
HOLDOUT_2_QUESTIONS = REPO / "tests" / "data" / "holdout-2-questions.tsv"
DEFAULT_OUT = REPO / "bench" / "results.json"
SEED = 20260117

Row = dict[str, Any]


@dataclass(frozen=True)
class Config:
    synthetic_sizes: tuple[int, ...]  # phrasings
    target_calls: int  # timed Matcher calls per FAQ
    budget_s: float  # per FAQ: stop repeating passes after this long
    load_runs: int
    e2e_updates: int
    e2e_uncapped: bool  # also measure the bot's capacity with the rate cap lifted


FULL = Config((1_000, 10_000), 20_000, 90.0, load_runs=5, e2e_updates=2_000, e2e_uncapped=True)
SMOKE = Config((1_000,), 200, 0.5, load_runs=1, e2e_updates=40, e2e_uncapped=False)


@dataclass(frozen=True)
class FaqUnderTest:
    label: str
    path: Path
    faq: FAQ

    def describe(self) -> Row:
        phrasings = sum(len(e.phrasings) for e in self.faq.entries)
        return {"faq": self.label, "entries": len(self.faq.entries), "phrasings": phrasings}


def faqs_under_test(shipped: FAQ, sizes: Sequence[int], tmp: Path) -> list[FaqUnderTest]:
    out = [FaqUnderTest("shipped", DEFAULT_FAQ_PATH, shipped)]
    for size in sizes:
        path = write_synthetic_faq(shipped, size, tmp, seed=SEED + size)
        faq, problems = check_faq(path)
        if faq is None:
            raise RuntimeError(f"the synthetic FAQ {path} fails the checker: {problems[:3]}")
        out.append(FaqUnderTest(f"synthetic-{size}", path, faq))
    return out


def _profile(work: Callable[[], object], directory: Path | None, name: str) -> None:
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    profiler.runcall(work)
    profiler.dump_stats(directory / f"{name}.prof")


# -- 1. matcher latency ----------------------------------------------------------------------


def matcher_latency(
    under_test: FaqUnderTest, questions: Sequence[str], config: Config, profile: Path | None
) -> Row:
    stem.cache_clear()
    cold = summarise(time_each(Matcher(under_test.faq).decide, questions))
    matcher = Matcher(under_test.faq)
    warm = time_repeated(matcher.decide, questions, config.target_calls, config.budget_s)
    _profile(lambda: time_each(matcher.decide, questions), profile, f"decide-{under_test.label}")
    return {
        **under_test.describe(),
        **warm.as_dict(),
        "cold_p50_us": round(cold.p50_us, 1),
        "cold_p99_us": round(cold.p99_us, 1),
    }


# -- 2. load and check -----------------------------------------------------------------------


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


def load_time(under_test: FaqUnderTest, runs: int, profile: Path | None) -> Row:
    timings = [load_once(under_test.path) for _ in range(max(runs, 1))]
    _profile(lambda: load_once(under_test.path), profile, f"load-{under_test.label}")
    return {
        **under_test.describe(),
        "runs": len(timings),
        "check_s": round(statistics.median(t[0] for t in timings), 4),
        "matcher_build_s": round(statistics.median(t[1] for t in timings), 4),
        "total_s": round(statistics.median(sum(t) for t in timings), 4),
    }


# -- 3. end to end ---------------------------------------------------------------------------


def end_to_end(questions: Sequence[str], config: Config, profile: Path | None) -> Row:
    """The bot as shipped; in a full run also with the 30 messages/s cap lifted."""
    runs = [("as shipped", e2e.BotOptions(profile=profile / "bot.prof" if profile else None))]
    if config.e2e_uncapped:
        runs.append(("rate cap lifted", e2e.BotOptions(uncapped=True)))
    rows: list[Row] = []
    for label, options in runs:
        gc.collect()
        result = e2e.measure_throughput(questions, config.e2e_updates, options)
        rows.append({"run": label, **result.as_dict()})
    overhead = e2e.harness_overhead_mb()
    return {
        "runs": rows,
        "harness_import_overhead_mb": overhead,
        "bot_peak_rss_without_harness_mb": round(rows[0]["bot_peak_rss_mb"] - overhead, 1),
    }


# -- 4. comparison ---------------------------------------------------------------------------


def comparison(
    shipped: FAQ, dev: Sequence[Case], holdout: Sequence[Case], config: Config
) -> list[Row]:
    ours = Matcher(shipped)
    fuzzy = FuzzyBaseline(shipped)
    bm25 = BM25Baseline(shipped)
    threshold = bm25.calibrate(holdout)
    methods: list[tuple[str, str, Callable[[str], object], Callable[[str], Decision] | None]] = [
        ("ours: Matcher.decide", "thresholds from faq.yaml; includes the urgent screen",
         ours.decide, ours.decide),
        ("ours: Matcher.rank only", "scoring alone: no urgent screen, no decision",
         ours.rank, None),
        ("rapidfuzz WRatio", f"extractOne over the canonical questions (default_process), "
         f"answer if score >= {fuzzy.cutoff:g}", fuzzy.decide, fuzzy.decide),
        ("BM25Okapi", f"all phrasings, answer if top score > {threshold:g} (calibrated on the "
         "hold-out questions: wrong-confident <= 5% there)", bm25.decide, bm25.decide),
    ]  # fmt: skip
    lexical = Matcher(shipped, semantic=False)
    classifier = IntentClassifierBaseline(shipped)
    probability, lead = classifier.calibrate(dev)
    methods[1:1] = [
        (
            "ours: lexical alone",
            "Matcher(semantic=False): no meaning model (the ablation)",
            lexical.decide,
            lexical.decide,
        ),
    ]
    methods.append(
        ("TF-IDF + logistic regression", "word 1-2 and char 2-5 n-grams, trained on the FAQ "
         f"phrasings; answer if p >= {probability:g} and lead >= {lead:g} (set on the dev "
         "set)", classifier.decide, classifier.decide),
    )  # fmt: skip
    questions = [c.question for c in dev]
    rows = []
    for name, setting, timed, decide in methods:
        latency = time_repeated(timed, questions, config.target_calls, config.budget_s)
        row: Row = {"method": name, "setting": setting, **latency.as_dict()}
        if decide is not None:
            row.update(quality(decide, dev).as_dict())
        rows.append(row)
    return rows


# -- the run ---------------------------------------------------------------------------------


def ablation(shipped: FAQ) -> list[Row]:
    """Lexical alone, hybrid and the intent classifier on every labelled set."""
    sets = {
        "dev": read_cases(DEV_QUESTIONS),
        "holdout": read_cases(HOLDOUT_QUESTIONS),
        "holdout-2": read_cases(HOLDOUT_2_QUESTIONS),
    }
    classifier = IntentClassifierBaseline(shipped)
    classifier.calibrate(sets["dev"])
    methods: list[tuple[str, Callable[[str], Decision]]] = [
        ("lexical alone", Matcher(shipped, semantic=False).decide),
        ("hybrid (shipped)", Matcher(shipped).decide),
        ("TF-IDF + logistic regression", classifier.decide),
    ]
    return [
        {"method": name, "set": label, "questions": len(cases),
         **full_quality(decide, cases).as_dict()}
        for name, decide in methods
        for label, cases in sets.items()
    ]  # fmt: skip


def run(config: Config, mode: str, profile: Path | None) -> Row:
    shipped, problems = check_faq(DEFAULT_FAQ_PATH)
    if shipped is None:
        raise RuntimeError(f"the shipped FAQ fails the checker: {problems[:3]}")
    dev = read_cases(DEV_QUESTIONS)
    questions = [c.question for c in dev]
    results: Row = {"mode": mode, "machine": machine_info(REPO)}
    with tempfile.TemporaryDirectory(prefix="bench-faq-") as tmp:
        faqs = faqs_under_test(shipped, config.synthetic_sizes, Path(tmp))
        _say("1. matcher latency")
        results["matcher_latency"] = [matcher_latency(f, questions, config, profile) for f in faqs]
        results["first_questions_fresh_process"] = coldstart.run_in_fresh_process()
        _say("2. load-and-check")
        results["load_and_check"] = [load_time(f, config.load_runs, profile) for f in faqs]
    _say("4. comparison with rapidfuzz and BM25")
    results["comparison"] = comparison(shipped, dev, read_cases(HOLDOUT_QUESTIONS), config)
    _say("5. ablation: lexical alone, hybrid, intent classifier on every labelled set")
    results["ablation"] = ablation(shipped)
    _say("3. end to end")
    results["end_to_end"] = end_to_end(questions, config, profile)
    results["machine"]["load_average_at_end"] = load_average()
    results["targets"] = report.targets(results)
    return results


def _say(what: str) -> None:
    print(f"... {what}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: a few seconds")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON file")
    parser.add_argument("--profile", type=Path, help="write cProfile .prof files here")
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "full"
    results = run(SMOKE if args.smoke else FULL, mode, args.profile)
    print(report.render(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
