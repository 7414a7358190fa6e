"""Where a profile's time goes, by package and by a few key functions.

    python -m bench.profsummary FILE.prof                       # cProfile (bench --profile)
    python -m bench.profsummary FILE.txt --process bot_process  # py-spy `--format raw`

Self time is summed under the package each function lives in (telegram, httpcore, faq...),
so "how much of the bot's CPU is ours" is one table instead of a call tree. For py-spy
output, the inclusive share of a few functions that matter is listed too. py-spy samples
(low overhead, shares close to reality); cProfile inflates small, frequent calls.

py-spy for the bot process, e.g.:
    py-spy record --subprocesses --format raw -o bot.txt -- python -m bench.e2e --uncapped
"""

from __future__ import annotations

import argparse
import pstats
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Inclusive shares worth knowing for the bot (substring of a py-spy frame).
KEY_FRAMES = {
    "handle one message update (message)": "message (bot/handlers.py",
    "  send the reply (send_reply -> HTTP)": "send_reply (bot/handlers.py",
    "  decide and record (Conversation.handle)": "Conversation.handle (conversation/pipeline.py",
    "    Matcher.decide": "Matcher.decide (faq/matcher.py",
    "    SQLite writes (Store.record_*)": "Store.record_",
    "httpcore pool: assign requests to connections": "_assign_requests_to_connections",
    "httpcore: failed `import sniffio`": "current_async_library (httpcore",
    "getUpdates polling (Updater)": "Updater._start_polling",
    "PTB de_json of updates and replies": "de_json (telegram/",
}
_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^:()]+):\d+\)$")


def package_of(filename: str) -> str:
    if filename.startswith("<frozen importlib"):
        return "importlib"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if path.is_absolute():
        try:
            return f"{path.relative_to(REPO).parts[0]} (ours)"
        except ValueError:
            return f"stdlib {path.parent.name or path.stem}"
    first = path.parts[0] if len(path.parts) > 1 else f"stdlib {path.stem}"
    return f"{first} (ours)" if first in ("faq", "bot", "bench", "tests") else first


def cprofile_by_package(profile: Path) -> Counter[str]:
    totals: Counter[str] = Counter()
    raw = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    for (filename, _, name), (_, _, tottime, _, _) in raw.items():
        key = package_of(filename) if filename != "~" else f"C: {name.strip('{}<>')}"[:48]
        totals[key] += tottime
    return totals


def pyspy_samples(raw: Path, process: str) -> list[tuple[list[str], int]]:
    """(frames root first, count) of the event loop's stacks in processes matching `process`.

    Only the event loop thread is kept: it does all the bot's work, and worker threads
    waiting on I/O would otherwise show up as busy.
    """
    out = []
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if process and not any(process in f for f in frames[:2]):
            continue
        if not any("BaseEventLoop.run_forever" in f for f in frames):
            continue
        out.append(([f for f in frames if not f.startswith("process ")], int(count)))
    return out


def pyspy_by_package(samples: list[tuple[list[str], int]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for frames, count in samples:
        match = _FRAME.match(frames[-1]) if frames else None
        totals[package_of(match["file"]) if match else "other"] += count
    return totals


def pyspy_key_frames(samples: list[tuple[list[str], int]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for frames, count in samples:
        for label, needle in KEY_FRAMES.items():
            if any(needle in f for f in frames):
                totals[label] += count
    return totals


def print_shares(title: str, totals: Counter[str], whole: float, top: int, unit: str) -> None:
    print(f"\n{title:50}  {unit:>8}  {'share':>6}")
    for key, value in totals.most_common(top):
        print(f"{key:50}  {value:8.2f}  {100 * value / whole:5.1f}%")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--process", default="", help="py-spy: keep stacks of this process")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    if args.profile.suffix == ".prof":
        totals = cprofile_by_package(args.profile)
        whole = sum(totals.values())
        print_shares("package (self time)", totals, whole, args.top, "seconds")
        return 0
    samples = pyspy_samples(args.profile, args.process)
    count = sum(n for _, n in samples)
    print(f"{count} samples of the event loop thread")
    print_shares("package (self time)", pyspy_by_package(samples), count, args.top, "samples")
    keys = pyspy_key_frames(samples)
    print(f"\n{'function (inclusive)':50}  {'samples':>8}  {'share':>6}")
    for label in KEY_FRAMES:
        print(f"{label:50}  {keys[label]:8d}  {100 * keys[label] / count:5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
