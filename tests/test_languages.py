"""Replies follow the patient's language: Devanagari and Hinglish get Hindi, English gets
English, and a choice made with the switch button or /language is remembered per chat."""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from bot.recorder import UsageWriter
from bot.render import render_html
from conversation import replies
from conversation.commands import PUBLIC_COMMANDS, command_menu
from conversation.languages import read_language
from conversation.pipeline import Conversation
from conversation.replies import Reply
from conversation.turns import Outcome, Press, Speaker, Turn
from conversation.wording import Voice
from faq.limits import MESSAGE_LIMIT
from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH
from faq.model import FAQ
from faq.translations import translation_path
from records.store import Store, UserKey
from tests.botharness import Harness

PATIENT = Speaker(UserKey("patient"), "chat-1")
OTHER_CHAT = Speaker(UserKey("patient"), "chat-2")
SHIPPED_HI = translation_path(DEFAULT_FAQ_PATH, "hi")
CALLBACK_LIMIT = 64
T = TypeVar("T")

HINDI_QUESTION = "डिस्टोनिया क्या है?"
HINGLISH_QUESTION = "dystonia kya hai"
ENGLISH_QUESTION = "what is dystonia"


@pytest.fixture(scope="module")
def live() -> LiveFAQ:
    shipped = LiveFAQ()
    shipped.load()
    return shipped


@pytest.fixture
def conv(live: LiveFAQ) -> Conversation:
    return Conversation(live, None)


def hindi_of(faq: FAQ) -> Voice:
    return Voice.of(faq, "hi")


def only(outcome: Outcome) -> Reply:
    assert len(outcome.replies) == 1
    return outcome.replies[0]


def text_of(reply: Reply) -> str:
    return "\n".join([b.text for b in reply.blocks] + [i for b in reply.blocks for i in b.items])


def labels(reply: Reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def payloads(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row]


def copied_faq(tmp_path: Path, edit_hindi: tuple[str, str] | None = None) -> LiveFAQ:
    """A copy of the shipped FAQ and Hindi file, the Hindi one with `edit_hindi` applied."""
    faq_path = tmp_path / "faq.yaml"
    shutil.copy(DEFAULT_FAQ_PATH, faq_path)
    text = SHIPPED_HI.read_text(encoding="utf-8")
    if edit_hindi is not None:
        old, new = edit_hindi
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    translation_path(faq_path, "hi").write_text(text, encoding="utf-8")
    live = LiveFAQ(faq_path)
    live.load()
    return live


def entry_block(entry_id: str) -> str:
    """The shipped Hindi file's whole block for one entry (to cut or edit it)."""
    text = SHIPPED_HI.read_text(encoding="utf-8")
    start = text.index(f"\n  {entry_id}:\n") + 1
    following = re.compile(r"^  [a-z0-9-]+:\n", re.MULTILINE).search(text, start + 1)
    assert following is not None
    return text[start : following.start()]


# -- which language a message is answered in ---------------------------------------------


def test_devanagari_question_gets_the_hindi_answer_with_references_and_hindi_disclaimer(
    conv: Conversation,
) -> None:
    """Hindi wording, English citations, the Hindi disclaimer, and no switch button."""
    faq = conv.knowledge.faq
    hindi = faq.translations["hi"]
    outcome = conv.handle(Turn(PATIENT, HINDI_QUESTION))
    reply = only(outcome)
    assert outcome.language == "hi"
    assert reply.kind == "answer"
    assert reply.blocks[0] == replies.Block("title", hindi.entries["what-is-dystonia"].question)
    sources = next(b for b in reply.blocks if b.kind == "sources")
    assert sources.text == hindi.texts["answer_sources"].text
    entry = faq.entry("what-is-dystonia")
    assert entry is not None
    assert sources.items == tuple(r.citation for r in entry.references)
    assert reply.blocks[-1] == replies.Block("note", hindi.texts["disclaimer"].text)
    assert labels(reply)[-2:] == [
        hindi.texts["button_helpful"].text,
        hindi.texts["button_not_helpful"].text,
    ]
    assert not any(d.startswith(f"{replies.SWITCH}:") for d in payloads(reply))


def test_hinglish_question_gets_hindi_with_a_one_tap_switch_to_english(
    conv: Conversation,
) -> None:
    """Hindi typed in Latin letters is answered in Devanagari, with 'read in English' last."""
    hindi = conv.knowledge.faq.translations["hi"]
    outcome = conv.handle(Turn(PATIENT, HINGLISH_QUESTION))
    reply = only(outcome)
    assert outcome.language == "hi"
    assert reply.blocks[0].text == hindi.entries["what-is-dystonia"].question
    (switch,) = reply.buttons[-1]
    assert switch.label == hindi.texts["switch_to_english"].text
    assert switch.data == "L:en:a:what-is-dystonia"


def test_english_question_gets_english_without_a_switch(conv: Conversation) -> None:
    """Nothing about an English message suggests the patient would rather read Hindi."""
    outcome = conv.handle(Turn(PATIENT, ENGLISH_QUESTION))
    reply = only(outcome)
    assert outcome.language == "en"
    assert reply.blocks[0].text == "What is dystonia?"
    assert "Sources" in [b.text for b in reply.blocks]
    assert not any(d.startswith(("L:", "hi:")) for d in payloads(reply))


def test_a_command_alone_is_answered_in_english_until_a_language_is_chosen(
    conv: Conversation,
) -> None:
    """/topics carries no words to read a language from."""
    assert conv.handle(Turn(PATIENT, "/topics")).language == "en"
    assert read_language("12345 ???", None).language == "en"


def test_hindi_buttons_answer_in_hindi(conv: Conversation) -> None:
    """A button under a Hindi reply carries the language, so its answer is Hindi too."""
    hindi = conv.knowledge.faq.translations["hi"]
    reply = only(conv.handle(Turn(PATIENT, HINDI_QUESTION)))
    see_also = next(d for d in payloads(reply) if d.startswith("hi:a:"))
    pressed = conv.press(Press(PATIENT, see_also))
    assert pressed.language == "hi"
    assert pressed.reply is not None
    assert pressed.reply.blocks[0].text == hindi.entries[see_also.split(":")[-1]].question
    vote = conv.press(Press(PATIENT, "hi:f:what-is-dystonia:1"))
    assert vote.toast == hindi.texts["feedback_thanks"].text


# -- the switch and /language, remembered per chat -----------------------------------------


def test_switch_resends_that_answer_in_english_and_is_remembered_for_the_chat(
    conv: Conversation,
) -> None:
    """After 'read in English', the answer comes again in English and later ones follow."""
    hindi = conv.knowledge.faq.translations["hi"]
    conv.handle(Turn(PATIENT, HINGLISH_QUESTION))
    result = conv.press(Press(PATIENT, "L:en:a:what-is-dystonia"))
    assert result.language == "en"
    assert result.reply is not None
    assert result.reply.blocks[0].text == "What is dystonia?"
    (back,) = result.reply.buttons[-1]
    assert (back.label, back.data) == (
        hindi.texts["switch_to_hindi"].text,
        "L:hi:a:what-is-dystonia",
    )
    later = conv.handle(Turn(PATIENT, "kya stress se dystonia badhta hai"))
    assert later.language == "en"
    assert only(later).blocks[0].text.startswith("Does stress")
    # The Hinglish writer can still go back to Hindi in one tap.
    assert only(later).buttons[-1][0].data == "L:hi:a:stress"
    # Another chat has made no choice.
    assert conv.handle(Turn(OTHER_CHAT, HINGLISH_QUESTION)).language == "hi"


def test_language_command_sets_the_chat_language(conv: Conversation) -> None:
    """/language hi answers English questions in Hindi; /language en goes back."""
    hindi = conv.knowledge.faq.translations["hi"]
    confirmed = only(conv.handle(Turn(PATIENT, "/language hi")))
    assert confirmed.blocks[0].text == hindi.texts["language_set"].text
    outcome = conv.handle(Turn(PATIENT, ENGLISH_QUESTION))
    assert outcome.language == "hi"
    assert only(outcome).blocks[0].text == hindi.entries["what-is-dystonia"].question
    assert conv.handle(Turn(PATIENT, "/topics")).language == "hi"
    english = only(conv.handle(Turn(PATIENT, "/language english")))
    assert english.blocks[0].text.startswith("From now on I will answer in English")
    assert conv.handle(Turn(PATIENT, HINDI_QUESTION)).language == "en"


def test_language_command_alone_offers_both_languages_as_buttons(conv: Conversation) -> None:
    """/language (or an unknown language) shows two buttons; pressing one sets it."""
    for text in ("/language", "/language klingon"):
        reply = only(conv.handle(Turn(PATIENT, text)))
        assert payloads(reply) == ["L:hi", "L:en"]
        assert labels(reply) == ["हिंदी", "English"]
    result = conv.press(Press(PATIENT, "L:hi"))
    assert result.language == "hi"
    assert conv.handle(Turn(PATIENT, "/help")).language == "hi"


@contextlib.contextmanager
def writer(data_dir: Path) -> Iterator[UsageWriter]:
    """The bot's real usage writer over `data_dir`; stopping it writes what is queued."""
    recorder = UsageWriter(data_dir)
    recorder.start()
    try:
        yield recorder
    finally:
        recorder.stop()


def test_language_choice_is_stored_and_read_back_after_a_restart(
    live: LiveFAQ, tmp_path: Path
) -> None:
    """Stored under the chat's pseudonymous key; a new conversation over the store knows it."""
    with writer(tmp_path) as recorder:
        Conversation(live, recorder).handle(Turn(PATIENT, "/language hi"))
    with Store(tmp_path) as store:
        assert set(store.language_choices()) == {PATIENT.chat}
    with writer(tmp_path) as recorder:
        restarted = Conversation(live, recorder)
        restarted.languages.preload()  # as the bot does at start-up
        assert restarted.handle(Turn(PATIENT, ENGLISH_QUESTION)).language == "hi"
        assert restarted.handle(Turn(OTHER_CHAT, ENGLISH_QUESTION)).language == "en"


def test_forget_removes_the_language_choice_from_memory_and_store(
    live: LiveFAQ, tmp_path: Path
) -> None:
    """/forget counts the choice among what it deleted, and the chat follows its messages again."""
    with writer(tmp_path) as recorder:
        conv = Conversation(live, recorder)
        conv.press(Press(PATIENT, "L:hi"))
        forgotten = only(conv.handle(Turn(PATIENT, "/forget")))
        assert "1" in forgotten.blocks[0].text
        assert conv.handle(Turn(PATIENT, ENGLISH_QUESTION)).language == "en"
    with Store(tmp_path) as store:
        assert store.language_choices() == {}
    with writer(tmp_path) as recorder:
        assert Conversation(live, recorder).handle(Turn(PATIENT, ENGLISH_QUESTION)).language == "en"


def test_console_keeps_its_language_choice_for_the_session_only(live: LiveFAQ) -> None:
    """No recorder: the choice works, in memory, and /forget drops it."""
    conv = Conversation(live, None)
    conv.handle(Turn(PATIENT, "/language hi"))
    assert conv.handle(Turn(PATIENT, ENGLISH_QUESTION)).language == "hi"
    conv.handle(Turn(PATIENT, "/forget"))
    assert conv.handle(Turn(PATIENT, ENGLISH_QUESTION)).language == "en"
    assert Conversation(live, None).handle(Turn(PATIENT, ENGLISH_QUESTION)).language == "en"


def test_store_keeps_one_choice_per_chat_and_purges_old_ones(tmp_path: Path) -> None:
    """Migration 2: a later choice replaces the earlier; retention and /forget delete."""
    now = datetime.now(UTC)
    with Store(tmp_path) as store:
        assert store.schema_version >= 2  # migration 2 made the table
        store.set_language_choice("chat-a", UserKey("u1"), "hi", now - timedelta(days=100))
        store.set_language_choice("chat-b", UserKey("u2"), "hi", now - timedelta(days=100))
        store.set_language_choice("chat-b", UserKey("u2"), "en", now)
        store.set_language_choice("chat-c", UserKey("u3"), "hi", now)
        assert {c: r.language for c, r in store.language_choices().items()} == {
            "chat-a": "hi",
            "chat-b": "en",
            "chat-c": "hi",
        }
        # The ordinary retention purge and /forget cover language choices too.
        assert store.purge(90, now) == 1
        assert store.forget(UserKey("u3")) == 1
        assert set(store.language_choices()) == {"chat-b"}


def test_old_choices_are_dropped_from_memory_after_the_retention_period(
    live: LiveFAQ,
) -> None:
    """A choice is data like any other: it expires with the retention limit."""
    conv = Conversation(live, None, retention_days=90)
    conv.handle(Turn(PATIENT, "/language hi"))
    conv.languages.prune(datetime.now(UTC) + timedelta(days=89))
    assert conv.languages.get(PATIENT.chat) == "hi"
    conv.languages.prune(datetime.now(UTC) + timedelta(days=91))
    assert conv.languages.get(PATIENT.chat) is None


# -- translations that are missing or not reviewed ------------------------------------------


def test_missing_entry_translation_falls_back_to_english_under_the_hindi_note(
    tmp_path: Path,
) -> None:
    """The English answer is shown whole, the one-line Hindi note above it."""
    live = copied_faq(tmp_path, (entry_block("what-is-dystonia"), ""))
    hindi = live.current.faq.translations["hi"]
    assert "what-is-dystonia" not in hindi.entries
    reply = only(Conversation(live, None).handle(Turn(PATIENT, HINDI_QUESTION)))
    assert reply.blocks[0] == replies.Block("note", hindi.texts["missing_translation_note"].text)
    assert reply.blocks[1] == replies.Block("title", "What is dystonia?")
    assert reply.blocks[2].text.startswith("Dystonia is a movement disorder")
    assert reply.blocks[-1].text == hindi.texts["disclaimer"].text  # still in Hindi


def test_unreviewed_translations_are_not_served_when_the_setting_is_false(
    tmp_path: Path,
) -> None:
    """SERVE_UNREVIEWED_TRANSLATIONS=false: only reviewed Hindi texts are shown."""
    note = "  missing_translation_note:\n    reviewed: false"
    live = copied_faq(tmp_path, (note, note.replace("false", "true")))
    hindi = live.current.faq.translations["hi"]
    served = Conversation(live, None, serve_unreviewed=True)
    assert only(served.handle(Turn(PATIENT, HINDI_QUESTION))).blocks[0].kind == "title"
    strict = Conversation(live, None, serve_unreviewed=False)
    reply = only(strict.handle(Turn(PATIENT, HINDI_QUESTION)))
    assert reply.blocks[0] == replies.Block("note", hindi.texts["missing_translation_note"].text)
    assert reply.blocks[1].text == "What is dystonia?"
    assert reply.blocks[-1].text.startswith("This is general information")  # unreviewed
    assert "👍 Helpful" in labels(reply)


# -- wording and limits ----------------------------------------------------------------------


def _every_hindi_reply(faq: FAQ) -> list[Reply]:
    voice = hindi_of(faq)
    out: list[Reply] = [
        replies.welcome_reply(faq, voice=voice),
        replies.help_reply(faq, voice=voice),
        replies.topics_reply(faq, voice=voice),
        replies.sources_reply(faq, voice=voice),
        replies.contact_reply(faq, voice=voice),
        replies.privacy_reply(faq, 90, voice=voice),
        replies.fallback_reply(faq, voice=voice),
        replies.forgotten_reply(3, voice=voice),
        replies.forgotten_reply(0, voice=voice),
        replies.stale_button_reply(voice=voice),
        replies.media_reply(voice=voice),
        replies.slow_down_reply(voice=voice),
        replies.apology_reply(voice=voice),
        replies.language_choice_reply(voice=voice),
        replies.language_set_reply(voice=voice),
    ]
    out.extend(replies.answer_reply(faq, e, voice=voice) for e in faq.entries)
    out.extend(r for t in faq.topics if (r := replies.topic_reply(faq, t.id, voice=voice)))
    return out


def test_every_hindi_reply_has_its_placeholders_filled(conv: Conversation) -> None:
    """{clinic}, {contact}, {retention_days}, {count} and {question} never reach a patient."""
    faq = conv.knowledge.faq
    for reply in _every_hindi_reply(faq):
        shown = text_of(reply) + "".join(labels(reply))
        assert "{" not in shown, shown
    privacy = replies.privacy_reply(faq, 45, voice=hindi_of(faq))
    assert "45" in text_of(privacy)
    assert "3" in text_of(replies.forgotten_reply(3, voice=hindi_of(faq)))
    welcome = text_of(replies.welcome_reply(faq, voice=hindi_of(faq)))
    assert faq.clinic.name in welcome


def test_hindi_contact_uses_hindi_labels_or_the_hindi_missing_sentence(
    conv: Conversation,
) -> None:
    """Empty details: the Hindi contact_missing; filled in: the details under Hindi labels."""
    faq = conv.knowledge.faq
    hindi = faq.translations["hi"]
    empty = replies.contact_reply(faq, voice=hindi_of(faq))
    assert hindi.texts["contact_missing"].text in text_of(empty)
    assert empty.blocks[0].text == hindi.texts["contact_title"].text.replace(
        "{clinic}", faq.clinic.name
    )
    filled = replace(faq, clinic=replace(faq.clinic, phone="+91 80 1234 5678"))
    shown = text_of(replies.contact_reply(filled, voice=hindi_of(filled)))
    assert f"{hindi.texts['contact_phone'].text}: +91 80 1234 5678" in shown
    fallback = text_of(replies.fallback_reply(filled, voice=hindi_of(filled)))
    assert f"{hindi.texts['contact_phone'].text}: +91 80 1234 5678" in fallback


def test_hindi_sources_reply_has_both_headings_and_english_citations(
    conv: Conversation,
) -> None:
    """'Sources of the answers' and the post's references, each under its Hindi heading."""
    faq = conv.knowledge.faq
    hindi = faq.translations["hi"]
    reply = replies.sources_reply(faq, voice=hindi_of(faq))
    headings = [b.text for b in reply.blocks if b.kind == "sources"]
    assert headings == [hindi.texts["sources_answers"].text, hindi.texts["sources_references"].text]
    cited = {i for b in reply.blocks for i in b.items}
    assert cited == {r.citation for r in faq.references}


def test_every_button_payload_fits_telegrams_64_bytes(conv: Conversation) -> None:
    """Both languages, switch buttons included, and ids at the checker's 48-character limit."""
    faq = conv.knowledge.faq
    longest = "x" * 48
    entry = faq.entries[0]
    long_faq = replace(
        faq,
        entries=(
            *faq.entries,
            replace(entry, id=longest, topic=longest, see_also=(longest,)),
        ),
        topics=(*faq.topics, replace(faq.topics[0], id=longest)),
    )
    hindi = hindi_of(long_faq)
    shown: list[Reply] = [*_every_hindi_reply(long_faq)]
    for voice in (Voice(), hindi):
        shown.append(replies.answer_reply(long_faq, long_faq.entries[-1], voice=voice))
        shown.append(replies.topics_reply(long_faq, voice=voice))
        topic = replies.topic_reply(long_faq, longest, voice=voice)
        assert topic is not None
        shown.append(topic)
    with_switch = [replies.switch_button(r, to, hindi=hindi) for r in shown for to in ("en", "hi")]
    data = [d for r in (*shown, *with_switch) for d in payloads(r)]
    assert any(d.startswith(f"L:en:a:{longest}") for d in data)
    assert max(len(d.encode("utf-8")) for d in data) <= CALLBACK_LIMIT


def test_every_payload_a_reply_shows_can_be_pressed(conv: Conversation) -> None:
    """No Hindi or switch button leads to the 'out of date' reply."""
    faq = conv.knowledge.faq
    hindi = hindi_of(faq)
    stale = replies.stale_button_toast(voice=hindi)
    for reply in _every_hindi_reply(faq):
        for data in payloads(replies.switch_button(reply, "en", hindi=hindi)):
            assert conv.press(Press(PATIENT, data)).toast != stale, data


def test_hindi_command_menu_lists_every_public_command_including_language(
    conv: Conversation,
) -> None:
    """The menu Telegram shows Hindi users: same commands, Hindi descriptions."""
    faq = conv.knowledge.faq
    hindi = faq.translations["hi"]
    menu = command_menu(hindi_of(faq))
    assert [name for name, _ in menu] == [name for name, _ in PUBLIC_COMMANDS]
    assert "language" in dict(menu)
    for name, text in menu:
        assert text == hindi.texts[f"command_{name}"].text
    help_text = text_of(replies.help_reply(faq, voice=hindi_of(faq)))
    assert "/language" in help_text
    assert "/language" in text_of(replies.help_reply(faq))


# -- end to end, over the fake Bot API ---------------------------------------------------------


async def test_telegram_hindi_question_gets_a_hindi_html_answer_and_a_hindi_menu(
    bot: Harness,
) -> None:
    """The real bot: Hindi answer in HTML mode within 4096 characters; Hindi command menu."""
    hindi = bot.app.bot_data.conversation.knowledge.faq.translations["hi"]
    before = len(bot.api.sent)
    bot.api.send_text(HINDI_QUESTION)
    (reply,) = (await bot.api.wait_for_sent(before + 1))[before:]
    assert reply.parse_mode == "HTML"
    assert len(reply.plain) <= MESSAGE_LIMIT
    assert reply.plain.startswith(hindi.entries["what-is-dystonia"].question)
    assert hindi.texts["disclaimer"].text in reply.plain
    assert "hi:f:what-is-dystonia:1" in reply.callback_data
    menu = bot.api.commands_for(language_code="hi")
    assert {"command": "language", "description": hindi.texts["command_language"].text} in menu
    assert {c["command"] for c in bot.api.commands_for()} >= {"language", "start", "forget"}
    assert all(
        len(render_html(r)) == 1
        for r in _every_hindi_reply(bot.app.bot_data.conversation.knowledge.faq)
    )


class CountingRecorder(UsageWriter):
    """The real recorder, counting how often the conversation reads the store."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.reads = 0

    def read(self, query: Callable[[Store], T]) -> T:
        self.reads += 1
        return super().read(query)


def test_stored_choices_are_read_once_then_served_from_memory(
    live: LiveFAQ, tmp_path: Path
) -> None:
    """Only the first turn touches the database for the language; later ones use the cache."""
    with Store(tmp_path) as store:
        store.set_language_choice(PATIENT.chat, PATIENT.user, "hi")
    recorder = CountingRecorder(tmp_path)
    recorder.start()
    try:
        conv = Conversation(live, recorder)
        conv.languages.preload()  # as the bot does at start-up
        for _ in range(3):
            assert conv.handle(Turn(PATIENT, ENGLISH_QUESTION)).language == "hi"
        conv.press(Press(PATIENT, "L:en"))
        assert conv.handle(Turn(PATIENT, HINDI_QUESTION)).language == "en"
        assert recorder.reads == 1
    finally:
        recorder.stop()


class BlockedRecorder:
    """A recorder whose store read hangs until released, as a locked database would."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reading = threading.Event()

    def add(self, write: Callable[[Store], object]) -> None:
        del write

    def forget(self, user: UserKey) -> int:
        del user
        return 0

    def read(self, query: Callable[[Store], T]) -> T:
        self.reading.set()
        self.release.wait(10)
        raise RuntimeError("the database was locked")


def test_a_patients_turn_never_waits_for_the_stored_language_choices(live: LiveFAQ) -> None:
    """With the store hanging, the turn is answered while the read is still under way."""
    recorder = BlockedRecorder()
    conv = Conversation(live, recorder)
    try:
        outcome = conv.handle(Turn(PATIENT, ENGLISH_QUESTION))
        assert outcome.replies
        assert recorder.reading.wait(5)  # the read was started, in the background
        assert not recorder.release.is_set()  # and had not finished when the reply came
    finally:
        recorder.release.set()


@pytest.mark.parametrize(
    "question", ["dystonia ki dawai kitni leni chahiye", "क्या बच्चों को भी डिस्टोनिया होता है"]
)
def test_a_not_covered_question_in_hindi_gets_the_honest_reply_in_hindi(
    conv: Conversation, live: LiveFAQ, question: str
) -> None:
    """No English under a "not translated" note: the topic's own Hindi reply, the clinic's
    contact sentence and the disclaimer, all in Hindi."""
    hindi = live.current.faq.translations["hi"]
    reply = only(conv.handle(Turn(PATIENT, question)))
    text = text_of(reply)
    assert hindi.texts["missing_translation_note"].text not in text
    assert "The clinic's information here" not in text
    assert "यहाँ दी गई क्लिनिक की जानकारी में" in text
    assert hindi.texts["contact_missing"].text in text
    assert reply.blocks[-1].text == hindi.texts["disclaimer"].text


def test_a_not_covered_question_in_english_keeps_the_english_reply(conv: Conversation) -> None:
    reply = only(conv.handle(Turn(PATIENT, "how much dose of medicine should i take")))
    assert "does not cover medicines or doses" in text_of(reply)
