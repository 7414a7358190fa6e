"""Rendering replies for Telegram: escaped, within limits, split without losing anything."""

from __future__ import annotations

import html

import pytest

from bot import handlers
from bot.render import render_html, render_plain, visible_length
from conversation.replies import Block, Button, Reply, answer_reply, reply_for
from faq.limits import MESSAGE_LIMIT, answer_message_length
from faq.loader import load_faq
from faq.matcher import NoMatch
from tests.botharness import Harness
from tests.fakebotapi import parse_message_text

FAQ = load_faq()


def visible(message: str) -> str:
    return parse_message_text(message, "HTML").plain


@pytest.mark.parametrize("entry", FAQ.entries, ids=lambda e: e.id)
def test_the_checkers_length_estimate_bounds_every_real_answer(entry: object) -> None:
    reply = answer_reply(FAQ, entry)  # type: ignore[arg-type]
    (message,) = render_html(reply)
    assert visible_length(visible(message)) <= answer_message_length(FAQ, entry)  # type: ignore[arg-type]


def test_a_long_reply_is_split_between_paragraphs_with_the_disclaimer_last() -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 150 for i in range(12)]
    reply = Reply(
        "answer",
        (
            Block("title", "A long answer"),
            *(Block("text", p.strip()) for p in paragraphs),
            Block("note", FAQ.disclaimer),
        ),
        ((Button("👍", "f:x:1"),),),
    )
    messages = render_html(reply)
    assert len(messages) > 1
    texts = [visible(m) for m in messages]
    assert all(0 < visible_length(t) <= MESSAGE_LIMIT for t in texts)
    assert texts[-1].rstrip().endswith(FAQ.disclaimer)
    joined = "\n\n".join(texts)
    for paragraph in paragraphs:
        assert paragraph.strip() in joined  # no paragraph cut in two


def test_a_single_block_longer_than_a_message_is_cut_to_fit() -> None:
    reply = Reply("info", (Block("text", "🧠" * 5000), Block("note", "end")))
    messages = render_html(reply)
    assert all(visible_length(visible(m)) <= MESSAGE_LIMIT for m in messages)
    assert "".join(visible(m) for m in messages).count("🧠") == 5000


def test_every_faq_string_is_escaped() -> None:
    reply = Reply(
        "answer",
        (
            Block("title", "<b>x</b> & y"),
            Block("text", "a < b > c &amp;"),
            Block("sources", "Sources", ("Smith & Jones <2020>",)),
            Block("note", "</i>"),
        ),
    )
    (message,) = render_html(reply)
    plain = visible(message)
    assert "<b>x</b> & y" in plain
    assert "Smith & Jones <2020>" in plain
    assert html.escape("<b>x</b>") in message


def test_console_rendering_numbers_every_button() -> None:
    text, payloads = render_plain(reply_for(FAQ, NoMatch()))
    assert "[1] Browse topics" in text
    assert payloads == ["T"]


async def test_a_failing_handler_gets_logged_and_the_user_an_apology(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    conversation = bot.app.bot_data.conversation
    monkeypatch.setattr(conversation, "handle", explode)
    bot.api.send_text("what is dystonia")
    reply = (await bot.api.wait_for_sent(1))[0]
    assert "something went wrong" in reply.plain
    assert handlers.error_handler in bot.app.error_handlers
