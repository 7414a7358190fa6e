"""Shared pytest fixtures."""

import logging
import os
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.logs import quiet_noisy_loggers
from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.matcher import Matcher
from faq.model import FAQ
from tests.botharness import Harness, clean_env, make_settings, running_bot
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI


def pytest_configure(config: pytest.Config) -> None:
    """Tests read the shipped FAQ unless they say otherwise. Without FAQ_PATH the FAQ is
    the clinic's own copy in the data folder, which tests must not create in the repo."""
    del config
    os.environ["FAQ_PATH"] = str(DEFAULT_FAQ_PATH)


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Telegram Bot API; point PTB at ``fake_api.base_url``."""
    async with FakeBotAPI(FAKE_TOKEN) as fake:
        yield fake


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.lines.append((record.levelno, text))


@pytest.fixture
def log_scan(fake_api: FakeBotAPI) -> Iterator[_Collect]:
    """Every log record of the test, unredacted, at DEBUG: afterwards none may hold the
    token, and none at INFO or above may hold what a patient typed."""
    root = logging.getLogger()
    saved_level = root.level
    collect = _Collect()
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    quiet_noisy_loggers()  # as python -m bot does at start
    try:
        yield collect
    finally:
        root.removeHandler(collect)
        root.setLevel(saved_level)
    secret = FAKE_TOKEN.split(":", 1)[1]
    leaks = [text for _, text in collect.lines if secret in text]
    assert not leaks, f"the bot token appeared in the logs: {leaks[:1]}"
    typed = {
        u["message"]["text"]
        for u in fake_api.updates
        if "message" in u and len(u["message"].get("text", "")) > 8
    }
    loud = [text for level, text in collect.lines if level >= logging.INFO]
    exposed = [t for t in typed if any(t in line for line in loud)]
    assert not exposed, f"patient text logged at INFO or above: {exposed[:1]}"


@pytest.fixture
async def bot(
    fake_api: FakeBotAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    log_scan: _Collect,
) -> AsyncIterator[Harness]:
    """The real bot Application, polling the fake Bot API, with its own FAQ copy and data.
    Its logs are scanned for the token and patient text (see log_scan)."""
    del log_scan
    clean_env(monkeypatch)
    async with running_bot(make_settings(fake_api, tmp_path), fake_api) as harness:
        yield harness


@pytest.fixture(scope="module")
def faq() -> FAQ:
    """The shipped FAQ."""
    return load_faq()


@pytest.fixture(scope="module")
def matcher(faq: FAQ) -> Matcher:
    return Matcher(faq)
