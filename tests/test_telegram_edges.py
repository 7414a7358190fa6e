"""Telegram's awkward cases, against the fake Bot API: polling faults, senders without an
account, staff commands in groups, blocked chats, replies whose response never came."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from conversation.turns import Outcome, Turn
from tests.botharness import ADMIN_ID, Harness, clean_env, make_settings, running_bot
from tests.conftest import _Collect
from tests.fakebotapi import BOT_USERNAME, DEFAULT_USER_ID, FakeBotAPI, SentMessage

GROUP_ANONYMOUS_BOT = 1087968824  # the placeholder account Telegram puts in `from`


def handled_updates(bot: Harness) -> asyncio.Queue[None]:
    """One item per update, once the bot's own handler has finished with it."""
    done = asyncio.Queue[None]()

    async def count(update: Update, context: object) -> None:
        del update, context
        done.put_nowait(None)

    bot.app.add_handler(TypeHandler(Update, count), group=1)
    return done


# The shipped FAQ's contact details are still placeholders; start-up says so, once.
START_UP_NOTE = "contact details are all empty"


def loud(log_scan: _Collect, level: int = logging.WARNING) -> list[str]:
    return [text for lvl, text in log_scan.lines if lvl >= level and START_UP_NOTE not in text]


def is_urgent(message: SentMessage) -> bool:
    return "14416" in message.plain


# -- polling faults ---------------------------------------------------------------------


async def test_a_502_page_while_polling_logs_one_warning_and_no_traceback(
    bot: Harness, log_scan: _Collect
) -> None:
    """PTB's ERROR traceback for the HTML page is replaced by one WARNING line."""
    bot.api.fail("getUpdates", status=502, times=1)
    bot.api.send_text("what is dystonia")
    await bot.api.wait_for_sent(1, timeout=15)
    assert not loud(log_scan, logging.ERROR)
    warnings = loud(log_scan)
    assert len(warnings) == 1, warnings
    assert "502" in warnings[0]
    assert "\n" not in warnings[0]


@pytest.mark.timeout(60)
async def test_a_poll_that_times_out_logs_one_warning_and_polling_goes_on(
    bot: Harness, log_scan: _Collect
) -> None:
    """Longer than the poll's read timeout: one WARNING line, then the next message is
    answered."""
    bot.api.delay("getUpdates", 12.0, times=1)
    await bot.api.wait_for(lambda: bot.api.faults_left("getUpdates") == 0, timeout=5)
    bot.api.send_text("what is dystonia")
    await bot.api.wait_for_sent(1, timeout=25)
    assert not loud(log_scan, logging.ERROR)
    warnings = loud(log_scan)
    assert len(warnings) == 1, warnings
    assert "in time" in warnings[0]


# -- senders without an account ---------------------------------------------------------


def send_anonymously(api: FakeBotAPI, text: str, chat_id: int) -> None:
    """An anonymous group admin: Telegram names the group as sender, and a placeholder
    account (the same in every group) as `from`."""
    update = api.send_text(
        text, user_id=GROUP_ANONYMOUS_BOT, chat_id=chat_id, chat_type="supergroup", mention=True
    )
    message = update["message"]
    message["from"] = {
        "id": GROUP_ANONYMOUS_BOT,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    message["sender_chat"] = dict(message["chat"])


async def ask_anonymously(bot: Harness, text: str, chat_id: int) -> SentMessage:
    before = len(bot.api.sent)
    send_anonymously(bot.api, text, chat_id)
    return (await bot.api.wait_for_sent(before + 1))[before]


async def test_anonymous_senders_in_different_groups_are_not_read_together(bot: Harness) -> None:
    """Three pieces in three groups are three people; in one group they are one message."""
    pieces = ("i really", "cant", "breathe")
    replies = [await ask_anonymously(bot, p, -1001000000100 - i) for i, p in enumerate(pieces)]
    assert not any(is_urgent(r) for r in replies)
    together = [await ask_anonymously(bot, p, -1001000000200) for p in pieces]
    assert is_urgent(together[-1])


async def test_anonymous_senders_in_different_groups_have_their_own_flood_bucket(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One group's flood of anonymous messages does not silence another group."""
    clean_env(monkeypatch)
    settings = make_settings(fake_api, tmp_path, flood_max_messages=2, flood_window_seconds=600)
    async with running_bot(settings, fake_api) as bot:
        flooding, quiet = -1001000000301, -1001000000302
        said = [await ask_anonymously(bot, "what is dystonia", flooding) for _ in range(3)]
        assert "very quickly" in said[-1].plain
        other = await ask_anonymously(bot, "what is dystonia", quiet)
    assert other.plain.startswith("What is dystonia?")


async def test_forget_from_an_anonymous_sender_deletes_only_that_groups_records(
    bot: Harness,
) -> None:
    """/forget as an anonymous admin of one group leaves another group's records."""
    first, second = -1001000000401, -1001000000402
    await ask_anonymously(bot, "which vitamins help my eyelids", first)
    await ask_anonymously(bot, "what is the weather in Pune", second)
    reply = await ask_anonymously(bot, f"/forget@{BOT_USERNAME}", first)
    assert "deleted 1 stored record" in reply.plain
    with sqlite3.connect(bot.data_dir / "bot.sqlite3") as conn:
        (left,) = conn.execute("SELECT count(*) FROM questions").fetchone()
    assert left == 1


# -- staff commands ---------------------------------------------------------------------


async def test_staff_commands_in_a_group_never_post_the_clinics_figures_there(
    bot: Harness,
) -> None:
    """An admin's /stats or /reload in a group gets a pointer to the private chat."""
    group = -1001000000500
    bot.api.add_chat(ADMIN_ID)
    for command in ("/stats", "/reload"):
        before = len(bot.api.sent)
        bot.api.send_text(command, user_id=ADMIN_ID, chat_id=group, chat_type="supergroup")
        reply = (await bot.api.wait_for_sent(before + 1))[before]
        assert reply.chat_id == group
        assert "private chat" in reply.plain
        assert "entries" not in reply.plain
        assert "<pre>" not in reply.text
    private = len(bot.api.sent)
    bot.api.send_text("/stats", user_id=ADMIN_ID)
    stats = (await bot.api.wait_for_sent(private + 1))[private]
    assert "<pre>" in stats.text


# -- replies that cannot be delivered, or were but went unconfirmed ----------------------


async def test_a_chat_that_blocked_the_bot_costs_one_info_line_and_no_retry(
    bot: Harness, log_scan: _Collect
) -> None:
    """403 Forbidden: nothing is retried, no apology is attempted, nothing louder than INFO."""
    done = handled_updates(bot)
    bot.api.block(DEFAULT_USER_ID)
    bot.api.send_text("what is dystonia")
    await asyncio.wait_for(done.get(), timeout=10)
    assert bot.api.attempts["sendMessage"] == 1
    assert not loud(log_scan)
    blocked = [t for lvl, t in log_scan.lines if lvl == logging.INFO and "blocked the bot" in t]
    assert len(blocked) == 1


@pytest.mark.timeout(60)
async def test_a_reply_whose_response_timed_out_is_not_followed_by_an_apology(
    bot: Harness, log_scan: _Collect
) -> None:
    """Telegram delivers the reply but answers too late: no "Sorry, something went wrong"."""
    done = handled_updates(bot)
    bot.api.delay("sendMessage", 7.0, times=1)  # beyond the bot's 5 s read timeout
    bot.api.send_text("what is dystonia")
    await asyncio.wait_for(done.get(), timeout=30)
    await bot.api.wait_for_sent(1, timeout=15)
    assert [m.plain.split("\n")[0] for m in bot.api.sent] == ["What is dystonia?"]
    assert bot.api.attempts["sendMessage"] == 1
    assert not loud(log_scan, logging.ERROR)


# -- the event loop -----------------------------------------------------------------------


async def test_the_conversation_runs_off_the_event_loop(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching is CPU-bound: the Telegram adapter runs it in a worker thread."""
    conversation = bot.app.bot_data.conversation
    original = conversation.handle
    threads: list[threading.Thread] = []

    def handle(turn: Turn) -> Outcome:
        threads.append(threading.current_thread())
        return original(turn)

    monkeypatch.setattr(conversation, "handle", handle)
    bot.api.send_text("what is dystonia")
    await bot.api.wait_for_sent(1)
    assert threads
    assert threads[0] is not threading.main_thread()


# -- captions -------------------------------------------------------------------------------


async def test_a_caption_is_read_together_with_the_messages_before_it(bot: Harness) -> None:
    """'I can't' typed, then a photo captioned 'breathe': one emergency."""
    bot.api.send_text("I can't")
    first = (await bot.api.wait_for_sent(1))[0]
    assert not is_urgent(first)
    bot.api.send_photo(caption="breathe")
    assert is_urgent((await bot.api.wait_for_sent(2))[1])
