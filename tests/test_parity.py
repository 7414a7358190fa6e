"""The console and Telegram are two front ends over one conversation: the same script
gets the same replies (text and buttons) from both; only the rendering differs."""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.console import run_console
from bot.render import MAX_BUTTON_LABEL
from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.matcher import Clarify, matcher_for
from faq.translations import translation_path
from tests.botharness import Harness, clean_env, make_settings, running_bot
from tests.fakebotapi import FakeBotAPI, SentMessage

UNLIMITED = 10_000  # flood control is tested elsewhere; here it must not differ by speed


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Tap:
    label: str  # press the button with this label on the latest reply that has it


@dataclass(frozen=True)
class EditFAQ:
    old: str
    new: str
    # The same change in the Hindi file, made first (it names entries by their ids).
    hindi: tuple[str, str] | None = None


Step = Say | Tap | EditFAQ


@dataclass(frozen=True)
class Seen:
    """One turn's replies, rendering aside: words of the text, button labels, toast."""

    text: str
    buttons: tuple[str, ...]
    toast: str


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _clip(label: str) -> str:
    return label if len(label) <= MAX_BUTTON_LABEL else label[: MAX_BUTTON_LABEL - 1] + "…"


def _script() -> list[Step]:
    faq = LiveFAQ().load().faq
    hindi = faq.translations["hi"]
    question = "why wont my neck stop pulling"
    decision = matcher_for(faq).decide(question)
    assert isinstance(decision, Clarify)
    living = faq.topic("symptoms-and-living")
    clinic = faq.topic("clinic-and-bot")
    stress, relaxing, thanks = (faq.entry(i) for i in ("stress", "relaxing-doesnt-help", "thanks"))
    assert living is not None
    assert clinic is not None
    assert stress is not None
    assert relaxing is not None
    assert thanks is not None
    return [
        Say("/start"),
        Say("/forget"),  # before anything is recorded: both have nothing stored
        Say("/forget everything please"),
        Say("/help"),
        Say("/help how do i use this"),
        Say("/help i took all my pills"),
        Say("/topics"),
        Tap(living.title),
        Tap(stress.question),
        Tap("👍 Helpful"),
        Tap(f"See also: {relaxing.question}"),
        Say("/sources"),
        Say("/sources please"),
        Say("/contact"),
        Say("/contact my son is choking and cant breathe"),
        Say("/privacy"),
        Say("/privacy what do you keep"),
        Say("/start sensory-trick"),
        Say("/start no-such-entry"),
        Say("/start I want to kill myself"),
        Say("/foo"),
        Say("/sos I can't breathe"),
        Say("/question does stress make it worse"),
        Say("what is dystonia"),
        Say(question),
        Tap(decision.candidates[0].entry.question),
        Say(question),
        Tap("None of these: browse topics"),
        Say("who won the football match yesterday"),
        Tap("Browse topics"),
        Say("I can't"),
        Say("breathe"),
        Say("what is dystonia"),
        Say("/help I can't"),
        Say("breathe"),
        Say("I can't breathe and my throat is closing"),
        Say("I took 30 sleeping pills"),
        Say("hi"),
        Say("<b>stress & dystonia</b>"),
        Say("/topics"),
        Tap(clinic.title),
        EditFAQ(
            "  - id: thanks\n", "  - id: thanks-note\n", ("\n  thanks:\n", "\n  thanks-note:\n")
        ),
        Tap(thanks.question),  # that entry's button is now stale
        Tap("Browse topics"),
        Say("does stress make it worse"),
        Tap("👎 Not helpful"),
        Say("/privacy"),
        # Hindi and Hinglish, the switch button and /language
        Say("डिस्टोनिया क्या है?"),
        Tap(hindi.texts["button_helpful"].text),
        Say("kya stress se dystonia badhta hai"),
        Tap(hindi.texts["switch_to_english"].text),
        Say("dystonia kya hai"),  # English now: the choice is remembered
        Tap(hindi.texts["switch_to_hindi"].text),
        Say("/language"),
        Tap("English"),
        Say("/language hi"),
        Say("/topics"),
        Tap(hindi.topics["symptoms-and-living"].text),
        Say("/help"),
        Say("/language en"),
        Say("what is dystonia"),
    ]


def _edit(path: Path, step: EditFAQ) -> None:
    edits = [(path, step.old, step.new)]
    if step.hindi is not None:
        edits.insert(0, (translation_path(path, "hi"), *step.hindi))
    for file, old, new in edits:
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
        stat = file.stat()
        os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


# -- the console, through its stdin and stdout -----------------------------------------------

_OPTION = re.compile(r"^  \[(\d+)\] (.*)$")
_TOAST = re.compile(r"^\((.*)\)$")


def _console_seen(segment: str) -> Seen:
    text: list[str] = []
    buttons: list[str] = []
    toast = ""
    for line in segment.splitlines():
        option, note = _OPTION.match(line), _TOAST.match(line)
        if option:
            buttons.append(_clip(option[2]))
        elif note and not text:
            toast = note[1]
        else:
            text.append(line)
    return Seen(_words("\n".join(text)), tuple(buttons), toast)


class _ScriptedStdin(io.StringIO):
    """Types the script into the console one line at a time, working out which number
    to type for a button from what the console last showed."""

    def __init__(self, steps: list[Step], stdout: io.StringIO, faq_file: Path) -> None:
        super().__init__()
        self.steps = list(steps)
        self.stdout = stdout
        self.faq_file = faq_file
        self.read_to = 0
        self.segments: list[str] = []

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        del size
        printed = self.stdout.getvalue()
        self.segments.append(printed[self.read_to :].removesuffix("you> "))
        self.read_to = len(printed)
        while self.steps and isinstance(self.steps[0], EditFAQ):
            edit = self.steps.pop(0)
            assert isinstance(edit, EditFAQ)
            _edit(self.faq_file, edit)
        if not self.steps:
            return ""
        step = self.steps.pop(0)
        if isinstance(step, Say):
            return step.text + "\n"
        assert isinstance(step, Tap)
        for segment in reversed(self.segments):
            numbers = {m[2]: m[1] for m in map(_OPTION.match, segment.splitlines()) if m}
            if numbers:
                assert step.label in numbers, f"the console shows no button {step.label!r}"
                return numbers[step.label] + "\n"
        raise AssertionError(f"no buttons shown before pressing {step.label!r}")


def run_through_console(steps: list[Step], tmp_path: Path) -> list[Seen]:
    faq_file = tmp_path / "console-faq.yaml"
    shutil.copy(DEFAULT_FAQ_PATH, faq_file)
    shutil.copy(translation_path(DEFAULT_FAQ_PATH, "hi"), translation_path(faq_file, "hi"))
    stdout = io.StringIO()
    stdin = _ScriptedStdin(steps, stdout, faq_file)
    code = run_console(LiveFAQ(faq_file), stdin, stdout, flood_max_messages=UNLIMITED)
    assert code == 0
    assert stdout.getvalue()[stdin.read_to :] == "\nGoodbye.\n"
    # One segment per prompt: the first is the banner and its welcome, each later one
    # what the previous line got.
    return [_console_seen(s) for s in stdin.segments[1:]]


# -- Telegram, end to end ---------------------------------------------------------------


def _telegram_seen(messages: list[SentMessage], toasts: list[str]) -> Seen:
    text = "\n\n".join(m.plain for m in messages)
    buttons = tuple(b["text"] for m in messages for b in m.buttons)
    return Seen(_words(text), buttons, toasts[0] if toasts else "")


async def run_through_telegram(steps: list[Step], bot: Harness) -> list[Seen]:
    api = bot.api
    handled = asyncio.Queue[None]()

    async def count(update: Update, context: object) -> None:
        del update, context
        handled.put_nowait(None)

    # Runs after the bot's own handler has finished with each update (handler groups run
    # in order), so a turn is over when this has seen it: no guessing with sleeps.
    bot.app.add_handler(TypeHandler(Update, count), group=1)
    seen: list[Seen] = []
    for step in steps:
        if isinstance(step, EditFAQ):
            _edit(bot.faq_file, step)
            await api.wait_for(_faq_reloaded(bot), timeout=10, description="the FAQ edit")
            continue
        sent_before = len(api.sent)
        edits_before = [len(m.previous_texts) for m in api.sent]
        answers_before = len(api.callback_answers)
        if isinstance(step, Say):
            api.send_text(step.text)
        else:
            message, data = _button(api, step.label)
            api.press_button(message, data)
        await asyncio.wait_for(handled.get(), timeout=20)
        changed = [
            m
            for m, edits in zip(api.sent, edits_before, strict=False)
            if len(m.previous_texts) > edits
        ]
        toasts = [a.get("text") or "" for a in api.callback_answers[answers_before:]]
        seen.append(_telegram_seen([*changed, *api.sent[sent_before:]], toasts))
    return seen


def _faq_reloaded(bot: Harness) -> Callable[[], bool]:
    return lambda: bot.app.bot_data.conversation.knowledge.faq.entry("thanks-note") is not None


def _button(api: FakeBotAPI, label: str) -> tuple[SentMessage, str]:
    for message in reversed(api.sent):
        for button in message.buttons:
            if button["text"] == _clip(label):
                return message, button["callback_data"]
    raise AssertionError(f"no message has a button {label!r}")


# -- the test -------------------------------------------------------------------------------


async def test_the_same_conversation_gets_the_same_replies_on_telegram_and_in_the_console(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every urgent route, every command with and without text, buttons, a stale button,
    unknown commands, /forget, Hindi and Hinglish questions, the language switch and
    /language: turn by turn, both front ends say the same."""
    steps = _script()
    turns = [s for s in steps if not isinstance(s, EditFAQ)]
    assert len(turns) >= 40
    console = run_through_console(steps, tmp_path)
    clean_env(monkeypatch)
    settings = make_settings(fake_api, tmp_path, flood_max_messages=UNLIMITED)
    async with running_bot(settings, fake_api) as bot:
        telegram = await run_through_telegram(steps, bot)
    assert len(console) == len(telegram) == len(turns)
    for step, on_console, on_telegram in zip(turns, console, telegram, strict=True):
        assert on_console == on_telegram, f"{step}: the front ends differ"
    by_step: dict[Step, Seen] = {}
    for step, seen in zip(turns, telegram, strict=True):
        by_step.setdefault(step, seen)  # a step said twice: its first time
    for text in (
        "/help i took all my pills",
        "/contact my son is choking and cant breathe",
        "/start I want to kill myself",
        "/sos I can't breathe",
        "breathe",
        "I took 30 sleeping pills",
    ):
        assert "14416" in by_step[Say(text)].text, f"{text!r} did not get the urgent reply"
    assert "deleted nothing stored" in by_step[Say("/forget")].text
    assert by_step[Say("/foo")] == by_step[Say("/help")]
    assert "moved" in by_step[Tap(load_faq(DEFAULT_FAQ_PATH).entry("thanks").question)].text  # type: ignore[union-attr]
    # "I can't" alone is not yet an emergency (it becomes one with "breathe" after it).
    assert "14416" not in telegram[turns.index(Say("I can't"))].text
    hindi = LiveFAQ().load().faq.translations["hi"]
    to_english, to_hindi = (hindi.texts[k].text for k in ("switch_to_english", "switch_to_hindi"))
    assert hindi.texts["button_helpful"].text in by_step[Say("डिस्टोनिया क्या है?")].buttons
    assert to_english not in by_step[Say("डिस्टोनिया क्या है?")].buttons
    assert (
        by_step[Tap(hindi.texts["button_helpful"].text)].toast
        == hindi.texts["feedback_thanks"].text
    )
    assert to_english in by_step[Say("kya stress se dystonia badhta hai")].buttons
    switched = by_step[Tap(to_english)]
    assert switched.text.startswith("does stress")
    assert to_hindi in switched.buttons
    assert by_step[Say("dystonia kya hai")].text.startswith("what is dystonia")
    assert by_step[Say("/language")].buttons == ("हिंदी", "English")
    last_topics = max(i for i, step in enumerate(turns) if step == Say("/topics"))
    assert hindi.topics["about"].text in telegram[last_topics].buttons  # after /language hi
    assert telegram[-1].text.startswith("what is dystonia")
