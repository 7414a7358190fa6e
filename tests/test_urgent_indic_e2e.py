"""Hindi and Hinglish emergencies through the real bot, on every route the screen covers."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from faq.loader import DEFAULT_FAQ_PATH
from faq.translations import translation_path
from tests.botharness import Harness, clean_env, make_settings, running_bot
from tests.fakebotapi import FakeBotAPI, SentMessage


@pytest.fixture
async def hindi_bot(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """The bot serving a copy of the shipped FAQ together with its Hindi wording file."""
    target = tmp_path / "faq.yaml"
    shutil.copy(DEFAULT_FAQ_PATH, target)
    shutil.copy(translation_path(DEFAULT_FAQ_PATH, "hi"), translation_path(target, "hi"))
    clean_env(monkeypatch)
    async with running_bot(make_settings(fake_api, tmp_path), fake_api) as harness:
        yield harness


def _hindi_then_english(message: SentMessage) -> bool:
    text = message.plain
    return "112 पर" in text and "call 112" in text and text.index("112 पर") < text.index("call 112")


@pytest.mark.e2e
async def test_a_hinglish_emergency_gets_hindi_then_english(hindi_bot: Harness) -> None:
    """A plain message: the reply leads with Hindi and still carries the English text."""
    before = len(hindi_bot.api.sent)
    hindi_bot.api.send_text("papa ko daura pad raha hai aur muh se jhaag")
    reply = (await hindi_bot.api.wait_for_sent(before + 1))[before]
    assert _hindi_then_english(reply)


@pytest.mark.e2e
async def test_a_hindi_caption_and_command_text_get_the_bilingual_reply(hindi_bot: Harness) -> None:
    """Captions and text after a command go through the same screen and language choice."""
    hindi_bot.api.send_photo(caption="साँस नहीं आ रही")
    first = (await hindi_bot.api.wait_for_sent(1))[0]
    assert _hindi_then_english(first)
    hindi_bot.api.send_text("/sos jeene ka mann nahi karta")
    second = (await hindi_bot.api.wait_for_sent(2))[1]
    assert _hindi_then_english(second)


@pytest.mark.e2e
async def test_another_script_gets_the_note_with_the_numbers(hindi_bot: Harness) -> None:
    """A Tamil question is told, in English and Hindi, which languages the bot reads."""
    hindi_bot.api.send_text("என் கழுத்து ஏன் திரும்புகிறது")
    reply = (await hindi_bot.api.wait_for_sent(1))[0]
    assert "English and Hindi" in reply.plain
    assert reply.plain.count("14416") == 2
