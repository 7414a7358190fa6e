"""Per-user flood control (past N messages in a window, one notice, then silence) and the
last few messages of each user, read together by the urgent screen."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["ok", "notify", "drop"]


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    notified: bool = False


class FloodGate:
    def __init__(
        self,
        max_messages: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_messages = max_messages
        self.window = window_seconds
        self._clock = clock
        self._users: dict[str, _Window] = {}

    def check(self, user_key: str) -> Verdict:
        """'ok' to answer, 'notify' to send the one slow-down notice, 'drop' to stay quiet."""
        now = self._clock()
        state = self._users.setdefault(user_key, _Window())
        while state.times and now - state.times[0] >= self.window:
            state.times.popleft()
        if not state.times:
            state.notified = False
        if len(state.times) < self.max_messages:
            state.times.append(now)
            return "ok"
        if state.notified:
            # Dropped messages are not counted, so the window really ends for someone
            # who keeps typing.
            return "drop"
        state.notified = True
        return "notify"

    def prune(self) -> None:
        """Forget users idle for a whole window, so memory follows active users only."""
        now = self._clock()
        idle = [
            k for k, s in self._users.items() if not s.times or now - s.times[-1] >= self.window
        ]
        for key in idle:
            del self._users[key]


class RecentTexts:
    """The last few messages of each user, briefly, so an emergency typed in pieces
    ("I can't" ... "breathe") is still recognised. Held in memory for seconds only."""

    def __init__(
        self, keep: int = 3, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.keep = keep
        self.seconds = seconds
        self._clock = clock
        self._users: dict[str, deque[tuple[float, str]]] = {}
        self._pruned_at = clock()

    def add(self, user_key: str, text: str) -> str:
        """Remember `text`; the user's recent messages joined, oldest first."""
        now = self._clock()
        # Group chatter is screened too, so many people pass through here: drop everyone
        # else's expired messages at least once a window, not only in the daily job.
        if now - self._pruned_at >= self.seconds:
            self.prune()
        recent = self._users.setdefault(user_key, deque(maxlen=self.keep))
        while recent and now - recent[0][0] > self.seconds:
            recent.popleft()
        recent.append((now, text[:2000]))
        return "\n".join(t for _, t in recent)

    def forget(self, user_key: str) -> None:
        self._users.pop(user_key, None)

    def prune(self) -> None:
        now = self._clock()
        self._pruned_at = now
        for key in [k for k, r in self._users.items() if not r or now - r[-1][0] > self.seconds]:
            del self._users[key]

    def __len__(self) -> int:
        return len(self._users)


class LastAnswers:
    """The entry each person was last answered with, for a few minutes, so a short
    follow-up ("and how long will that take?") can be read with it. Memory only."""

    def __init__(self, seconds: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._users: dict[str, tuple[float, str]] = {}

    def remember(self, user_key: str, entry_id: str) -> None:
        self._users[user_key] = (self._clock(), entry_id)

    def get(self, user_key: str) -> str | None:
        found = self._users.get(user_key)
        if found is None or self._clock() - found[0] > self.seconds:
            return None
        return found[1]

    def forget(self, user_key: str) -> None:
        self._users.pop(user_key, None)

    def prune(self) -> None:
        now = self._clock()
        for key in [k for k, (at, _) in self._users.items() if now - at > self.seconds]:
            del self._users[key]
