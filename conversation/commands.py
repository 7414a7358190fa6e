"""Which command means what, and how a command is read from a message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from conversation.wording import Voice
from faq.text import words

CommandKind = Literal["start", "info", "forget", "language", "staff", "unknown"]

# Offered to patients in the command menu, in this order.
PUBLIC_COMMANDS = (
    ("start", "Welcome and popular topics"),
    ("topics", "Browse all questions by topic"),
    ("help", "How to use this bot"),
    ("sources", "Where the information comes from"),
    ("contact", "How to reach the clinic"),
    ("privacy", "What this bot stores and for how long"),
    ("forget", "Delete what this bot stored about you"),
    ("language", "Answer in English or Hindi"),
)
INFO_COMMANDS = frozenset({"help", "topics", "sources", "contact", "privacy"})
STAFF_COMMANDS = frozenset({"reload", "stats", "review"})

# A message that is only one of these words asks how the bot works, as /help does.
_HELP_WORDS = frozenset({"help", "madad", "menu"})


def asks_how_to_use(text: str) -> bool:
    """ "help" (or "madad") typed on its own: the /help reply, not a match and not the
    urgent one ("help me", "please help", "koi madad karo" are urgent)."""
    found = words(text)
    return len(found) == 1 and found[0] in _HELP_WORDS


# Telegram's command syntax: "/name" or "/name@botname", then whitespace or the end.
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)")


@dataclass(frozen=True)
class Command:
    name: str  # lower-case, without the slash
    argument: str  # whatever follows, stripped ("" when nothing does)
    target: str = ""  # the bot named after "@", if any

    @property
    def kind(self) -> CommandKind:
        if self.name == "start":
            return "start"
        if self.name in INFO_COMMANDS:
            return "info"
        if self.name == "forget":
            return "forget"
        if self.name == "language":
            return "language"
        if self.name in STAFF_COMMANDS:
            return "staff"
        return "unknown"


def parse_command(text: str) -> Command | None:
    """The command `text` starts with, or None for an ordinary message."""
    stripped = text.strip()
    found = _COMMAND.match(stripped)
    if found is None:
        return None
    return Command(found[1].lower(), stripped[found.end() :].strip(), found[2] or "")


def command_menu(voice: Voice) -> list[tuple[str, str]]:
    """The public commands with their menu descriptions in `voice`'s language (the
    English where a translation is missing)."""
    return [(name, voice.label(f"command_{name}", text)) for name, text in PUBLIC_COMMANDS]
