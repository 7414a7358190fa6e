"""End-to-end throughput: the real bot process against the fake Bot API in this process.

The fake runs here; the bot runs in a child process (bench/bot_process.py), so the child's
peak RSS is the bot's own and the fake's work does not slow the bot down (on a real
deployment Telegram's servers do that work). N text updates from many users are queued at
once and the clock runs from the first injection until N replies were sent.

Run on its own to try bench/bot_process.py's "what if" switches, e.g.

    python -m bench.e2e --updates 2000 --uncapped --sniffio-stub --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

REPO = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = REPO / "tests" / "data" / "dev-questions.tsv"
FIRST_USER_ID = 200_000_000
START_TIMEOUT_S = 60.0
# Each user sends at most this many messages, below the flood gate's default of 8 per 30 s.
MESSAGES_PER_USER = 4
WARMUP_UPDATES = 20


@dataclass(frozen=True)
class BotOptions:
    """bench/bot_process.py's switches; the defaults run the bot exactly as shipped."""

    uncapped: bool = False
    sniffio_stub: bool = False
    concurrency: int = 0
    profile: Path | None = None

    def arguments(self) -> list[str]:
        out = ["--uncapped"] if self.uncapped else []
        out += ["--sniffio-stub"] if self.sniffio_stub else []
        out += ["--concurrency", str(self.concurrency)] if self.concurrency else []
        out += ["--profile", str(self.profile)] if self.profile else []
        return out


@dataclass(frozen=True)
class Throughput:
    updates: int
    users: int
    seconds: float
    replies: int
    bot_peak_rss_mb: float
    bot_cpu_s: float  # the whole bot process, start-up and warm-up included
    fake_api_cpu_s: float  # this process during the timed burst
    options: BotOptions = field(default_factory=BotOptions)

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "updates": self.updates,
            "users": self.users,
            "seconds": round(self.seconds, 3),
            "replies_sent": self.replies,
            "updates_per_s": round(self.per_second, 1),
            "bot_peak_rss_mb": self.bot_peak_rss_mb,
            "bot_cpu_s": self.bot_cpu_s,
            "fake_api_cpu_s": round(self.fake_api_cpu_s, 3),
            "bot_switches": self.options.arguments(),
        }


def measure_throughput(
    questions: Sequence[str], updates: int, options: BotOptions | None = None
) -> Throughput:
    return asyncio.run(_measure(questions, updates, options or BotOptions()))


async def _measure(questions: Sequence[str], updates: int, options: BotOptions) -> Throughput:
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        workdir = Path(tmp)
        async with FakeBotAPI(FAKE_TOKEN) as api:
            bot = await _start_bot(api, workdir, options)
            try:
                try:
                    await _wait_until_polling(api, bot)
                    await _burst(api, questions, WARMUP_UPDATES, FIRST_USER_ID - 10_000)
                    cpu_before = time.process_time()
                    seconds = await _burst(api, questions, updates, FIRST_USER_ID)
                    fake_cpu = time.process_time() - cpu_before
                    replies = len(api.sent) - WARMUP_UPDATES
                finally:
                    usage = await _stop_bot(bot)
            except BaseException:
                _dump_log(workdir)
                raise
    users = -(-updates // MESSAGES_PER_USER)
    return Throughput(
        updates, users, seconds, replies, usage["peak_rss_mb"], usage["cpu_s"], fake_cpu, options
    )


async def _start_bot(
    api: FakeBotAPI, workdir: Path, options: BotOptions
) -> asyncio.subprocess.Process:
    command = [
        sys.executable,
        "-m",
        "bench.bot_process",
        "--api-url",
        api.base_url,
        "--workdir",
        str(workdir),
        *options.arguments(),
    ]
    with (workdir / "bot.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(
            *command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log
        )


async def _wait_until_polling(api: FakeBotAPI, bot: asyncio.subprocess.Process) -> None:
    """Until the bot's first getUpdates; fails at once if the bot process dies instead."""
    polling = asyncio.ensure_future(api.wait_for_requests("getUpdates", 1, START_TIMEOUT_S))
    exited = asyncio.ensure_future(bot.wait())
    done, _ = await asyncio.wait({polling, exited}, return_when=asyncio.FIRST_COMPLETED)
    if polling not in done:
        polling.cancel()
        raise RuntimeError(f"the bot process exited during start-up ({bot.returncode})")
    exited.cancel()
    polling.result()


async def _burst(api: FakeBotAPI, questions: Sequence[str], n: int, first_user: int) -> float:
    """Queue `n` questions from `n / MESSAGES_PER_USER` users; seconds until all answered."""
    before = len(api.sent)
    start = time.perf_counter()
    for i in range(n):
        api.send_text(questions[i % len(questions)], user_id=first_user + i // MESSAGES_PER_USER)
    await api.wait_for_sent(before + n, timeout=max(30.0, n / 10))
    return time.perf_counter() - start


async def _stop_bot(bot: asyncio.subprocess.Process) -> dict[str, float]:
    """Close the bot's stdin (its stop signal); the usage it reports on the way out."""
    assert bot.stdin is not None
    assert bot.stdout is not None
    bot.stdin.close()
    try:
        out = await asyncio.wait_for(bot.stdout.read(), timeout=30)
        await asyncio.wait_for(bot.wait(), timeout=10)
    except TimeoutError:
        bot.kill()
        await bot.wait()
        raise
    if bot.returncode != 0:
        raise RuntimeError(f"the bot process exited with {bot.returncode}")
    usage: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return usage


def _dump_log(workdir: Path) -> None:
    with contextlib.suppress(OSError):
        tail = (workdir / "bot.log").read_text(errors="replace")[-4000:]
        print(f"--- bot log (last 4000 characters) ---\n{tail}", file=sys.stderr)


def harness_overhead_mb() -> float:
    """RSS the harness imports (pytest, aiohttp, the fake API) add to the bot process."""
    bot_only = _rss_after_import("import bot.app, faq.live")
    harness = _rss_after_import("import bot.app, faq.live, tests.botharness")
    return round(harness - bot_only, 1)


def _rss_after_import(statement: str) -> float:
    code = f"{statement}; from bench.memory import peak_rss_mb; print(peak_rss_mb())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def main() -> int:
    from faq.evaluate import read_cases

    parser = argparse.ArgumentParser(description="End-to-end throughput with what-if switches")
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--uncapped", action="store_true")
    parser.add_argument("--sniffio-stub", action="store_true")
    parser.add_argument("--concurrency", type=int, default=0)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    options = BotOptions(args.uncapped, args.sniffio_stub, args.concurrency, args.profile)
    questions = [c.question for c in read_cases(DEV_QUESTIONS)]
    print(json.dumps(measure_throughput(questions, args.updates, options).as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
