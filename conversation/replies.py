"""What the bot says, as structured replies shared by Telegram and the console.

A Reply is a list of blocks plus buttons; each front end renders it (bot/render.py: Telegram
HTML or plain console text). Nothing here knows about Telegram objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from conversation.wording import ENGLISH, Language, Voice, as_language
from faq.indic import Language as WrittenIn
from faq.limits import MESSAGE_LIMIT
from faq.live import ReloadResult
from faq.matcher import Answer, Clarify, Decision, Match, NoMatch, Urgent
from faq.model import CONTACT_PLACEHOLDER, FAQ, Entry, NotCovered, split_paragraphs

BlockKind = Literal["title", "text", "sources", "note", "pre"]  # pre: a fixed-width table
ReplyKind = Literal["urgent", "answer", "clarify", "none", "info"]

# Button payloads ("callback data"). Telegram allows 64 bytes; entry and topic ids are
# at most 48 characters (the checker enforces it), so every payload below fits.
ANSWER = "a"
TOPIC = "t"
TOPICS = "T"
FEEDBACK = "f"
COMMAND = "c"  # c:<command>: the reply to that command again (a language switch's re-send)
SWITCH = "L"  # L:<language>[:<payload>]: answer in that language from now on, then re-send
# Under a reply in another language than English every payload gets "<language>:" in
# front ("hi:a:<id>"). The longest, "hi:f:<id>:1" and "L:en:a:<id>", are 55 bytes.

MAX_TOPIC_BUTTONS = 4


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    blocks: tuple[Block, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    entry_id: str | None = None
    # The payload that produces this reply again (for a language switch); "" if none can.
    resend: str = ""


def _text(text: str) -> tuple[Block, ...]:
    return tuple(Block("text", p) for p in split_paragraphs(text))


def _data(voice: Voice, payload: str) -> str:
    """A button payload that remembers the language of the reply it is under; English
    payloads stay unprefixed, so buttons sent before languages existed still work."""
    return payload if voice.english else f"{voice.language}:{payload}"


def read_payload(data: str) -> tuple[Language, str]:
    """The language a button was shown in, and its payload without the prefix."""
    head, sep, rest = data.partition(":")
    language = as_language(head) if sep else None
    return (language, rest) if language is not None else ("en", data)


def _one_paragraph(voice: Voice, key: str, english: str) -> Reply:
    """A one-paragraph info reply: its text under `key` in the voice's language."""
    text, missing = voice.pick(key, english)
    return Reply("info", _noted(voice, missing, (Block("text", text),)))


def _noted(voice: Voice, missing: bool, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Blocks shown in English for want of a translation get the one-line note above."""
    if not missing:
        return blocks
    note = voice.text("missing_translation_note")
    return blocks if note is None else (Block("note", note), *blocks)


def _disclaimer(faq: FAQ, voice: Voice) -> Block:
    return Block("note", voice.fill(faq, voice.pick("disclaimer", faq.disclaimer)[0]))


def _question(voice: Voice, entry: Entry) -> str:
    translated = voice.entry(entry.id)
    return translated.question if translated is not None else entry.question


def answer_reply(faq: FAQ, entry: Entry, *, feedback: bool = True, voice: Voice = ENGLISH) -> Reply:
    translated = voice.entry(entry.id)
    question, answer = (
        (translated.question, translated.answer)
        if translated is not None
        else (entry.question, entry.answer)
    )
    # An info reply ("Hello", "Thank you") reads as a message, not under its question.
    title = (Block("title", question),) if entry.kind == "medical" else ()
    blocks = [*_noted(voice, translated is None and not voice.english, title)]
    blocks.extend(_text(voice.fill(faq, answer)))
    if entry.references:
        # Citations stay as published, in English, in every language.
        heading = voice.label("answer_sources", "Sources")
        blocks.append(Block("sources", heading, tuple(r.citation for r in entry.references)))
    blocks.append(_disclaimer(faq, voice))
    rows: list[tuple[Button, ...]] = []
    related = [e for e in (faq.entry(i) for i in entry.see_also) if e is not None]
    for other in related[:3]:
        label = voice.fill(
            faq,
            voice.label("button_see_also", "See also: {question}"),
            question=_question(voice, other),
        )
        rows.append((Button(label, _data(voice, f"{ANSWER}:{other.id}")),))
    if feedback and entry.kind == "medical":
        rows.append(
            (
                Button(
                    voice.label("button_helpful", "👍 Helpful"),
                    _data(voice, f"{FEEDBACK}:{entry.id}:1"),
                ),
                Button(
                    voice.label("button_not_helpful", "👎 Not helpful"),
                    _data(voice, f"{FEEDBACK}:{entry.id}:0"),
                ),
            )
        )
    return Reply("answer", tuple(blocks), tuple(rows), entry.id, f"{ANSWER}:{entry.id}")


def urgent_reply(faq: FAQ, language: WrittenIn = "en") -> Reply:
    """The urgent-care reply. To a Hindi or Hinglish message it is in Hindi first, then in
    English, so whoever is nearby and reads only one of them still sees it; to a message
    in another script, English then Hindi; otherwise English only. The Hindi is sent
    whether or not a clinician has reviewed it yet: in an emergency it beats none."""
    english = _text(faq.fill(faq.urgent_message))
    hindi = _hindi_text(faq, "urgent_message")
    if language in ("hi", "hinglish") and hindi:
        return Reply("urgent", (*hindi, *english))
    if language == "other" and hindi:
        return Reply("urgent", (*english, *hindi))
    return Reply("urgent", english)


OTHER_SCRIPT_NOTE = (
    "I can read English and Hindi (also Hindi typed in English letters). Please write "
    "your question in one of them.\n\n"
    "In an emergency, call 112. If you are having thoughts of suicide or self-harm, call "
    "Tele-MANAS on 14416 (free, 24x7)."
)


def other_script_reply(faq: FAQ) -> Reply:
    """To a message in a script the bot cannot read: which languages it reads, in English
    and Hindi, always with the emergency numbers."""
    hindi = _hindi_text(faq, "other_script_note")
    return Reply("none", (*_text(OTHER_SCRIPT_NOTE), *hindi), ((Button("Browse topics", TOPICS),),))


def _hindi_text(faq: FAQ, key: str) -> tuple[Block, ...]:
    """A fixed text from the Hindi wording file, `{contact}` filled in; () if it has none."""
    translation = faq.translations.get("hi")
    text = translation.text(key) if translation is not None else None
    if text is None or translation is None:
        return ()
    contact = (
        faq.clinic.contact_text
        if faq.clinic.contact_lines
        else translation.text("contact_missing") or faq.clinic.contact_missing
    )
    return _text(text.replace(CONTACT_PLACEHOLDER, contact))


CLARIFY = (
    "I am not sure I have an answer to that. Did you mean one of these? "
    "If none fits, this FAQ may not cover your question: /contact shows how to "
    "reach the clinic."
)


def clarify_reply(faq: FAQ, candidates: tuple[Match, ...], *, voice: Voice = ENGLISH) -> Reply:
    del faq  # same signature as the other replies; the candidates carry the entries
    text, missing = voice.pick("clarify", CLARIFY)
    rows = tuple(
        (Button(_question(voice, m.entry), _data(voice, f"{ANSWER}:{m.entry.id}")),)
        for m in candidates
    )
    none_of_these = voice.label("button_none_of_these", "None of these: browse topics")
    return Reply(
        "clarify",
        _noted(voice, missing, (Block("text", text),)),
        (*rows, (Button(none_of_these, _data(voice, TOPICS)),)),
    )


def fallback_reply(faq: FAQ, *, voice: Voice = ENGLISH) -> Reply:
    text, missing = voice.pick("fallback", faq.fallback)
    return Reply(
        "none",
        _noted(voice, missing, _text(voice.fill(faq, text))),
        ((Button(voice.label("button_browse_topics", "Browse topics"), _data(voice, TOPICS)),),),
    )


def not_covered_reply(faq: FAQ, topic: NotCovered, *, voice: Voice = ENGLISH) -> Reply:
    """A known unknown: says honestly that the topic is not covered, and who to ask.

    In the patient's language when the wording file has the topic's reply; otherwise the
    English reply under the one-line note.
    """
    translated = voice.not_covered(topic.id)
    text = faq.fill(topic.reply) if translated is None else voice.fill(faq, translated)
    blocks = (*_text(text), _disclaimer(faq, voice))
    return Reply(
        "none",
        _noted(voice, not voice.english and translated is None, blocks),
        ((Button(voice.label("button_browse_topics", "Browse topics"), _data(voice, TOPICS)),),),
    )


def reply_for(faq: FAQ, decision: Decision, *, voice: Voice = ENGLISH) -> Reply:
    """The reply to a patient's free-text message, given the matcher's decision."""
    if isinstance(decision, Urgent):
        return urgent_reply(faq, decision.language)
    if isinstance(decision, Answer):
        return answer_reply(faq, decision.match.entry, voice=voice)
    if isinstance(decision, Clarify):
        return clarify_reply(faq, decision.candidates, voice=voice)
    assert isinstance(decision, NoMatch)
    if decision.unread_script:
        return other_script_reply(faq)
    if decision.not_covered is not None:
        return not_covered_reply(faq, decision.not_covered, voice=voice)
    return fallback_reply(faq, voice=voice)


WELCOME = (
    "Hello, I am the {clinic} dystonia FAQ bot.\n\n"
    "Ask me a question about dystonia in your own words, for example "
    '"why does touching my chin ease the pulling?", or browse the topics below.\n\n'
    "I can share the clinic's information about dystonia and its references. "
    "I cannot diagnose, give personal medical advice or book appointments, "
    "and no one reads these chats in real time."
)


def welcome_reply(faq: FAQ, *, voice: Voice = ENGLISH) -> Reply:
    text, missing = voice.pick("welcome", WELCOME)
    return Reply(
        "info",
        (
            *_noted(voice, missing, _text(voice.fill(faq, text, clinic=faq.clinic.name))),
            _disclaimer(faq, voice),
        ),
        _topic_rows(faq, voice, limit=MAX_TOPIC_BUTTONS),
        resend=f"{COMMAND}:start",
    )


HELP = (
    "Type a question in your own words and I will find the closest answer from the "
    "clinic's FAQ. If I am unsure, I will ask what you meant.\n\n"
    "/topics browse all questions\n/sources where the information comes from\n"
    "/contact how to reach the clinic\n/privacy what this bot stores\n"
    "/forget delete what this bot stored about you\n"
    "/language answer in English or Hindi\n\n"
    "If you feel unwell or unsafe, do not wait for a chat answer: call 112."
)


def help_reply(faq: FAQ, *, voice: Voice = ENGLISH) -> Reply:
    text, missing = voice.pick("help", HELP)
    return Reply(
        "info",
        (*_noted(voice, missing, _text(text)), _disclaimer(faq, voice)),
        resend=f"{COMMAND}:help",
    )


def topics_reply(faq: FAQ, *, voice: Voice = ENGLISH) -> Reply:
    text, missing = voice.pick("topics", "Choose a topic:")
    return Reply(
        "info",
        _noted(voice, missing, (Block("text", text),)),
        _topic_rows(faq, voice),
        resend=TOPICS,
    )


def topic_reply(faq: FAQ, topic_id: str, *, voice: Voice = ENGLISH) -> Reply | None:
    topic = faq.topic(topic_id)
    if topic is None:
        return None
    rows = [
        (Button(_question(voice, e), _data(voice, f"{ANSWER}:{e.id}")),)
        for e in faq.entries_in(topic_id)
    ]
    back = voice.label("button_back_to_topics", "« Back to topics")
    rows.append((Button(back, _data(voice, TOPICS)),))
    title = voice.topic(topic_id) or topic.title
    return Reply("info", (Block("title", title),), tuple(rows), resend=f"{TOPIC}:{topic_id}")


def _topic_rows(faq: FAQ, voice: Voice, limit: int | None = None) -> tuple[tuple[Button, ...], ...]:
    topics = faq.topics[:limit] if limit else faq.topics
    return tuple(
        (Button(voice.topic(t.id) or t.title, _data(voice, f"{TOPIC}:{t.id}")),) for t in topics
    )


def sources_reply(faq: FAQ, *, voice: Voice = ENGLISH) -> Reply:
    own = tuple(r.citation for r in faq.references if not r.listed_by)
    # What a source lists (the post's four papers) is further reading, not support.
    listed = tuple(r.citation for r in faq.references if r.listed_by)
    title, missing = voice.pick("sources_title", "Where this information comes from")
    heading = voice.label("sources_answers", "Sources of the answers")
    listed_heading = voice.label(
        "sources_references", "References given by the post (not checked by the clinic)"
    )
    return Reply(
        "info",
        (
            *_noted(voice, missing, (Block("title", title),)),
            Block("sources", heading, own),
            *([Block("sources", listed_heading, listed)] if listed else []),
            _disclaimer(faq, voice),
        ),
        resend=f"{COMMAND}:sources",
    )


def contact_reply(faq: FAQ, *, voice: Voice = ENGLISH) -> Reply:
    title, missing = voice.pick("contact_title", "Contacting {clinic}")
    return Reply(
        "info",
        (
            *_noted(
                voice, missing, (Block("title", voice.fill(faq, title, clinic=faq.clinic.name)),)
            ),
            *_text(voice.contact_text(faq)),
        ),
        resend=f"{COMMAND}:contact",
    )


PRIVACY = (
    "What this bot keeps, and why:\n\n"
    "• Questions it could not answer well (the text, the time and the closest topic), "
    "so the clinic can improve the FAQ.\n"
    "• Which answers were shown and your 👍/👎 feedback, to see what helps.\n\n"
    "It does not keep your name, username or phone number. Each record carries only a "
    "scrambled code derived from your Telegram account, which cannot be turned back "
    "into your identity.\n\n"
    "Everything is deleted automatically after {retention_days} days. "
    "Send /forget at any time to delete everything stored about you now."
)


def privacy_reply(faq: FAQ, retention_days: int, *, voice: Voice = ENGLISH) -> Reply:
    text, missing = voice.pick("privacy", PRIVACY)
    filled = voice.fill(faq, text, retention_days=retention_days)
    return Reply("info", _noted(voice, missing, _text(filled)), resend=f"{COMMAND}:privacy")


def forgotten_reply(removed: int, *, voice: Voice = ENGLISH) -> Reply:
    if removed:
        s = "s" * (removed != 1)
        text, missing = voice.pick(
            "forgotten", f"Done: deleted {{count}} stored record{s} about you."
        )
    else:
        text, missing = voice.pick("forgotten_nothing", "Done: deleted nothing stored about you.")
    return Reply(
        "info", _noted(voice, missing, (Block("text", text.replace("{count}", str(removed))),))
    )


def forget_incomplete_reply(*, voice: Voice = ENGLISH) -> Reply:
    return _one_paragraph(
        voice,
        "forget_incomplete",
        "Sorry, I could not finish deleting what is stored about you: the database "
        "is not available right now. Nothing you sent is waiting to be stored any "
        "more, and I will keep trying to delete the rest. Please send /forget again "
        "in a few minutes to be sure.",
    )


def stale_button_reply(*, voice: Voice = ENGLISH) -> Reply:
    text, missing = voice.pick(
        "stale_button",
        "That answer has moved or is no longer available. Please browse the current topics.",
    )
    return Reply(
        "info",
        _noted(voice, missing, (Block("text", text),)),
        ((Button(voice.label("button_browse_topics", "Browse topics"), _data(voice, TOPICS)),),),
    )


def media_reply(*, voice: Voice = ENGLISH) -> Reply:
    return _one_paragraph(
        voice, "media", "Sorry, I can only read text messages. Please type your question."
    )


def slow_down_reply(*, voice: Voice = ENGLISH) -> Reply:
    return _one_paragraph(
        voice,
        "slow_down",
        "You are sending messages very quickly. Please wait a moment, "
        "then ask again. If this is an emergency, call 112.",
    )


def apology_reply(*, voice: Voice = ENGLISH) -> Reply:
    return _one_paragraph(
        voice,
        "apology",
        "Sorry, something went wrong on my side. Please try again in a "
        "moment. If this is an emergency, call 112.",
    )


def feedback_toast(*, voice: Voice = ENGLISH) -> str:
    return voice.label("feedback_thanks", "Thank you for your feedback.")


def stale_button_toast(*, voice: Voice = ENGLISH) -> str:
    return voice.label("stale_button_toast", "That button is out of date.")


# -- language ------------------------------------------------------------------------------

# Each language's own name, as its readers write it: a choice nobody can read is no choice.
LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "hi": "हिंदी"}


def switch_button(reply: Reply, to: Language, *, hindi: Voice) -> Reply:
    """`reply` with a last row offering the same reply in `to` (or, where it cannot be
    sent again, the choice alone). Both labels come from the Hindi file: under a Hindi
    reply the way to English is offered in words the reader follows, and under an English
    one the way to Hindi is offered in Hindi, for someone who may read English poorly."""
    key, english = (
        ("switch_to_english", "Read in English")
        if to == "en"
        else ("switch_to_hindi", "Read in Hindi")
    )
    data = f"{SWITCH}:{to}" + (f":{reply.resend}" if reply.resend else "")
    return replace(reply, buttons=(*reply.buttons, (Button(hindi.label(key, english), data),)))


LANGUAGE_CHOOSE = "Which language should I answer in?"


def language_choice_reply(*, voice: Voice = ENGLISH) -> Reply:
    """/language alone: one button per language, each named in its own script."""
    text, missing = voice.pick("language_choose", LANGUAGE_CHOOSE)
    return Reply(
        "info",
        _noted(voice, missing, (Block("text", text),)),
        (tuple(Button(LANGUAGE_NAMES[lang], f"{SWITCH}:{lang}") for lang in ("hi", "en")),),
    )


LANGUAGE_SET = "From now on I will answer in English. Send /language to change this."


def language_set_reply(*, voice: Voice = ENGLISH) -> Reply:
    """The confirmation of a language choice, in the language chosen."""
    text, missing = voice.pick("language_set", LANGUAGE_SET)
    return Reply("info", _noted(voice, missing, (Block("text", text),)))


def staff_in_private_reply(command: str) -> Reply:
    return Reply(
        "info",
        (
            Block(
                "text",
                f"Staff reports stay out of groups: please send /{command} to me in a "
                "private chat.",
            ),
        ),
    )


def reload_reply(result: ReloadResult, faq: FAQ) -> Reply:
    """For staff: what a reload (asked for, or noticed by the bot) did."""
    if result.status == "failed":
        errors = "\n".join(str(p) for p in result.problems)
        return Reply(
            "info",
            (
                Block(
                    "text",
                    "The FAQ edit has errors, so the bot keeps serving the last good version.",
                ),
                Block("text", _clip(errors, MESSAGE_LIMIT // 2)),
            ),
        )
    state = "Reloaded" if result.status == "reloaded" else "No change:"
    return Reply("info", (Block("text", f"{state} the FAQ has {len(faq.entries)} entries."),))


def stats_reply(report: str) -> Reply:
    return Reply("info", (Block("pre", report),))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
