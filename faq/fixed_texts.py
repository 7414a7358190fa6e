"""The keys of a translation file's `texts:`, and what each one translates.

A translation is looked up by key, so a key the bot never asks for is a text that would
never be shown. Listing every key here, with the placeholders its English interpolates,
lets the checker report a typo in a key, a dropped `{contact}`, or a missing text, before a
patient sees the English instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

# One definition of a placeholder, shared with the FAQ checker.
from faq.loader import PLACEHOLDER
from faq.model import FAQ

# Texts whose English wording is in the FAQ file itself: key -> that English text.
FAQ_TEXTS: Mapping[str, Callable[[FAQ], str]] = MappingProxyType(
    {
        "disclaimer": lambda faq: faq.disclaimer,
        "fallback": lambda faq: faq.fallback,
        "urgent_message": lambda faq: faq.urgent_message,
        "contact_missing": lambda faq: faq.clinic.contact_missing,
    }
)

# The bot's own fixed wording (conversation/replies.py, its command menu, the contact
# labels in faq/model.py): key -> the placeholders its English fills in.
_NONE: frozenset[str] = frozenset()
BOT_TEXTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "welcome": frozenset({"{clinic}"}),
        "help": _NONE,
        "privacy": frozenset({"{retention_days}"}),
        "forgotten": frozenset({"{count}"}),
        "forgotten_nothing": _NONE,
        "stale_button": _NONE,
        "media": _NONE,
        "slow_down": _NONE,
        "apology": _NONE,
        "forget_incomplete": _NONE,
        "clarify": _NONE,
        "topics": _NONE,
        "answer_sources": _NONE,
        "sources_title": _NONE,
        "sources_answers": _NONE,
        "sources_references": _NONE,
        "contact_title": frozenset({"{clinic}"}),
        "contact_phone": _NONE,
        "contact_email": _NONE,
        "contact_address": _NONE,
        "contact_hours": _NONE,
        "contact_website": _NONE,
        "button_see_also": frozenset({"{question}"}),
        "button_helpful": _NONE,
        "button_not_helpful": _NONE,
        "button_none_of_these": _NONE,
        "button_browse_topics": _NONE,
        "button_back_to_topics": _NONE,
        "switch_to_english": _NONE,
        "switch_to_hindi": _NONE,
        "missing_translation_note": _NONE,
        "language_choose": _NONE,
        "language_set": _NONE,
        "feedback_thanks": _NONE,
        "stale_button_toast": _NONE,
        "command_start": _NONE,
        "command_topics": _NONE,
        "command_help": _NONE,
        "command_sources": _NONE,
        "command_contact": _NONE,
        "command_privacy": _NONE,
        "command_forget": _NONE,
        "command_language": _NONE,
    }
)

# Texts with no single English counterpart to compare placeholders with (the note sent to
# a message in a script the bot cannot read).
OTHER_TEXTS: frozenset[str] = frozenset({"other_script_note"})

TEXT_KEYS: tuple[str, ...] = (*FAQ_TEXTS, *BOT_TEXTS, *sorted(OTHER_TEXTS))


def placeholders(text: str) -> frozenset[str]:
    """The `{name}` placeholders in `text`, read as the FAQ checker reads them."""
    return frozenset(m.group() for m in PLACEHOLDER.finditer(text))


def english_placeholders(faq: FAQ, key: str) -> frozenset[str] | None:
    """The placeholders the English of `key` carries; None when there is nothing to compare."""
    if key in FAQ_TEXTS:
        return placeholders(FAQ_TEXTS[key](faq))
    return BOT_TEXTS.get(key)
