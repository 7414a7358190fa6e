"""The conversation: a Turn or a Press in, what to say out, usage recorded.

Every front end (Telegram, the console, any later one) calls only `handle` and `press`,
so the urgent screen, commands, buttons, flood control, group rules, recording and wording
are the same wherever a patient types. Calls are CPU-bound (matching) and may touch the
database (/forget, /stats, /reload): an async front end runs them in a worker thread, and
several may run at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from conversation import replies
from conversation.commands import Command, parse_command
from conversation.flood import FloodGate, RecentTexts
from conversation.recording import Recorder
from conversation.replies import Reply
from conversation.staff_review import PREFIX as REVIEW
from conversation.staff_review import StaffReview
from conversation.turns import ButtonResult, Outcome, Press, Speaker, Turn
from faq.live import Knowledge, LiveFAQ
from faq.matcher import Answer, Clarify, Match, NoMatch, Urgent
from faq.store import AnswerHow, MissDecision, Store, UserKey

log = logging.getLogger(__name__)

NO_REPORT = "No usage records are kept here."


class Conversation:
    def __init__(
        self,
        live: LiveFAQ,
        recorder: Recorder | None,
        *,
        retention_days: int = 90,
        flood: FloodGate | None = None,
        recent: RecentTexts | None = None,
        staff_report: Callable[[], str] | None = None,
        review: StaffReview | None = None,
    ) -> None:
        """`recorder` None records nothing (the console keeps no patient data);
        `staff_report` makes the /stats text, where there are records to report on;
        `review` serves /review, where there are misses to review and a file to edit."""
        self.live = live
        self.recorder = recorder
        self.retention_days = retention_days
        self.flood = flood if flood is not None else FloodGate(8, 30.0)
        self.recent = recent if recent is not None else RecentTexts()
        self.staff_report = staff_report
        self.review = review
        # Front ends may call from several threads at once; this guards the per-user state.
        self._lock = threading.Lock()

    @property
    def knowledge(self) -> Knowledge:
        return self.live.current

    # -- turns ----------------------------------------------------------------------------

    def handle(self, turn: Turn) -> Outcome:
        """What to say to one message (text, command or media), in order."""
        command = None if turn.media else parse_command(turn.text)
        # The urgent screen reads what the patient wrote: the message, the text after a
        # command (a deep-link payload included) or a caption, and their last few
        # messages together. It runs before every other rule, so group rules and flood
        # control never hold back an urgent reply.
        written = command.argument if command is not None else turn.text
        if self._urgent(turn.speaker, written):
            log.info("message handled: decision=urgent")
            return self._say(turn, replies.urgent_reply(self.knowledge.faq))
        if not self._for_this_bot(turn, command):
            return self._say(turn)
        if turn.media:
            return self._say(turn, replies.media_reply())
        if command is None:
            return self._say(turn, *self._question(turn.speaker, turn.text))
        if command.kind == "forget":
            return self._say(turn, self._forget(turn.speaker))
        if command.kind == "staff":
            return self._say(turn, *self._staff(turn, command))
        if command.kind == "start":
            return self._say(turn, self._start(turn.speaker, command.argument))
        if command.kind == "info":
            return self._say(turn, self._info(command.name))
        # Any other command ("/sos I can't breathe", a mistyped one): what follows is read
        # as a question; with nothing after it, the patient needs to know what to type.
        return self._say(turn, *self._question(turn.speaker, command.argument))

    def _say(self, turn: Turn, *said: Reply) -> Outcome:
        return Outcome(said, turn.language)

    def _urgent(self, speaker: Speaker, text: str) -> bool:
        if not text.strip():
            return False
        matcher = self.knowledge.matcher
        with self._lock:
            so_far = self.recent.add(speaker.key, text)
        if matcher.urgent_rule(text) is None and matcher.urgent_rule(so_far) is None:
            return False
        # Answered: the next message is read on its own, not as more of the emergency.
        with self._lock:
            self.recent.forget(speaker.key)
        return True

    def _for_this_bot(self, turn: Turn, command: Command | None) -> bool:
        """Group rules. A private chat is all for the bot. In a group, a known command is
        for it unless it names another bot; anything else only if addressed to it."""
        if turn.private:
            return True
        if turn.media:
            return False
        if turn.addressed:
            return True
        return command is not None and not command.target and command.kind != "unknown"

    def _start(self, speaker: Speaker, argument: str) -> Reply:
        faq = self.knowledge.faq
        payload = argument.split()[0] if argument else ""
        entry = faq.entry(payload) if payload else None
        if entry is None:
            return replies.welcome_reply(faq)
        self._answered(entry.id, speaker.user, "deeplink")
        return replies.answer_reply(faq, entry)

    def _info(self, name: str) -> Reply:
        faq = self.knowledge.faq
        if name == "topics":
            return replies.topics_reply(faq)
        if name == "sources":
            return replies.sources_reply(faq)
        if name == "contact":
            return replies.contact_reply(faq)
        if name == "privacy":
            return replies.privacy_reply(faq, self.retention_days)
        return replies.help_reply(faq)

    def _question(self, speaker: Speaker, text: str) -> tuple[Reply, ...]:
        """A question to match. Flood control applies here, where the work is; fixed
        texts (commands, buttons) are cheap, and an urgent message never gets this far."""
        knowledge = self.knowledge
        if not text.strip():
            return (replies.help_reply(knowledge.faq),)
        with self._lock:
            verdict = self.flood.check(speaker.key)
        if verdict == "drop":
            return ()
        if verdict == "notify":
            return (replies.slow_down_reply(),)
        decision = knowledge.matcher.decide(text)
        log.info("message handled: decision=%s", decision.kind)  # never the text itself
        if isinstance(decision, Urgent):
            with self._lock:
                self.recent.forget(speaker.key)
        elif isinstance(decision, Answer):
            self._answered(decision.match.entry.id, speaker.user, "match")
        elif isinstance(decision, Clarify):
            self._record_miss(speaker.user, text, "clarify", decision.candidates[0])
        elif isinstance(decision, NoMatch):
            self._record_miss(speaker.user, text, "none", next(iter(decision.nearest), None))
        return (replies.reply_for(knowledge.faq, decision),)

    def _forget(self, speaker: Speaker) -> Reply:
        with self._lock:
            self.recent.forget(speaker.key)
        removed = self.recorder.forget(speaker.user) if self.recorder is not None else 0
        return replies.forgotten_reply(removed)

    def _staff(self, turn: Turn, command: Command) -> tuple[Reply, ...]:
        """/reload, /stats and /review: for staff, and only in a private chat, so the
        clinic's figures and patients' questions are never posted into a group. Anyone
        else gets the ordinary fallback."""
        faq = self.knowledge.faq
        if not turn.staff:
            return (replies.fallback_reply(faq),)
        if not turn.private:
            return (replies.staff_in_private_reply(command.name),)
        if command.name == "reload":
            result = self.live.refresh(force=True)
            return (replies.reload_reply(result, self.knowledge.faq),)
        if command.name == "review":
            if self.review is None:
                return (replies.stats_reply(NO_REPORT),)
            if command.argument.lower().startswith("history"):
                return (self.review.history(),)
            return self.review.digest()
        report = self.staff_report() if self.staff_report is not None else NO_REPORT
        return (replies.stats_reply(report),)

    # -- buttons --------------------------------------------------------------------------

    def press(self, press: Press) -> ButtonResult:
        faq = self.knowledge.faq
        user = press.speaker.user
        kind, _, rest = press.data.partition(":")
        if kind == REVIEW and press.staff and self.review is not None:
            return self.review.press(user, press.data)
        if kind == replies.TOPICS:
            return ButtonResult(replies.topics_reply(faq), replace=True, language=press.language)
        if kind == replies.TOPIC:
            topic = replies.topic_reply(faq, rest)
            if topic is not None:
                return ButtonResult(topic, replace=True, language=press.language)
        elif kind == replies.ANSWER:
            entry = faq.entry(rest)
            if entry is not None:
                self._answered(entry.id, user, "button")
                return ButtonResult(replies.answer_reply(faq, entry), language=press.language)
        elif kind == replies.FEEDBACK:
            entry_id, _, vote = rest.rpartition(":")
            if faq.entry(entry_id) is not None and vote in ("0", "1"):
                helpful = vote == "1"
                self._record(lambda s: s.record_feedback(entry_id, user, helpful))
                return ButtonResult(None, "Thank you for your feedback.", language=press.language)
        # A button from before an FAQ edit, or a payload nobody could have been shown.
        return ButtonResult(
            replies.stale_button_reply(), "That button is out of date.", language=press.language
        )

    # -- upkeep and records ---------------------------------------------------------------

    def prune(self) -> None:
        """Forget idle users' flood windows and recent messages."""
        with self._lock:
            self.flood.prune()
            self.recent.prune()

    def _record(self, write: Callable[[Store], object]) -> None:
        if self.recorder is not None:
            self.recorder.add(write)

    def _record_miss(
        self, user: UserKey, text: str, decision: MissDecision, best: Match | None
    ) -> None:
        entry_id, score = (best.entry.id, best.score) if best else (None, None)
        self._record(lambda s: s.record_question(text, decision, user, entry_id, score))

    def _answered(self, entry_id: str, user: UserKey, how: AnswerHow) -> None:
        self._record(lambda s: s.record_answer(entry_id, user, how))
