"""Staff review of missed questions in a chat: the digest as messages with buttons, and taps.

Transport-free like the rest of conversation/: it builds Replies and handles presses whose
payload starts with `PREFIX`. The digests themselves stay here, in memory, under a short
random token, because Telegram allows only 64 bytes of button data: a button carries the
token and the numbers of its group and choice, nothing else. After a restart the tokens
are gone, so an old button says so and offers a fresh digest instead of guessing.

Every edit goes through `staff.editing.FAQEditor` (checked before it is written, refused if
the file changed since the digest, undoable byte for byte) and into the audit log. Calls
read and write files: an async front end runs them in a worker thread.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from conversation.replies import Block, Button, Reply
from conversation.turns import ButtonResult
from faq.limits import MESSAGE_LIMIT
from faq.matcher import Matcher
from records.store import MissRow, UserKey
from staff.editing import EditResult, FAQEditor, Verdict
from staff.review import (
    AUDIT_FILENAME,
    BACKUP_DIRNAME,
    AuditLog,
    Choice,
    ReviewDigest,
    ReviewItem,
    action_name,
    build_digest,
    edit_for,
)

PREFIX = "R"  # button payloads "R:..." belong to the review; nothing else may use it
FRESH = f"{PREFIX}:new"
NOT_COVERED_STEP = "n"
UNDO = "u"
REVIEW_DAYS = 7  # the digest covers a week, as often as it is sent
MAX_BUTTON_QUESTION = 28  # with "Add as a phrasing of: ", about what a phone's button shows
KEEP_DIGESTS = 8
KEEP_UNDOS = 50
HISTORY_LINES = 15
MAX_CHANGED_SHOWN = 5


@dataclass
class _Session:
    """One digest as sent, and the file version the next tap must find."""

    digest: ReviewDigest
    expected: str  # the FAQ digest: the one the digest was made from, or after our own edits
    done: dict[int, str] = field(default_factory=dict)  # item number -> what was done


@dataclass(frozen=True)
class _Undo:
    token: str  # the session the edit came from
    item: int
    backup: Path
    digest_after: str
    what: str


class StaffReview:
    def __init__(
        self,
        faq_path: Path,
        data_dir: Path,
        misses: Callable[[int], Sequence[MissRow]],
        matcher: Callable[[], Matcher],
        *,
        refresh: Callable[[], object] | None = None,
        days: int = REVIEW_DAYS,
    ) -> None:
        """`misses(days)` gives the stored missed questions; `matcher()` the FAQ being
        served; `refresh()` (optional) makes the live bot pick up an edit at once."""
        self.editor = FAQEditor(faq_path, data_dir / BACKUP_DIRNAME)
        self.audit = AuditLog(data_dir / AUDIT_FILENAME)
        self.misses = misses
        self.matcher = matcher
        self.refresh = refresh
        self.days = days
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._undos: OrderedDict[str, _Undo] = OrderedDict()
        # Taps from several admins (or quick double taps) run in parallel worker threads;
        # one at a time keeps each edit's expected version honest.
        self._lock = threading.Lock()

    # -- the digest -----------------------------------------------------------------------

    def digest(self) -> tuple[Reply, ...]:
        """A heading, then one message per group of missed questions, largest first."""
        if self.refresh is not None:
            self.refresh()  # so the suggestions come from the file as it is now
        with self._lock:
            expected = self.editor.current_digest()
            digest = build_digest(
                self.misses(self.days), self.matcher(), expected, self.audit.ignored_texts()
            )
            if not digest.items:
                return (
                    _info(
                        f"Nothing to review: every question missed in the last {self.days} "
                        "days is dealt with."
                    ),
                )
            token = self._new_token(self._sessions)
            self._sessions[token] = _Session(digest, expected)
            while len(self._sessions) > KEEP_DIGESTS:
                self._sessions.popitem(last=False)
        groups = len(digest.items)
        heading = _info(
            f"Review: {groups} group{'s' * (groups != 1)} of questions the bot missed in the "
            f"last {self.days} days, largest first. Each choice is checked before the FAQ "
            "changes, and can be undone."
        )
        return (heading, *(item_reply(token, item, groups) for item in digest.items))

    def history(self) -> Reply:
        records = self.audit.recent(HISTORY_LINES)
        if not records:
            return _info("No review actions yet.")
        lines = "\n".join(r.line() for r in reversed(records))
        return Reply(
            "info",
            (Block("title", "Recent review actions (newest first)"), Block("pre", _clip(lines))),
        )

    # -- taps -----------------------------------------------------------------------------

    def press(self, admin: UserKey, data: str) -> ButtonResult:
        """A tap on a review button by staff (the front end has checked who it is)."""
        if data == FRESH:
            first, *rest = self.digest()
            return ButtonResult(first, "A fresh review.", more=tuple(rest))
        parts = data.split(":")
        if len(parts) == 3 and parts[1] == UNDO:
            return self._undo(admin, parts[2])
        if len(parts) != 4 or not parts[2].isdigit():
            return _stale()
        _, token, number, pick = parts
        with self._lock:
            session = self._sessions.get(token)
            item = _item(session, int(number)) if session is not None else None
            if session is None or item is None:
                return _stale()
            if item.number in session.done:
                return ButtonResult(
                    _info(f"Already done for this group: {session.done[item.number]}"),
                    "Already done.",
                )
            if pick == NOT_COVERED_STEP:
                return ButtonResult(_not_covered_step(token, item))
            if not pick.isdigit() or not 0 <= int(pick) < len(item.choices):
                return _stale()
            return self._choose(admin, token, session, item, item.choices[int(pick)])

    def _choose(
        self, admin: UserKey, token: str, session: _Session, item: ReviewItem, choice: Choice
    ) -> ButtonResult:
        edit = edit_for(item, choice)
        if edit is None:
            result = EditResult("applied", "Ignored: these questions will not be offered again.")
            self.audit.add(admin, action_name(choice), "", item.phrasing, result)
            session.done[item.number] = "ignored"
            return ButtonResult(_info(result.message), "Ignored.")
        result = self.editor.apply(edit, session.expected)
        self.audit.add(admin, action_name(choice), choice.target, item.phrasing, result)
        if result.status == "conflict":
            return ButtonResult(_conflict_reply(result), "Not changed.")
        if result.status == "refused":
            return ButtonResult(_refused_reply(result), "Not changed.")
        session.expected = result.digest
        session.done[item.number] = result.message
        undo = self._remember_undo(token, item.number, result)
        self._refreshed()
        return ButtonResult(self._applied_reply(result, choice, undo), "Done.")

    def _undo(self, admin: UserKey, undo_token: str) -> ButtonResult:
        with self._lock:
            undo = self._undos.get(undo_token)
            if undo is None:
                return _stale()
            result = self.editor.undo(undo.backup, undo.digest_after)
            self.audit.add(admin, "undo", "", undo.what, result)
            if result.status != "applied":
                return ButtonResult(
                    Reply(
                        "info",
                        (Block("text", result.message),),
                        ((Button("Fresh review", FRESH),),),
                    ),
                    "Not changed.",
                )
            del self._undos[undo_token]
            session = self._sessions.get(undo.token)
            if session is not None:
                if session.expected == undo.digest_after:
                    session.expected = result.digest
                session.done.pop(undo.item, None)  # the group may be chosen again
            self._refreshed()
        return ButtonResult(_info(result.message), "Undone.")

    # -- helpers --------------------------------------------------------------------------

    def _remember_undo(self, token: str, item: int, result: EditResult) -> str | None:
        if result.backup is None:
            return None
        undo_token = self._new_token(self._undos)
        self._undos[undo_token] = _Undo(token, item, result.backup, result.digest, result.message)
        while len(self._undos) > KEEP_UNDOS:
            self._undos.popitem(last=False)
        return undo_token

    def _refreshed(self) -> None:
        if self.refresh is not None:
            self.refresh()

    def _applied_reply(self, result: EditResult, choice: Choice, undo: str | None) -> Reply:
        blocks = [Block("text", result.message)]
        if choice.kind == "phrasing":
            blocks.append(Block("text", f"That entry: “{choice.label.split(': ', 1)[-1]}”"))
        verdict = result.verdict
        if verdict is not None:
            blocks.append(Block("text", _verdict_text(verdict)))
            if verdict.changed:
                changed = [
                    f"“{phrasing}” now leads to {now} (was {was})"
                    for phrasing, was, now in verdict.changed[:MAX_CHANGED_SHOWN]
                ]
                more = len(verdict.changed) - MAX_CHANGED_SHOWN
                if more > 0:
                    changed.append(f"… and {more} more")
                blocks.append(
                    Block("sources", "Other phrasings that changed entry", tuple(changed))
                )
            else:
                blocks.append(Block("text", "No other phrasing changed its entry."))
        elif choice.kind == "not_covered":
            blocks.append(Block("text", "The bot now gives that topic's honest reply to it."))
        blocks.append(Block("note", "The bot serves the change within a few seconds."))
        buttons = ((Button("↩ Undo", f"{PREFIX}:{UNDO}:{undo}"),),) if undo else ()
        return Reply("info", tuple(blocks), buttons)

    @staticmethod
    def _new_token(taken: OrderedDict[str, _Session] | OrderedDict[str, _Undo]) -> str:
        while True:
            token = secrets.token_urlsafe(6)  # 8 characters of [A-Za-z0-9_-], never ":"
            if token not in taken:
                return token


def _verdict_text(verdict: Verdict) -> str:
    if not verdict.answers:
        return (
            "Self-test: the bot still does not answer this question with that entry (another "
            "entry is as close); adding more of patients' wordings would help."
        )
    if verdict.leads_to_target:
        return (
            "Self-test: the bot now answers this question with that entry, and would even "
            "without this exact wording."
        )
    return (
        "Self-test: the bot now answers this exact question with that entry, but a "
        "differently worded one would not reach it yet; adding more of patients' wordings "
        "would help."
    )


def item_reply(token: str, item: ReviewItem, groups: int) -> Reply:
    """One group: how often it was asked, up to three (masked) samples, the choices."""
    asked = f"{item.count} question{'s' * (item.count != 1)}"
    people = f"{item.people} {'person' if item.people == 1 else 'people'}"
    blocks = [Block("title", f"{item.number} of {groups}: {asked} from {people}")]
    if item.looks_urgent:
        blocks.append(
            Block("note", "⚠ This looks like emergency wording: please tell the engineers.")
        )
    blocks.append(Block("text", "\n".join(f"“{text}”" for text in item.examples)))
    nearest = tuple(c.label.split(": ", 1)[-1] for c in item.choices if c.kind == "phrasing")
    if nearest:  # in full: a button has room for only the start of a question
        blocks.append(Block("sources", "Nearest entries", nearest))
    rows: list[tuple[Button, ...]] = []
    not_covered = False
    for index, choice in enumerate(item.choices):
        if choice.kind == "phrasing":
            label = f"Add as a phrasing of: {_shorten(choice.label.split(': ', 1)[-1])}"
            rows.append((Button(label, f"{PREFIX}:{token}:{item.number}:{index}"),))
        elif choice.kind == "not_covered":
            not_covered = True
    if not_covered:
        rows.append((Button("Not covered…", f"{PREFIX}:{token}:{item.number}:{NOT_COVERED_STEP}"),))
    ignore = next(i for i, c in enumerate(item.choices) if c.kind == "ignore")
    rows.append((Button("Ignore", f"{PREFIX}:{token}:{item.number}:{ignore}"),))
    if len(item.choices) == 1:
        blocks.append(
            Block(
                "note",
                "It contains personal details (masked here), so it can only be ignored.",
            )
        )
    return Reply("info", tuple(blocks), tuple(rows))


def _not_covered_step(token: str, item: ReviewItem) -> Reply:
    rows = tuple(
        (Button(_shorten(c.label.split(": ", 1)[-1], 56), f"{PREFIX}:{token}:{item.number}:{i}"),)
        for i, c in enumerate(item.choices)
        if c.kind == "not_covered"
    )
    return Reply(
        "info",
        (Block("text", f"Which not-covered topic is “{item.phrasing}” about?"),),
        rows,
    )


def _item(session: _Session, number: int) -> ReviewItem | None:
    items = session.digest.items
    return items[number - 1] if 1 <= number <= len(items) else None


def _conflict_reply(result: EditResult) -> Reply:
    return Reply("info", (Block("text", result.message),), ((Button("Fresh review", FRESH),),))


def _refused_reply(result: EditResult) -> Reply:
    blocks = [Block("text", result.message)]
    if result.problems:
        # The checker's own words; the renderer escapes them, this keeps them in one message.
        blocks.append(Block("pre", _clip("\n".join(str(p) for p in result.problems))))
    return Reply("info", tuple(blocks))


def _stale() -> ButtonResult:
    return ButtonResult(
        Reply(
            "info",
            (
                Block(
                    "text",
                    "This review button is from an older list (the bot has restarted since, "
                    "or newer lists replaced it), so nothing was changed.",
                ),
            ),
            ((Button("Fresh review", FRESH),),),
        ),
        "That button is out of date.",
    )


def _info(text: str) -> Reply:
    return Reply("info", (Block("text", text),))


def _shorten(text: str, limit: int = MAX_BUTTON_QUESTION) -> str:
    """Cut at a word boundary where there is one, so the label stays readable."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def _clip(text: str, limit: int = MESSAGE_LIMIT // 2) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
