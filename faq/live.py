"""The FAQ currently served, swapped atomically when a valid edit lands on disk."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from faq.loader import check_faq, resolve_path
from faq.matcher import Matcher
from faq.model import FAQ
from faq.problems import FAQError, Problem
from faq.translations import translation_bytes, with_translations


@dataclass(frozen=True)
class Knowledge:
    """A validated FAQ with its precomputed matcher: everything a reply needs."""

    faq: FAQ
    matcher: Matcher
    digest: str


@dataclass(frozen=True)
class ReloadResult:
    status: Literal["unchanged", "reloaded", "failed"]
    problems: tuple[Problem, ...] = ()
    # False when this broken version was already reported, so admins are told once.
    first_report: bool = True


class LiveFAQ:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path: Path = resolve_path(path)
        self._current: Knowledge | None = None
        self._lock = threading.Lock()
        self._failed_digest: str | None = None

    @property
    def current(self) -> Knowledge:
        if self._current is None:
            raise RuntimeError("the FAQ has not been loaded yet")
        return self._current

    def load(self) -> Knowledge:
        """First load: a broken FAQ here is fatal (FAQError), there is nothing to fall back on."""
        result = self.refresh(force=True)
        if result.status == "failed":
            raise FAQError(list(result.problems))
        return self.current

    def refresh(self, *, force: bool = False) -> ReloadResult:
        """Re-read the file if it changed; keep serving the last good FAQ if it is broken.

        The file is read once and those very bytes are fingerprinted and checked. A lock
        keeps the periodic check and an admin's /reload from racing each other.
        """
        with self._lock:
            return self._refresh(force)

    def _refresh(self, force: bool) -> ReloadResult:
        try:
            raw: bytes | None = self.path.read_bytes()
        except OSError:
            raw = None
        # The translation files are part of what is served: an edit to one alone reloads.
        translated = translation_bytes(self.path)
        # Hashing ~60 KB every few seconds is cheap and, unlike modification times,
        # never misses a same-size edit on a file system with coarse timestamps.
        digest = _digest(raw, translated)
        if not force and self._current is not None and digest == self._current.digest:
            self._failed_digest = None  # reverted: the same mistake again is news again
            return ReloadResult("unchanged")
        faq, problems = check_faq(self.path, raw)
        if faq is not None:
            faq, translation_problems = with_translations(faq, translated)
            problems = [*problems, *translation_problems]
            if any(p.severity == "error" for p in translation_problems):
                faq = None
        if faq is None:
            first = digest != self._failed_digest
            self._failed_digest = digest
            errors = tuple(p for p in problems if p.severity == "error")
            return ReloadResult("failed", errors, first_report=first)
        self._failed_digest = None
        self._current = Knowledge(faq, Matcher(faq), digest)
        return ReloadResult("reloaded")


def _digest(raw: bytes | None, translated: dict[str, bytes | None]) -> str:
    """One fingerprint of the FAQ file and every translation file beside it."""
    if raw is None:
        return "unreadable"
    digest = hashlib.sha256(raw)
    for language, content in sorted(translated.items()):
        # Length-prefixed, so moving bytes from one file to the next changes the digest.
        part = b"" if content is None else content
        digest.update(f"\0{language}:{-1 if content is None else len(part)}\0".encode())
        digest.update(part)
    return digest.hexdigest()
