"""Start `python -m bot` as a real child process against a fake Bot API, and kill it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tests.botharness import SETTINGS_ENV
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]


def child_env(tmp_path: Path, api: FakeBotAPI, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env.update(
        BOT_DATA_DIR=str(tmp_path / "data"),
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        FAQ_RELOAD_SECONDS="60",
    )
    env.update(extra)
    return env


async def start_bot(
    tmp_path: Path,
    api: FakeBotAPI,
    log_file: Path,
    preexec_fn: Callable[[], None] | None = None,
    **env: str,
) -> asyncio.subprocess.Process:
    """The bot, its stdout and stderr appended to `log_file` (read it after it exits)."""
    with log_file.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=child_env(tmp_path, api, **env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            preexec_fn=preexec_fn,
        )


async def stop_bot(proc: asyncio.subprocess.Process, timeout: float = 15.0) -> int:  # noqa: ASYNC109
    """SIGTERM, then SIGKILL if it does not exit in time; its exit code."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode


async def kill_bot(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
    await proc.wait()
