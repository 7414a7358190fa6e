"""staff.links and `python -m faq links`: deep links and QR codes for posters."""

from __future__ import annotations

import re
from pathlib import Path

import PIL.Image
import pytest
import zxingcpp

from faq.loader import DEFAULT_FAQ_PATH, load_faq
from faq.model import FAQ
from staff.cli import main
from staff.links import USERNAME_RULE, BadUsernameError, check_username, deep_link, write_qr_codes
from staff.posters import write_posters

BOT = "BuddhiClinicBot"


@pytest.fixture
def faq() -> FAQ:
    return load_faq()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQ_PATH", str(DEFAULT_FAQ_PATH))


def decode(path: Path) -> list[str]:
    with PIL.Image.open(path) as image:
        return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_every_shipped_entry_gets_a_valid_deep_link(faq: FAQ) -> None:
    links = [deep_link(BOT, entry.id) for entry in faq.entries]
    assert len(set(links)) == len(faq.entries)
    for entry, link in zip(faq.entries, links, strict=True):
        assert link == f"https://t.me/{BOT}?start={entry.id}"
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", link.split("?start=")[1])


@pytest.mark.parametrize("name", ["BuddhiClinicBot", "faq_bot", "abcbot", "X" * 29 + "BOT"])
def test_valid_bot_usernames_are_accepted(name: str) -> None:
    assert check_username(name) == name


def test_a_leading_at_sign_is_dropped() -> None:
    assert deep_link("@BuddhiClinicBot", "types") == "https://t.me/BuddhiClinicBot?start=types"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "bot",
        "abot",
        "BuddhiClinic",
        "Buddhi-Clinic-Bot",
        "Buddhi Clinic Bot",
        "x" * 30 + "bot",
        "buddhi.bot",
        "bøt_bot",
        "BuddhiBot?start=x",
    ],
)
def test_invalid_bot_usernames_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(BadUsernameError) as caught:
        check_username(name)
    assert USERNAME_RULE in str(caught.value)


@pytest.mark.parametrize("entry_id", ["", "has space", "a/b", "x" * 65, "ünïcode"])
def test_an_entry_id_that_cannot_be_a_start_parameter_is_refused(entry_id: str) -> None:
    with pytest.raises(ValueError, match="start parameter"):
        deep_link(BOT, entry_id)


def test_one_qr_code_per_entry_decodes_back_to_its_link(faq: FAQ, tmp_path: Path) -> None:
    out = tmp_path / "posters" / "qr"
    paths = write_qr_codes(faq, BOT, out)
    assert paths == [out / f"{entry.id}.png" for entry in faq.entries]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    for entry, path in zip(faq.entries, paths, strict=True):
        assert decode(path) == [deep_link(BOT, entry.id)]


def test_qr_codes_are_not_written_for_a_bad_username(faq: FAQ, tmp_path: Path) -> None:
    with pytest.raises(BadUsernameError):
        write_qr_codes(faq, "nope", tmp_path / "qr")
    assert not (tmp_path / "qr").exists()


# -- the command -------------------------------------------------------------------------


def test_links_command_prints_one_tab_separated_line_per_entry(
    faq: FAQ, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["links", "--bot-username", BOT]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"{entry.id}\thttps://t.me/{BOT}?start={entry.id}" for entry in faq.entries
    ]
    assert captured.err == ""


def test_links_command_with_qr_writes_the_pngs_and_says_where(
    faq: FAQ, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "qr"
    assert main(["links", "--bot-username", BOT, "--qr", str(out)]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == len(faq.entries)
    assert f"Wrote {len(faq.entries)} QR codes to {out}" in captured.err
    assert decode(out / "contact-clinic.png") == [f"https://t.me/{BOT}?start=contact-clinic"]


def test_links_command_refuses_a_bad_username_with_exit_2_and_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["links", "--bot-username", "Buddhi-Clinic", "--qr", str(tmp_path / "qr")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert USERNAME_RULE in captured.err
    assert not (tmp_path / "qr").exists()


def test_links_command_needs_the_username(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["links"])
    assert exited.value.code == 2
    assert "--bot-username" in capsys.readouterr().err


def test_posters_are_a5_at_print_resolution_with_a_readable_code(faq: FAQ, tmp_path: Path) -> None:
    """Each poster is A5 at 300 dpi, and its QR code opens that entry's answer."""
    paths = write_posters(faq, "BuddhiClinicBot", tmp_path)
    assert [p.name for p in paths] == [f"{e.id}-poster.png" for e in faq.entries]
    with PIL.Image.open(paths[0]) as image:
        assert image.size == (1748, 2480)
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    assert decode(paths[0]) == [deep_link("BuddhiClinicBot", faq.entries[0].id)]
