"""Size limits the FAQ must respect so every answer fits in one chat message."""

from __future__ import annotations

from faq.model import FAQ, Entry

# Telegram refuses a message longer than this (counted after HTML markup is removed).
MESSAGE_LIMIT = 4096

# Room for what the chat layout adds around an answer: a "Sources" label, bullets,
# blank lines. tests/test_render.py checks the real rendering never exceeds this estimate.
LAYOUT_ALLOWANCE = 64


def answer_message_length(faq: FAQ, entry: Entry) -> int:
    """An upper bound on the visible length of the message that answers `entry`."""
    citations = sum(len(ref.citation) + 4 for ref in entry.references)
    return (
        len(entry.question)
        + len(faq.fill(entry.answer))
        + citations
        + len(faq.disclaimer)
        + LAYOUT_ALLOWANCE
    )
