"""The FAQ currently served, swapped atomically when a valid edit lands on disk.

A refresh is cheap when nothing changed: the file's status (device, inode, size,
modification and change times) is compared with the last good and the last failed
version before anything is read. A version that failed once is remembered by the digest
of its bytes and never parsed again, so a large broken file left in place costs one stat
per refresh. Refreshes never queue up: one that finds another in progress returns at once.

The translation files beside the FAQ (`faq.hi.yaml`) are part of what is served: they are
read with the same limits, take part in the status check and the digest, and an edit to
one of them alone reloads.

What is served is the clinic's copy plus the shipped urgent rules it lacks (faq/shipped.py).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from faq.loader import check_faq, resolve_path
from faq.matcher import Matcher
from faq.model import FAQ
from faq.problems import FAQError, Problem
from faq.reader import (
    FaqLimits,
    FaqReadError,
    Fingerprint,
    fingerprint,
    read_file,
    recently_changed,
    stat_file,
)
from faq.shipped import with_shipped_urgent_rules
from faq.translations import LANGUAGES, translation_path, with_translations

# The FAQ file's status, then each translation file's (None where there is none).
Seen = tuple[Fingerprint, tuple[Fingerprint | None, ...]]

# Broken versions remembered, so flipping between a few bad saves is not re-parsed either.
_FAILED_KEPT = 8


@dataclass(frozen=True)
class Knowledge:
    """A validated FAQ with its precomputed matcher: everything a reply needs."""

    faq: FAQ
    matcher: Matcher
    digest: str


@dataclass(frozen=True)
class ReloadResult:
    # "busy": another refresh was running, so this one did nothing.
    status: Literal["unchanged", "reloaded", "failed", "busy"]
    problems: tuple[Problem, ...] = ()
    # False when this broken version was already reported, so admins are told once.
    first_report: bool = True


class LiveFAQ:
    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, limits: FaqLimits | None = None
    ) -> None:
        self.path: Path = resolve_path(path)
        self.limits = limits or FaqLimits()
        self._current: Knowledge | None = None
        self._current_stat: Seen | None = None
        self._lock = threading.Lock()
        # digest (or the refusal's text) -> its errors, newest last
        self._failures: OrderedDict[str, tuple[Problem, ...]] = OrderedDict()
        # the last failed version's status, digest and errors
        self._failed_stat: tuple[Seen, str, tuple[Problem, ...]] | None = None
        self._reported: str | None = None  # the failure admins were last told about

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

        The file is read once and those very bytes are fingerprinted and checked. `force`
        (first load, an admin's /reload) skips the status shortcut and re-checks the
        bytes, waiting briefly for a refresh in progress; the periodic check never waits.
        """
        wait = 2 * self.limits.read_seconds if force else 0.0
        if not self._lock.acquire(timeout=wait if wait > 0 else -1, blocking=wait > 0):
            return ReloadResult("busy")
        try:
            return self._refresh(force)
        finally:
            self._lock.release()

    def _refresh(self, force: bool) -> ReloadResult:
        try:
            st = stat_file(self.path, self.limits)
            beside = self._translation_stats()
        except FaqReadError as exc:  # missing, not a regular file, over the size cap
            return self._failed(f"refused: {exc.problem}", (exc.problem,))
        seen: Seen = (fingerprint(st), tuple(fingerprint(b) if b else None for b in beside))
        settled = not recently_changed(st) and not any(b and recently_changed(b) for b in beside)
        if not force and settled:
            if self._current is not None and seen == self._current_stat:
                return self._unchanged()
            if self._failed_stat is not None and seen == self._failed_stat[0]:
                return self._failed(*self._failed_stat[1:])
        try:
            raw, st = read_file(self.path, self.limits)
            translated = self._read_translations()
        except FaqReadError as exc:
            return self._failed(f"refused: {exc.problem}", (exc.problem,))
        # Hashing the bytes, unlike comparing times, never misses a same-size edit saved
        # within one timestamp tick.
        digest = _digest(raw, translated)
        if not force and self._current is not None and digest == self._current.digest:
            self._current_stat = seen
            return self._unchanged()
        if not force and digest in self._failures:
            self._failed_stat = (seen, digest, self._failures[digest])
            return self._failed(digest, self._failures[digest])
        faq, problems = check_faq(self.path, raw, limits=self.limits)
        if faq is not None:
            faq, translation_problems = with_translations(faq, translated)
            problems = [*problems, *translation_problems]
            if any(p.severity == "error" for p in translation_problems):
                faq = None
        if faq is None:
            errors = tuple(p for p in problems if p.severity == "error")
            self._failures[digest] = errors
            self._failures.move_to_end(digest)
            while len(self._failures) > _FAILED_KEPT:
                self._failures.popitem(last=False)
            self._failed_stat = (seen, digest, errors)
            return self._failed(digest, errors)
        # Only a clinic copy that loaded gets the shipped rules: a broken one still leaves
        # the last good FAQ (with its own shipped rules) in service.
        faq = with_shipped_urgent_rules(faq)
        self._current = Knowledge(faq, Matcher(faq), digest)
        self._current_stat = seen
        self._failed_stat = None
        self._reported = None
        return ReloadResult("reloaded")

    def _translation_stats(self) -> list[os.stat_result | None]:
        """Each translation file's status (None: there is none); refused like the FAQ if odd."""
        found: list[os.stat_result | None] = []
        for language in LANGUAGES:
            path = translation_path(self.path, language)
            found.append(stat_file(path, self.limits) if path.exists() else None)
        return found

    def _read_translations(self) -> dict[str, bytes | None]:
        found: dict[str, bytes | None] = {}
        for language in LANGUAGES:
            path = translation_path(self.path, language)
            found[language] = read_file(path, self.limits)[0] if path.exists() else None
        return found

    def _unchanged(self) -> ReloadResult:
        self._reported = None  # reverted: the same mistake again is news again
        return ReloadResult("unchanged")

    def _failed(self, identity: str, errors: tuple[Problem, ...]) -> ReloadResult:
        first = identity != self._reported
        self._reported = identity
        return ReloadResult("failed", errors, first_report=first)


def _digest(raw: bytes, translated: dict[str, bytes | None]) -> str:
    """One fingerprint of the FAQ file and every translation file beside it."""
    digest = hashlib.sha256(raw)
    for language, content in sorted(translated.items()):
        # Length-prefixed, so moving bytes from one file to the next changes the digest.
        part = b"" if content is None else content
        digest.update(f"\0{language}:{-1 if content is None else len(part)}\0".encode())
        digest.update(part)
    return digest.hexdigest()
