"""Clinic staff's side of the running bot: live FAQ edits, admin commands, stored data."""

from __future__ import annotations

import asyncio
import os
import sqlite3

from records.store import Store
from tests.botharness import ADMIN_ID, Harness
from tests.fakebotapi import DEFAULT_USER_ID, SentMessage


async def ask(bot: Harness, text: str, user_id: int = DEFAULT_USER_ID) -> SentMessage:
    before = len(bot.api.sent)
    bot.api.send_text(text, user_id=user_id)
    return (await bot.api.wait_for_sent(before + 1))[before]


def edit_faq(bot: Harness, old: str, new: str) -> None:
    text = bot.faq_file.read_text(encoding="utf-8")
    assert old in text
    bot.faq_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    stat = bot.faq_file.stat()
    os.utime(bot.faq_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


async def test_a_valid_faq_edit_is_served_without_a_restart(bot: Harness) -> None:
    edit_faq(
        bot, "    question: What is dystonia?\n", "    question: What is dystonia, in short?\n"
    )
    await bot.api.wait_for(
        lambda: (
            getattr(
                bot.app.bot_data.conversation.knowledge.faq.entry("what-is-dystonia"),
                "question",
                None,
            )
            == "What is dystonia, in short?"
        ),
        timeout=5,
        description="the edited FAQ to be swapped in",
    )
    reply = await ask(bot, "/start what-is-dystonia")
    assert reply.plain.startswith("What is dystonia, in short?")


async def test_a_broken_edit_keeps_the_old_faq_and_tells_admins_where(bot: Harness) -> None:
    bot.api.add_chat(ADMIN_ID)
    edit_faq(bot, "  - id: stress\n", "  - id: stress\n\tbroken: [\n")
    await bot.api.wait_for(
        lambda: bool(bot.api.sent_to(ADMIN_ID)), timeout=5, description="the admin notification"
    )
    notice = bot.api.sent_to(ADMIN_ID)[0].plain
    assert "keeps serving the last good version" in notice
    assert f"{bot.faq_file}:" in notice  # path:line:col
    reply = await ask(bot, "does stress make it worse")
    assert reply.plain.startswith("Does stress")
    # Reported once per broken version, not every few seconds.
    await asyncio.sleep(1.0)  # five more reload checks of the same broken file
    assert len(bot.api.sent_to(ADMIN_ID)) == 1


async def test_reload_and_stats_are_for_admins_only(bot: Harness) -> None:
    for command in ("/reload", "/stats"):
        reply = await ask(bot, command)
        assert "T" in reply.callback_data  # the ordinary fallback, nothing privileged
        assert "entries" not in reply.plain
    bot.api.add_chat(ADMIN_ID)
    reload_reply = await ask(bot, "/reload", user_id=ADMIN_ID)
    assert "23 entries" in reload_reply.plain
    await ask(bot, "does stress make it worse")
    stats_reply = await ask(bot, "/stats", user_id=ADMIN_ID)
    assert "stress" in stats_reply.plain


async def test_unanswered_questions_are_stored_pseudonymously(bot: Harness) -> None:
    await ask(bot, "which vitamins should I take for my eyelids")
    await ask(bot, "/start stress")
    store = Store(bot.data_dir)
    try:
        # Records are written just after each reply is sent, in a worker thread.
        await bot.api.wait_for(
            lambda: store.answers_per_entry(since_days=1) != {},
            timeout=5,
            description="the usage records",
        )
        misses = store.misses(since_days=1)
        assert [m.text for m in misses] == ["which vitamins should I take for my eyelids"]
        assert store.answers_per_entry(since_days=1) == {"stress": 1}
    finally:
        store.close()
    raw = b"".join(p.read_bytes() for p in bot.data_dir.glob("bot.sqlite3*"))
    assert str(DEFAULT_USER_ID).encode() not in raw


async def test_forget_deletes_everything_about_the_sender_only(bot: Harness) -> None:
    other = DEFAULT_USER_ID + 1
    await ask(bot, "which vitamins help", user_id=DEFAULT_USER_ID)
    await ask(bot, "what is the weather in Pune", user_id=other)
    reply = await ask(bot, "/forget")
    assert "deleted 1 stored record" in reply.plain
    with sqlite3.connect(bot.data_dir / "bot.sqlite3") as conn:
        (left,) = conn.execute("SELECT count(*) FROM questions").fetchone()
    assert left == 1


async def test_privacy_says_what_is_stored_and_for_how_long(bot: Harness) -> None:
    reply = await ask(bot, "/privacy")
    assert "90 days" in reply.plain
    assert "/forget" in reply.plain
