"""Runs the real bot Application against the fake Bot API, the way `python -m bot` would."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.error import TelegramError

from bot.app import ALLOWED_UPDATES, BotApp, build_application
from bot.settings import Settings
from faq.loader import DEFAULT_FAQ_PATH
from faq.translations import translation_path
from tests.fakebotapi import FAKE_TOKEN, FakeBotAPI

ADMIN_ID = 424242
SETTINGS_ENV = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "FAQ_PATH",
    "BOT_DATA_DIR",
    "ADMIN_USER_IDS",
    "LOG_LEVEL",
    "RETENTION_DAYS",
    "BOT_HASH_SECRET",
    "FAQ_RELOAD_SECONDS",
    "FLOOD_MAX_MESSAGES",
    "FLOOD_WINDOW_SECONDS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "REVIEW_DIGEST_DAY",
    "REVIEW_DIGEST_HOUR",
    "CLINIC_TIMEZONE",
)


@dataclass
class Harness:
    app: BotApp
    api: FakeBotAPI
    faq_file: Path
    data_dir: Path


def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)


def make_settings(api: FakeBotAPI, tmp_path: Path, **overrides: Any) -> Settings:
    faq_file = tmp_path / "faq.yaml"
    if not faq_file.exists():
        shutil.copy(DEFAULT_FAQ_PATH, faq_file)
        # The shipped Hindi wording too, as the bot is shipped (only beside the shipped
        # FAQ: a test's own FAQ may lack the entries it translates).
        shutil.copy(translation_path(DEFAULT_FAQ_PATH, "hi"), translation_path(faq_file, "hi"))
    values: dict[str, Any] = {
        "telegram_bot_token": FAKE_TOKEN,
        "telegram_api_base_url": api.base_url,
        "faq_path": faq_file,
        "bot_data_dir": tmp_path / "data",
        "admin_user_ids": frozenset({ADMIN_ID}),
        "faq_reload_seconds": 0.2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_bot(settings: Settings, api: FakeBotAPI) -> AsyncIterator[Harness]:
    """Start the Application as run_polling does (post_init included), stop it afterwards."""
    app = build_application(settings)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None

    def polling_error(exc: TelegramError) -> None:
        # What run_polling does: polling errors go to the application's error handlers.
        app.create_task(app.process_error(error=exc, update=None))

    await app.updater.start_polling(
        poll_interval=0.0,
        timeout=1,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
        error_callback=polling_error,
    )
    await app.start()
    try:
        yield Harness(app, api, app.bot_data.conversation.live.path, settings.bot_data_dir)
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()
