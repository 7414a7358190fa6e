"""Kill -9 at random points: every message is still answered, duplicates only in flight."""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.inbox import INBOX_FILENAME
from tests.botproc import kill_bot, start_bot, stop_bot
from tests.fakebotapi import FakeBotAPI

URGENT = (
    "I can't breathe and my throat is closing",
    "I want to kill myself",
    "my neck spasm will not stop and I cannot swallow",
)
ORDINARY = ("what is dystonia", "does stress make it worse", "is dystonia genetic?")
URGENT_MARK = "What you describe may need urgent help"
MESSAGES = 50
KILLS = 12
FIRST_CHAT = 7_000_001


def _pending_update_ids(data_dir: Path) -> set[int]:
    path = data_dir / INBOX_FILENAME
    if not path.exists():
        return set()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT update_id FROM updates WHERE done IS NULL").fetchall()
    conn.close()
    return {int(update_id) for (update_id,) in rows}


@pytest.mark.timeout(300)
async def test_sigkill_at_random_points_loses_no_message_and_duplicates_only_in_flight(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """50 messages, 12 SIGKILLs at random moments: all answered, urgent ones urgently."""
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    log_file = tmp_path / "bot.log"
    # Slow sends, and bursts larger than the 16 updates the bot handles at once, keep
    # fetched-but-unanswered updates and replies in flight around when each kill comes.
    fake_api.delay("sendMessage", 0.5, times=10_000)
    texts = [
        URGENT[i % len(URGENT)] if i % 5 in (0, 3) else ORDINARY[i % len(ORDINARY)]
        for i in range(MESSAGES)
    ]
    chat_of_update: dict[int, int] = {}
    text_of_chat: dict[int, str] = {}
    bursts = {1: texts[:25], 6: texts[25:]}

    def push(wave: list[str]) -> None:
        for text in wave:
            chat = FIRST_CHAT + len(text_of_chat)
            update = fake_api.send_text(text, user_id=chat)
            chat_of_update[update["update_id"]] = chat
            text_of_chat[chat] = text

    def polled_since(before: int) -> Callable[[], bool]:
        return lambda: fake_api.attempts["getUpdates"] > before

    def replies() -> Counter[int]:
        return Counter(m.chat_id for m in fake_api.sent)

    in_flight_at_kill: Counter[int] = Counter()  # chat -> kills at which its reply was in flight
    for kill in range(KILLS):
        burst = bursts.pop(kill, [])
        push(burst)
        getupdates_before = fake_api.attempts["getUpdates"]
        proc = await start_bot(tmp_path, fake_api, log_file)
        if kill % 4 == 0:  # sometimes during start-up, before or while it first fetches
            await asyncio.sleep(rng.uniform(0.2, 2.5))
        else:
            await fake_api.wait_for(
                polled_since(getupdates_before),
                timeout=60,
                description="the bot to poll",
            )
            # Right after a burst is fetched, most of it is still waiting for a free slot.
            await asyncio.sleep(rng.uniform(0.0, 0.6 if burst else 1.5))
        await kill_bot(proc)
        await asyncio.sleep(0.8)  # a send the fake was still delaying (0.5 s) lands now
        sent = replies()
        for update_id in _pending_update_ids(tmp_path / "data"):
            chat = chat_of_update[update_id]
            if sent[chat] > in_flight_at_kill[chat]:
                in_flight_at_kill[chat] += 1

    getupdates_before = fake_api.attempts["getUpdates"]
    proc = await start_bot(tmp_path, fake_api, log_file)
    await fake_api.wait_for(
        lambda: len(replies()) == MESSAGES and fake_api.attempts["getUpdates"] > getupdates_before,
        timeout=45,
        description="every message to be answered",
    )
    assert await stop_bot(proc) == 0, log_file.read_text()

    sent = replies()
    duplicated = {chat: n - 1 for chat, n in sent.items() if n > 1}
    print(
        f"\ncrash test (CRASH_SEED={seed}): {MESSAGES} messages, {KILLS} kills, "
        f"{sum(duplicated.values())} duplicate replies in {len(duplicated)} chats, "
        f"{sum(in_flight_at_kill.values())} replies in flight at a kill"
    )
    assert set(sent) == set(text_of_chat), "a message was never answered"
    for chat, extra in duplicated.items():
        assert extra <= in_flight_at_kill[chat], f"chat {chat} answered twice without a kill"
    for message in fake_api.sent:
        is_urgent = text_of_chat[message.chat_id] in URGENT
        assert message.plain.startswith(URGENT_MARK) == is_urgent
    assert "Traceback" not in log_file.read_text()
