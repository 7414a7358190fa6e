"""Problems found in an FAQ file, located so staff can jump straight to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# A note is information for staff (shown with --verbose); it never asks for a change.
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        text = f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class FAQError(Exception):
    """The FAQ file cannot be used. Carries every error found, each with its location."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(p for p in problems if p.severity == "error")
        if not self.problems:
            raise ValueError("FAQError needs at least one error")
        super().__init__("\n".join(str(p) for p in self.problems))
