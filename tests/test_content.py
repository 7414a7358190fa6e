"""What the shipped FAQ says: only what its two sources support, in plain words, cited to
the sources that say it; and the checks that keep it that way (empty contact details,
references the clinic has not checked)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.render import render_html, render_plain
from conversation.replies import answer_reply, sources_reply
from faq.content_checks import contact_warnings, content_warnings, log_start_warnings
from faq.loader import DEFAULT_FAQ_PATH, check_faq, load_faq
from faq.model import FAQ, split_paragraphs
from staff.cli import main
from tests.botharness import Harness

CLINIC_PAGE = "clinic-dystonia-page"
POST = "lived-experience-post-2026"
POST_REFERENCES = {
    "termsarasab-2025",
    "quartarone-hallett-2013",
    "neychev-2011",
    "dystonia-coalition",
}
JARGON = ("neuromodulation", "segmental", "generalised", "generalized")


def patient_texts(faq: FAQ) -> dict[str, str]:
    """Everything the FAQ file makes the bot say, by where it comes from."""
    texts = {f"answer of {e.id}": e.answer for e in faq.entries}
    texts.update(
        disclaimer=faq.disclaimer,
        fallback=faq.fallback,
        urgent=faq.urgent_message,
        contact_missing=faq.clinic.contact_missing,
    )
    texts.update({f"topic {t.id}": t.title for t in faq.topics})
    return texts


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+|\n+", text) if s.strip()]


def shipped_copy(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the shipped FAQ with one exact piece of text replaced."""
    text = DEFAULT_FAQ_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "faq.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# -- claims the sources do not make -------------------------------------------------------


def test_no_text_says_whether_surgery_is_needed(faq: FAQ) -> None:
    """Surgery is mentioned only to say the sources do not cover it."""
    for where, text in patient_texts(faq).items():
        for sentence in sentences(text):
            if re.search(r"surg|operation", sentence, re.IGNORECASE):
                assert "does not mention surgery" in sentence, (where, sentence)


def test_the_answer_to_do_i_need_surgery_is_neither_yes_nor_no(faq: FAQ) -> None:
    """The entry answering 'do i need surgery' does not open with a yes or a no."""
    entry = faq.entry("non-invasive-treatment")
    assert entry is not None
    assert "do i need surgery" in entry.alternates
    first_word = entry.answer.split()[0].strip(".,").lower()
    assert first_word not in {"yes", "no"}
    assert "ask your own doctor" in entry.answer


def test_relaxing_answer_keeps_the_doctors_advice_and_reports_back(faq: FAQ) -> None:
    """'My doctor said relax more' is answered with: keep following it, tell them."""
    entry = faq.entry("relaxing-doesnt-help")
    assert entry is not None
    assert "my doctor said relax more but nothing changes" in entry.alternates
    assert re.search(r"keep following (their|your doctor's) advice", entry.answer)
    assert re.search(r"tell them it has not changed", entry.answer)


def test_normal_tests_answer_does_not_assume_the_reader_has_dystonia(faq: FAQ) -> None:
    """Normal results are explained for people with dystonia, without diagnosing the reader."""
    entry = faq.entry("normal-tests")
    assert entry is not None
    assert "whether you have dystonia" in entry.answer
    without_the_caveat = entry.answer.replace("whether you have dystonia", "")
    assert not re.search(r"\byour dystonia\b|\byou have dystonia\b", without_the_caveat)
    assert not re.search(r"\byou are imagining\b", entry.answer)


def test_no_phrasing_or_answer_presents_a_voice_or_foot_symptom(faq: FAQ) -> None:
    """The sources name the neck, a hand and the eyes, never the voice or a foot."""
    for entry in faq.entries:
        for text in (*entry.phrasings, entry.answer):
            assert not re.search(r"\b(voice|foot|feet)\b", text, re.IGNORECASE), (entry.id, text)


@pytest.mark.parametrize("term", ["sensory trick", "computer", "software"])
def test_no_text_uses_a_term_the_sources_do_not(faq: FAQ, term: str) -> None:
    """The bot's wording stays with the sources' terms (geste antagoniste, control signals)."""
    for where, text in patient_texts(faq).items():
        assert term not in text.lower(), where


def test_jargon_is_named_with_an_offer_to_explain(faq: FAQ) -> None:
    """An answer that names neuromodulation or a type says the clinic can explain it."""
    named = [e for e in faq.entries if any(term in e.answer.lower() for term in JARGON)]
    assert {e.id for e in named} >= {"types", "non-invasive-treatment", "clinic-treatment"}
    for entry in named:
        assert "The clinic can explain" in entry.answer, entry.id


def test_answers_are_short_paragraphs_for_a_phone(faq: FAQ) -> None:
    """At most four paragraphs per answer (five for the urgent message), lines of 300 or less."""
    for where, text in patient_texts(faq).items():
        paragraphs = split_paragraphs(text)
        assert len(paragraphs) <= 5, where
        for line in text.splitlines():
            assert len(line) <= 300, (where, line[:60])
    for entry in faq.entries:
        assert len(split_paragraphs(entry.answer)) <= 4, entry.id


# -- who said it ------------------------------------------------------------------------


def test_answers_cite_only_the_post_and_the_clinic_page(faq: FAQ) -> None:
    """The four papers the post lists support no particular answer."""
    for entry in faq.entries:
        keys = {r.key for r in entry.references}
        assert keys <= {CLINIC_PAGE, POST}, entry.id
        if entry.kind == "medical":
            assert keys, entry.id


def test_the_posts_papers_are_marked_as_listed_by_the_post(faq: FAQ) -> None:
    """Each of the four papers is loaded with listed_by naming the post."""
    listed = {r.key: r.listed_by for r in faq.references if r.listed_by}
    assert listed == dict.fromkeys(POST_REFERENCES, POST)
    quartarone = next(r for r in faq.references if r.key == "quartarone-hallett-2013")
    assert "Nature Reviews Neurology, as cited by the post" in quartarone.citation
    assert "Movement Disorders" in quartarone.citation


def test_sources_shows_the_answers_sources_apart_from_the_posts_references(faq: FAQ) -> None:
    """/sources lists the clinic page and the post, then the papers under their own heading."""
    blocks = [b for b in sources_reply(faq).blocks if b.kind == "sources"]
    assert [b.text for b in blocks] == [
        "Sources of the answers",
        "References given by the post (not checked by the clinic)",
    ]
    by_key = {r.citation: r.key for r in faq.references}
    assert {by_key[c] for c in blocks[0].items} == {CLINIC_PAGE, POST}
    assert {by_key[c] for c in blocks[1].items} == POST_REFERENCES


def test_sources_entry_says_the_post_lists_papers_the_clinic_has_not_checked(faq: FAQ) -> None:
    """Asked 'which studies is this based on', the bot says what the papers are and are not."""
    entry = faq.entry("sources")
    assert entry is not None
    assert "the post lists four references" in entry.answer
    assert "the clinic has not checked them" in entry.answer
    assert "as cited by the post" in entry.answer
    assert "draws on" not in entry.answer


def test_disclaimer_names_the_lived_experience_post(faq: FAQ) -> None:
    """The disclaimer says part of the information comes from a person, not a professional."""
    assert "educational post by a person living with dystonia" in faq.disclaimer
    assert "not a medical professional" in faq.disclaimer
    assert "Buddhi Clinic's patient page" in faq.disclaimer
    assert "112" in faq.disclaimer


# -- replies ----------------------------------------------------------------------------


@pytest.mark.parametrize("entry_id", ["greeting", "thanks", "about-bot", "contact-clinic"])
def test_info_replies_have_no_title(faq: FAQ, entry_id: str) -> None:
    """'Hello' and 'Thank you' are not shown as headings above the reply."""
    entry = faq.entry(entry_id)
    assert entry is not None
    reply = answer_reply(faq, entry)
    assert all(b.kind != "title" for b in reply.blocks)
    text, _ = render_plain(reply)
    assert not any(line.isupper() for line in text.splitlines()), text
    assert not render_html(reply)[0].startswith("<b>")


def test_thanks_reply_starts_with_youre_welcome(faq: FAQ) -> None:
    """The thanks reply opens with its own words, not 'THANK YOU'."""
    entry = faq.entry("thanks")
    assert entry is not None
    text, _ = render_plain(answer_reply(faq, entry))
    assert text.startswith("You're welcome")


def test_medical_answers_keep_their_question_as_title(faq: FAQ) -> None:
    """Only info replies lose the title; a medical answer still opens with its question."""
    for entry in faq.entries:
        if entry.kind == "medical":
            first = answer_reply(faq, entry).blocks[0]
            assert (first.kind, first.text) == ("title", entry.question)


# -- contact details not filled in ------------------------------------------------------


def test_contact_missing_is_honest_and_points_to_something_real(faq: FAQ) -> None:
    """No 'appointment letter': the details are not set up yet, staff will add them, 112."""
    missing = faq.clinic.contact_missing
    assert "appointment letter" not in missing
    assert "have not been added" in missing
    assert "staff will add them" in missing
    assert "call 112" in missing
    contact = faq.entry("contact-clinic")
    assert contact is not None
    assert missing in faq.fill(contact.answer)


def test_checker_warns_about_empty_contact_details_at_the_first_field(faq: FAQ) -> None:
    """The warning points at the clinic's phone line, where staff type the number."""
    (problem,) = contact_warnings(faq)
    assert problem.severity == "warning"
    line = DEFAULT_FAQ_PATH.read_text(encoding="utf-8").splitlines()[problem.line - 1]
    assert line.strip() == 'phone: ""'
    assert problem.col == line.index("phone") + 1
    assert "contact details are all empty" in problem.message


def test_checker_is_quiet_once_one_contact_detail_is_filled(tmp_path: Path) -> None:
    """A phone number alone is enough: then patients see it instead of the apology."""
    path = shipped_copy(tmp_path, 'phone: ""', 'phone: "+91 00000 00000"')
    faq = load_faq(path)
    assert contact_warnings(faq) == []
    assert content_warnings(faq) == []


def test_faq_check_command_prints_the_contact_warning(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m faq check` shows the warning, located, and still passes."""
    code = main(["check", "--no-self-test", str(DEFAULT_FAQ_PATH)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    warned = [x for x in lines if "contact details are all empty" in x]
    assert len(warned) == 1
    assert re.match(rf"{re.escape(str(DEFAULT_FAQ_PATH))}:\d+:\d+: warning: ", warned[0])


def test_start_up_warning_is_logged_only_while_details_are_empty(
    faq: FAQ, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One WARNING line for the shipped placeholders, none once a detail is filled in."""
    log = logging.getLogger("bot.test-content")
    with caplog.at_level(logging.WARNING, logger=log.name):
        log_start_warnings(faq, log)
        filled = load_faq(shipped_copy(tmp_path, 'email: ""', 'email: "clinic@example.org"'))
        log_start_warnings(filled, log)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "contact details are all empty" in caplog.records[0].getMessage()


async def test_running_bot_logs_the_empty_contact_warning_at_start(
    bot: Harness, log_scan: logging.Handler
) -> None:
    """The real start-up path (post-init) logs the warning once."""
    del bot
    lines: list[tuple[int, str]] = vars(log_scan)["lines"]  # the fixture's collector
    warned = [text for level, text in lines if "contact details are all empty" in text]
    assert len(warned) == 1
    assert all(level == logging.WARNING for level, text in lines if text in warned)


# -- references only listed by a source -------------------------------------------------


def test_listed_references_are_not_reported_as_unused() -> None:
    """The loader does not ask staff to cite the post's papers."""
    _, problems = check_faq(DEFAULT_FAQ_PATH)
    assert not [p for p in problems if "is not used by any entry" in p.message]


def test_citing_a_listed_reference_is_warned(tmp_path: Path) -> None:
    """An entry that cites one of the post's papers is flagged, at that entry."""
    path = shipped_copy(
        tmp_path,
        "    references: [lived-experience-post-2026]\n    see_also: [not-psychological, ",
        "    references: [lived-experience-post-2026, neychev-2011]\n"
        "    see_also: [not-psychological, ",
    )
    faq = load_faq(path)
    problems = [p for p in content_warnings(faq) if "neychev-2011" in p.message]
    assert len(problems) == 1
    assert "sensory-trick" in problems[0].message
    assert problems[0].line == faq.phrasing_locations[("sensory-trick", 0)][0]


def test_listed_by_an_unknown_key_is_warned(tmp_path: Path) -> None:
    """A typo in listed_by is reported at that reference."""
    text = DEFAULT_FAQ_PATH.read_text(encoding="utf-8")
    right = "    listed_by: lived-experience-post-2026"
    first = text.index(right)
    broken = text[:first] + "    listed_by: lived-experience-post" + text[first + len(right) :]
    path = tmp_path / "faq.yaml"
    path.write_text(broken, encoding="utf-8")
    faq = load_faq(path)
    problems = [p for p in content_warnings(faq) if "listed_by" in p.message]
    assert len(problems) == 1
    assert broken.splitlines()[problems[0].line - 1].strip() == "termsarasab-2025:"
