"""Telegram handlers: turn an update into a conversation call, send what comes back.

What a message means (urgent screen, commands, buttons, flood control, group rules,
wording) is decided in conversation/; this module only deals with Telegram: who sent what
where, sending within Telegram's limits, buttons, jobs and errors.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, TelegramError
from telegram.ext import ExtBot

from bot.render import keyboard, render_html
from bot.state import Context
from conversation import replies
from conversation.replies import Reply
from conversation.turns import Press, Speaker, Turn
from records.store import pseudonymise

log = logging.getLogger(__name__)

EXIT_CONFLICT = 3


# -- who, where, and whether it is for this bot --------------------------------------------


def speaker(context: Context, chat_id: int, sender_id: int) -> Speaker:
    """Pseudonymous keys for the sender and the chat; raw ids never leave this function."""
    secret = context.bot_data.hash_secret
    return Speaker(pseudonymise(sender_id, secret), str(pseudonymise(chat_id, secret)))


def _sender_id(message: Message) -> int:
    # An anonymous group admin or a channel posts as a chat; Telegram then fills `from`
    # with the same placeholder account everywhere, so the chat is the sender.
    if message.sender_chat is not None:
        return message.sender_chat.id
    if message.from_user is not None:
        return message.from_user.id
    return message.chat.id


def _for_this_bot(message: Message, bot: ExtBot[Any]) -> tuple[str, bool]:
    """The text the patient wrote (mention of the bot removed), and whether a group
    message is addressed to this bot: a reply to it, a mention, or a command naming it."""
    text = message.text if message.text is not None else (message.caption or "")
    if message.chat.type == ChatType.PRIVATE:
        return text, True
    reply_to = message.reply_to_message
    if reply_to is not None and reply_to.from_user is not None and reply_to.from_user.id == bot.id:
        return text, True
    handle = f"@{bot.username}".lower() if bot.username else None
    kinds: list[str | None] = [MessageEntityType.MENTION, MessageEntityType.BOT_COMMAND]
    found = (
        message.parse_entities(kinds)
        if message.text is not None
        else message.parse_caption_entities(kinds)
    )
    for entity, value in found.items():
        if handle is None:
            break
        if entity.type == MessageEntityType.MENTION and value.lower() == handle:
            return text.replace(value, " ").strip(), True
        if entity.type == MessageEntityType.BOT_COMMAND and value.lower().endswith(handle):
            return text, True
    return text, False


def turn_for(message: Message, context: Context) -> Turn:
    text, addressed = _for_this_bot(message, context.bot)
    user = message.from_user
    staff = (
        user is not None
        and message.sender_chat is None
        and user.id in context.bot_data.settings.admin_user_ids
    )
    return Turn(
        speaker(context, message.chat.id, _sender_id(message)),
        text,
        media=message.text is None,
        private=message.chat.type == ChatType.PRIVATE,
        addressed=addressed,
        staff=staff,
    )


# -- sending ------------------------------------------------------------------------------


async def send_reply(message: Message, reply: Reply) -> None:
    """Send a reply as one or more HTML messages; buttons go on the last one."""
    chunks = render_html(reply)
    quote = message.chat.type != ChatType.PRIVATE
    for i, text in enumerate(chunks):
        markup = keyboard(reply) if i == len(chunks) - 1 else None
        await message.reply_text(text, reply_markup=markup, do_quote=quote)


async def send_to_chat(context: Context, chat_id: int, reply: Reply) -> None:
    """Send a reply that answers no particular message (a job's, a digest's)."""
    chunks = render_html(reply)
    for i, text in enumerate(chunks):
        markup = keyboard(reply) if i == len(chunks) - 1 else None
        await context.bot.send_message(chat_id, text, reply_markup=markup)


# -- messages and buttons -------------------------------------------------------------------


async def message(update: Update, context: Context) -> None:
    """Every message and edit: text, commands, and media (whose caption is read)."""
    incoming = update.effective_message
    if incoming is None:
        return
    turn = turn_for(incoming, context)
    # Matching is CPU-bound and /forget touches the database: off the event loop, so one
    # patient's message never holds up another's reply.
    outcome = await asyncio.to_thread(context.bot_data.conversation.handle, turn)
    for reply in outcome.replies:
        await send_reply(incoming, reply)


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    private = query.message is None or query.message.chat.type == ChatType.PRIVATE
    staff = private and query.from_user.id in context.bot_data.settings.admin_user_ids
    press = Press(speaker(context, chat_id, query.from_user.id), query.data or "", staff=staff)
    result = await asyncio.to_thread(context.bot_data.conversation.press, press)
    # Always acknowledge, or the patient's button keeps spinning. After downtime Telegram
    # may call the press too old to acknowledge; the answer itself must still be sent.
    try:
        await query.answer(result.toast or None)
    except BadRequest as exc:
        log.info("could not acknowledge a button press: %s", exc)
    if result.reply is None:
        return
    if result.more:  # a fresh review digest: several messages, each with its own buttons
        for reply in (result.reply, *result.more):
            await send_to_chat(context, chat_id, reply)
        return
    shown = query.message
    rendered = render_html(result.reply)
    if not isinstance(shown, Message):  # too old for Telegram to show us
        for text in rendered:
            await context.bot.send_message(
                query.from_user.id, text, reply_markup=keyboard(result.reply)
            )
        return
    if result.replace and len(rendered) == 1:
        try:
            await shown.edit_text(rendered[0], reply_markup=keyboard(result.reply))
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit a menu message (%s); sending a new one", exc)
    await send_reply(shown, result.reply)


# -- jobs ---------------------------------------------------------------------------------


async def reload_job(context: Context) -> None:
    """Checks the FAQ file for edits; a broken edit is reported to admins once."""
    conv = context.bot_data.conversation
    result = await asyncio.to_thread(conv.live.refresh)
    if result.status == "reloaded":
        log.info("FAQ reloaded: %d entries", len(conv.knowledge.faq.entries))
    elif result.status == "failed" and result.first_report:
        log.warning(
            "FAQ edit rejected, still serving the last good FAQ:\n%s",
            "\n".join(str(p) for p in result.problems),
        )
        notice = replies.reload_reply(result, conv.knowledge.faq)
        for admin in context.bot_data.settings.admin_user_ids:
            try:
                for text in render_html(notice):
                    await context.bot.send_message(admin, text)
            except TelegramError as exc:
                log.warning("could not notify an admin about the FAQ errors: %s", exc)


async def review_digest_job(context: Context) -> None:
    """The weekly review digest, to every admin in their private chat with the bot."""
    review = context.bot_data.conversation.review
    if review is None:
        return
    digest = await asyncio.to_thread(review.digest)
    for admin in context.bot_data.settings.admin_user_ids:
        try:
            for reply in digest:
                await send_to_chat(context, admin, reply)
        except TelegramError as exc:
            log.warning("could not send the review digest to an admin: %s", exc)


async def retention_job(context: Context) -> None:
    purge = context.bot_data.purge
    if purge is not None:
        removed = await asyncio.to_thread(purge)
        log.info("retention: removed %d expired records", removed)
    context.bot_data.conversation.prune()


# -- errors -------------------------------------------------------------------------------


def _one_line(error: TelegramError) -> str:
    """Telegram's fault in one short line (a 502 carries a whole HTML page)."""
    text = " ".join(str(error).split())
    return text if len(text) <= 160 else text[:159] + "…"


async def error_handler(update: object, context: Context) -> None:
    error = context.error
    if isinstance(error, Conflict):
        log.error(
            "Another bot instance is already running with this token; this one stops. "
            "(Telegram: %s)",
            error.message,
        )
        context.bot_data.exit_code = EXIT_CONFLICT
        context.application.stop_running()
        return
    if isinstance(error, Forbidden):
        # The patient blocked the bot or left the group: nothing can reach them, so no
        # retry and no apology.
        log.info("a reply was not delivered: the chat blocked the bot or removed it")
        return
    if update is None and isinstance(error, TelegramError):
        # Polling hiccups (timeouts, 5xx): the updater retries with back-off by itself.
        log.warning("Telegram polling error, retrying: %s", _one_line(error))
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # A timeout or a lost connection while sending: Telegram has usually delivered
        # the message already, so an apology would only follow a good answer.
        log.warning("Telegram did not confirm a reply (%s); it may have arrived", _one_line(error))
        return
    log.error("unhandled error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await send_reply(update.effective_message, replies.apology_reply())
        except TelegramError:
            log.warning("could not send the apology either", exc_info=True)
