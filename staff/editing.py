"""Program edits to the FAQ file that staff also edit by hand: safe, checked, undoable.

A staff member's tap ("add this question as a phrasing of that entry") must never break
the file or lose a colleague's edit. So every edit:

1. starts from the exact bytes the staff member's digest was made from, and refuses if
   the file has changed since (someone edited it by hand);
2. is made round-trip with ruamel.yaml, so comments, order, quoting and layout stay as
   staff wrote them, and only the new line differs;
3. is run through the full checker before anything is written, and refused with the
   checker's own messages if it would break the file;
4. replaces the file atomically (write beside it, fsync, rename), after keeping the
   previous bytes as a backup (the last `KEEP_BACKUPS`), so Undo restores them exactly.

The live bot notices the new file through its ordinary reload path, like a hand edit.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from faq.loader import check_faq
from faq.matcher import Answer, Matcher
from faq.problems import Problem

KEEP_BACKUPS = 20
BACKUP_SUFFIX = ".yaml"

EditKind = Literal["phrasing", "not_covered"]
Status = Literal["applied", "conflict", "refused"]


@dataclass(frozen=True)
class Edit:
    """Add `phrasing` to an entry's alternates, or to a not-covered topic's phrasings."""

    kind: EditKind
    target: str  # entry id or not-covered topic id
    phrasing: str


@dataclass(frozen=True)
class Verdict:
    """What the self-test says about the new phrasing once it is in the FAQ."""

    leads_to_target: bool  # the phrasing, held out, still reaches its entry
    changed: tuple[tuple[str, str, str], ...]  # (phrasing, entry before, entry after)
    answers: bool = True  # the phrasing itself, as typed, now gets its entry's answer


@dataclass(frozen=True)
class EditResult:
    status: Status
    message: str
    problems: tuple[Problem, ...] = ()
    backup: Path | None = None  # the previous bytes, for Undo
    digest: str = ""  # of the file as it is now (after the edit, if applied)
    verdict: Verdict | None = None


def digest_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode: comments, order and quoting survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap staff's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class FAQEditor:
    def __init__(self, faq_path: Path, backup_dir: Path) -> None:
        self.path = faq_path
        self.backup_dir = backup_dir

    def current_digest(self) -> str:
        return digest_of(self.path.read_bytes())

    def apply(self, edit: Edit, expected_digest: str) -> EditResult:
        raw = self.path.read_bytes()
        if digest_of(raw) != expected_digest:
            return _changed_since(raw)
        try:
            new = _with_phrasing(raw, edit)
        except _RefusedError as refusal:
            return EditResult("refused", str(refusal), digest=digest_of(raw))
        before, _ = check_faq(self.path, raw)
        after, problems = check_faq(self.path, new)
        errors = tuple(p for p in problems if p.severity == "error")
        if after is None or errors:
            return EditResult(
                "refused",
                "This change would break the FAQ, so it was not made.",
                errors,
                digest=digest_of(raw),
            )
        # Checking takes a moment; a hand edit saved meanwhile must not be overwritten.
        now = self.path.read_bytes()
        if now != raw:
            return _changed_since(now)
        backup = self._backup(raw)
        _replace_atomically(self.path, new)
        verdict = _verdict(before, after, edit) if before is not None else None
        return EditResult(
            "applied", _describe(edit), backup=backup, digest=digest_of(new), verdict=verdict
        )

    def undo(self, backup: Path, expected_digest: str) -> EditResult:
        """Put the bytes from before an edit back, if nobody changed the file since."""
        raw = self.path.read_bytes()
        if digest_of(raw) != expected_digest:
            return EditResult(
                "conflict",
                "The FAQ file was changed again after this edit, so Undo would lose that "
                "change. Nothing was changed.",
                digest=digest_of(raw),
            )
        try:
            previous = backup.read_bytes()
        except OSError:
            return EditResult("refused", "The backup for this edit is no longer kept.")
        self._backup(raw)
        _replace_atomically(self.path, previous)
        return EditResult(
            "applied", "Undone: the FAQ is back as it was.", digest=digest_of(previous)
        )

    def backups(self) -> list[Path]:
        """Kept backups, oldest first."""
        if not self.backup_dir.is_dir():
            return []
        return sorted(self.backup_dir.glob(f"{self.path.stem}-*{BACKUP_SUFFIX}"))

    def _backup(self, raw: bytes) -> Path:
        self.backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backup_dir / f"{self.path.stem}-{stamp}-{digest_of(raw)[:8]}{BACKUP_SUFFIX}"
        _replace_atomically(target, raw)
        for old in self.backups()[:-KEEP_BACKUPS]:
            with contextlib.suppress(OSError):
                old.unlink()
        return target


def _changed_since(raw: bytes) -> EditResult:
    return EditResult(
        "conflict",
        "The FAQ file was changed since this list was made (perhaps edited by "
        "hand). Nothing was changed; ask for a fresh list.",
        digest=digest_of(raw),
    )


class _RefusedError(Exception):
    """The edit cannot be made as asked; the message says why, for staff."""


def _with_phrasing(raw: bytes, edit: Edit) -> bytes:
    phrasing = " ".join(edit.phrasing.split())
    if not phrasing:
        raise _RefusedError("There is no text to add.")
    yaml = _yaml()
    try:
        data = yaml.load(raw.decode("utf-8"))
    except (UnicodeDecodeError, YAMLError) as exc:
        raise _RefusedError(f"The FAQ file cannot be read as it is ({exc}); fix it first.") from exc
    section, key = (
        ("entries", "alternates")
        if edit.kind == "phrasing"
        else (
            "not_covered",
            "phrasings",
        )
    )
    items = data.get(section) if isinstance(data, CommentedMap) else None
    item = next(
        (i for i in items or () if isinstance(i, CommentedMap) and i.get("id") == edit.target),
        None,
    )
    if item is None:
        raise _RefusedError(
            f"There is no {section.replace('_', '-')} item '{edit.target}' any more."
        )
    phrasings = item.get(key)
    if not isinstance(phrasings, CommentedSeq):
        phrasings = CommentedSeq()
        item[key] = phrasings
    phrasings.append(phrasing)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().encode("utf-8")


def _replace_atomically(path: Path, raw: bytes) -> None:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            tmp.chmod(path.stat().st_mode & 0o777 if path.exists() else 0o600)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _verdict(before: Any, after: Any, edit: Edit) -> Verdict | None:
    if edit.kind != "phrasing":
        return None
    entry = after.entry(edit.target)
    if entry is None:
        return None
    new_matcher, old_matcher = Matcher(after), Matcher(before)
    number = len(entry.phrasings) - 1
    decision = new_matcher.decide(entry.phrasings[number], held_out=(entry.id, number))
    leads = isinstance(decision, Answer) and decision.match.entry.id == entry.id
    answers = _answer_id(new_matcher.decide(entry.phrasings[number])) == entry.id
    changed: list[tuple[str, str, str]] = []
    for old_entry in before.entries:
        for i, phrasing in enumerate(old_entry.phrasings):
            was = _answer_id(old_matcher.decide(phrasing, held_out=(old_entry.id, i)))
            now = _answer_id(new_matcher.decide(phrasing, held_out=(old_entry.id, i)))
            if was != now:
                changed.append((phrasing, was or "(no answer)", now or "(no answer)"))
    return Verdict(leads, tuple(changed), answers)


def _answer_id(decision: object) -> str | None:
    return decision.match.entry.id if isinstance(decision, Answer) else None


def _describe(edit: Edit) -> str:
    where = "entry" if edit.kind == "phrasing" else "not-covered topic"
    return f"Added “{' '.join(edit.phrasing.split())}” as a phrasing of {where} '{edit.target}'."
