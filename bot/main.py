"""python -m bot: run the Telegram bot (polling or webhook), or the offline console."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.app import ALLOWED_UPDATES, BotApp, build_application
from bot.console import run_console
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.webhook import serve_webhook
from faq.live import LiveFAQ
from faq.loader import resolve_path
from faq.problems import FAQError
from records.store import StoreError

EXIT_SETTINGS = 2
EXIT_FAQ = 1
# Names the setting; holds no secret.
SETUP_HINT = (
    "No TELEGRAM_BOT_TOKEN is configured, so this is the offline console chat.\n"
    "To run the Telegram bot: create a bot with @BotFather in Telegram, put its token in a\n"
    "file named .env as TELEGRAM_BOT_TOKEN=123456:ABC... (see .env.example), and run again.\n"
)

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--console", action="store_true", help="chat in this terminal instead")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_SETTINGS
    secrets = [
        s.get_secret_value()
        for s in (settings.telegram_bot_token, settings.webhook_secret, settings.bot_hash_secret)
        if s
    ]
    console = args.console or settings.token is None
    # In the console, log lines would interleave with the chat; keep only problems there
    # unless someone is debugging.
    level = settings.log_level if not console or settings.log_level == "DEBUG" else "WARNING"
    configure_logging(level, secrets)
    if console:
        if not args.console:
            print(SETUP_HINT, file=sys.stderr)
        return _console(settings)
    return _telegram(settings)


def _console(settings: Settings) -> int:
    try:
        return run_console(
            LiveFAQ(
                resolve_path(settings.faq_path, settings.bot_data_dir),
                limits=settings.faq_limits,
            ),
            sys.stdin,
            sys.stdout,
            settings.retention_days,
            flood_max_messages=settings.flood_max_messages,
            flood_window_seconds=settings.flood_window_seconds,
            serve_unreviewed=settings.serve_unreviewed_translations,
        )
    except FAQError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAQ
    except KeyboardInterrupt:
        return 0


def _telegram(settings: Settings) -> int:
    app = build_application(settings)
    try:
        if settings.webhook_url:
            # Settings refuse a webhook without a secret.
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
            # Our own server (bot/webhook.py): 200 only once an update is stored, with
            # timeouts and a connection cap.
            asyncio.run(
                serve_webhook(
                    app,
                    listen="0.0.0.0",  # noqa: S104 - a webhook must accept Telegram's connections
                    port=settings.port,
                    webhook_url=settings.webhook_url,
                    secret=secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
        else:
            # Pending updates are never dropped: a message queued while the bot was down
            # may be urgent. bootstrap_retries=-1 keeps retrying (with back-off) when the
            # network is not up yet instead of exiting into a crash loop.
            app.run_polling(
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                bootstrap_retries=-1,
            )
    except FAQError as exc:
        print(exc, file=sys.stderr)
        print(
            "The bot cannot start with a broken FAQ; fix it and run `python -m faq check`.",
            file=sys.stderr,
        )
        return EXIT_FAQ
    except (StoreError, OSError, ValueError) as exc:
        # A damaged hash secret, a database from a newer version, an unwritable data
        # folder: one clear line, not a traceback.
        print(f"The bot cannot start: {exc}", file=sys.stderr)
        return EXIT_FAQ
    return _exit_code(app)


def _exit_code(app: BotApp) -> int:
    return app.bot_data.exit_code
