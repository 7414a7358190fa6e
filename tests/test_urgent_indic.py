"""The urgent screen in Hindi and Hinglish: the labelled set, the rule format, the replies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conversation.replies import other_script_reply, reply_for, urgent_reply
from faq.evaluate import evaluate, read_cases
from faq.live import LiveFAQ
from faq.loader import DEFAULT_FAQ_PATH, check_faq, load_faq
from faq.matcher import Matcher, NoMatch, Urgent
from faq.model import UrgentRule
from faq.problems import FAQError
from faq.urgent import PhraseError, UrgentScreen, compile_phrase, phrase_warnings

DATA = Path(__file__).parent / "data"
FAQ = LiveFAQ(DEFAULT_FAQ_PATH).load().faq  # with the Hindi wording file beside it
MATCHER = Matcher(FAQ)


def test_hindi_and_hinglish_set_is_all_caught_with_no_false_alarm() -> None:
    """Every urgent message of tests/data/urgent-indic.tsv is caught and no look-alike is,
    the figures `python -m faq eval tests/data/urgent-indic.tsv` prints."""
    cases = read_cases(DATA / "urgent-indic.tsv")
    assert sum(c.category == "urgent" for c in cases) >= 80
    assert sum(c.category == "control" for c in cases) >= 40
    report = evaluate(MATCHER, cases)
    missed = [
        o.case.question
        for o in report.outcomes
        if o.case.category == "urgent" and not isinstance(o.decision, Urgent)
    ]
    false = [o.case.question for o in report.outcomes if o.false_urgent]
    assert missed == []
    assert false == []
    assert report.urgent_caught == 100.0


@pytest.mark.parametrize(
    "text",
    [
        "i\u200bcant\u200bbreathe",
        "i\u2060cant\u2060breathe",
        "i\u00adcant\u00adbreathe",
        "\ufeffi\ufeffcant\ufeffbreathe",
        "i\u200dcant\u200cbreathe",
        "saans\u200bnahi\u200baa\u200brahi",
    ],
)
def test_invisible_separators_between_words_are_word_breaks(text: str) -> None:
    """Words joined by zero-width characters are still read as separate words."""
    assert isinstance(MATCHER.decide(text), Urgent)


def test_joiners_inside_a_devanagari_word_are_part_of_its_spelling() -> None:
    """ZWJ/ZWNJ inside Devanagari only choose glyph shapes: the word still matches."""
    assert isinstance(MATCHER.decide("सां\u200dस नहीं आ रही"), Urgent)
    assert isinstance(MATCHER.decide("मुझे आत्\u200cमहत्या के विचार आते हैं"), Urgent)


def test_one_plain_hinglish_phrase_matches_every_spelling_in_both_scripts() -> None:
    """Staff write 'saans nahi'; it matches 'sans nhi', 'साँस नहीं' and 'saas nai'."""
    screen = UrgentScreen((UrgentRule("breath", hinglish=("saans nahi",)),))
    for text in ("sans nhi aa rahi", "साँस नहीं आ रही", "saas nai", "SAANS NAHIN!!", "सांस नही"):
        assert screen.check(text) == "breath", text
    assert screen.check("saans ki exercise") is None


def test_phrase_gaps_choices_prefixes_and_numbers() -> None:
    """'...' allows up to four words between, 'a/b' is a choice, 'x*' a word start,
    '<number>' a number of two or more digits."""
    screen = UrgentScreen(
        (
            UrgentRule("gap", hinglish=("saans ... dikkat/takleef",)),
            UrgentRule("prefix", hinglish=("nigal* nahi",)),
            UrgentRule("number", hinglish=("<number> goliyan",)),
        )
    )
    assert screen.check("saans lene mein bahut zyada takleef") == "gap"
    assert screen.check("saans lene mein bahut bahut zyada takleef") is None  # five between
    assert screen.check("nigalna nahi ho raha") == "prefix"
    assert screen.check("15 goliyan") == "number"
    assert screen.check("5 goliyan") is None


def test_with_and_unless_phrases() -> None:
    """`hinglish_with` must also be present; any `hinglish_unless` phrase silences the rule."""
    screen = UrgentScreen(
        (
            UrgentRule(
                "fever",
                hinglish=("bukhar",),
                hinglish_with=("akad*",),
                hinglish_unless=("pichle hafte",),
            ),
        )
    )
    assert screen.check("tez bukhar aur gardan akad gayi") == "fever"
    assert screen.check("tez bukhar hai") is None
    assert screen.check("pichle hafte bukhar tha aur gardan akdi thi") is None


@pytest.mark.parametrize(
    "phrase", ["", "... saans", "saans ...", "saans ... ... nahi", "ab* nahi", "!!", "hanf*"]
)
def test_unusable_phrases_are_refused(phrase: str) -> None:
    """An empty phrase, a dangling '...', a too-short '*' or a word of punctuation is refused."""
    with pytest.raises(PhraseError):
        compile_phrase(phrase)


def test_a_bad_phrase_in_the_faq_is_reported_at_its_line(tmp_path: Path) -> None:
    """The checker points staff at the phrase, in words they understand."""
    text = DEFAULT_FAQ_PATH.read_text(encoding="utf-8")
    broken = text.replace("        - nigal*/nigl*/swallow*", "        - ni*/nigl*/swallow*", 1)
    assert broken != text
    target = tmp_path / "faq.yaml"
    target.write_text(broken, encoding="utf-8")
    line = broken[: broken.index("- ni*/nigl*")].count("\n") + 1
    with pytest.raises(FAQError) as caught:
        load_faq(target)
    problems = caught.value.problems
    assert any(p.line == line and "too short" in p.message for p in problems), problems


def test_a_rule_may_have_only_hinglish_phrases(tmp_path: Path) -> None:
    """A rule with `hinglish:` and no English `any:` loads and fires."""
    shutil.copy(DEFAULT_FAQ_PATH, tmp_path / "faq.yaml")
    faq = load_faq(tmp_path / "faq.yaml")
    rule = next(r for r in faq.urgent_rules if r.name == "suffocating")
    assert rule.any == ()
    assert rule.hinglish


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("सांस लेने में बहुत तकलीफ हो रही है", "hi"),
        ("mujhe saans lene mein dikkat ho rahi hai", "hinglish"),
        ("I can't breathe", "en"),
        ("dadi behosh", "hinglish"),  # no Hindi function word, but a Hindi rule fired
        ("i think he is having a heart attack", "en"),
    ],
)
def test_the_urgent_decision_carries_the_language(text: str, language: str) -> None:
    """The decision says which language the message was in, for the reply builder."""
    decision = MATCHER.decide(text)
    assert isinstance(decision, Urgent)
    assert decision.language == language


def test_a_hindi_or_hinglish_emergency_gets_hindi_first_then_english() -> None:
    """Nobody nearby who reads only Hindi or only English misses the urgent reply."""
    for text in ("साँस नहीं आ रही", "papa ko daura pad raha hai"):
        reply = reply_for(FAQ, MATCHER.decide(text))
        texts = [b.text for b in reply.blocks]
        assert reply.kind == "urgent"
        hindi_at = next(i for i, t in enumerate(texts) if any("\u0900" <= c <= "\u097f" for c in t))
        english_at = next(i for i, t in enumerate(texts) if "call 112" in t)
        assert hindi_at < english_at
        assert "{contact}" not in "".join(texts)
        assert sum("14416" in t for t in texts) == 2


def test_an_english_emergency_keeps_the_english_only_reply() -> None:
    """English readers get the same reply as before."""
    assert urgent_reply(FAQ, "en") == reply_for(FAQ, MATCHER.decide("I can't breathe"))
    assert not any("\u0900" <= ch <= "\u097f" for b in urgent_reply(FAQ).blocks for ch in b.text)


def test_without_the_hindi_file_the_urgent_reply_is_english() -> None:
    """A deployment without faq.hi.yaml still sends the full English urgent reply."""
    faq = load_faq()
    assert urgent_reply(faq, "hi") == urgent_reply(faq, "en")


@pytest.mark.parametrize(
    "text",
    [
        "என் கழுத்து ஏன் திரும்புகிறது",  # Tamil
        "আমার ঘাড় কেন বেঁকে যায়",  # Bengali
        "ನನ್ನ ಕುತ್ತಿಗೆ ನೋವು",  # Kannada
        "میری گردن کیوں مڑتی ہے",  # Urdu
        "ਮੇਰੀ ਗਰਦਨ ਕਿਉਂ ਮੁੜਦੀ ਹੈ",  # Gurmukhi
    ],
)
def test_another_script_gets_a_note_in_english_and_hindi_with_the_numbers(text: str) -> None:
    """The bot says which languages it reads, in both, always with 112 and 14416."""
    decision = MATCHER.decide(text)
    assert isinstance(decision, NoMatch)
    assert decision.unread_script
    reply = reply_for(FAQ, decision)
    assert reply == other_script_reply(FAQ)
    joined = "\n".join(b.text for b in reply.blocks)
    assert "English and Hindi" in joined
    assert "हिंदी" in joined
    assert joined.count("112") == 2
    assert joined.count("14416") == 2


def test_an_emergency_in_english_inside_another_script_is_still_urgent() -> None:
    """English urgent words mixed into Tamil still get the urgent reply (English first)."""
    decision = MATCHER.decide("அம்மா can't breathe உதவி செய்யுங்கள் உடனே தயவுசெய்து")
    assert isinstance(decision, Urgent)
    assert decision.language == "other"
    reply = reply_for(FAQ, decision)
    assert "call 112" in reply.blocks[1].text or "call 112" in reply.blocks[0].text


def test_a_one_word_phrase_that_reads_like_an_everyday_word_is_a_warning(tmp_path: Path) -> None:
    """'khaya' (ate) folds like 'kya' (what): alone it would match almost every question,
    so the checker warns at its line, while the FAQ still loads."""
    text = DEFAULT_FAQ_PATH.read_text(encoding="utf-8")
    marker = "        - took/taken/swallowed/ate\n"
    assert marker in text
    target = tmp_path / "faq.yaml"
    target.write_text(text.replace(marker, marker + "        - khaya\n", 1), encoding="utf-8")
    faq, problems = check_faq(target)
    assert faq is not None
    warnings = [p for p in problems if p.severity == "warning" and "'kya'" in p.message]
    line = text[: text.index(marker)].count("\n") + 2
    assert [p.line for p in warnings] == [line]


def test_a_one_word_phrase_that_reads_like_an_english_word_is_a_warning() -> None:
    """'likhai' (writing) folds like 'like', 'hasa' (laughed) like 'has': Hinglish
    messages are full of English words, so such a phrase would match them too."""
    assert any("'like'" in w for w in phrase_warnings("likh/likhai"))
    assert any("'has'" in w for w in phrase_warnings("hasa"))
    assert phrase_warnings("likh/likhna") == []
    assert phrase_warnings("hans hans") == []  # two words together are specific
    assert any("'saath'" in w for w in phrase_warnings("sat"))
