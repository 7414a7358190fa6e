"""Telegram faults, floods and hostile input: the bot keeps answering, once, and leaks nothing."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import keyboard, render_html
from conversation.flood import FloodGate
from conversation.pipeline import Conversation
from conversation.turns import Speaker, Turn
from faq.live import LiveFAQ
from records.store import UserKey
from tests.botharness import Harness, clean_env, make_settings, running_bot
from tests.fakebotapi import FakeBotAPI, parse_message_text, validate_reply_markup
from tests.test_bot_process import bot_process

URGENT = "I can't breathe and my throat is closing"


async def test_429_retry_after_is_waited_out_and_the_reply_sent_exactly_once(
    bot: Harness,
) -> None:
    bot.api.fail("sendMessage", status=429, retry_after=1, times=1)
    bot.api.send_text("does stress make it worse")
    sent = await bot.api.wait_for_sent(1, timeout=10)
    assert sent[0].plain.startswith("Does stress")
    assert bot.api.attempts["sendMessage"] == 2
    assert bot.api.delivered["sendMessage"] == 1
    await asyncio.sleep(0.5)
    assert len(bot.api.sent) == 1


async def test_polling_recovers_from_5xx_html_pages_and_timeouts(bot: Harness) -> None:
    bot.api.fail("getUpdates", status=502, times=2)
    bot.api.fail("getUpdates", status=500, times=1)
    bot.api.drop("getUpdates", times=1)
    bot.api.send_text("what is dystonia")
    sent = await bot.api.wait_for_sent(1, timeout=30)
    assert sent[0].plain.startswith("What is dystonia?")
    assert bot.api.faults_left("getUpdates") == 0


async def test_polling_recovers_after_a_getupdates_call_times_out(bot: Harness) -> None:
    # Longer than PTB's read timeout for a long poll (poll timeout + 5 s): the call times
    # out on the bot's side and polling must start again by itself.
    bot.api.delay("getUpdates", 12.0, times=1)
    await bot.api.wait_for(lambda: bot.api.faults_left("getUpdates") == 0, timeout=5)
    bot.api.send_text("what is dystonia")
    sent = await bot.api.wait_for_sent(1, timeout=20)
    assert sent[0].plain.startswith("What is dystonia?")


async def test_a_slow_or_failing_chat_does_not_hold_up_others(bot: Harness) -> None:
    slow_user, blocked_user, other_user = 2001, 2002, 2003
    bot.api.delay("sendMessage", 3.0, times=1)
    bot.api.send_text("what is dystonia", user_id=slow_user)
    await bot.api.wait_for(lambda: bot.api.attempts["sendMessage"] >= 1)
    bot.api.send_text("what is dystonia", user_id=blocked_user)
    bot.api.block(blocked_user)
    bot.api.send_text("does stress make it worse", user_id=other_user)
    await bot.api.wait_for(lambda: bool(bot.api.sent_to(other_user)), timeout=2.5)
    assert not bot.api.sent_to(slow_user)  # still being delivered
    await bot.api.wait_for(lambda: bool(bot.api.sent_to(slow_user)), timeout=10)


async def test_flood_gets_one_notice_then_silence_but_urgent_and_others_pass(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env(monkeypatch)
    settings_ = make_settings(fake_api, tmp_path, flood_max_messages=3, flood_window_seconds=60)
    async with running_bot(settings_, fake_api) as bot:
        flooder, other = 3001, 3002
        for _ in range(7):
            bot.api.send_text("what is dystonia", user_id=flooder)
            await bot.api.wait_for(lambda: bot.api.pending_updates == [], timeout=5)
            await asyncio.sleep(0.05)
        bot.api.send_text(URGENT, user_id=flooder)
        bot.api.send_text("what is dystonia", user_id=other)
        await bot.api.wait_for(lambda: len(bot.api.sent_to(other)) == 1, timeout=5)
        await bot.api.wait_for(
            lambda: any("14416" in m.plain for m in bot.api.sent_to(flooder)), timeout=5
        )
        await asyncio.sleep(0.3)
        to_flooder = [m.plain for m in bot.api.sent_to(flooder)]
    answers = [t for t in to_flooder if t.startswith("What is dystonia?")]
    notices = [t for t in to_flooder if "very quickly" in t]
    assert len(answers) == 3
    assert len(notices) == 1
    assert sum("14416" in t for t in to_flooder) == 1  # the urgent reply got through


async def test_no_network_at_start_is_retried_not_a_crash(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    fake_api.drop("getMe", times=2)
    fake_api.fail("getMe", status=502, times=1)
    async with bot_process(tmp_path, fake_api) as proc:
        await fake_api.wait_for_requests("getUpdates", timeout=60)
        fake_api.send_text("what is dystonia")
        await fake_api.wait_for_sent(1, timeout=10)
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), timeout=15)
    assert proc.returncode == 0
    assert fake_api.attempts["getMe"] >= 4


# -- fuzzing ------------------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50).map(
        lambda s: s * 200
    ),  # up to 10,000 characters
    st.lists(
        st.sampled_from(
            [
                "<b>",
                "</i>",
                "&",
                "&amp;",
                "<a href='x'>",
                "\u200b",
                "\u202e",
                "\u0301",
                "مرحبا",
                "दिस्टोनिया",
                "🧠",
                "\x00",
                "\x1b[31m",
                "neck",
                "stress",
                "dystonia",
                "can't breathe",
                "<",
                ">",
                "\n\n",
            ]
        ),
        max_size=40,
    ).map(" ".join),
)

_LIVE = LiveFAQ()
_LIVE.load()
_CONVERSATION = Conversation(_LIVE, None, flood=FloodGate(10**9, 1.0))
_FUZZER = Speaker(UserKey("fuzz"), "fuzz")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text)
def test_any_text_yields_messages_telegram_accepts(text: str) -> None:
    (reply,) = _CONVERSATION.handle(Turn(_FUZZER, text)).replies
    messages = render_html(reply)
    assert messages
    for message in messages:
        parsed = parse_message_text(message, "HTML")  # raises on what Telegram would reject
        assert 0 < len(parsed.plain.encode("utf-16-le")) // 2 <= 4096
    markup = keyboard(reply)
    if markup is not None:
        validate_reply_markup(markup.to_dict())


async def test_hostile_messages_through_the_running_bot_all_get_accepted_replies(
    bot: Harness,
) -> None:
    samples = [
        "‮ǝɔuǝʇuǝs sdrawkcab",
        "z\u0301\u0301\u0301algo " * 50,
        "\u200b\u200d" * 100,
        "<script>alert(1)</script> & </b>",
        "🧠" * 2000,
        "दिस्टोनिया क्या है",
        "a" * 4096,
        "\x07\x08 control \x7f",
    ]
    for i, text in enumerate(samples):
        bot.api.send_text(text, user_id=5000 + i)
    await bot.api.wait_for_sent(len(samples), timeout=15)
    assert not bot.api.errors
