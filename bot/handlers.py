"""Telegram handlers: unpack the update, ask the conversation, send what it says.

Handlers never match or word replies themselves (bot/conversation.py and bot/replies.py
do); they only deal with Telegram: chats, groups, buttons, limits and errors.
"""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from telegram import Message, Update, User
from telegram.constants import ChatType, MessageEntityType
from telegram.error import BadRequest, Conflict, TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot import replies
from bot.conversation import Conversation
from bot.flood import FloodGate, RecentTexts
from bot.recorder import QueuedRecorder
from bot.render import keyboard, render_html
from bot.replies import Reply
from bot.settings import Settings
from faq.indic import detect_language
from faq.limits import MESSAGE_LIMIT
from faq.live import ReloadResult
from faq.matcher import Urgent
from faq.store import UserKey, pseudonymise

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
EXIT_CONFLICT = 3


# -- shared state, set up in post_init ----------------------------------------------------


def conversation(context: Context) -> Conversation:
    conv: Conversation = context.bot_data["conversation"]
    return conv


def settings_of(context: Context) -> Settings:
    settings: Settings = context.bot_data["settings"]
    return settings


def user_key(context: Context, user: User | None) -> UserKey:
    """A pseudonymous key for the sender; raw Telegram ids never leave this function."""
    if user is None:
        return UserKey("anonymous")
    secret: bytes = context.bot_data["hash_secret"]
    return pseudonymise(user.id, secret)


def is_admin(context: Context, user: User | None) -> bool:
    return user is not None and user.id in settings_of(context).admin_user_ids


# -- sending ------------------------------------------------------------------------------


async def send_reply(message: Message, reply: Reply) -> None:
    """Send a reply as one or more HTML messages; buttons go on the last one."""
    chunks = render_html(reply)
    quote = message.chat.type != ChatType.PRIVATE
    for i, text in enumerate(chunks):
        markup = keyboard(reply) if i == len(chunks) - 1 else None
        await message.reply_text(text, reply_markup=markup, do_quote=quote)


async def flush_records(context: Context) -> None:
    """Store usage queued while replying: after the reply, in a thread, never failing it."""
    recorder: QueuedRecorder | None = context.bot_data.get("recorder")
    if recorder is not None:
        await asyncio.to_thread(recorder.flush)


async def reply_if_urgent(message: Message, context: Context, text: str) -> bool:
    """Send the urgent-care reply if `text` trips the urgent screen. Used wherever text
    arrives outside the normal question path: captions, command arguments, groups."""
    if not text.strip():
        return False
    conv = conversation(context)
    if conv.knowledge.matcher.urgent_rule(text) is None:
        return False
    await send_reply(message, replies.urgent_reply(conv.knowledge.faq, detect_language(text)))
    return True


def _command_argument(message: Message) -> str:
    text = message.text or ""
    return text.split(maxsplit=1)[1] if " " in text.strip() else ""


# -- commands -----------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    if await reply_if_urgent(message, context, _command_argument(message)):
        return
    payload = context.args[0] if context.args else None
    for reply in conversation(context).on_start(user_key(context, update.effective_user), payload):
        await send_reply(message, reply)
    await flush_records(context)


async def info_command(update: Update, context: Context) -> None:
    """/help, /topics, /sources, /contact, /privacy: fixed texts from the FAQ."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if await reply_if_urgent(message, context, _command_argument(message)):
        return
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    await send_reply(message, conversation(context).info(command))


async def unknown_command(update: Update, context: Context) -> None:
    """'/sos I can't breathe' or a mistyped command: whatever follows is read as a question."""
    message = update.effective_message
    if message is None or not message.text:
        return
    question = _command_argument(message)
    if message.chat.type != ChatType.PRIVATE:
        await reply_if_urgent(message, context, question)
        return
    if question:
        await answer_text(message, context, update.effective_user, question)
    else:
        await send_reply(message, conversation(context).info("help"))


async def forget(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    conv = conversation(context)
    key = user_key(context, update.effective_user)
    reply = await asyncio.to_thread(conv.on_forget, key)
    await send_reply(message, reply)


async def _admin_message(update: Update, context: Context) -> Message | None:
    """The message if an admin sent it; anyone else gets the ordinary fallback."""
    message = update.effective_message
    if message is None:
        return None
    if not is_admin(context, update.effective_user):
        await send_reply(message, replies.fallback_reply(conversation(context).knowledge.faq))
        return None
    return message


async def reload_command(update: Update, context: Context) -> None:
    message = await _admin_message(update, context)
    if message is None:
        return
    result = await asyncio.to_thread(conversation(context).live.refresh, force=True)
    await message.reply_text(describe_reload(result, conversation(context)))


async def stats_command(update: Update, context: Context) -> None:
    message = await _admin_message(update, context)
    if message is None:
        return
    report = await asyncio.to_thread(context.bot_data["stats_text"])
    await message.reply_text(f"<pre>{html.escape(_clip(report, MESSAGE_LIMIT - 20))}</pre>")


def describe_reload(result: ReloadResult, conv: Conversation) -> str:
    faq = conv.knowledge.faq
    if result.status == "failed":
        errors = "\n".join(str(p) for p in result.problems)
        # Clip before escaping, so a cut never lands inside an HTML entity.
        return "The FAQ edit has errors, so the bot keeps serving the last good version.\n\n" + (
            html.escape(_clip(errors, MESSAGE_LIMIT // 2))
        )
    state = "Reloaded" if result.status == "reloaded" else "No change:"
    return f"{state} the FAQ has {len(faq.entries)} entries."


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- free text ----------------------------------------------------------------------------


def _addressed_to_bot(message: Message, bot: ExtBot[Any]) -> str | None:
    """In a group: the text if the message mentions or replies to this bot, else None."""
    text = message.text or ""
    reply_to = message.reply_to_message
    if reply_to is not None and reply_to.from_user is not None and reply_to.from_user.id == bot.id:
        return text
    mention = f"@{bot.username}".lower() if bot.username else None
    for entity, value in message.parse_entities([MessageEntityType.MENTION]).items():
        del entity
        if mention and value.lower() == mention:
            return text.replace(value, " ").strip()
    return None


async def text_message(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        addressed = _addressed_to_bot(message, context.bot)
        if addressed is None:
            # Not for the bot, but an emergency in a group is still answered.
            await reply_if_urgent(message, context, message.text)
            return
        await answer_text(message, context, update.effective_user, addressed)
        return
    await answer_text(message, context, update.effective_user, message.text)


async def answer_text(message: Message, context: Context, user: User | None, text: str) -> None:
    """The normal question path: urgent screen, flood control, matching, reply, record."""
    conv = conversation(context)
    key = user_key(context, user)
    recent: RecentTexts = context.bot_data["recent"]
    so_far = recent.add(key, text)
    # The decision (urgent screen first) comes before flood control, so an emergency
    # always gets through, also when typed in pieces over a few messages.
    decision = conv.decide(text)
    if not isinstance(decision, Urgent) and conv.knowledge.matcher.urgent_rule(so_far):
        decision = Urgent("across recent messages", detect_language(so_far))
    if not isinstance(decision, Urgent):
        flood: FloodGate = context.bot_data["flood"]
        verdict = flood.check(key)
        if verdict == "drop":
            return
        if verdict == "notify":
            await send_reply(message, replies.slow_down_reply())
            return
    reply = conv.on_text(key, text, decision)
    await send_reply(message, reply)
    await flush_records(context)


async def media_message(update: Update, context: Context) -> None:
    """Only text is read, but a caption is screened: a photo captioned with an emergency
    gets the urgent reply, in any chat."""
    message = update.effective_message
    if message is None:
        return
    if await reply_if_urgent(message, context, message.caption or ""):
        return
    if message.chat.type == ChatType.PRIVATE:
        await send_reply(message, replies.media_reply())


# -- buttons ------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    result = conversation(context).on_button(
        user_key(context, update.effective_user), query.data or ""
    )
    # Always acknowledge, or the patient's button keeps spinning. After downtime Telegram
    # may call the press too old to acknowledge; the answer itself must still be sent.
    try:
        await query.answer(result.toast or None)
    except BadRequest as exc:
        log.info("could not acknowledge a button press: %s", exc)
    await flush_records(context)
    if result.reply is None:
        return
    message = query.message
    rendered = render_html(result.reply)
    if not isinstance(message, Message):  # too old for Telegram to show us
        if update.effective_user is not None:
            for text in rendered:
                await context.bot.send_message(
                    update.effective_user.id, text, reply_markup=keyboard(result.reply)
                )
        return
    if result.replace and len(rendered) == 1:
        try:
            await message.edit_text(rendered[0], reply_markup=keyboard(result.reply))
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit a menu message (%s); sending a new one", exc)
    await send_reply(message, result.reply)


# -- jobs ---------------------------------------------------------------------------------


async def reload_job(context: Context) -> None:
    """Checks the FAQ file for edits; a broken edit is reported to admins once."""
    conv = conversation(context)
    result = await asyncio.to_thread(conv.live.refresh)
    if result.status == "reloaded":
        log.info("FAQ reloaded: %d entries", len(conv.knowledge.faq.entries))
    elif result.status == "failed" and result.first_report:
        log.warning(
            "FAQ edit rejected, still serving the last good FAQ:\n%s",
            "\n".join(str(p) for p in result.problems),
        )
        text = describe_reload(result, conv)
        for admin in settings_of(context).admin_user_ids:
            try:
                await context.bot.send_message(admin, text)
            except TelegramError as exc:
                log.warning("could not notify an admin about the FAQ errors: %s", exc)


async def retention_job(context: Context) -> None:
    removed = await asyncio.to_thread(context.bot_data["purge"])
    log.info("retention: removed %d expired records", removed)
    flood: FloodGate = context.bot_data["flood"]
    flood.prune()
    recent: RecentTexts = context.bot_data["recent"]
    recent.prune()


# -- errors -------------------------------------------------------------------------------


async def error_handler(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    error = context.error
    if isinstance(error, Conflict):
        log.error(
            "Another bot instance is already running with this token; this one stops. "
            "(Telegram: %s)",
            error.message,
        )
        context.bot_data["exit_code"] = EXIT_CONFLICT
        app: Application[Any, Any, Any, Any, Any, Any] = context.application
        app.stop_running()
        return
    if update is None and isinstance(error, TelegramError):
        # Polling hiccups (timeouts, 5xx): the updater retries with back-off by itself.
        log.warning("Telegram polling error, retrying: %s", error)
        return
    log.error("unhandled error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await send_reply(update.effective_message, replies.apology_reply())
        except TelegramError:
            log.warning("could not send the apology either", exc_info=True)
