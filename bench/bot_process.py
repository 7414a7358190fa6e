"""The bot under test, alone in its own process: `python -m bench.bot_process --api-url URL`.

Runs the real Application exactly as tests/botharness.py's `running_bot` starts it,
polling the fake Bot API that the benchmark runs in *another* process (so neither the
fake's CPU time nor its memory is counted as the bot's). It runs until its standard
input closes, then prints one JSON line: its own peak RSS.

The harness module imports pytest and aiohttp, which `python -m bot` never loads; the
benchmark measures that overhead separately (see `harness_overhead_mb` in bench/e2e.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import resource
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from telegram.ext import AIORateLimiter

import bot.app
from bot.logs import configure_logging
from tests.botharness import make_settings, running_bot
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

# Production default (bot/settings.py); the test harness uses 0.2 s.
FAQ_RELOAD_SECONDS = 2.0


class UncappedRateLimiter(AIORateLimiter):
    """bot/app.py's limiter without the overall 30 messages/s cap (retries unchanged).

    Only for measuring what the bot itself can do: Telegram enforces about 30 messages
    per second per bot, which is why bot/app.py keeps the cap.
    """

    def __init__(self, max_retries: int = 0) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)


@dataclass(frozen=True)
class _RemoteAPI:
    """All make_settings and running_bot need from a FakeBotAPI: where it listens."""

    base_url: str


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def serve(api_url: str, workdir: Path) -> None:
    api = cast(FakeBotAPI, _RemoteAPI(api_url))
    settings = make_settings(api, workdir, faq_reload_seconds=FAQ_RELOAD_SECONDS)
    async with running_bot(settings, api):
        # Closing our stdin is the parent's "stop" signal.
        await asyncio.to_thread(sys.stdin.read)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the bot here")
    parser.add_argument(
        "--uncapped", action="store_true", help="lift the rate limiter's overall 30/s cap"
    )
    args = parser.parse_args()
    if args.uncapped:
        bot.app.AIORateLimiter = UncappedRateLimiter  # type: ignore[misc]
    # As in production (python -m bot): INFO to stderr, which the benchmark sends to a file.
    configure_logging("INFO", [FAKE_TOKEN])
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    asyncio.run(serve(args.api_url, args.workdir))
    if profiler is not None:
        profiler.disable()
        args.profile.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(args.profile)
    print(json.dumps({"peak_rss_mb": round(peak_rss_mb(), 1)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
