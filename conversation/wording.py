"""Which language a reply is worded in, and where its translated texts come from.

The English wording lives in the FAQ file and in conversation/replies.py; every other
language comes from its translation file (`faq.hi.yaml`). A `Voice` looks texts up in that
file and says when one is missing, so the reply can fall back to English under a one-line
note instead of showing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from faq.model import FAQ
from faq.translations import EntryTranslation, Translated, Translation

# The languages replies are written in. Hinglish readers get Hindi (Devanagari), with a
# switch to English.
Language = Literal["en", "hi"]
LANGUAGES: tuple[Language, ...] = ("en", "hi")


def as_language(code: str) -> Language | None:
    """`code` if replies can be written in it ("hi", "en"), else None."""
    for language in LANGUAGES:
        if code == language:
            return language
    return None


@dataclass(frozen=True)
class Voice:
    """The language a reply is written in, with that language's texts (None for English)."""

    language: Language = "en"
    translation: Translation | None = None
    # False (SERVE_UNREVIEWED_TRANSLATIONS=false): texts no clinician has checked yet are
    # treated as missing, so the patient sees the English instead.
    serve_unreviewed: bool = True

    @classmethod
    def of(cls, faq: FAQ, language: Language, *, serve_unreviewed: bool = True) -> Voice:
        translation = faq.translations.get(language) if language != "en" else None
        return cls(language, translation, serve_unreviewed)

    @property
    def english(self) -> bool:
        return self.language == "en"

    def _served(self, item: Translated | EntryTranslation | None) -> bool:
        return item is not None and (item.reviewed or self.serve_unreviewed)

    def text(self, key: str) -> str | None:
        """The translated fixed text `key`; None in English or when it cannot be served."""
        if self.translation is None:
            return None
        item = self.translation.texts.get(key)
        return item.text if item is not None and self._served(item) else None

    def topic(self, topic_id: str) -> str | None:
        if self.translation is None:
            return None
        item = self.translation.topics.get(topic_id)
        return item.text if item is not None and self._served(item) else None

    def entry(self, entry_id: str) -> EntryTranslation | None:
        if self.translation is None:
            return None
        item = self.translation.entries.get(entry_id)
        return item if item is not None and self._served(item) else None

    def not_covered(self, topic_id: str) -> str | None:
        """The translated reply of a not-covered topic; None in English or when missing."""
        if self.translation is None:
            return None
        item = self.translation.not_covered.get(topic_id)
        return item.text if item is not None and self._served(item) else None

    def pick(self, key: str, english: str) -> tuple[str, bool]:
        """The text to show for `key`, and whether it had to fall back to `english`."""
        if self.english:
            return english, False
        translated = self.text(key)
        return (english, True) if translated is None else (translated, False)

    def label(self, key: str, english: str) -> str:
        """A button label: the translation, or the English silently (no room for a note)."""
        return self.pick(key, english)[0]

    def contact_text(self, faq: FAQ) -> str:
        """What `{contact}` becomes in this language: the clinic's details with translated
        labels, or the translated sentence used until staff have added them."""
        clinic = faq.clinic
        if not clinic.contact_lines:
            return self.pick("contact_missing", clinic.contact_missing)[0]
        labelled = (
            ("contact_phone", "Phone", clinic.phone),
            ("contact_email", "Email", clinic.email),
            ("contact_address", "Address", clinic.address),
            ("contact_hours", "Hours", clinic.hours),
            ("contact_website", "Website", clinic.website),
        )
        lines = [
            f"{self.label(key, english)}: {value}"
            for key, english, value in labelled
            if value.strip()
        ]
        return f"{clinic.name}\n" + "\n".join(lines)

    def fill(self, faq: FAQ, text: str, **values: object) -> str:
        """`text` with {contact} and the named placeholders ({clinic}, {count}, ...) filled."""
        filled = text.replace("{contact}", self.contact_text(faq))
        for name, value in values.items():
            filled = filled.replace("{" + name + "}", str(value))
        return filled


ENGLISH = Voice()
