"""Wires the Telegram application: every handler, in the order updates reach them."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    Defaults,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)

from bot import handlers
from bot.polling import PollingRequest
from bot.recorder import QueuedRecorder
from bot.settings import Settings
from bot.state import CONTEXT_TYPES, BotData, Context
from conversation.commands import PUBLIC_COMMANDS
from conversation.flood import FloodGate
from conversation.pipeline import Conversation
from conversation.staff_review import StaffReview
from faq.content_checks import log_start_warnings
from faq.live import LiveFAQ
from faq.loader import resolve_path
from faq.stats import collect_stats, render_text
from faq.store import Store, load_or_create_secret

log = logging.getLogger(__name__)

BotApp = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]]

STATS_DAYS = 30
REVIEW_DIGEST_JOB = "review-digest"

# Only these reach the bot: channel posts, polls and the like are never requested.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


def build_application(settings: Settings) -> BotApp:
    token = settings.token
    if token is None:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN; use the console instead")
    app: BotApp = (
        ApplicationBuilder()
        .token(token)
        .context_types(CONTEXT_TYPES)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot", 1))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A group reply must not fail because the patient deleted their message.
                allow_sending_without_reply=True,
            )
        )
        # Waits out 429 "retry after" answers and retries, so each reply is sent once.
        .rate_limiter(AIORateLimiter(max_retries=3))
        # A few updates at once keep a slow chat from holding up others; hundreds only
        # make httpcore's pool bookkeeping quadratic (see README, Performance).
        .concurrent_updates(16)
        .connection_pool_size(16)
        .get_updates_request(PollingRequest(connection_pool_size=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.settings = settings

    messages = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    media = (
        filters.Sticker.ALL
        | filters.PHOTO
        | filters.VOICE
        | filters.AUDIO
        | filters.VIDEO
        | filters.VIDEO_NOTE
        | filters.ANIMATION
        | filters.Document.ALL
        | filters.LOCATION
        | filters.CONTACT
        | filters.POLL
    )
    # 1. button presses
    app.add_handler(CallbackQueryHandler(handlers.button))
    # 2. every message and edit: text and commands (the conversation decides what each
    # command means and what a group message gets), and media, whose caption is read
    app.add_handler(MessageHandler(messages & (filters.TEXT | media), handlers.message))
    # 3. one error handler for everything
    app.add_error_handler(handlers.error_handler)
    return app


async def _post_init(app: BotApp) -> None:
    data = app.bot_data
    settings = data.settings
    faq_path = resolve_path(settings.faq_path, settings.bot_data_dir)  # the clinic's own copy
    live = LiveFAQ(faq_path, limits=settings.faq_limits)
    knowledge = await asyncio.to_thread(live.load)  # a broken FAQ at start is fatal
    log_start_warnings(knowledge.faq, log)
    data_dir = settings.bot_data_dir
    store = Store(data_dir)  # creates the directory, private to this user
    recorder = QueuedRecorder(store)
    hash_secret = settings.bot_hash_secret.get_secret_value() if settings.bot_hash_secret else None
    data.store = store
    data.recorder = recorder
    data.hash_secret = load_or_create_secret(data_dir, hash_secret)
    data.purge = lambda: store.purge(settings.retention_days)
    data.conversation = Conversation(
        live,
        recorder,
        retention_days=settings.retention_days,
        flood=FloodGate(settings.flood_max_messages, settings.flood_window_seconds),
        staff_report=lambda: render_text(collect_stats(store, live.current.faq, STATS_DAYS)),
        # A tap's edit is served at once through the same reload path as a hand edit.
        review=StaffReview(
            live.path,
            data_dir,
            store.misses,
            lambda: live.current.matcher,
            refresh=lambda: live.refresh(force=True),
        ),
    )
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in PUBLIC_COMMANDS])
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            handlers.reload_job,
            interval=settings.faq_reload_seconds,
            first=settings.faq_reload_seconds,
        )
        app.job_queue.run_repeating(handlers.retention_job, interval=24 * 3600, first=5)
        if settings.review_digest_time is not None:
            app.job_queue.run_daily(
                handlers.review_digest_job,
                time=settings.review_digest_time,
                days=settings.review_digest_days,
                name=REVIEW_DIGEST_JOB,
            )
    log.info(
        "bot @%s ready: %d FAQ entries from %s",
        app.bot.username,
        len(knowledge.faq.entries),
        live.path,
    )


async def _post_shutdown(app: BotApp) -> None:
    recorder = app.bot_data.recorder
    if recorder is not None:
        recorder.flush()
    store = app.bot_data.store
    if store is not None:
        store.close()
