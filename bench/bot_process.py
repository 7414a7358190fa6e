"""The bot under test, alone in its own process: `python -m bench.bot_process --api-url URL`.

Runs the real Application exactly as tests/botharness.py's `running_bot` starts it,
polling the fake Bot API that the benchmark runs in *another* process (so neither the
fake's CPU time nor its memory is counted as the bot's). It runs until its standard
input closes, then prints one JSON line: its own peak RSS and CPU seconds.

The harness module imports pytest and aiohttp, which `python -m bot` never loads; the
benchmark measures that overhead separately (see `harness_overhead_mb` in bench/e2e.py).

"What if" switches, for measuring a proposed change without editing bot/ (each patches
this process only, before the Application is built):
  --uncapped        lift AIORateLimiter's overall cap of 30 messages/s
  --sniffio-stub    make `import sniffio` succeed, as if the package were installed
  --concurrency N   concurrent_updates(N) and a connection pool of N instead of 256
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import resource
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from telegram.ext import AIORateLimiter, ApplicationBuilder

import bot.app
from bench.memory import peak_rss_mb
from bot.inbox import MarkDoneProcessor
from bot.logs import configure_logging
from tests.botharness import make_settings, running_bot
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

# Production default (bot/settings.py); the test harness uses 0.2 s.
FAQ_RELOAD_SECONDS = 2.0


@dataclass(frozen=True)
class _RemoteAPI:
    """All make_settings and running_bot need from a FakeBotAPI: where it listens."""

    base_url: str


class UncappedRateLimiter(AIORateLimiter):
    """bot/app.py's limiter without the overall 30 messages/s cap (retries unchanged).

    Only for measuring what the bot itself can do: Telegram enforces about 30 messages
    per second per bot, which is why bot/app.py keeps the cap.
    """

    def __init__(self, max_retries: int = 0) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)


def limited_builder(concurrency: int) -> type[ApplicationBuilder[Any, Any, Any, Any, Any, Any]]:
    """An ApplicationBuilder that runs `concurrency` updates at once (inbox kept)."""

    class LimitedBuilder(ApplicationBuilder):  # type: ignore[type-arg]
        def concurrent_updates(self, concurrent_updates: Any) -> Any:
            limited: Any = concurrency
            if isinstance(concurrent_updates, MarkDoneProcessor):
                limited = MarkDoneProcessor(concurrent_updates.inbox, concurrency)
            builder = super().concurrent_updates(limited)
            return builder.connection_pool_size(concurrency)

    return LimitedBuilder


def stub_sniffio() -> None:
    """httpcore tries `import sniffio` on every lock set-up; failed imports are not cached."""
    module = types.ModuleType("sniffio")
    module.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
    sys.modules["sniffio"] = module


def apply_what_ifs(args: argparse.Namespace) -> None:
    patch = vars(bot.app)  # the names build_application looks up when it runs
    if args.uncapped:
        patch["AIORateLimiter"] = UncappedRateLimiter
    if args.sniffio_stub:
        stub_sniffio()
    if args.concurrency:
        patch["ApplicationBuilder"] = limited_builder(args.concurrency)


def usage() -> dict[str, float]:
    """Peak RSS and CPU seconds of this process."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss_mb": peak_rss_mb(), "cpu_s": round(own.ru_utime + own.ru_stime, 3)}


async def serve(api_url: str, workdir: Path) -> None:
    api = cast(FakeBotAPI, _RemoteAPI(api_url))
    settings = make_settings(api, workdir, faq_reload_seconds=FAQ_RELOAD_SECONDS)
    async with running_bot(settings, api):
        # Closing our stdin is the parent's "stop" signal.
        await asyncio.to_thread(sys.stdin.read)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the bot here")
    parser.add_argument("--uncapped", action="store_true")
    parser.add_argument("--sniffio-stub", action="store_true")
    parser.add_argument("--concurrency", type=int, default=0)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    apply_what_ifs(args)
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
    print(json.dumps(usage()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
