"""Wires the Telegram application: every handler, in the order updates reach them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

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
from bot.inbox import (
    INBOX_FILENAME,
    DurableUpdateQueue,
    Inbox,
    MarkDoneProcessor,
    inbox_of,
    replay_pending,
)
from bot.notices import SEND_EVERY_SECONDS, AdminNotices
from bot.polling import PollingRequest
from bot.recorder import UsageWriter, WriterUnavailableError
from bot.settings import Settings
from bot.state import CONTEXT_TYPES, BotData, Context
from conversation.commands import command_menu
from conversation.flood import FloodGate
from conversation.pipeline import Conversation
from conversation.staff_review import StaffReview
from conversation.wording import Voice
from faq.content_checks import log_start_warnings
from faq.live import LiveFAQ
from faq.loader import resolve_path
from faq.shipped import missing_shipped_entries
from records.store import Store, load_or_create_secret
from staff.stats import collect_stats, render_text

log = logging.getLogger(__name__)

BotApp = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]]
T = TypeVar("T")

STATS_DAYS = 30
REVIEW_DIGEST_JOB = "review-digest"

# Only these reach the bot: channel posts, polls and the like are never requested.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


def build_application(settings: Settings) -> BotApp:
    token = settings.token
    if token is None:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN; use the console instead")
    inbox = Inbox(settings.bot_data_dir / INBOX_FILENAME)
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
        # Each update is on disk before Telegram is told it arrived, and marked done once
        # answered (bot/inbox.py).
        .update_queue(DurableUpdateQueue(inbox))
        .concurrent_updates(MarkDoneProcessor(inbox, 16))
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
    for problem in await asyncio.to_thread(missing_shipped_entries, knowledge.faq):
        if problem.severity == "note":  # a shipped urgent rule, already screened for
            log.info("FAQ upgrade: %s", problem.message)
        else:
            log.warning("FAQ upgrade not merged: %s", problem.message)
    data_dir = settings.bot_data_dir
    inbox = inbox_of(app)
    notices = inbox.notices if inbox is not None else AdminNotices()
    # The only owner of the usage database; handlers just queue records (bot/recorder.py).
    recorder = UsageWriter(data_dir, notices.post)
    recorder.start()
    hash_secret = settings.bot_hash_secret.get_secret_value() if settings.bot_hash_secret else None
    data.recorder = recorder
    data.hash_secret = load_or_create_secret(data_dir, hash_secret)
    data.purge = lambda: _through(recorder, lambda s: s.purge(settings.retention_days), 0)
    data.conversation = Conversation(
        live,
        recorder,
        retention_days=settings.retention_days,
        flood=FloodGate(settings.flood_max_messages, settings.flood_window_seconds),
        staff_report=lambda: _through(
            recorder,
            lambda s: render_text(collect_stats(s, live.current.faq, STATS_DAYS)),
            "The usage database is not available right now (see the bot's log); "
            "try /stats again later.",
        ),
        serve_unreviewed=settings.serve_unreviewed_translations,
        # A tap's edit is served at once through the same reload path as a hand edit.
        review=StaffReview(
            live.path,
            data_dir,
            lambda days: _through(recorder, lambda s: s.misses(days), []),
            lambda: live.current.matcher,
            refresh=lambda: live.refresh(force=True),
        ),
    )
    # Read once now, so no patient's reply ever waits for the stored language choices.
    await asyncio.to_thread(data.conversation.languages.preload)
    english = command_menu(Voice.of(knowledge.faq, "en"))
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in english])
    # Telegram shows this menu to people whose app is set to Hindi.
    hindi = command_menu(
        Voice.of(knowledge.faq, "hi", serve_unreviewed=settings.serve_unreviewed_translations)
    )
    await app.bot.set_my_commands(
        [BotCommand(name, text) for name, text in hindi], language_code="hi"
    )
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            handlers.reload_job,
            interval=settings.faq_reload_seconds,
            first=settings.faq_reload_seconds,
        )
        app.job_queue.run_repeating(handlers.retention_job, interval=24 * 3600, first=5)
        app.job_queue.run_repeating(notices.send_job, interval=SEND_EVERY_SECONDS, first=1)
        if settings.review_digest_time is not None:
            app.job_queue.run_daily(
                handlers.review_digest_job,
                time=settings.review_digest_time,
                days=settings.review_digest_days,
                name=REVIEW_DIGEST_JOB,
            )
    await replay_pending(app)  # what a killed predecessor received but never answered
    log.info(
        "bot @%s ready: %d FAQ entries from %s",
        app.bot.username,
        len(knowledge.faq.entries),
        live.path,
    )


def _through(recorder: UsageWriter, work: Callable[[Store], T], fallback: T) -> T:
    """Reports and the retention purge run on the writer's thread; during a database
    fault they give `fallback` instead of an error (the fault is logged already)."""
    try:
        return recorder.call(work)
    except WriterUnavailableError as exc:
        log.warning("usage database not available for a report or purge: %s", exc)
        return fallback


async def _post_shutdown(app: BotApp) -> None:
    recorder = app.bot_data.recorder
    if recorder is not None:
        await asyncio.to_thread(recorder.stop)
