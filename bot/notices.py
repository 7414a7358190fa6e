"""Messages for the admins from parts of the bot that have no Telegram access of their own
(the usage writer, the inbox): queued from any thread, sent by a repeating job."""

from __future__ import annotations

import html
import logging
import threading
from collections import deque
from typing import Any

from telegram.error import TelegramError
from telegram.ext import CallbackContext

log = logging.getLogger(__name__)

SEND_EVERY_SECONDS = 5.0
MAX_WAITING = 20  # a fault that repeats must not build up a flood of admin messages


class AdminNotices:
    def __init__(self) -> None:
        self._waiting: deque[str] = deque(maxlen=MAX_WAITING)
        self._lock = threading.Lock()

    def post(self, text: str) -> None:
        """Thread-safe; `text` must not hold patient data (it goes to every admin)."""
        with self._lock:
            self._waiting.append(text)

    def take_all(self) -> list[str]:
        with self._lock:
            taken = list(self._waiting)
            self._waiting.clear()
        return taken

    async def send_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        texts = self.take_all()
        if not texts:
            return
        admins: frozenset[int] = context.bot_data.settings.admin_user_ids
        if not admins:
            log.warning("no ADMIN_USER_IDS configured; %d admin notices only logged", len(texts))
        for text in texts:
            for admin in admins:
                try:
                    await context.bot.send_message(admin, f"Bot notice: {html.escape(text)}")
                except TelegramError as exc:
                    log.warning("could not send an admin notice: %s", exc)
