"""The Hindi wording file: complete as shipped, and every mistake in it reported where it is.

Each checker test copies the shipped FAQ and its Hindi file, changes one thing in the Hindi
file, and finds the expected line and column by searching the changed text, so they never
come from the checker itself.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
from pathlib import Path

import pytest

import conversation.replies
from bot.settings import load_settings
from conversation.commands import PUBLIC_COMMANDS as COMMANDS
from faq.fixed_texts import BOT_TEXTS, FAQ_TEXTS, TEXT_KEYS, english_placeholders
from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.problems import Problem
from faq.translation_check import add_translation_problems, review_problems, script_share
from faq.translations import translation_path
from staff.cli import main

SHIPPED_HI = translation_path(DEFAULT_FAQ_PATH, "hi")

# Which `texts:` keys carry the wording of each reply in conversation/replies.py.
REPLY_TEXTS = {
    "answer_reply": {"answer_sources", "button_see_also", "button_helpful", "button_not_helpful"},
    "urgent_reply": {"urgent_message"},
    "other_script_reply": {"other_script_note"},
    "clarify_reply": {"clarify", "button_none_of_these"},
    "fallback_reply": {"fallback", "button_browse_topics"},
    "not_covered_reply": {"disclaimer", "button_browse_topics", "missing_translation_note"},
    "welcome_reply": {"welcome", "disclaimer"},
    "help_reply": {"help"},
    "topics_reply": {"topics"},
    "topic_reply": {"button_back_to_topics"},
    "sources_reply": {"sources_title", "sources_answers", "sources_references"},
    "contact_reply": {"contact_title", "contact_missing"},
    "privacy_reply": {"privacy"},
    "forgotten_reply": {"forgotten", "forgotten_nothing"},
    "stale_button_reply": {"stale_button", "button_browse_topics"},
    "media_reply": {"media"},
    "slow_down_reply": {"slow_down"},
    "apology_reply": {"apology"},
    "forget_incomplete_reply": {"forget_incomplete"},
    "language_choice_reply": {"language_choose"},
    "language_set_reply": {"language_set"},
}
# Replies only clinic staff see (admins' /reload and /stats): staff read English.
STAFF_REPLIES = {"reload_reply", "stats_reply", "staff_in_private_reply"}


@pytest.fixture
def hindi(tmp_path: Path) -> Path:
    """A copy of the shipped FAQ and its Hindi file; returns the Hindi file's path."""
    faq_path = tmp_path / "faq.yaml"
    shutil.copy(DEFAULT_FAQ_PATH, faq_path)
    target = translation_path(faq_path, "hi")
    shutil.copy(SHIPPED_HI, target)
    return target


def change(path: Path, old: str, new: str) -> str:
    """Replace the one occurrence of `old` in the file; the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `index` in `text`."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def where(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based line and column of the one occurrence of `needle` (plus `offset`)."""
    assert text.count(needle) == 1, needle
    return position(text, text.index(needle) + offset)


def value_of(text: str, item: str, field: str) -> tuple[int, int]:
    """Where the value of `field` under the item `item` starts (a block text's '|-' marker)."""
    start = text.index(f"\n  {item}:\n")
    return position(text, text.index(f"{field}: ", start) + len(f"{field}: "))


def check(hi_path: Path, *, verbose: bool = False) -> tuple[bool, list[Problem]]:
    """Whether the FAQ beside `hi_path` would be served, and the problems in the Hindi file."""
    faq = load_faq(hi_path.with_name("faq.yaml"))
    served, problems = add_translation_problems(faq, [], verbose=verbose)
    return served is not None, [p for p in problems if p.path == str(hi_path)]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


# -- the shipped file ---------------------------------------------------------------------


def test_shipped_hindi_file_has_every_entry_topic_and_fixed_text() -> None:
    """Nothing the bot says is left without Hindi wording."""
    faq = LiveFAQ(DEFAULT_FAQ_PATH).load().faq
    hindi = faq.translations["hi"]
    assert set(hindi.entries) == {e.id for e in faq.entries}
    assert set(hindi.topics) == {t.id for t in faq.topics}
    assert set(hindi.texts) == set(TEXT_KEYS)
    for key, item in hindi.texts.items():
        assert item.text.strip(), key
    for entry_id, entry in hindi.entries.items():
        assert entry.question.strip(), entry_id
        assert entry.answer.strip(), entry_id
    assert set(hindi.not_covered) == {t.id for t in faq.not_covered}


def test_unknown_not_covered_id_is_an_error_at_its_key(hindi: Path) -> None:
    """A not-covered reply under an id the English file lacks would never be shown."""
    text = change(hindi, "\n  pregnancy:\n    reviewed", "\n  pregnancyy:\n    reviewed")
    served, problems = check(hindi)
    assert not served
    [problem] = errors(problems)
    assert (problem.line, problem.col) == where(text, "pregnancyy:")
    assert "not-covered topic 'pregnancyy' is not in faq.yaml" in problem.message


def test_not_covered_reply_without_the_contact_placeholder_is_reported(hindi: Path) -> None:
    """The honest reply must still say how to reach the clinic."""
    marker = "बता सकता है।\n      {contact}"
    text = change(hindi, marker, "बता सकता है।")
    _, problems = check(hindi)
    [problem] = [p for p in problems if "not_covered.costs-and-fees.reply" in p.message]
    assert "lacks the placeholder {contact}" in problem.message
    assert (problem.line, problem.col) == value_of(text, "costs-and-fees", "reply")


def test_fixed_text_keys_cover_every_reply_and_command() -> None:
    """A new reply or command without a Hindi key fails here, not in front of a patient."""
    replies = {
        name
        for name, fn in inspect.getmembers(conversation.replies, inspect.isfunction)
        if name.endswith("_reply") and fn.__module__ == conversation.replies.__name__
    }
    assert replies - STAFF_REPLIES == set(REPLY_TEXTS)
    for keys in REPLY_TEXTS.values():
        assert keys <= set(TEXT_KEYS)
    for command, _ in COMMANDS:
        assert f"command_{command}" in BOT_TEXTS


def test_shipped_hindi_keeps_the_placeholders_of_the_english() -> None:
    """{contact}, {clinic}, {retention_days}... survive translation in the shipped file."""
    faq = LiveFAQ(DEFAULT_FAQ_PATH).load().faq
    hindi = faq.translations["hi"]
    fallback = hindi.text("fallback")
    privacy = hindi.text("privacy")
    assert fallback is not None
    assert "{contact}" in fallback
    assert privacy is not None
    assert "{retention_days}" in privacy
    for key in FAQ_TEXTS:
        assert english_placeholders(faq, key) is not None


def test_shipped_hindi_file_has_only_the_review_warning() -> None:
    """The shipped file is clean: one summary line counting all its unreviewed texts."""
    served, problems = check(SHIPPED_HI)
    assert served
    [summary] = problems
    faq = LiveFAQ(DEFAULT_FAQ_PATH).load().faq
    hindi = faq.translations["hi"]
    total = len(hindi.texts) + len(hindi.topics) + len(hindi.entries) + len(hindi.not_covered)
    assert summary.severity == "warning"
    assert summary.message == f"{total} Hindi texts are not yet reviewed"
    assert "reviewed: true" in summary.hint


# -- what the checker reports ----------------------------------------------------------


def test_mojibake_in_a_hindi_answer_is_reported_at_the_bad_character(hindi: Path) -> None:
    """The source post's broken apostrophes ("โ") are refused in Hindi as in English."""
    text = change(hindi, "क्योंकि डिस्टोनिया कोशिश", "क्योंकि डिस्टोनिยาโ कोशिश")
    served, problems = check(hindi)
    assert not served
    [problem] = errors(problems)
    assert (problem.line, problem.col) == where(text, "ยาโ")
    assert "garbled characters 'ย'" in problem.message
    assert "entries.relaxing-doesnt-help.answer" in problem.message
    assert problem.hint == "retype the quotes, apostrophes and dashes around it"


def test_answer_typed_in_latin_letters_is_not_accepted_as_hindi(hindi: Path) -> None:
    """Hinglish or English pasted in place of Devanagari is an error at that answer."""
    original = hindi.read_text(encoding="utf-8")
    start = original.index("हाँ। तनाव")
    old = original[start : original.index("\n\n  relaxing-doesnt-help:", start)]
    text = change(hindi, old, "Haan, stress se dystonia ke lakshan badh sakte hain.")
    served, problems = check(hindi)
    assert not served
    [problem] = errors(problems)
    assert (problem.line, problem.col) == value_of(text, "stress", "answer")
    assert problem.message.startswith("'entries.stress.answer' is not written in Devanagari")
    assert "MRI" in problem.hint


def test_acronyms_placeholders_and_commands_do_not_count_as_latin() -> None:
    """MRI, {contact} and /topics are fine inside Hindi; names in a mostly Hindi text too."""
    assert script_share("MRI और CT स्कैन नॉर्मल हैं {contact} /topics") == 1.0
    assert script_share("{clinic}") is None
    share = script_share("Quartarone और Hallett (2013) का शोध दिमाग़ के बारे में है")
    assert share is not None
    assert 0.5 < share < 1.0
    assert script_share("kya dystonia ka ilaaj hai") == 0.0


def test_missing_contact_placeholder_is_reported_at_its_text(hindi: Path) -> None:
    """Dropping {contact} from the fallback would hide the clinic's details: an error."""
    text = change(hindi, "कृपया क्लिनिक से संपर्क करें।\n      {contact}", "कृपया क्लिनिक से संपर्क करें।")
    served, problems = check(hindi)
    assert not served
    [problem] = errors(problems)
    assert (
        problem.message
        == "'texts.fallback.text' lacks the placeholder {contact} that the English has"
    )
    assert (problem.line, problem.col) == value_of(text, "fallback", "text")


def test_translated_placeholder_is_reported(hindi: Path) -> None:
    """A placeholder the bot never fills would be shown to patients as {क्लिनिक}."""
    change(hindi, "नमस्ते, मैं {clinic} का बॉट", "नमस्ते, मैं {क्लिनिक} का बॉट")
    _, problems = check(hindi)
    messages = sorted(p.message for p in errors(problems))
    assert messages == [
        "'texts.welcome.text' has the placeholder {क्लिनिक}, which the English does not have",
        "'texts.welcome.text' lacks the placeholder {clinic} that the English has",
    ]


def test_hindi_answer_too_long_for_one_message_is_reported(hindi: Path) -> None:
    """Answer, title, references and disclaimer must fit Telegram's 4096 characters."""
    text = change(
        hindi,
        "इसका असर थोड़ी देर ही रहता है।",
        "इसका असर थोड़ी देर ही रहता है। " * 150,
    )
    served, problems = check(hindi)
    assert not served
    [problem] = errors(problems)
    assert (problem.line, problem.col) == value_of(text, "sensory-trick", "answer")
    assert re.search(r"'sensory-trick' would make a \d{4,}-character message", problem.message)
    assert "Telegram allows 4096" in problem.message


def test_unknown_topic_id_is_an_error_at_its_key(hindi: Path) -> None:
    """A topic id not in the English file would never be shown."""
    text = change(hindi, "\n  treatment:\n    reviewed", "\n  treatmnet:\n    reviewed")
    served, problems = check(hindi)
    assert not served
    [problem] = errors(problems)
    assert (problem.line, problem.col) == where(text, "treatmnet:")
    assert "topic 'treatmnet' is not in faq.yaml" in problem.message


def test_unknown_text_key_is_a_warning_with_a_suggestion(hindi: Path) -> None:
    """A misspelt text key is never shown: the checker names the key it probably meant."""
    text = change(hindi, "\n  apology:\n", "\n  apolgy:\n")
    served, problems = check(hindi)
    assert served
    [unknown] = [p for p in problems if "never shows" in p.message]
    assert (unknown.line, unknown.col) == where(text, "apolgy:")
    assert unknown.severity == "warning"
    assert unknown.hint == "did you mean 'apology'?"
    [missing] = [p for p in problems if "no Hindi version" in p.message]
    assert missing.message == (
        "1 texts have no Hindi version yet, so the bot shows them in English: apology"
    )


def test_missing_entries_are_one_warning_naming_them(hindi: Path) -> None:
    """A new English entry without Hindi is served in English, and the check says which."""
    original = hindi.read_text(encoding="utf-8")
    start = original.index("\n  thanks:\n")
    hindi.write_text(original[:start] + "\n", encoding="utf-8")
    served, problems = check(hindi)
    assert served
    [missing] = [p for p in problems if "no Hindi version" in p.message]
    assert missing.message.endswith("so the bot shows them in English: thanks")
    assert missing.message.startswith("1 entries have no Hindi version yet")


def test_unreviewed_count_is_one_warning_and_verbose_lists_each(hindi: Path) -> None:
    """Marking texts reviewed lowers the count; the verbose list names each remaining one."""
    text = hindi.read_text(encoding="utf-8")
    total = len(re.findall(r"^ +reviewed: false$", text, flags=re.MULTILINE))
    for key in ("\n  disclaimer:\n", "\n  stress:\n"):
        start = text.index(key)
        mark = text.index("reviewed: false", start)
        text = text[:mark] + "reviewed: true" + text[mark + len("reviewed: false") :]
    hindi.write_text(text, encoding="utf-8")
    _, problems = check(hindi)
    [summary] = problems
    assert summary.message == f"{total - 2} Hindi texts are not yet reviewed"
    assert (summary.line, summary.col) == where(text, "\n  urgent_message:", 3)
    _, listed = check(hindi, verbose=True)
    assert listed[0] == summary
    names = [p.message.removeprefix("not yet reviewed: ") for p in listed[1:]]
    assert len(names) == total - 2
    assert "entries.stress" not in names
    assert "texts.disclaimer" not in names
    assert "entries.sensory-trick" in names


def test_fully_reviewed_file_has_no_review_warning(hindi: Path) -> None:
    """Once every text is reviewed the warning disappears rather than reading '0 texts'."""
    text = hindi.read_text(encoding="utf-8").replace("reviewed: false", "reviewed: true")
    hindi.write_text(text, encoding="utf-8")
    faq = LiveFAQ(hindi.with_name("faq.yaml")).load().faq
    assert review_problems(faq.translations["hi"], verbose=True) == []


# -- the command line, live reload and the setting -----------------------------------------


def test_check_command_fails_on_a_broken_hindi_file_with_a_located_line(
    hindi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m faq check` refuses the FAQ when its Hindi file has an error."""
    text = change(hindi, "    title: इलाज और देखभाल", "    title: Treatment and care")
    code = main(["check", "--no-self-test", str(hindi.with_name("faq.yaml"))])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    line, col = where(text, "title: Treatment and care", len("title: "))
    hindi_lines = [x for x in lines if x.startswith(f"{hindi}:")]
    assert hindi_lines[0].startswith(
        f"{hindi}:{line}:{col}: 'topics.treatment.title' is not written"
    )
    assert lines[-1].endswith("1 error; the bot keeps using the last good FAQ")


def test_dump_json_carries_the_hindi_wording(capsys: pytest.CaptureFixture[str]) -> None:
    """Tools reading `dump --json` get every translation with its review mark."""
    assert main(["dump", "--json", "--faq", str(DEFAULT_FAQ_PATH)]) == 0
    data = json.loads(capsys.readouterr().out)
    hindi = data["translations"]["hi"]
    assert hindi["path"] == str(SHIPPED_HI)
    assert set(hindi["entries"]) == {e["id"] for e in data["entries"]}
    assert hindi["entries"]["what-is-dystonia"]["question"] == "डिस्टोनिया क्या है?"
    assert hindi["entries"]["stress"]["reviewed"] is False
    assert set(hindi["topics"]) == {t["id"] for t in data["topics"]}
    assert set(hindi["texts"]) == set(TEXT_KEYS)


def test_an_edit_to_the_hindi_file_alone_is_reloaded(hindi: Path) -> None:
    """The served FAQ's fingerprint covers the Hindi file, so its edits go live."""
    live = LiveFAQ(hindi.with_name("faq.yaml"))
    first = live.load()
    assert live.refresh().status == "unchanged"
    change(hindi, "title: इलाज और देखभाल", "title: इलाज और सहायता")
    result = live.refresh()
    assert result.status == "reloaded"
    assert live.current.digest != first.digest
    assert live.current.faq.translations["hi"].topics["treatment"].text == "इलाज और सहायता"


def test_serving_unreviewed_translations_is_on_unless_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SERVE_UNREVIEWED_TRANSLATIONS defaults to true and reads 'false' from the environment."""
    monkeypatch.delenv("SERVE_UNREVIEWED_TRANSLATIONS", raising=False)
    assert load_settings(_env_file=None).serve_unreviewed_translations is True
    monkeypatch.setenv("SERVE_UNREVIEWED_TRANSLATIONS", "false")
    assert load_settings(_env_file=None).serve_unreviewed_translations is False
