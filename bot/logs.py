"""Logging set-up: the bot token never reaches a log line, HTTP URLs are not logged, and no
patient text does either, at any LOG_LEVEL.

python-telegram-bot's DEBUG lines print whole updates ("Processing update ...") and every
request's parameters and result (message texts); a few of its CRITICAL lines print the
update that failed. So its loggers are held at INFO whatever LOG_LEVEL says, and any
update, dict or list passed to one of their lines is replaced by a placeholder. LOG_LEVEL
DEBUG therefore adds only this bot's own debug lines, which carry counts and ids, never
message text.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

from telegram import TelegramObject
from telegram.error import Conflict

# Anything shaped like a bot token ("digits:secret"), even glued to "/bot" in a URL.
_TOKEN_SHAPE = re.compile(r"(?<!\d)\d{6,}:[A-Za-z0-9_-]{30,}")
REDACTED = "[REDACTED]"


class RedactingFormatter(logging.Formatter):
    """Redacts secrets from the whole formatted record, tracebacks included."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return _TOKEN_SHAPE.sub(REDACTED, text)


class _DropConflictTraceback(logging.Filter):
    """The error handler already reports a second instance in one line; PTB's own
    shutdown retry would add a traceback for the same conflict."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], Conflict))


class _NoInvalidJsonTraceback(logging.Filter):
    """A 502 or 504 from Telegram's front end is an HTML page; PTB's request layer logs it
    as an ERROR with a traceback before raising NetworkError, which the error handler
    reports in one line. The traceback adds nothing but noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Can not load invalid JSON data")


class _RedactAtSource(logging.Filter):
    """PTB's Bot logs its API URL, token included, at DEBUG; rewrite such records where
    they are made, so no handler (ours, pytest's, a service manager's) ever sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, ())
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


WITHHELD = "<withheld: may contain patient text>"


class _WithholdBodies(logging.Filter):
    """Replaces updates and raw JSON passed to a PTB log line by a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(_is_body(a) for a in args):
            record.args = tuple(WITHHELD if _is_body(a) else a for a in args)
        elif isinstance(args, dict) and args:
            # logging passes a lone mapping argument as the args themselves
            record.args = (WITHHELD,) if "%s" in str(record.msg) else args
        return True


def _is_body(value: object) -> bool:
    return isinstance(value, TelegramObject | dict | list | bytes)


_PTB_LOGGERS = (
    "telegram",
    "telegram.Bot",
    "telegram.ext",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "telegram.ext.JobQueue",
    "telegram.ext.AIORateLimiter",
    "telegram.ext.ConversationHandler",
)


def configure_logging(level: str, secrets: Iterable[str], stream: object = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_noisy_loggers()


def quiet_noisy_loggers() -> None:
    """Keep third-party loggers that could leak secrets, or only chatter, at WARNING."""
    # httpx logs every request URL, and Telegram URLs contain the token; PTB's own request
    # layer logs parameters at DEBUG. Both stay quiet whatever LOG_LEVEL says.
    for noisy in ("httpx", "httpcore", "telegram.request", "hpack", "tornado.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The scheduler narrates every job at INFO; only its problems matter here.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # PTB's DEBUG lines hold updates and request payloads (patient text); see the top.
    # Never below the root's level: a logger's own level would let INFO through at WARNING.
    root_level = logging.getLogger().getEffectiveLevel()
    logging.getLogger("telegram").setLevel(max(logging.INFO, root_level))
    for name in _PTB_LOGGERS:
        logger = logging.getLogger(name)
        # Bodies are withheld first: the redactor formats the whole message.
        if not any(isinstance(f, _WithholdBodies) for f in logger.filters):
            logger.filters.insert(0, _WithholdBodies())
        if not any(isinstance(f, _RedactAtSource) for f in logger.filters):
            logger.addFilter(_RedactAtSource())
    request = logging.getLogger("telegram.request.BaseRequest")
    if not any(isinstance(f, _NoInvalidJsonTraceback) for f in request.filters):
        request.addFilter(_NoInvalidJsonTraceback())
    updater = logging.getLogger("telegram.ext.Updater")
    if not any(isinstance(f, _DropConflictTraceback) for f in updater.filters):
        updater.addFilter(_DropConflictTraceback())
