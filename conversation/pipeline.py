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
from conversation.commands import INFO_COMMANDS, Command, asks_how_to_use, parse_command
from conversation.flood import FloodGate, LastAnswers, RecentTexts
from conversation.languages import LanguageChoices, Reading, other_language, read_language
from conversation.recording import ForgetIncompleteError, Recorder
from conversation.replies import Reply
from conversation.staff_review import PREFIX as REVIEW
from conversation.staff_review import StaffReview
from conversation.turns import ButtonResult, Outcome, Press, Speaker, Turn
from conversation.wording import Language, Voice, as_language
from faq.live import Knowledge, LiveFAQ
from faq.matcher import Answer, Clarify, Match, NoMatch, Urgent
from records.store import AnswerHow, MissDecision, Store, UserKey

log = logging.getLogger(__name__)

NO_REPORT = "No usage records are kept here."

# What may follow /language: the language's code, or its name in English or in Hindi.
LANGUAGE_WORDS: dict[str, Language] = {
    "en": "en",
    "english": "en",
    "angrezi": "en",
    "अंग्रेज़ी": "en",
    "अंग्रेजी": "en",
    "hi": "hi",
    "hindi": "hi",
    "हिंदी": "hi",
    "हिन्दी": "hi",
}


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
        serve_unreviewed: bool = True,
        review: StaffReview | None = None,
    ) -> None:
        """`recorder` None records nothing (the console keeps no patient data, so its
        language choice lasts only as long as it runs); `staff_report` makes the /stats
        text, where there are records to report on; `serve_unreviewed` False treats
        translations no clinician has reviewed as missing; `review` serves /review, where
        there are misses to review and a file to edit."""
        self.live = live
        self.recorder = recorder
        self.retention_days = retention_days
        self.flood = flood if flood is not None else FloodGate(8, 30.0)
        self.recent = recent if recent is not None else RecentTexts()
        self.last_answers = LastAnswers()
        self.staff_report = staff_report
        self.serve_unreviewed = serve_unreviewed
        self.languages = LanguageChoices(recorder, retention_days)
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
        urgent = self._urgent(turn.speaker, written)
        if urgent is not None:
            log.info("message handled: decision=urgent")
            rule = urgent.rule
            self._record(lambda s: s.record_urgent(rule))
            reply = replies.urgent_reply(self.knowledge.faq, urgent.language)
            return Outcome((reply,), "hi" if urgent.language in ("hi", "hinglish") else "en")
        if not self._for_this_bot(turn, command):
            return Outcome((), "en")
        reading = read_language(written, self.languages.get(turn.speaker.chat))
        voice = self._voice(reading.language)
        if turn.media:
            return Outcome((replies.media_reply(voice=voice),), reading.language)
        if command is None:
            return self._offer(reading, self._question(turn.speaker, turn.text, voice))
        if command.kind == "forget":
            return Outcome((self._forget(turn.speaker, voice),), reading.language)
        if command.kind == "staff":
            return Outcome(self._staff(turn, command, voice), reading.language)
        if command.kind == "language":
            said = self._language(turn.speaker, command, voice)
            # Worded in the language just chosen, if one was.
            return Outcome((said,), self.languages.get(turn.speaker.chat) or reading.language)
        if command.kind == "start":
            return self._offer(reading, (self._start(turn.speaker, command.argument, voice),))
        if command.kind == "info":
            return self._offer(reading, (self._info(command.name, voice),))
        # Any other command ("/sos I can't breathe", a mistyped one): what follows is read
        # as a question; with nothing after it, the patient needs to know what to type.
        return self._offer(reading, self._question(turn.speaker, command.argument, voice))

    def _offer(self, reading: Reading, said: tuple[Reply, ...]) -> Outcome:
        """The replies, each with the one-tap language switch where the reading offers one."""
        if reading.switch_to is not None:
            hindi = self._voice("hi")
            said = tuple(replies.switch_button(r, reading.switch_to, hindi=hindi) for r in said)
        return Outcome(said, reading.language)

    def _voice(self, language: Language) -> Voice:
        return Voice.of(self.knowledge.faq, language, serve_unreviewed=self.serve_unreviewed)

    def _urgent(self, speaker: Speaker, text: str) -> Urgent | None:
        """The urgent decision for `text`, or for it read together with the speaker's last
        few messages (an emergency typed in pieces)."""
        if not text.strip():
            return None
        matcher = self.knowledge.matcher
        with self._lock:
            so_far = self.recent.add(speaker.key, text)
        urgent = matcher.urgent(text) or matcher.urgent(so_far)
        if urgent is not None:
            # Answered: the next message is read on its own, not as more of the emergency.
            with self._lock:
                self.recent.forget(speaker.key)
        return urgent

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

    def _start(self, speaker: Speaker, argument: str, voice: Voice) -> Reply:
        faq = self.knowledge.faq
        payload = argument.split()[0] if argument else ""
        entry = faq.entry(payload) if payload else None
        if entry is None:
            return replies.welcome_reply(faq, voice=voice)
        self._answered(entry.id, speaker.user, "deeplink")
        return replies.answer_reply(faq, entry, voice=voice)

    def _info(self, name: str, voice: Voice) -> Reply:
        faq = self.knowledge.faq
        if name == "topics":
            return replies.topics_reply(faq, voice=voice)
        if name == "sources":
            return replies.sources_reply(faq, voice=voice)
        if name == "contact":
            return replies.contact_reply(faq, voice=voice)
        if name == "privacy":
            return replies.privacy_reply(faq, self.retention_days, voice=voice)
        return replies.help_reply(faq, voice=voice)

    def _question(self, speaker: Speaker, text: str, voice: Voice) -> tuple[Reply, ...]:
        """A question to match. Flood control applies here, where the work is; fixed
        texts (commands, buttons) are cheap, and an urgent message never gets this far."""
        knowledge = self.knowledge
        if not text.strip() or asks_how_to_use(text):
            return (replies.help_reply(knowledge.faq, voice=voice),)
        with self._lock:
            verdict = self.flood.check(speaker.key)
        if verdict == "drop":
            return ()
        if verdict == "notify":
            return (replies.slow_down_reply(voice=voice),)
        with self._lock:
            context = self.last_answers.get(speaker.key)
        decision = knowledge.matcher.decide(text, context)
        log.info("message handled: decision=%s", decision.kind)  # never the text itself
        if isinstance(decision, Urgent):
            with self._lock:
                self.recent.forget(speaker.key)
        elif isinstance(decision, Answer):
            self._answered(decision.match.entry.id, speaker.user, "match")
            with self._lock:
                self.last_answers.remember(speaker.key, decision.match.entry.id)
        elif isinstance(decision, Clarify):
            self._record_miss(speaker.user, text, "clarify", decision.candidates[0])
        elif isinstance(decision, NoMatch):
            self._record_miss(speaker.user, text, "none", next(iter(decision.nearest), None))
        return (replies.reply_for(knowledge.faq, decision, voice=voice),)

    def _forget(self, speaker: Speaker, voice: Voice) -> Reply:
        with self._lock:
            self.recent.forget(speaker.key)
            self.last_answers.forget(speaker.key)
        try:
            removed = self.recorder.forget(speaker.user) if self.recorder is not None else 0
        except ForgetIncompleteError as exc:
            log.warning("/forget could not finish: %s", exc)
            self.languages.forget(speaker.user)
            return replies.forget_incomplete_reply(voice=voice)
        # The stored choice went with the rest; this drops the copy in memory (the only
        # copy in the console, which stores nothing).
        in_memory = self.languages.forget(speaker.user)
        if self.recorder is None:
            removed = in_memory
        # The language the patient had chosen is gone too: answer in the message's own.
        return replies.forgotten_reply(removed, voice=voice)

    def _language(self, speaker: Speaker, command: Command, voice: Voice) -> Reply:
        """/language hi, /language en, or /language alone (or unreadable): the two buttons."""
        words = command.argument.casefold().split()
        chosen = LANGUAGE_WORDS.get(words[0]) if words else None
        if chosen is None:
            return replies.language_choice_reply(voice=voice)
        self.languages.set(speaker.chat, speaker.user, chosen)
        return replies.language_set_reply(voice=self._voice(chosen))

    def _staff(self, turn: Turn, command: Command, voice: Voice) -> tuple[Reply, ...]:
        """/reload, /stats and /review: for staff, and only in a private chat, so the
        clinic's figures and patients' questions are never posted into a group. Anyone
        else gets the ordinary fallback."""
        faq = self.knowledge.faq
        if not turn.staff:
            return (replies.fallback_reply(faq, voice=voice),)
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
        if press.data.startswith(f"{REVIEW}:") and press.staff and self.review is not None:
            return self.review.press(press.speaker.user, press.data)
        speaker = press.speaker
        shown_in, data = replies.read_payload(press.data)
        kind, _, rest = data.partition(":")
        if kind == replies.SWITCH:
            target_code, _, resend = rest.partition(":")
            target = as_language(target_code)
            if target is not None:
                return self._switch(speaker, target, resend)
        # A remembered choice wins over the language the button was shown in, so an old
        # Hindi message's buttons answer in English once the patient has chosen English.
        language = self.languages.get(speaker.chat) or shown_in
        voice = self._voice(language)
        result = self._button(speaker, kind, rest, voice, record=True)
        if result is not None:
            return result
        # A button from before an FAQ edit, or a payload nobody could have been shown.
        return ButtonResult(
            replies.stale_button_reply(voice=voice),
            replies.stale_button_toast(voice=voice),
            language=language,
        )

    def _switch(self, speaker: Speaker, target: Language, resend: str) -> ButtonResult:
        """The switch button or a /language button: remember the choice, then send the
        reply it was under again in that language (with the way back), or confirm."""
        self.languages.set(speaker.chat, speaker.user, target)
        voice = self._voice(target)
        kind, _, rest = resend.partition(":")
        again = self._button(speaker, kind, rest, voice, record=False) if resend else None
        if again is None or again.reply is None:
            return ButtonResult(replies.language_set_reply(voice=voice), language=target)
        back = replies.switch_button(again.reply, other_language(target), hindi=self._voice("hi"))
        return ButtonResult(back, again.toast, replace=False, language=target)

    def _button(
        self, speaker: Speaker, kind: str, rest: str, voice: Voice, *, record: bool
    ) -> ButtonResult | None:
        """What a button's payload produces in `voice`; None for an unknown or stale one."""
        faq = self.knowledge.faq
        user = speaker.user
        language = voice.language
        if kind == replies.TOPICS:
            return ButtonResult(
                replies.topics_reply(faq, voice=voice), replace=True, language=language
            )
        if kind == replies.TOPIC:
            topic = replies.topic_reply(faq, rest, voice=voice)
            if topic is not None:
                return ButtonResult(topic, replace=True, language=language)
        elif kind == replies.ANSWER:
            entry = faq.entry(rest)
            if entry is not None:
                if record:
                    self._answered(entry.id, user, "button")
                    with self._lock:
                        self.last_answers.remember(speaker.key, entry.id)
                return ButtonResult(
                    replies.answer_reply(faq, entry, voice=voice), language=language
                )
        elif kind == replies.COMMAND:
            if rest == "start":
                return ButtonResult(replies.welcome_reply(faq, voice=voice), language=language)
            if rest in INFO_COMMANDS:
                return ButtonResult(self._info(rest, voice), language=language)
        elif kind == replies.FEEDBACK and record:
            entry_id, _, vote = rest.rpartition(":")
            if faq.entry(entry_id) is not None and vote in ("0", "1"):
                helpful = vote == "1"
                self._record(lambda s: s.record_feedback(entry_id, user, helpful))
                return ButtonResult(None, replies.feedback_toast(voice=voice), language=language)
        return None

    # -- upkeep and records ---------------------------------------------------------------

    def prune(self) -> None:
        """Forget idle users' flood windows and recent messages, and language choices
        older than the retention period."""
        with self._lock:
            self.flood.prune()
            self.recent.prune()
            self.last_answers.prune()
        self.languages.prune()

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
