"""Which language to answer in: the chat's remembered choice, else the message's own.

A Devanagari message is answered in Hindi, a Hinglish one (Hindi in Latin letters) in
Hindi with a one-tap switch to English, an English one in English. A choice made with
that switch or with /language is remembered per chat, under the chat's pseudonymous key,
in the bot's store (through the recorder, like every other record: same retention,
removed by /forget), and kept in memory so that reading it never waits on the database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conversation.recording import Recorder
from conversation.wording import Language, as_language
from faq.indic import detect_language
from records.store import LanguageChoiceRow, Store, UserKey

log = logging.getLogger(__name__)

# Free text in these detected languages is answered in this reply language.
_REPLY_LANGUAGE: Mapping[str, Language] = {"en": "en", "hi": "hi", "hinglish": "hi"}


def other_language(language: Language) -> Language:
    return "en" if language == "hi" else "hi"


@dataclass(frozen=True)
class Reading:
    """The language to answer a message in, and the language a switch button offers."""

    language: Language
    switch_to: Language | None = None


def read_language(text: str, chosen: Language | None) -> Reading:
    """`chosen` (the chat's remembered choice) wins; without one, the message's language.

    A switch is offered wherever the patient may read the other language better: always
    for Hinglish (they read Hindi, but typed Latin letters, and may prefer English), and
    whenever the remembered choice differs from the language the message is written in.
    Words the bot cannot place (a command alone, digits, another script) add nothing.
    """
    detected = detect_language(text) if text.strip() else "unknown"
    own = _REPLY_LANGUAGE.get(detected)
    language = chosen or own or "en"
    offer = detected == "hinglish" or (own is not None and own != language)
    return Reading(language, other_language(language) if offer else None)


@dataclass(frozen=True)
class _Choice:
    language: Language
    user: UserKey  # who made it: /forget removes the choices that person made
    at: datetime


# A patient's reply never waits on a failing database more than once a minute.
LOAD_RETRY_SECONDS = 60.0


class LanguageChoices:
    """Each chat's remembered reply language, cached in memory over the store.

    With no recorder (the console), choices live only as long as the process. Otherwise
    the store's choices are read once: at start-up (`preload`), or, if that failed, in
    the background after a patient's turn, which never waits for the database (a locked
    database must not delay a reply). Writes are queued on the recorder.
    """

    def __init__(self, recorder: Recorder | None, retention_days: int) -> None:
        self._recorder = recorder
        self._retention = timedelta(days=retention_days)
        self._choices: dict[str, _Choice] = {}
        self._loaded = recorder is None
        self._retry_at = 0.0  # after a failed read, when to try the store again
        self._fetching = False
        self._forgotten: set[UserKey] = set()  # since the read began: not to be restored
        self._lock = threading.Lock()

    def get(self, chat: str) -> Language | None:
        self._load()
        with self._lock:
            choice = self._choices.get(chat)
        return choice.language if choice is not None else None

    def set(self, chat: str, user: UserKey, language: Language) -> None:
        self._load()
        at = datetime.now(UTC)
        with self._lock:
            self._choices[chat] = _Choice(language, user, at)
        if self._recorder is not None:
            self._recorder.add(lambda s: s.set_language_choice(chat, user, language, at))

    def forget(self, user: UserKey) -> int:
        """Drop every choice `user` made; how many there were."""
        self._load()
        with self._lock:
            theirs = [chat for chat, c in self._choices.items() if c.user == user]
            for chat in theirs:
                del self._choices[chat]
            self._forgotten.add(user)
        # The stored copy goes with the rest of the user's records (Store.forget).
        return len(theirs)

    def prune(self, now: datetime | None = None) -> None:
        """Forget choices older than the retention period held in memory (the store's
        copies go with the daily retention purge of every table)."""
        cutoff = (now or datetime.now(UTC)) - self._retention
        with self._lock:
            for chat in [chat for chat, c in self._choices.items() if c.at < cutoff]:
                del self._choices[chat]

    def preload(self) -> None:
        """Read the stored choices now, waiting for them (start-up; tests)."""
        if not self._loaded and self._recorder is not None:
            self._fetch()

    def _load(self) -> None:
        """On a patient's turn: never wait for the store; read it in the background if
        that has not been done yet (or failed a while ago)."""
        with self._lock:
            if (
                self._loaded
                or self._recorder is None
                or self._fetching
                or time.monotonic() < self._retry_at
            ):
                return
            self._fetching = True
        threading.Thread(target=self._fetch, name="language-choices", daemon=True).start()

    def _fetch(self) -> None:
        recorder = self._recorder
        if recorder is None:
            return
        with self._lock:
            self._forgotten.clear()
        try:
            rows = recorder.read(_stored_choices)
        except Exception as exc:  # the database is an aid: without it, replies follow the message
            log.warning("could not read the stored language choices; retrying later: %s", exc)
            with self._lock:
                self._retry_at = time.monotonic() + LOAD_RETRY_SECONDS
                self._fetching = False
            return
        with self._lock:
            self._fetching = False
            if self._loaded:
                return
            for chat, row in rows.items():
                language = as_language(row.language)
                # A choice made since start-up (already in memory) is the newer one, and
                # one forgotten while the read was under way stays forgotten.
                if language is not None and row.user not in self._forgotten:
                    self._choices.setdefault(chat, _Choice(language, row.user, row.at))
            self._loaded = True


def _stored_choices(store: Store) -> dict[str, LanguageChoiceRow]:
    return store.language_choices()
