"""What the bot says, as structured replies shared by Telegram and the console.

A Reply is a list of blocks plus buttons; bot/render.py turns it into Telegram HTML or
plain console text. Nothing here knows about Telegram objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from faq.matcher import Answer, Clarify, Decision, Match, NoMatch, Urgent
from faq.model import FAQ, Entry, NotCovered, split_paragraphs

BlockKind = Literal["title", "text", "sources", "note"]
ReplyKind = Literal["urgent", "answer", "clarify", "none", "info"]

# Button payloads ("callback data"). Telegram allows 64 bytes; entry and topic ids are
# at most 48 characters (the checker enforces it), so every payload below fits.
ANSWER = "a"
TOPIC = "t"
TOPICS = "T"
FEEDBACK = "f"

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


def _text(text: str) -> tuple[Block, ...]:
    return tuple(Block("text", p) for p in split_paragraphs(text))


def answer_reply(faq: FAQ, entry: Entry, *, feedback: bool = True) -> Reply:
    blocks = [Block("title", entry.question), *_text(faq.fill(entry.answer))]
    if entry.references:
        blocks.append(Block("sources", "Sources", tuple(r.citation for r in entry.references)))
    blocks.append(Block("note", faq.disclaimer))
    rows: list[tuple[Button, ...]] = []
    related = [e for e in (faq.entry(i) for i in entry.see_also) if e is not None]
    rows.extend((Button(f"See also: {e.question}", f"{ANSWER}:{e.id}"),) for e in related[:3])
    if feedback and entry.kind == "medical":
        rows.append(
            (
                Button("👍 Helpful", f"{FEEDBACK}:{entry.id}:1"),
                Button("👎 Not helpful", f"{FEEDBACK}:{entry.id}:0"),
            )
        )
    return Reply("answer", tuple(blocks), tuple(rows), entry.id)


def urgent_reply(faq: FAQ) -> Reply:
    return Reply("urgent", _text(faq.fill(faq.urgent_message)))


def clarify_reply(faq: FAQ, candidates: tuple[Match, ...]) -> Reply:
    del faq  # same signature as the other replies; the candidates carry the entries
    rows = tuple((Button(m.entry.question, f"{ANSWER}:{m.entry.id}"),) for m in candidates)
    return Reply(
        "clarify",
        (
            Block(
                "text",
                "I am not sure I have an answer to that. Did you mean one of these? "
                "If none fits, this FAQ may not cover your question: /contact shows how to "
                "reach the clinic.",
            ),
        ),
        (*rows, (Button("None of these: browse topics", TOPICS),)),
    )


def fallback_reply(faq: FAQ) -> Reply:
    return Reply("none", _text(faq.fill(faq.fallback)), ((Button("Browse topics", TOPICS),),))


def not_covered_reply(faq: FAQ, topic: NotCovered) -> Reply:
    """A known unknown: says honestly that the topic is not covered, and who to ask."""
    blocks = (*_text(faq.fill(topic.reply)), Block("note", faq.disclaimer))
    return Reply("none", blocks, ((Button("Browse topics", TOPICS),),))


def reply_for(faq: FAQ, decision: Decision) -> Reply:
    """The reply to a patient's free-text message, given the matcher's decision."""
    if isinstance(decision, Urgent):
        return urgent_reply(faq)
    if isinstance(decision, Answer):
        return answer_reply(faq, decision.match.entry)
    if isinstance(decision, Clarify):
        return clarify_reply(faq, decision.candidates)
    assert isinstance(decision, NoMatch)
    if decision.not_covered is not None:
        return not_covered_reply(faq, decision.not_covered)
    return fallback_reply(faq)


def welcome_reply(faq: FAQ) -> Reply:
    text = (
        f"Hello, I am the {faq.clinic.name} dystonia FAQ bot.\n\n"
        "Ask me a question about dystonia in your own words, for example "
        '"why does touching my chin ease the pulling?", or browse the topics below.\n\n'
        "I can share the clinic's information about dystonia and its references. "
        "I cannot diagnose, give personal medical advice or book appointments, "
        "and no one reads these chats in real time."
    )
    return Reply(
        "info",
        (*_text(text), Block("note", faq.disclaimer)),
        _topic_rows(faq, limit=MAX_TOPIC_BUTTONS),
    )


def help_reply(faq: FAQ) -> Reply:
    text = (
        "Type a question in your own words and I will find the closest answer from the "
        "clinic's FAQ. If I am unsure, I will ask what you meant.\n\n"
        "/topics browse all questions\n/sources where the information comes from\n"
        "/contact how to reach the clinic\n/privacy what this bot stores\n"
        "/forget delete what this bot stored about you\n\n"
        "If you feel unwell or unsafe, do not wait for a chat answer: call 112."
    )
    return Reply("info", (*_text(text), Block("note", faq.disclaimer)))


def topics_reply(faq: FAQ) -> Reply:
    return Reply("info", (Block("text", "Choose a topic:"),), _topic_rows(faq))


def topic_reply(faq: FAQ, topic_id: str) -> Reply | None:
    topic = faq.topic(topic_id)
    if topic is None:
        return None
    rows = [(Button(e.question, f"{ANSWER}:{e.id}"),) for e in faq.entries_in(topic_id)]
    rows.append((Button("« Back to topics", TOPICS),))
    return Reply("info", (Block("title", topic.title),), tuple(rows))


def _topic_rows(faq: FAQ, limit: int | None = None) -> tuple[tuple[Button, ...], ...]:
    topics = faq.topics[:limit] if limit else faq.topics
    return tuple((Button(t.title, f"{TOPIC}:{t.id}"),) for t in topics)


def sources_reply(faq: FAQ) -> Reply:
    return Reply(
        "info",
        (
            Block("title", "Where this information comes from"),
            Block("sources", "References", tuple(r.citation for r in faq.references)),
            Block("note", faq.disclaimer),
        ),
    )


def contact_reply(faq: FAQ) -> Reply:
    return Reply(
        "info", (Block("title", f"Contacting {faq.clinic.name}"), *_text(faq.clinic.contact_text))
    )


def privacy_reply(faq: FAQ, retention_days: int) -> Reply:
    text = (
        "What this bot keeps, and why:\n\n"
        "• Questions it could not answer well (the text, the time and the closest topic), "
        "so the clinic can improve the FAQ.\n"
        "• Which answers were shown and your 👍/👎 feedback, to see what helps.\n\n"
        "It does not keep your name, username or phone number. Each record carries only a "
        "scrambled code derived from your Telegram account, which cannot be turned back "
        "into your identity.\n\n"
        f"Everything is deleted automatically after {retention_days} days. "
        "Send /forget at any time to delete everything stored about you now."
    )
    return Reply("info", _text(text))


def forgotten_reply(removed: int) -> Reply:
    what = f"{removed} stored record{'s' * (removed != 1)}" if removed else "nothing stored"
    return Reply("info", (Block("text", f"Done: deleted {what} about you."),))


def stale_button_reply() -> Reply:
    return Reply(
        "info",
        (
            Block(
                "text",
                "That answer has moved or is no longer available. Please browse the "
                "current topics.",
            ),
        ),
        ((Button("Browse topics", TOPICS),),),
    )


def media_reply() -> Reply:
    return Reply(
        "info",
        (Block("text", "Sorry, I can only read text messages. Please type your question."),),
    )


def slow_down_reply() -> Reply:
    return Reply(
        "info",
        (
            Block(
                "text",
                "You are sending messages very quickly. Please wait a moment, "
                "then ask again. If this is an emergency, call 112.",
            ),
        ),
    )


def apology_reply() -> Reply:
    return Reply(
        "info",
        (
            Block(
                "text",
                "Sorry, something went wrong on my side. Please try again in a "
                "moment. If this is an emergency, call 112.",
            ),
        ),
    )
