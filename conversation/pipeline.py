"""One pipeline for every chat front end: text or button in, Reply out, usage recorded.

The Telegram handlers and the console both call this, so the urgent screen, matching,
recording and wording are the same wherever a patient types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.recorder import QueuedRecorder
from conversation import replies
from conversation.replies import Reply
from faq.live import Knowledge, LiveFAQ
from faq.matcher import Answer, Clarify, Decision, Match, NoMatch
from faq.store import AnswerHow, MissDecision, Store, UserKey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ButtonResult:
    """What a button press produces: a reply (or None), the toast text, and whether the
    reply should replace the message that carried the button (menus) or follow it."""

    reply: Reply | None
    toast: str = ""
    replace: bool = False


class Conversation:
    def __init__(
        self, live: LiveFAQ, recorder: QueuedRecorder | None, retention_days: int = 90
    ) -> None:
        """`recorder` None records nothing: the console keeps no patient data."""
        self.live = live
        self.recorder = recorder
        self.retention_days = retention_days

    @property
    def knowledge(self) -> Knowledge:
        return self.live.current

    def decide(self, text: str) -> Decision:
        return self.knowledge.matcher.decide(text)

    def on_text(self, user_key: UserKey, text: str, decision: Decision | None = None) -> Reply:
        """The reply to `text`; pass `decision` if the caller already made it."""
        knowledge = self.knowledge
        if decision is None:
            decision = knowledge.matcher.decide(text)
        log.info("message handled: decision=%s", decision.kind)  # never the text itself
        if isinstance(decision, Answer):
            self._answered(decision.match.entry.id, user_key, "match")
        elif isinstance(decision, Clarify):
            self._record_miss(user_key, text, "clarify", decision.candidates[0])
        elif isinstance(decision, NoMatch):
            self._record_miss(user_key, text, "none", next(iter(decision.nearest), None))
        return replies.reply_for(knowledge.faq, decision)

    def _record(self, write: Callable[[Store], object]) -> None:
        if self.recorder is not None:
            self.recorder.add(write)

    def _record_miss(
        self, user_key: UserKey, text: str, decision: MissDecision, best: Match | None
    ) -> None:
        entry_id, score = (best.entry.id, best.score) if best else (None, None)
        self._record(lambda s: s.record_question(text, decision, user_key, entry_id, score))

    def _answered(self, entry_id: str, user_key: UserKey, how: AnswerHow) -> None:
        self._record(lambda s: s.record_answer(entry_id, user_key, how))

    def on_start(self, user_key: UserKey, payload: str | None) -> list[Reply]:
        faq = self.knowledge.faq
        entry = faq.entry(payload.strip()) if payload else None
        if entry is not None:
            self._answered(entry.id, user_key, "deeplink")
            return [replies.answer_reply(faq, entry)]
        return [replies.welcome_reply(faq)]

    def on_button(self, user_key: UserKey, data: str) -> ButtonResult:
        faq = self.knowledge.faq
        kind, _, rest = data.partition(":")
        if kind == replies.TOPICS:
            return ButtonResult(replies.topics_reply(faq), replace=True)
        if kind == replies.TOPIC:
            topic = replies.topic_reply(faq, rest)
            if topic is not None:
                return ButtonResult(topic, replace=True)
        elif kind == replies.ANSWER:
            entry = faq.entry(rest)
            if entry is not None:
                self._answered(entry.id, user_key, "button")
                return ButtonResult(replies.answer_reply(faq, entry))
        elif kind == replies.FEEDBACK:
            entry_id, _, vote = rest.rpartition(":")
            if faq.entry(entry_id) is not None and vote in ("0", "1"):
                helpful = vote == "1"
                self._record(lambda s: s.record_feedback(entry_id, user_key, helpful))
                return ButtonResult(None, "Thank you for your feedback.")
        return ButtonResult(replies.stale_button_reply(), "That button is out of date.")

    def on_forget(self, user_key: UserKey) -> Reply:
        removed = self.recorder.forget(user_key) if self.recorder is not None else 0
        return replies.forgotten_reply(removed)

    def info(self, command: str) -> Reply:
        faq = self.knowledge.faq
        if command == "help":
            return replies.help_reply(faq)
        if command == "topics":
            return replies.topics_reply(faq)
        if command == "sources":
            return replies.sources_reply(faq)
        if command == "contact":
            return replies.contact_reply(faq)
        if command == "privacy":
            return replies.privacy_reply(faq, self.retention_days)
        return replies.fallback_reply(faq)
