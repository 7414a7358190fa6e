"""What the shipped FAQ has that the clinic's own copy lacks: new content from an upgrade.

The bot serves the clinic's copy in its data folder (see faq.loader.resolve_path), so an
upgrade never touches staff's edits; in exchange, new entries the upgrade ships must be
merged by hand. The checker points them out.
"""

from __future__ import annotations

from pathlib import Path

from faq.loader import DEFAULT_FAQ_PATH, check_faq
from faq.model import FAQ
from faq.problems import Problem


def missing_shipped_entries(faq: FAQ | None, shipped: Path = DEFAULT_FAQ_PATH) -> list[Problem]:
    """One warning per entry the shipped file has and `faq` (the clinic's copy) lacks."""
    if faq is None or Path(faq.path).resolve() == shipped.resolve():
        return []
    default, _ = check_faq(shipped)
    if default is None:
        return []
    have = {entry.id for entry in faq.entries}
    return [
        Problem(
            str(faq.path),
            1,
            1,
            f"entry {entry.id!r} (“{entry.question}”) is in the shipped FAQ ({shipped}) "
            "but not in this file",
            "an upgrade brought it: copy it from the shipped file into this one "
            "(README: Upgrading), or leave it out if the clinic removed it on purpose",
            "warning",
        )
        for entry in default.entries
        if entry.id not in have
    ]
