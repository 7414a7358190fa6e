"""What the shipped FAQ brings that the clinic's own copy lacks: new content from an upgrade.

The bot serves the clinic's copy in its data folder (see faq.loader.resolve_path), so an
upgrade never touches staff's edits; in exchange, new entries the upgrade ships must be
merged by hand, and the checker points them out.

Urgent rules are the exception: an emergency wording an upgrade teaches must be caught
from the first start, not from the day someone merges it. So the FAQ served (by the bot
and by `python -m faq ask/eval/dump`) screens with the clinic's urgent rules plus every
shipped rule whose name the clinic's file lacks; a clinic rule of the same name wins, so
staff can still adjust one. There is deliberately no way to switch a shipped rule off
(README: Upgrading).
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from faq.loader import DEFAULT_FAQ_PATH, check_faq, load_faq
from faq.model import FAQ, UrgentRule
from faq.problems import Problem
from faq.reader import FaqLimits


def load_served_faq(
    path: str | os.PathLike[str] | None = None, *, limits: FaqLimits | None = None
) -> FAQ:
    """The FAQ as the bot serves it: load_faq, with the shipped urgent rules it lacks."""
    return with_shipped_urgent_rules(load_faq(path, limits=limits))


def with_shipped_urgent_rules(faq: FAQ, shipped: Path = DEFAULT_FAQ_PATH) -> FAQ:
    """`faq` screening also for every shipped urgent rule it has no rule of that name for.

    The clinic's rules keep their order and come first; the shipped ones follow, named in
    `urgent_from_shipped`. Applying it twice adds nothing more.
    """
    added = _lacking(faq, shipped)
    if not added:
        return faq
    return replace(
        faq,
        urgent_rules=(*faq.urgent_rules, *added),
        urgent_from_shipped=(*faq.urgent_from_shipped, *(rule.name for rule in added)),
    )


def _lacking(faq: FAQ, shipped: Path) -> tuple[UrgentRule, ...]:
    if _is_shipped(faq, shipped):
        return ()
    default = shipped_faq(shipped)
    if default is None:  # a broken shipped file fails the tests long before a release
        return ()
    own = {_key(rule.name) for rule in faq.urgent_rules}
    return tuple(rule for rule in default.urgent_rules if _key(rule.name) not in own)


def _key(name: str) -> str:
    # "Choking" typed by staff is meant to replace the shipped "choking", not to add to it.
    return " ".join(name.casefold().split())


def _is_shipped(faq: FAQ, shipped: Path) -> bool:
    return Path(faq.path).resolve() == shipped.resolve()


def shipped_faq(shipped: Path = DEFAULT_FAQ_PATH) -> FAQ | None:
    """The shipped FAQ, or None if it does not load. Parsed once per version of the file:
    the bot re-reads the clinic's copy on every edit, the shipped one only changes with an
    upgrade."""
    try:
        st = shipped.stat()
    except OSError:
        return None
    return _parsed(str(shipped.resolve()), st.st_ino, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=2)
def _parsed(path: str, inode: int, size: int, mtime_ns: int) -> FAQ | None:
    del inode, size, mtime_ns  # only the cache key: a changed file is parsed again
    return check_faq(Path(path))[0]


def missing_shipped_entries(faq: FAQ | None, shipped: Path = DEFAULT_FAQ_PATH) -> list[Problem]:
    """What the shipped file has and `faq` (the clinic's copy) lacks: a note per urgent
    rule (the bot already applies it from the shipped file), a warning per entry and
    not-covered topic (those patients do not get until staff copy them in)."""
    if faq is None or _is_shipped(faq, shipped):
        return []
    default = shipped_faq(shipped)
    if default is None:
        return []
    hint = (
        "an upgrade brought it: copy it from the shipped file into this one "
        "(README: Upgrading), or leave it out if the clinic removed it on purpose"
    )
    entries = {entry.id for entry in faq.entries}
    topics = {topic.id for topic in faq.not_covered}
    found = [
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
    warnings = [Problem(str(faq.path), 1, 1, message, hint, "warning") for message in found]
    return [*_applied_notes(faq, shipped), *warnings]


def _applied_notes(faq: FAQ, shipped: Path) -> list[Problem]:
    applied = with_shipped_urgent_rules(faq, shipped).urgent_from_shipped
    hint = (
        "nothing to do for safety; to adjust the rule, copy it (from its '- name:' line to "
        "the next one) from the shipped file under 'urgent: rules:' here and edit it: a rule "
        "with the same name here replaces the shipped one (README: Upgrading)"
    )
    return [
        Problem(
            str(faq.path),
            1,
            1,
            f"urgent rule {name!r} is applied from the shipped FAQ ({shipped}): this file "
            "has no rule of that name, so the bot screens with the shipped one",
            hint,
            "note",
        )
        for name in applied
    ]
