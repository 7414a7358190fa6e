"""The urgent screen: runs before any matching so an emergency is never answered with an FAQ."""

from __future__ import annotations

import re
from dataclasses import dataclass

from faq.model import UrgentRule
from faq.text import screen_form

# Telegram caps a message at 4096 characters; anything longer is not a real chat message
# and screening only its start keeps a hostile input from costing unbounded regex time.
_MAX_SCREENED_CHARS = 20_000


def compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class _CompiledRule:
    name: str
    any: tuple[re.Pattern[str], ...]
    all_of: tuple[re.Pattern[str], ...]

    def fires(self, text: str) -> bool:
        return any(p.search(text) for p in self.any) and all(p.search(text) for p in self.all_of)


class UrgentScreen:
    def __init__(self, rules: tuple[UrgentRule, ...]) -> None:
        self._rules = tuple(
            _CompiledRule(
                r.name,
                tuple(map(compile_pattern, r.any)),
                tuple(map(compile_pattern, r.all_of)),
            )
            for r in rules
        )

    def check(self, text: str) -> str | None:
        """The name of the first rule the text trips, or None."""
        form = screen_form(text[:_MAX_SCREENED_CHARS])
        return next((r.name for r in self._rules if r.fires(form)), None)
