"""Small timing helpers: per-call latencies in nanoseconds, percentiles, medians."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    calls: int
    p50_us: float
    p99_us: float
    max_us: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "calls": self.calls,
            "p50_us": round(self.p50_us, 1),
            "p99_us": round(self.p99_us, 1),
            "max_us": round(self.max_us, 1),
        }


def percentile(sorted_values: Sequence[int], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(math.ceil(fraction * len(sorted_values)) - 1, 0)
    return float(sorted_values[rank])


def summarise(samples_ns: list[int]) -> Latency:
    ordered = sorted(samples_ns)
    return Latency(
        calls=len(ordered),
        p50_us=percentile(ordered, 0.50) / 1000,
        p99_us=percentile(ordered, 0.99) / 1000,
        max_us=(ordered[-1] / 1000) if ordered else math.nan,
    )


def time_each(call: Callable[[str], object], inputs: Sequence[str]) -> list[int]:
    """One pass over `inputs`, timing every call on its own (nanoseconds)."""
    clock = time.perf_counter_ns
    samples: list[int] = []
    for text in inputs:
        start = clock()
        call(text)
        samples.append(clock() - start)
    return samples


def time_repeated(
    call: Callable[[str], object],
    inputs: Sequence[str],
    target_calls: int,
    budget_s: float,
    warmup_passes: int = 1,
) -> Latency:
    """Warm up, then repeat passes over `inputs` until `target_calls` or the time budget.

    At least one timed pass always runs, so a slow call still gets a figure.
    """
    for _ in range(warmup_passes):
        time_each(call, inputs)
    samples: list[int] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < target_calls:
        samples.extend(time_each(call, inputs))
        if time.perf_counter() > deadline:
            break
    return summarise(samples)
