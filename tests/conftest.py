"""Shared pytest fixtures."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.botharness import Harness, clean_env, make_settings, running_bot
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Telegram Bot API; point PTB at ``fake_api.base_url``."""
    async with FakeBotAPI(FAKE_TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """The real bot Application, polling the fake Bot API, with its own FAQ copy and data."""
    clean_env(monkeypatch)
    async with running_bot(make_settings(fake_api, tmp_path), fake_api) as harness:
        yield harness
