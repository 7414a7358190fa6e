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
    """One warning per entry, urgent rule and not-covered topic the shipped file has and
    `faq` (the clinic's copy) lacks. A missing urgent rule matters most: an upgrade that
    teaches the screen a new emergency (say in Hindi) protects nobody until it is copied."""
    if faq is None or Path(faq.path).resolve() == shipped.resolve():
        return []
    default, _ = check_faq(shipped)
    if default is None:
        return []
    hint = (
        "an upgrade brought it: copy it from the shipped file into this one "
        "(README: Upgrading), or leave it out if the clinic removed it on purpose"
    )
    entries = {entry.id for entry in faq.entries}
    rules = {rule.name for rule in faq.urgent_rules}
    topics = {topic.id for topic in faq.not_covered}
    found = [
        f"urgent rule {rule.name!r} is in the shipped FAQ ({shipped}) but not in this file, "
        "so the bot does not recognise those emergencies"
        for rule in default.urgent_rules
        if rule.name not in rules
    ]
    found += [
        f"entry {entry.id!r} (“{entry.question}”) is in the shipped FAQ ({shipped}) "
        "but not in this file"
        for entry in default.entries
        if entry.id not in entries
    ]
    found += [
        f"not_covered topic {topic.id!r} is in the shipped FAQ ({shipped}) but not in this file"
        for topic in default.not_covered
        if topic.id not in topics
    ]
    return [Problem(str(faq.path), 1, 1, message, hint, "warning") for message in found]
