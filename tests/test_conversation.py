"""The conversation layer on its own, and the console chat that is its simplest front end."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

from bot.console import run_console
from bot.recorder import UsageWriter
from conversation.commands import parse_command
from conversation.flood import FloodGate, LastAnswers, RecentTexts
from conversation.pipeline import Conversation
from conversation.replies import Block, Reply
from conversation.turns import Outcome, Press, Speaker, Turn
from faq.live import LiveFAQ
from records.store import Store, UserKey

PATIENT = Speaker(UserKey("patient"), "chat-1")


@pytest.fixture(scope="module")
def live() -> LiveFAQ:
    shipped = LiveFAQ()
    shipped.load()
    return shipped


@pytest.fixture
def conv(live: LiveFAQ) -> Conversation:
    return Conversation(live, None)


def console(*lines: str) -> str:
    out = io.StringIO()
    assert run_console(LiveFAQ(), io.StringIO("".join(f"{x}\n" for x in lines)), out) == 0
    return out.getvalue()


def replies_to(console_output: str) -> list[str]:
    """What the console printed after each line typed (the banner and welcome dropped)."""
    return [part.removesuffix("\nGoodbye.\n") for part in console_output.split("you> ")[1:]]


def text_of(outcome: Outcome) -> str:
    return "\n".join(b.text for r in outcome.replies for b in r.blocks)


def is_urgent(outcome: Outcome) -> bool:
    return [r.kind for r in outcome.replies] == ["urgent"]


# -- the console: each way an emergency or a command used to slip through -----------------


def test_console_contact_with_an_emergency_after_it_gets_the_urgent_reply() -> None:
    """'/contact my son is choking…' is screened like any message, not shown the contact text."""
    (reply, _) = replies_to(console("/contact my son is choking and cant breathe"))
    assert "14416" in reply
    assert "CONTACTING" not in reply


def test_console_help_with_an_overdose_after_it_gets_the_urgent_reply() -> None:
    """'/help i took all my pills' gets the urgent reply, not the help text."""
    (reply, _) = replies_to(console("/help i took all my pills"))
    assert "14416" in reply
    assert "/topics browse all questions" not in reply


def test_console_reads_an_emergency_typed_in_two_messages_together() -> None:
    """'I can't' then 'breathe' is one emergency, as on Telegram."""
    first, second, _ = replies_to(console("I can't", "breathe"))
    assert "14416" not in first
    assert "14416" in second


def test_console_forget_says_what_was_deleted() -> None:
    """/forget (which /help lists) is a command, not a question that gets the fallback."""
    (reply, _) = replies_to(console("/forget"))
    assert "Done: deleted nothing stored about you." in reply


def test_console_unknown_command_without_a_question_gets_help() -> None:
    """'/foo' alone: the help text, as on Telegram."""
    (reply, _) = replies_to(console("/foo"))
    assert "/topics browse all questions" in reply


def test_console_says_at_start_that_it_keeps_no_data() -> None:
    """The console is honest that staff reports never fill from it."""
    banner = console().split("you> ")[0]
    assert "Nothing typed here is stored" in banner
    assert "faq misses" in banner


# -- commands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "argument", "target"),
    [
        ("/help", "help", "", ""),
        ("/HELP@Some_Bot  why  ", "help", "why", "Some_Bot"),
        ("/start sensory-trick", "start", "sensory-trick", ""),
        ("  /sos I can't breathe", "sos", "I can't breathe", ""),
    ],
)
def test_commands_are_read_with_their_argument_and_target(
    text: str, name: str, argument: str, target: str
) -> None:
    """A command's name is case-insensitive; the text after it is kept as typed."""
    command = parse_command(text)
    assert command is not None
    assert (command.name, command.argument, command.target) == (name, argument, target)


@pytest.mark.parametrize("text", ["what is dystonia", "/", "/ help", "/sos,help", "a/b"])
def test_ordinary_text_is_not_a_command(text: str) -> None:
    """Only Telegram's command syntax counts as a command."""
    assert parse_command(text) is None


# -- group rules --------------------------------------------------------------------------


def in_group(text: str, *, addressed: bool = False, media: bool = False) -> Turn:
    return Turn(PATIENT, text, media=media, private=False, addressed=addressed)


def test_unaddressed_group_chatter_gets_no_reply(conv: Conversation) -> None:
    """Group members talking among themselves are left alone."""
    assert conv.handle(in_group("does stress make it worse")).replies == ()


def test_an_urgent_unaddressed_group_message_gets_the_urgent_reply(conv: Conversation) -> None:
    """An emergency in a group is answered whoever it was addressed to."""
    assert is_urgent(conv.handle(in_group("my dad is choking on his food")))


def test_an_urgent_caption_in_a_group_gets_the_urgent_reply(conv: Conversation) -> None:
    """A photo's caption is screened too, even though media otherwise gets no reply there."""
    assert is_urgent(conv.handle(in_group("I can't breathe", media=True)))
    assert conv.handle(in_group("our picnic", media=True)).replies == ()


def test_group_commands_for_another_bot_or_unknown_get_no_reply(conv: Conversation) -> None:
    """'/help@otherbot' and a bare unknown '/sos' may belong to another bot in the group."""
    assert conv.handle(in_group("/help@other_bot")).replies == ()
    assert conv.handle(in_group("/sos")).replies == ()
    assert conv.handle(in_group("/sos", addressed=True)).replies[0].kind == "info"


def test_a_known_command_in_a_group_is_answered(conv: Conversation) -> None:
    """'/help' in a group names no other bot, so it is for this one."""
    assert "/topics" in text_of(conv.handle(in_group("/help")))


# -- flood control, staff, buttons, language ----------------------------------------------


def test_flood_control_never_holds_back_an_urgent_reply(live: LiveFAQ) -> None:
    """Past the limit questions get one notice then silence; an emergency still gets through."""
    conv = Conversation(live, None, flood=FloodGate(2, 60.0, clock=lambda: 0.0))
    said = [conv.handle(Turn(PATIENT, "what is dystonia")) for _ in range(4)]
    assert [len(o.replies) for o in said] == [1, 1, 1, 0]
    assert "very quickly" in text_of(said[2])
    assert is_urgent(conv.handle(Turn(PATIENT, "I took 30 sleeping pills")))


def test_recent_messages_are_read_together_per_chat_and_person(conv: Conversation) -> None:
    """The same person in another chat, or another person in this one, is not joined up."""
    other_chat = Speaker(PATIENT.user, "chat-2")
    other_person = Speaker(UserKey("someone-else"), PATIENT.chat)
    conv.handle(Turn(PATIENT, "I can't"))
    assert not is_urgent(conv.handle(Turn(other_chat, "breathe")))
    assert not is_urgent(conv.handle(Turn(other_person, "breathe")))
    assert is_urgent(conv.handle(Turn(PATIENT, "breathe")))


def test_after_an_urgent_reply_the_next_message_is_read_on_its_own(conv: Conversation) -> None:
    """One emergency gets one urgent reply; the question after it gets its answer."""
    assert is_urgent(conv.handle(Turn(PATIENT, "I can't breathe")))
    after = conv.handle(Turn(PATIENT, "what is dystonia"))
    assert after.replies[0].kind == "answer"


def test_staff_commands_need_staff_and_a_private_chat(live: LiveFAQ) -> None:
    """/stats is the report for staff in private, a pointer in groups, the fallback for others."""
    conv = Conversation(live, None, staff_report=lambda: "stress  3")
    staff = conv.handle(Turn(PATIENT, "/stats", staff=True))
    assert staff.replies[0].blocks == (Block("pre", "stress  3"),)
    in_group = conv.handle(Turn(PATIENT, "/stats", staff=True, private=False))
    assert "private chat" in text_of(in_group)
    patient = conv.handle(Turn(PATIENT, "/stats"))
    assert patient.replies[0].kind == "none"


def test_a_button_from_before_an_faq_edit_says_it_is_out_of_date(conv: Conversation) -> None:
    """A stale or forged payload gets the 'moved' reply and a toast, never an error."""
    for data in ("a:retired-entry", "t:no-topic", "f:stress:7", "zzz", ""):
        result = conv.press(Press(PATIENT, data))
        assert result.toast == "That button is out of date."
        assert isinstance(result.reply, Reply)
        assert "moved" in result.reply.blocks[0].text


def test_every_outcome_carries_the_language_it_was_answered_in(conv: Conversation) -> None:
    """An English question and an English button are answered, and labelled, in English."""
    outcome = conv.handle(Turn(PATIENT, "what is dystonia"))
    assert outcome.language == "en"
    assert conv.press(Press(PATIENT, "T")).language == "en"


def test_recent_messages_of_people_who_went_quiet_do_not_pile_up() -> None:
    """Once a window has passed, the next message drops everyone else's expired ones."""
    now = [0.0]
    recent = RecentTexts(seconds=60.0, clock=lambda: now[0])
    for i in range(100):
        recent.add(f"group-member-{i}", "hello everyone")
    now[0] = 61.0
    recent.add("someone", "hi")
    assert len(recent) == 1


def test_the_conversation_package_knows_nothing_of_its_front_ends() -> None:
    """Imports point one way: front ends -> conversation -> faq."""
    package = Path(__file__).resolve().parents[1] / "conversation"
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in ("bot", "telegram"), f"{module.name}: {name}"


# -- follow-ups: a short question read with the answer just given ---------------------------

FOLLOW_UP = "how long does it last?"
TOUCH_QUESTION = "why does resting my fingers on my jaw calm the twisting"


def entry_of(outcome: Outcome) -> str | None:
    return outcome.replies[0].entry_id if outcome.replies else None


def test_a_short_follow_up_is_read_with_the_answer_it_follows(conv: Conversation) -> None:
    """'How long does it last?' right after the touch answer is about the touch."""
    assert entry_of(conv.handle(Turn(PATIENT, TOUCH_QUESTION))) == "sensory-trick"
    assert entry_of(conv.handle(Turn(PATIENT, FOLLOW_UP))) == "sensory-trick"


def test_a_follow_up_without_an_answer_before_it_is_not_guessed(conv: Conversation) -> None:
    """Without context the same words only get suggestions, never the touch answer."""
    outcome = conv.handle(Turn(PATIENT, FOLLOW_UP))
    assert outcome.replies[0].kind != "answer"


def test_the_context_is_per_person_and_expires(conv: Conversation) -> None:
    """Another chat does not inherit it, and after a few minutes it is gone."""
    now = [0.0]
    conv.last_answers = LastAnswers(seconds=300, clock=lambda: now[0])
    conv.handle(Turn(PATIENT, TOUCH_QUESTION))
    other = Speaker(UserKey("someone-else"), "chat-2")
    assert conv.handle(Turn(other, FOLLOW_UP)).replies[0].kind != "answer"
    now[0] = 301.0
    assert conv.handle(Turn(PATIENT, FOLLOW_UP)).replies[0].kind != "answer"


def test_forget_drops_the_follow_up_context(conv: Conversation) -> None:
    """/forget leaves nothing about the person behind, in memory either."""
    conv.handle(Turn(PATIENT, TOUCH_QUESTION))
    conv.handle(Turn(PATIENT, "/forget"))
    assert conv.handle(Turn(PATIENT, FOLLOW_UP)).replies[0].kind != "answer"


def test_an_urgent_reply_is_counted_by_rule_without_the_message(
    live: LiveFAQ, tmp_path: Path
) -> None:
    """The usage database learns that the urgent reply went out and why, nothing more."""
    writer = UsageWriter(tmp_path)
    writer.start()
    try:
        outcome = Conversation(live, writer).handle(Turn(PATIENT, "my dad is choking on food"))
        assert is_urgent(outcome)
    finally:
        writer.stop()
    with Store(tmp_path) as store:
        assert store.urgent_per_rule(1) == {"choking": 1}
        assert store.misses(1) == []


@pytest.mark.parametrize("text", ["help", "HELP?", "madad"])
def test_help_typed_on_its_own_gets_the_help_reply(conv: Conversation, text: str) -> None:
    """ "help" asks how the bot works: neither the urgent reply nor "Thank you"."""
    outcome = conv.handle(Turn(PATIENT, text))
    assert [r.kind for r in outcome.replies] == [
        conv.handle(Turn(PATIENT, "/help")).replies[0].kind
    ]
    assert text_of(outcome) == text_of(conv.handle(Turn(PATIENT, "/help")))


@pytest.mark.parametrize("text", ["help me", "please help", "koi madad karo"])
def test_a_call_for_help_is_still_urgent(conv: Conversation, text: str) -> None:
    assert is_urgent(conv.handle(Turn(PATIENT, text)))
