"""`python -m faq review`: the staff review of missed questions, in a terminal.

The same digest and the same checked, undoable edits as the bot's /review for admins.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from faq.matcher import matcher_for
from faq.shipped import load_served_faq
from records.store import Store, database_path
from staff.editing import EditResult, FAQEditor
from staff.review import (
    AUDIT_FILENAME,
    BACKUP_DIRNAME,
    AuditLog,
    ReviewItem,
    action_name,
    build_digest,
    edit_for,
)

COMPUTER_ADMIN = "computer"  # who made a change from the terminal, in the audit log


def describe(result: EditResult) -> list[str]:
    """What happened, in staff's words, with the checker's and the self-test's verdict."""
    lines = [result.message]
    lines += [f"  {p}" for p in result.problems]
    verdict = result.verdict
    if verdict is not None:
        if not verdict.answers:
            lines.append(
                "  Note: the bot still would not answer this question with that entry; more "
                "phrasings in patients' words would help."
            )
        elif verdict.leads_to_target:
            lines.append("  The bot now answers this question with that entry.")
        else:
            lines.append(
                "  The bot now answers this exact question with that entry; differently "
                "worded ones would not reach it yet, so more phrasings would help."
            )
        for phrasing, was, now in verdict.changed[:5]:
            lines.append(f"  Changed elsewhere: “{phrasing}” now leads to {now} (was {was}).")
    return lines


def item_text(item: ReviewItem) -> str:
    asked = f"{item.count} question{'s' * (item.count != 1)}"
    people = f"{item.people} {'person' if item.people == 1 else 'people'}"
    lines = [f"{item.number}. {asked} from {people}"]
    if item.looks_urgent:
        lines.append("   ⚠ looks like emergency wording: tell the engineers")
    lines += [f"   “{text}”" for text in item.examples]
    lines += [f"   [{i}] {choice.label}" for i, choice in enumerate(item.choices, 1)]
    return "\n".join(lines)


def run_review(
    faq_path: Path, data_dir: Path, since_days: int, stdin: TextIO, stdout: TextIO
) -> int:
    if not database_path(data_dir).is_file():
        stdout.write(f"No bot database in {data_dir} yet: nothing to review.\n")
        return 1
    with Store(data_dir) as store:
        rows = store.misses(since_days)
    audit = AuditLog(data_dir / AUDIT_FILENAME)
    editor = FAQEditor(faq_path, data_dir / BACKUP_DIRNAME)
    digest = build_digest(
        rows, matcher_for(load_served_faq(faq_path)), editor.current_digest(), audit.ignored_texts()
    )
    if not digest.items:
        stdout.write("Nothing to review: every missed question is dealt with.\n")
        return 0
    expected = digest.faq_digest
    last: EditResult | None = None
    for item in digest.items:
        stdout.write("\n" + item_text(item) + "\n")
        while True:
            stdout.write("choose a number, Enter to skip, u to undo the last change, q to quit: ")
            stdout.flush()
            answer = stdin.readline()
            if not answer or answer.strip().lower() == "q":
                return 0
            answer = answer.strip().lower()
            if not answer:
                break
            if answer == "u":
                if last is None or last.backup is None:
                    stdout.write("There is no change to undo.\n")
                    continue
                last = editor.undo(last.backup, last.digest)
                audit.add(COMPUTER_ADMIN, "undo", "", "", last)
                stdout.write("\n".join(describe(last)) + "\n")
                expected = last.digest
                last = None
                continue
            if not answer.isdigit() or not 1 <= int(answer) <= len(item.choices):
                stdout.write(f"Please type a number from 1 to {len(item.choices)}.\n")
                continue
            choice = item.choices[int(answer) - 1]
            edit = edit_for(item, choice)
            if edit is None:
                result = EditResult("applied", "Ignored: it will not be offered again.")
            else:
                result = editor.apply(edit, expected)
            audit.add(COMPUTER_ADMIN, action_name(choice), choice.target, item.phrasing, result)
            stdout.write("\n".join(describe(result)) + "\n")
            if result.status == "conflict":
                stdout.write("Run `python -m faq review` again for a fresh list.\n")
                return 1
            if result.status == "applied" and edit is not None:
                expected, last = result.digest, result
            break
    return 0
