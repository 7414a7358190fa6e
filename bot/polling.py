"""The getUpdates connection: a Telegram timeout while polling is reported in one line.

python-telegram-bot retries a timed-out long poll at once and says so only at DEBUG, so an
operator would never learn that Telegram stopped answering; other polling faults (a 502
page, a dropped connection) reach the error handler, which logs one WARNING line each.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


class PollingRequest(HTTPXRequest):
    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            return await super().do_request(*args, **kwargs)
        except TimedOut:
            log.warning("Telegram did not answer a poll for updates in time; polling again")
            raise
