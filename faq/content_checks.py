"""Checks on what the FAQ says, beyond whether the file is valid.

They return warnings, never errors: a file that fails them still serves patients, but
staff (through `python -m faq check`) and the bot's start-up log are told what is missing.
They look only at the loaded FAQ, so they do not depend on how it was parsed.
"""

from __future__ import annotations

import logging
import re

from faq.model import FAQ
from faq.problems import Problem

CONTACT_FIELDS = ("phone", "email", "address", "hours", "website")


def content_warnings(faq: FAQ | None) -> list[Problem]:
    """Every content warning for a loaded FAQ (none for a file that did not load)."""
    if faq is None:
        return []
    return [*contact_warnings(faq), *reference_warnings(faq)]


def contact_warnings(faq: FAQ) -> list[Problem]:
    """A warning while every contact detail is empty, so patients get `contact_missing`."""
    if faq.clinic.contact_lines:
        return []
    line, col = _locate(faq, r"clinic\s*:", rf"(?:{'|'.join(CONTACT_FIELDS)})\s*:")
    return [
        Problem(
            str(faq.path),
            line,
            col,
            "the clinic's contact details are all empty, so patients asking how to reach "
            "the clinic are told the details are not set up yet",
            "type the clinic's phone number and email between the quotes under 'clinic:'",
            severity="warning",
        )
    ]


def reference_warnings(faq: FAQ) -> list[Problem]:
    """References a source only lists (`listed_by`) must never be cited as an answer's support."""
    keys = {r.key for r in faq.references}
    problems: list[Problem] = []
    for ref in faq.references:
        if ref.listed_by and ref.listed_by not in keys:
            line, col = _locate(faq, r"references\s*:", rf"{re.escape(ref.key)}\s*:")
            problems.append(
                Problem(
                    str(faq.path),
                    line,
                    col,
                    f"reference {ref.key!r} is listed_by {ref.listed_by!r}, "
                    "which is not a reference key",
                    "use the key of the source that lists it, e.g. lived-experience-post-2026",
                    severity="warning",
                )
            )
    for entry in faq.entries:
        for ref in entry.references:
            if ref.listed_by:
                line, col = faq.phrasing_locations.get((entry.id, 0), (1, 1))
                problems.append(
                    Problem(
                        str(faq.path),
                        line,
                        col,
                        f"entry {entry.id!r} cites {ref.key!r}, which the clinic has not "
                        f"checked: it is only listed by {ref.listed_by!r}",
                        f"cite {ref.listed_by!r} itself for what it says",
                        severity="warning",
                    )
                )
    return problems


def log_start_warnings(faq: FAQ, log: logging.Logger) -> None:
    """At start-up, say in the log what patients are missing (never any patient text)."""
    for problem in contact_warnings(faq):
        log.warning("FAQ %s: %s (%s)", faq.path, problem.message, problem.hint)


def _locate(faq: FAQ, section: str, key: str) -> tuple[int, int]:
    """Line and column of `key` inside the top-level `section`, else of the section, else 1:1.

    The loaded FAQ keeps no positions for these parts, so the file is read again; a file
    that can no longer be read is reported at its first line.
    """
    try:
        lines = faq.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1, 1
    start = next((i for i, text in enumerate(lines) if re.match(section, text)), None)
    if start is None:
        return 1, 1
    for i in range(start + 1, len(lines)):
        text = lines[i]
        if text and not text[0].isspace() and not text.startswith("#"):
            break  # the next top-level key: the section has ended
        found = re.match(rf"(\s+){key}", text)
        if found:
            return i + 1, len(found.group(1)) + 1
    return start + 1, 1
