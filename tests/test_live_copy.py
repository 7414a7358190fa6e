"""The clinic's FAQ lives in the data folder, so upgrades never touch staff's edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.loader import DEFAULT_FAQ_PATH, SHIPPED_FILES, resolve_path
from staff.cli import main
from tests.botharness import clean_env, make_settings, running_bot
from tests.fakebotapi import FakeBotAPI


@pytest.fixture(autouse=True)
def no_faq_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FAQ_PATH", raising=False)
    monkeypatch.delenv("BOT_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # ./data and ./.env are this test's own


def test_first_use_copies_the_shipped_files_into_the_data_folder(tmp_path: Path) -> None:
    """faq.yaml, its Hindi file and the editor's schema, byte for byte."""
    path = resolve_path(None, tmp_path / "clinic")
    assert path == tmp_path / "clinic" / "faq.yaml"
    for name in SHIPPED_FILES:
        copied = (tmp_path / "clinic" / name).read_bytes()
        assert copied == (DEFAULT_FAQ_PATH.parent / name).read_bytes()
    assert not list((tmp_path / "clinic").glob(".*.new"))  # no temporary file left


def test_the_clinics_copy_is_never_overwritten(tmp_path: Path) -> None:
    """Staff's edits survive every later start, whatever the shipped file says."""
    path = resolve_path(None, tmp_path)
    edited = path.read_bytes() + b"\n# our own note\n"
    path.write_bytes(edited)
    (tmp_path / "faq.hi.yaml").unlink()  # a missing companion is restored ...
    assert resolve_path(None, tmp_path) == path
    assert path.read_bytes() == edited  # ... the FAQ itself is left alone
    assert not (tmp_path / "faq.hi.yaml").exists()


def test_the_data_folder_comes_from_the_argument_then_bot_data_dir_then_dot_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same order the bot's settings use; FAQ_PATH and an explicit path still win."""
    assert resolve_path() == Path("data") / "faq.yaml"
    assert (tmp_path / "data" / "faq.yaml").is_file()
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "env"))
    assert resolve_path() == tmp_path / "env" / "faq.yaml"
    assert resolve_path(None, tmp_path / "arg") == tmp_path / "arg" / "faq.yaml"
    monkeypatch.setenv("FAQ_PATH", str(DEFAULT_FAQ_PATH))
    assert resolve_path(None, tmp_path / "arg") == DEFAULT_FAQ_PATH
    assert resolve_path(tmp_path / "x.yaml") == tmp_path / "x.yaml"


def test_staff_commands_check_the_file_the_bot_serves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BOT_DATA_DIR from .env, as the bot reads it, decides which FAQ `faq check` checks."""
    (tmp_path / ".env").write_text("BOT_DATA_DIR=clinic-data\n", encoding="utf-8")
    assert main(["check", "--no-self-test"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith(f"{Path('clinic-data') / 'faq.yaml'}: OK: ")


async def test_the_bot_serves_the_copy_in_its_data_folder(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No FAQ_PATH: the bot makes and serves BOT_DATA_DIR/faq.yaml."""
    clean_env(monkeypatch)
    settings = make_settings(fake_api, tmp_path, faq_path=None, bot_data_dir=tmp_path / "d")
    async with running_bot(settings, fake_api) as bot:
        assert bot.faq_file == tmp_path / "d" / "faq.yaml"
        assert bot.faq_file.read_bytes() == DEFAULT_FAQ_PATH.read_bytes()


def test_check_warns_about_entries_an_upgrade_brought(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry the shipped FAQ has and the clinic's copy lacks is a warning, not an error."""
    path = resolve_path(None, tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: thanks\n")
    path.write_text(text[:start], encoding="utf-8")  # as if 'thanks' came with the upgrade
    (tmp_path / "faq.hi.yaml").unlink()  # whose Hindi wording names it
    assert main(["check", "--no-self-test", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        f"{path}:1:1: warning: entry 'thanks' (“Thank you”) is in the shipped FAQ "
        f"({DEFAULT_FAQ_PATH}) but not in this file"
    ) in out
    assert main(["check", "--no-self-test", str(DEFAULT_FAQ_PATH)]) == 0
    assert "is in the shipped FAQ" not in capsys.readouterr().out


def test_check_notes_that_urgent_rules_the_copy_lacks_are_applied_from_the_shipped_faq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clinic copy made before new emergency rules shipped is told they are screened for."""
    path = resolve_path(None, tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("    - name: choking\n")
    end = text.index("    - name: ", start + 10)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert main(["check", "--no-self-test", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        f"note: urgent rule 'choking' is applied from the shipped FAQ ({DEFAULT_FAQ_PATH})"
    ) in out
    assert "warning: urgent rule" not in out
