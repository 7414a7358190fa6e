"""Problems found in an FAQ file, located so staff can jump straight to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "info": what staff should know, not something to fix (it is not counted as a warning).
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = {"error": "", "warning": "warning: ", "info": "note: "}[self.severity]
        text = f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class FAQError(Exception):
    """The FAQ file cannot be used. Carries every error found, each with its location."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(p for p in problems if p.severity == "error")
        if not self.problems:
            raise ValueError("FAQError needs at least one error")
        super().__init__("\n".join(str(p) for p in self.problems))
