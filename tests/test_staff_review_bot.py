"""Staff teach the bot from their phone: /review, taps, Undo, refusals, the weekly digest."""

from __future__ import annotations

import asyncio
import difflib
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import REVIEW_DIGEST_JOB
from records.store import Store
from staff.review import AUDIT_FILENAME
from tests.botharness import ADMIN_ID, Harness, clean_env, make_settings, running_bot
from tests.fakebotapi import DEFAULT_USER_ID, FakeBotAPI, SentMessage

MISSED = "is it worse in the cold weather"
PATIENTS = (DEFAULT_USER_ID, DEFAULT_USER_ID + 1, DEFAULT_USER_ID + 2)


async def ask(bot: Harness, text: str, user_id: int = DEFAULT_USER_ID) -> SentMessage:
    before = len(bot.api.sent)
    bot.api.send_text(text, user_id=user_id)
    return (await bot.api.wait_for_sent(before + 1))[before]


async def patients_miss(bot: Harness, text: str = MISSED) -> None:
    """Three patients ask what the FAQ does not answer; wait until it is stored."""
    for patient in PATIENTS:
        await ask(bot, text, user_id=patient)
    # The bot's writer stores them in the background, after the replies: poll for them.
    deadline = time.monotonic() + 5
    with Store(bot.data_dir) as store:
        while len([m for m in store.misses(7) if m.text == text]) < len(PATIENTS):
            assert time.monotonic() < deadline, "the misses were not stored within 5 s"
            await asyncio.sleep(0.05)


async def review(bot: Harness, command: str = "/review") -> list[SentMessage]:
    """What an admin gets for /review: the heading, then one message per group."""
    bot.api.add_chat(ADMIN_ID)
    before = len(bot.api.sent_to(ADMIN_ID))
    bot.api.send_text(command, user_id=ADMIN_ID)
    await bot.api.wait_for(
        lambda: (
            len(bot.api.sent_to(ADMIN_ID)) > before + 1
            or "Nothing to review" in "".join(m.plain for m in bot.api.sent_to(ADMIN_ID)[before:])
        ),
        timeout=10,
        description="the review digest",
    )
    return bot.api.sent_to(ADMIN_ID)[before:]


def group_with(messages: list[SentMessage], text: str) -> SentMessage:
    return next(m for m in messages if f"“{text}”" in m.plain)


def button(message: SentMessage, label_start: str) -> dict[str, Any]:
    return next(b for b in message.buttons if b["text"].startswith(label_start))


async def tap(bot: Harness, message: SentMessage, data: str) -> SentMessage:
    """An admin taps a button; returns the bot's answering message."""
    before = len(bot.api.sent_to(ADMIN_ID))
    bot.api.press_button(message, data, user_id=ADMIN_ID)
    await bot.api.wait_for(
        lambda: len(bot.api.sent_to(ADMIN_ID)) > before, timeout=15, description="the tap's reply"
    )
    return bot.api.sent_to(ADMIN_ID)[before]


def added_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.timeout(60)
async def test_a_tap_teaches_the_bot_and_undo_restores_the_exact_bytes(bot: Harness) -> None:
    """Misses → /review → "Add as a phrasing of …" → answered, comments kept → Undo → same bytes."""
    original = bot.faq_file.read_bytes()
    first = await ask(bot, MISSED)
    assert not first.plain.startswith("Does")  # not answered yet
    await patients_miss(bot)
    digest = await review(bot)
    assert "largest first" in digest[0].plain
    group = group_with(digest, MISSED)
    assert "4 questions from 3 people" in group.plain
    assert all(len(d.encode()) <= 64 for m in digest for d in m.callback_data)
    add = button(group, "Add as a phrasing of")
    assert {b["text"] for b in group.buttons} >= {"Ignore"}

    done = await tap(bot, group, add["callback_data"])
    assert "Added “is it worse in the cold weather” as a phrasing of entry" in done.plain
    assert "Self-test:" in done.plain
    entry_id = done.plain.split("as a phrasing of entry '", 1)[1].split("'", 1)[0]
    after = bot.faq_file.read_text(encoding="utf-8")
    assert added_lines(original.decode("utf-8"), after) == [f"+      - {MISSED}"]
    comments = [line for line in original.decode("utf-8").splitlines() if line.lstrip()[:1] == "#"]
    assert [line for line in after.splitlines() if line.lstrip()[:1] == "#"] == comments

    entry = bot.app.bot_data.conversation.knowledge.faq.entry(entry_id)
    assert entry is not None
    assert MISSED in entry.alternates  # served at once, no restart
    answered = await ask(bot, MISSED)
    assert answered.plain.startswith(entry.question)

    undo = button(done, "↩ Undo")
    undone = await tap(bot, done, undo["callback_data"])
    assert "Undone" in undone.plain
    assert bot.faq_file.read_bytes() == original

    audit = (bot.data_dir / AUDIT_FILENAME).read_text(encoding="utf-8")
    assert str(ADMIN_ID) not in audit  # the pseudonymous key, never the Telegram id
    history = await ask(bot, "/review history", user_id=ADMIN_ID)
    assert "add phrasing" in history.plain
    assert "undo" in history.plain
    assert MISSED in history.plain


async def test_a_patients_review_gets_the_ordinary_reply_and_no_digest(bot: Harness) -> None:
    """/review from someone who is not staff is just an unknown question."""
    await patients_miss(bot)
    for text in ("/review", "/review history"):
        reply = await ask(bot, text)
        assert "T" in reply.callback_data  # the ordinary fallback's "browse topics"
        assert not any(d.startswith("R:") for d in reply.callback_data)
        assert MISSED not in reply.plain


@pytest.mark.timeout(60)
async def test_a_hand_edit_racing_a_tap_makes_the_tap_refuse(bot: Harness) -> None:
    """The file changed since the digest: nothing is written, the hand edit survives, a
    fresh digest is one tap away."""
    await patients_miss(bot)
    group = group_with(await review(bot), MISSED)
    hand_edited = bot.faq_file.read_bytes() + b"\n# a colleague's note, saved by hand\n"
    bot.faq_file.write_bytes(hand_edited)

    refused = await tap(bot, group, button(group, "Add as a phrasing of")["callback_data"])
    assert "changed since" in refused.plain
    assert bot.faq_file.read_bytes() == hand_edited
    fresh = button(refused, "Fresh review")

    before = len(bot.api.sent_to(ADMIN_ID))
    bot.api.press_button(refused, fresh["callback_data"], user_id=ADMIN_ID)
    await bot.api.wait_for(
        lambda: len(bot.api.sent_to(ADMIN_ID)) >= before + 2, timeout=15, description="a digest"
    )
    again = group_with(bot.api.sent_to(ADMIN_ID)[before:], MISSED)
    done = await tap(bot, again, button(again, "Add as a phrasing of")["callback_data"])
    assert "Added" in done.plain
    after = bot.faq_file.read_text(encoding="utf-8")
    assert added_lines(hand_edited.decode("utf-8"), after) == [f"+      - {MISSED}"]


@pytest.mark.timeout(60)
async def test_a_tap_that_would_break_the_faq_is_refused_with_the_checkers_message(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missed question that is already a not-covered phrasing cannot become an entry's
    phrasing too: the checker's located message comes back, the file is untouched."""
    clean_env(monkeypatch)
    settings = make_settings(fake_api, tmp_path)
    async with running_bot(settings, fake_api) as bot:
        taken = "is stretching good for my neck"  # a phrasing of the shipped exercise topic
        await patients_miss(bot, taken)
        before = bot.faq_file.read_bytes()
        group = group_with(await review(bot), taken)
        assert any(b["text"] == "Not covered…" for b in group.buttons)
        refused = await tap(bot, group, button(group, "Add as a phrasing of")["callback_data"])
        assert "would break the FAQ" in refused.plain
        assert f"{bot.faq_file}:" in refused.plain  # path:line:col
        assert f"'{taken}'" in refused.plain
        assert f"&#x27;{taken}&#x27;" in refused.text  # escaped for HTML
        assert bot.faq_file.read_bytes() == before


@pytest.mark.timeout(60)
async def test_not_covered_is_a_second_step_with_one_button_per_topic(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Not covered…" offers the topics; a topic's button adds the question to it."""
    clean_env(monkeypatch)
    settings = make_settings(fake_api, tmp_path)
    async with running_bot(settings, fake_api) as bot:
        question = "can i take more tablets when it is bad"
        await patients_miss(bot, question)
        group = group_with(await review(bot), question)
        step = await tap(bot, group, button(group, "Not covered…")["callback_data"])
        faq = bot.app.bot_data.conversation.knowledge.faq
        labels = [b["text"] for b in step.buttons]
        assert len(labels) == len(faq.not_covered)  # one button per topic
        medicines = labels.index(next(x for x in labels if x.startswith("medicines")))
        done = await tap(bot, step, step.callback_data[medicines])
        assert "not-covered topic 'medicines-and-doses'" in done.plain
        faq = bot.app.bot_data.conversation.knowledge.faq
        topic = next(t for t in faq.not_covered if t.id == "medicines-and-doses")
        assert question in topic.phrasings


async def test_an_old_review_button_after_a_restart_offers_a_fresh_digest(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Digests live in memory: after a restart the button says so and changes nothing."""
    clean_env(monkeypatch)
    settings = make_settings(fake_api, tmp_path)
    async with running_bot(settings, fake_api) as bot:
        await patients_miss(bot)
        group = group_with(await review(bot), MISSED)
    before = settings.faq_path.read_bytes() if settings.faq_path else b""
    async with running_bot(settings, fake_api) as bot:
        old = await tap(bot, group, button(group, "Add as a phrasing of")["callback_data"])
        assert "older list" in old.plain
        assert button(old, "Fresh review")
        assert bot.faq_file.read_bytes() == before


async def test_the_weekly_digest_is_scheduled_at_the_configured_day_and_hour(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job queue's next run is the configured weekday and hour in the clinic's zone,
    and running it sends admins the digest."""
    clean_env(monkeypatch)
    settings = make_settings(
        fake_api, tmp_path, review_digest_day="wednesday", review_digest_hour=17
    )
    async with running_bot(settings, fake_api) as bot:
        assert bot.app.job_queue is not None
        [job] = bot.app.job_queue.get_jobs_by_name(REVIEW_DIGEST_JOB)
        assert job.next_t is not None
        expected = settings.next_review_digest(datetime.now(UTC) - timedelta(seconds=1))
        assert expected is not None
        assert job.next_t == expected
        local = job.next_t.astimezone(expected.tzinfo)
        assert (local.weekday(), local.hour, local.minute) == (2, 17, 0)
        assert local.utcoffset() == timedelta(hours=5, minutes=30)  # Asia/Kolkata

        await patients_miss(bot)
        bot.api.add_chat(ADMIN_ID)
        await job.run(bot.app)
        sent = bot.api.sent_to(ADMIN_ID)
        assert "largest first" in sent[0].plain
        assert group_with(sent, MISSED)
