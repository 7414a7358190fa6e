"""An upgrade's urgent rules protect patients from the first start, before staff merge them.

The clinic's copy keeps its own rules; every shipped rule whose name it lacks is screened
for too, and a clinic rule of the same name replaces the shipped one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.recorder import UsageWriter
from conversation.pipeline import Conversation
from conversation.turns import Speaker, Turn
from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH, load_faq, resolve_path
from faq.matcher import Matcher, Urgent
from faq.shipped import load_served_faq, with_shipped_urgent_rules
from records.store import Store, UserKey
from staff.cli import main

PATIENT = Speaker(UserKey("patient"), "chat-1")
# Only the shipped 'choking' rule catches these (checked below, so the tests stay honest).
CHOKING = "my son is choking"
CHOKING_HINGLISH = "gale mein haddi atak gayi"


@pytest.fixture(autouse=True)
def no_faq_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FAQ_PATH", raising=False)
    monkeypatch.delenv("BOT_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # ./data and ./.env are this test's own


def _rule_span(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"    - name: {name}\n")
    return start, text.index("    - name: ", start + 10)


def copy_without_choking(folder: Path) -> Path:
    """A clinic copy made before the 'choking' rule shipped."""
    path = resolve_path(None, folder)
    text = path.read_text(encoding="utf-8")
    start, end = _rule_span(text, "choking")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return path


def copy_with_own_choking(folder: Path) -> Path:
    """A clinic copy whose 'choking' rule staff rewrote to catch one made-up word only."""
    path = resolve_path(None, folder)
    text = path.read_text(encoding="utf-8")
    start, end = _rule_span(text, "choking")
    own = "    - name: choking\n      any:\n        - '\\bzzqxchoke\\b'\n\n"
    path.write_text(text[:start] + own + text[end:], encoding="utf-8")
    return path


def test_the_copy_alone_would_not_catch_the_choking_wording(tmp_path: Path) -> None:
    """The premise of the tests below: without the shipped rule these are not urgent."""
    bare = Matcher(load_faq(copy_without_choking(tmp_path)))
    assert not isinstance(bare.decide(CHOKING), Urgent)
    assert not isinstance(bare.decide(CHOKING_HINGLISH), Urgent)


def test_a_copy_lacking_a_shipped_rule_gets_the_urgent_reply_in_the_conversation(
    tmp_path: Path,
) -> None:
    """Through the conversation layer, in English and Hinglish, counted under the rule's
    own name so `faq stats` shows it as it shows the clinic's rules, and never a miss."""
    live = LiveFAQ(copy_without_choking(tmp_path / "clinic"))
    live.load()
    writer = UsageWriter(tmp_path / "usage")
    writer.start()
    try:
        conversation = Conversation(live, writer)
        for text in (CHOKING, CHOKING_HINGLISH):
            outcome = conversation.handle(Turn(PATIENT, text))
            assert [r.kind for r in outcome.replies] == ["urgent"], text
    finally:
        writer.stop()
    with Store(tmp_path / "usage") as store:
        assert store.urgent_per_rule(1) == {"choking": 2}
        assert store.misses(1) == []


def test_a_copy_lacking_a_shipped_rule_is_urgent_in_ask_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m faq ask --json` decides as the bot does."""
    path = copy_without_choking(tmp_path)
    assert main(["--faq", str(path), "ask", "--json", CHOKING]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "urgent"
    assert main(["--faq", str(path), "ask", CHOKING_HINGLISH]) == 0
    assert "urgent: rule 'choking' fired" in capsys.readouterr().out


def test_the_clinics_rule_of_the_same_name_replaces_the_shipped_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Staff can still adjust a shipped rule: their version is the one screened for."""
    path = copy_with_own_choking(tmp_path)
    served = load_served_faq(path)
    assert [r.name for r in served.urgent_rules].count("choking") == 1
    assert served.urgent_from_shipped == ()
    matcher = Matcher(served)
    assert not isinstance(matcher.decide(CHOKING), Urgent)
    decision = matcher.decide("he said zzqxchoke")
    assert isinstance(decision, Urgent)
    assert decision.rule == "choking"
    assert main(["--faq", str(path), "ask", "--json", CHOKING]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] != "urgent"


def test_a_rule_name_differing_only_in_capitals_still_replaces_the_shipped_one(
    tmp_path: Path,
) -> None:
    path = copy_with_own_choking(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("- name: choking\n", "- name: Choking\n"),
        encoding="utf-8",
    )
    assert not isinstance(Matcher(load_served_faq(path)).decide(CHOKING), Urgent)


def test_the_shipped_faq_is_served_as_it_is() -> None:
    """Nothing is added to the shipped file itself, and adding twice adds nothing more."""
    shipped = load_faq(DEFAULT_FAQ_PATH)
    assert with_shipped_urgent_rules(shipped) is shipped
    served = load_served_faq(copy_without_choking(Path("clinic")))
    assert served.urgent_from_shipped == ("choking",)
    assert with_shipped_urgent_rules(served) is served


def test_the_check_says_which_shipped_urgent_rules_are_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note (not a warning) per rule, how to copy it in, and the count in the summary."""
    path = copy_without_choking(tmp_path)
    assert main(["check", "--no-self-test", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        f"{path}:1:1: note: urgent rule 'choking' is applied from the shipped FAQ "
        f"({DEFAULT_FAQ_PATH}): this file has no rule of that name, so the bot screens "
        "with the shipped one"
    ) in out
    assert "copy it (from its '- name:' line" in out
    assert "does not recognise those emergencies" not in out
    summary = out.splitlines()[-1]
    shipped_rules = len(load_faq(DEFAULT_FAQ_PATH).urgent_rules)
    assert f"{shipped_rules} urgent rules (1 applied from the shipped FAQ)" in summary
    # the note is not a warning: the count is the shipped file's own
    assert main(["check", "--no-self-test", str(DEFAULT_FAQ_PATH)]) == 0
    shipped_summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.rsplit("; ", 1)[1] == shipped_summary.rsplit("; ", 1)[1]


def test_the_check_of_a_copy_with_every_rule_names_none_as_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_with_own_choking(tmp_path)
    assert main(["check", "--no-self-test", str(path)]) == 0
    out = capsys.readouterr().out
    assert "applied from the shipped FAQ" not in out


def test_dump_lists_the_rules_applied_from_the_shipped_faq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_without_choking(tmp_path)
    assert main(["--faq", str(path), "dump", "--json"]) == 0
    urgent = json.loads(capsys.readouterr().out)["urgent"]
    assert urgent["applied_from_shipped"] == ["choking"]
    assert "choking" in [rule["name"] for rule in urgent["rules"]]


def test_a_broken_edit_keeps_the_last_good_faq_with_its_shipped_rules(tmp_path: Path) -> None:
    """A clinic copy that fails to load leaves the last good one, shipped rules and all."""
    path = copy_without_choking(tmp_path)
    live = LiveFAQ(path)
    live.load()
    path.write_text(path.read_text(encoding="utf-8") + "\n\tbroken: [\n", encoding="utf-8")
    assert live.refresh(force=True).status == "failed"
    assert live.current.faq.urgent_from_shipped == ("choking",)
    assert isinstance(live.current.matcher.decide(CHOKING), Urgent)
