"""What the running bot shares between handlers and jobs, typed (PTB's `bot_data`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.recorder import UsageWriter
from bot.settings import Settings
from conversation.pipeline import Conversation


class BotData:
    """python-telegram-bot makes one of these per Application (with no arguments);
    build_application sets `settings` and post-init the rest."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._conversation: Conversation | None = None
        self.hash_secret: bytes = b""
        self.recorder: UsageWriter | None = None
        self.purge: Callable[[], int] | None = None
        self.exit_code = 0

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the settings are set when the application is built")
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    @property
    def conversation(self) -> Conversation:
        if self._conversation is None:
            raise RuntimeError("the conversation is set up in post_init")
        return self._conversation

    @conversation.setter
    def conversation(self, value: Conversation) -> None:
        self._conversation = value


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler and job gets: `context.bot_data` is a BotData."""


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
