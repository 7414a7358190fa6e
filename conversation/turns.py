"""What a front end hands the conversation, and what it gets back.

Everything here is plain data: no Telegram objects, no raw account or chat ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversation.replies import Reply
from conversation.wording import Language
from records.store import UserKey


@dataclass(frozen=True)
class Speaker:
    """Who is talking, and where; both are pseudonymous keys made by the front end."""

    user: UserKey  # the person (or the chat they post as): what records and /forget use
    chat: str  # the chat they write in

    @property
    def key(self) -> str:
        """Conversation state (recent messages, flood control) is per chat and person."""
        return f"{self.chat}/{self.user}"


@dataclass(frozen=True)
class Turn:
    """One message: its text as typed (commands included) or, for a photo or file, its
    caption ("" if none)."""

    speaker: Speaker
    text: str
    media: bool = False  # a photo, sticker, file...: only its caption can be read
    private: bool = True  # a one-to-one chat with the bot
    # In a group: the message mentions the bot, replies to it, or is a command naming it.
    # Unaddressed group messages get a reply only if they are urgent.
    addressed: bool = True
    staff: bool = False  # the front end knows this sender as clinic staff


@dataclass(frozen=True)
class Press:
    """A button press: the payload the button carried."""

    speaker: Speaker
    data: str
    staff: bool = False  # the front end knows this person as clinic staff


@dataclass(frozen=True)
class Outcome:
    """What to say to a turn, in order; empty means stay quiet. `language` is the one the
    conversation chose to answer in (the chat's choice, else the message's)."""

    replies: tuple[Reply, ...] = ()
    language: Language = "en"


@dataclass(frozen=True)
class ButtonResult:
    """What a button press produces: a reply (or None), the toast text, and whether the
    reply should replace the message that carried the button (menus) or follow it."""

    reply: Reply | None
    toast: str = ""
    replace: bool = False
    language: Language = "en"
    more: tuple[Reply, ...] = ()  # further messages after `reply` (a fresh review digest)
