"""End-to-end throughput: the real bot process against the fake Bot API in this process.

The fake runs here; the bot runs in a child process (bench/bot_process.py), so the child's
peak RSS is the bot's own and the fake's work does not slow the bot down (on a real
deployment Telegram's servers do that work). N text updates from many users are queued at
once and the clock runs from the first injection until N replies were sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

REPO = Path(__file__).resolve().parent.parent
FIRST_USER_ID = 200_000_000
START_TIMEOUT_S = 60.0
# Each user sends at most this many messages, below the flood gate's default of 8 per 30 s.
MESSAGES_PER_USER = 4
WARMUP_UPDATES = 20


@dataclass(frozen=True)
class Throughput:
    updates: int
    users: int
    seconds: float
    replies: int
    bot_peak_rss_mb: float

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "updates": self.updates,
            "users": self.users,
            "seconds": round(self.seconds, 3),
            "replies_sent": self.replies,
            "updates_per_s": round(self.per_second, 1),
            "bot_peak_rss_mb": self.bot_peak_rss_mb,
        }


def measure_throughput(
    questions: Sequence[str], updates: int, *, uncapped: bool = False, profile: Path | None = None
) -> Throughput:
    """`uncapped` lifts the rate limiter's 30 messages/s cap (see bench/bot_process.py)."""
    return asyncio.run(_measure(questions, updates, uncapped, profile))


async def _measure(
    questions: Sequence[str], updates: int, uncapped: bool, profile: Path | None
) -> Throughput:
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        workdir = Path(tmp)
        async with FakeBotAPI(FAKE_TOKEN) as api:
            bot = await _start_bot(api, workdir, uncapped, profile)
            try:
                try:
                    await api.wait_for_requests("getUpdates", 1, timeout=START_TIMEOUT_S)
                    await _burst(api, questions, WARMUP_UPDATES, FIRST_USER_ID - 10_000)
                    seconds = await _burst(api, questions, updates, FIRST_USER_ID)
                    replies = len(api.sent) - WARMUP_UPDATES
                finally:
                    rss = await _stop_bot(bot)
            except BaseException:
                _dump_log(workdir)
                raise
    users = -(-updates // MESSAGES_PER_USER)
    return Throughput(updates, users, seconds, replies, rss)


async def _start_bot(
    api: FakeBotAPI, workdir: Path, uncapped: bool, profile: Path | None
) -> asyncio.subprocess.Process:
    command = [
        sys.executable, "-m", "bench.bot_process",
        "--api-url", api.base_url, "--workdir", str(workdir),
    ]
    if uncapped:
        command.append("--uncapped")
    if profile is not None:
        command += ["--profile", str(profile)]
    log = (workdir / "bot.log").open("wb")
    with log:
        return await asyncio.create_subprocess_exec(
            *command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log
        )


async def _burst(
    api: FakeBotAPI, questions: Sequence[str], n: int, first_user: int
) -> float:
    """Queue `n` questions from `n / MESSAGES_PER_USER` users; seconds until all answered."""
    before = len(api.sent)
    start = time.perf_counter()
    for i in range(n):
        api.send_text(questions[i % len(questions)], user_id=first_user + i // MESSAGES_PER_USER)
    await api.wait_for_sent(before + n, timeout=max(30.0, n / 20))
    return time.perf_counter() - start


async def _stop_bot(bot: asyncio.subprocess.Process) -> float:
    """Close the bot's stdin (its stop signal); its reported peak RSS in MB."""
    assert bot.stdin is not None and bot.stdout is not None
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
    return float(json.loads(out.decode().strip().splitlines()[-1])["peak_rss_mb"])


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
    code = (
        f"{statement}; import resource; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())
