"""The FAQ as the rest of the program sees it: immutable, already validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from faq.translations import Translation

EntryKind = Literal["medical", "info"]

CONTACT_PLACEHOLDER = "{contact}"


@dataclass(frozen=True)
class Reference:
    key: str
    citation: str
    # The key of the source that lists this reference (the post lists four papers): shown
    # in /sources as further reading, never cited as support for an answer.
    listed_by: str = ""


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    kind: EntryKind
    question: str
    alternates: tuple[str, ...]
    answer: str
    references: tuple[Reference, ...]
    see_also: tuple[str, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question first, then every alternate."""
        return (self.question, *self.alternates)


@dataclass(frozen=True)
class NotCovered:
    """A topic patients ask about that the FAQ knowingly does not answer (a known unknown).

    The matcher recognises its phrasings so that such a question gets an honest "this is
    not covered, please ask the clinic" instead of a nearby entry that sounds like one.
    """

    id: str
    topic: str
    phrasings: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Topic:
    id: str
    title: str


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    hours: str = ""
    website: str = ""
    contact_missing: str = ""

    @property
    def contact_lines(self) -> tuple[str, ...]:
        """Filled-in contact details, one per line; empty while staff have not added any."""
        labelled = (
            ("Phone", self.phone),
            ("Email", self.email),
            ("Address", self.address),
            ("Hours", self.hours),
            ("Website", self.website),
        )
        return tuple(f"{label}: {value}" for label, value in labelled if value.strip())

    @property
    def contact_text(self) -> str:
        """What `{contact}` becomes: the details, or the sentence used until they exist."""
        lines = self.contact_lines
        if lines:
            return f"{self.name}\n" + "\n".join(lines)
        return self.contact_missing


@dataclass(frozen=True)
class UrgentRule:
    """English regular expressions (`any`, `all_of`, `unless`) and plain Hinglish phrases
    (`hinglish`, `hinglish_with`, `hinglish_unless`); see faq/urgent.py for both."""

    name: str
    any: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    hinglish: tuple[str, ...] = ()
    hinglish_with: tuple[str, ...] = ()
    hinglish_unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """Matcher cut-offs, calibrated on the labelled question sets (see README, Matching quality)."""

    answer: float = 0.45
    clarify: float = 0.30
    margin: float = 0.14


# eq=False: an FAQ is compared and hashed by identity, so caches keyed on a loaded FAQ
# stay cheap and a reload is always a different FAQ.
@dataclass(frozen=True, eq=False)
class FAQ:
    path: Path
    clinic: Clinic
    disclaimer: str
    urgent_message: str
    urgent_rules: tuple[UrgentRule, ...]
    fallback: str
    topics: tuple[Topic, ...]
    thresholds: Thresholds
    synonyms: tuple[tuple[str, ...], ...]
    references: tuple[Reference, ...]
    entries: tuple[Entry, ...]
    not_covered: tuple[NotCovered, ...] = ()
    # (entry id, phrasing number) -> (line, column) in the file, for the checker's reports.
    phrasing_locations: Mapping[tuple[str, int], tuple[int, int]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # language code ("hi") -> that language's wording, from the files beside this one.
    translations: Mapping[str, Translation] = field(default_factory=lambda: MappingProxyType({}))
    # Names of the urgent rules above that come from the shipped FAQ, not from this file:
    # an upgrade's new emergencies are screened for before staff copy them in (faq/shipped.py).
    urgent_from_shipped: tuple[str, ...] = ()
    _by_id: MappingProxyType[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({e.id: e for e in self.entries}))

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def entries_in(self, topic_id: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.topic == topic_id)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def fill(self, text: str) -> str:
        """Replace placeholders staff may use in texts with the clinic's details."""
        return text.replace(CONTACT_PLACEHOLDER, self.clinic.contact_text)


def split_paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.strip().split("\n\n") if p.strip())
