"""Staff review of what the bot missed: a digest of groups, each with one-tap choices.

Transport-free: the Telegram bot (for admins, on their phone) and `python -m faq review`
(in a terminal) both build the same digest and apply the same choices through
`staff.editing`, so a patient's words become FAQ content only through a staff member's
explicit choice, checked before it is written, and recorded in an audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from faq.matcher import Answer, Matcher
from faq.personal import has_personal, mask_personal
from records.store import MissRow
from staff.editing import Edit, EditResult
from staff.misses import MissGroup, group_misses

MAX_GROUPS = 10
MAX_TARGETS = 3
AUDIT_FILENAME = "review-audit.jsonl"
BACKUP_DIRNAME = "faq-backups"

ChoiceKind = Literal["phrasing", "not_covered", "ignore"]

@dataclass(frozen=True)
class Choice:
    kind: ChoiceKind
    target: str  # entry id, not-covered topic id, or "" for ignore
    label: str


@dataclass(frozen=True)
class ReviewItem:
    number: int  # 1-based, largest group first
    count: int
    people: int
    examples: tuple[str, ...]  # masked
    phrasing: str  # what "add" would add: the most asked example, masked
    choices: tuple[Choice, ...]
    looks_urgent: bool = False  # emergency wording the screen did not catch: for engineers


@dataclass(frozen=True)
class ReviewDigest:
    faq_digest: str  # the FAQ file's bytes this digest was made from
    items: tuple[ReviewItem, ...]


def build_digest(
    rows: Iterable[MissRow],
    matcher: Matcher,
    faq_digest: str,
    ignored: frozenset[str] = frozenset(),
    limit: int = MAX_GROUPS,
) -> ReviewDigest:
    """Groups of questions still missed today, largest first, with their choices.

    Questions the current FAQ now answers (someone already added them) and questions
    staff chose to ignore are left out, so a group disappears once it is dealt with.
    """
    still_missed = [
        r
        for r in rows
        if mask_personal(r.text) not in ignored and not isinstance(matcher.decide(r.text), Answer)
    ]
    items: list[ReviewItem] = []
    for group in group_misses(still_missed, matcher)[:limit]:
        items.append(_item(len(items) + 1, group, matcher))
    return ReviewDigest(faq_digest, tuple(items))


def _item(number: int, group: MissGroup, matcher: Matcher) -> ReviewItem:
    examples = tuple(mask_personal(e) for e in group.examples)
    phrasing = examples[0]
    choices: list[Choice] = []
    # Possible missed emergencies are the engineers' to fix in the urgent rules; a tap
    # must not turn one into an FAQ phrasing that would then get an ordinary answer.
    if not has_personal(group.examples[0]) and not group.looks_urgent:
        for match in matcher.rank(group.examples[0])[:MAX_TARGETS]:
            choices.append(
                Choice("phrasing", match.entry.id, f"Add as a phrasing of: {match.entry.question}")
            )
        for topic in matcher.faq.not_covered:
            choices.append(Choice("not_covered", topic.id, f"Not covered: {topic.topic}"))
    choices.append(Choice("ignore", "", "Ignore"))
    return ReviewItem(
        number, group.count, group.people, examples, phrasing, tuple(choices), group.looks_urgent
    )


def edit_for(item: ReviewItem, choice: Choice) -> Edit | None:
    """The FAQ edit a choice makes; None for Ignore."""
    if choice.kind == "ignore":
        return None
    return Edit(choice.kind, choice.target, item.phrasing)


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    admin: str  # pseudonymous key, never a Telegram id
    action: str  # "add phrasing", "add not-covered", "ignore", "undo"
    target: str
    text: str
    result: str

    def line(self) -> str:
        when = self.at.strftime("%Y-%m-%d %H:%M UTC")
        target = f" → {self.target}" if self.target else ""
        text = f" “{self.text}”" if self.text else ""
        return f"{when} {self.action}{text}{target}: {self.result} (by {self.admin[:8]})"


class AuditLog:
    """Append-only record of every review action, one JSON object per line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, admin: str, action: str, target: str, text: str, result: EditResult) -> None:
        record = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "admin": admin,
            "action": action,
            "target": target,
            "text": text,
            "result": result.status,
            "digest": result.digest,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def ignored_texts(self) -> frozenset[str]:
        """Questions staff chose to ignore: they are not offered again."""
        return frozenset(r.text for r in self.recent(None) if r.action == "ignore")

    def recent(self, limit: int | None = 20) -> list[AuditRecord]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records: list[AuditRecord] = []
        for raw in lines if limit is None else lines[-limit:]:
            try:
                data = json.loads(raw)
                records.append(
                    AuditRecord(
                        datetime.fromisoformat(data["at"]),
                        str(data["admin"]),
                        str(data["action"]),
                        str(data["target"]),
                        str(data["text"]),
                        str(data["result"]),
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue  # a damaged line costs only itself
        return records


def action_name(choice: Choice) -> str:
    return {"phrasing": "add phrasing", "not_covered": "add not-covered", "ignore": "ignore"}[
        choice.kind
    ]
