"""The Hindi/Hinglish normaliser: scripts, romanisation, spelling skeletons, language guess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.evaluate import read_cases
from faq.indic import Script, detect_language, hinglish_skeleton, script_of, skeleton, to_latin
from faq.loader import load_faq
from faq.urgent import UrgentScreen

DATA = Path(__file__).parent / "data"
SCREEN = UrgentScreen(load_faq().urgent_rules)


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("i cant breathe", Script.LATIN),
        ("साँस नहीं आ रही", Script.DEVANAGARI),
        ("என்னால் மூச்சு விட முடியவில்லை", Script.OTHER_INDIC),
        ("ਮੈਨੂੰ ਸਾਹ ਨਹੀਂ ਆ ਰਿਹਾ", Script.OTHER_INDIC),
        ("আমি শ্বাস নিতে পারছি না", Script.OTHER_INDIC),
        ("میں سانس نہیں لے پا رہا", Script.ARABIC),
        ("не могу дышать", Script.OTHER),
        ("😭 112 !!", Script.NONE),
        ("papa को दौरा", Script.DEVANAGARI),
    ],
)
def test_script_is_read_from_the_unicode_block_of_each_letter(text: str, script: Script) -> None:
    """Each letter's block decides; the script with most letters wins, Devanagari on a tie."""
    assert script_of(text) == script


@pytest.mark.parametrize(
    ("devanagari", "latin"),
    [
        ("साँस", "saans"),
        ("सांस", "saans"),
        ("नहीं", "nahin"),
        ("तकलीफ़", "takleef"),
        ("धड़कन", "dhadkan"),
        ("दौरा", "daura"),
        ("झाग", "jhaag"),
        ("मरना", "marna"),
        ("अस्पताल", "aspataal"),
        ("ज़िंदगी", "zindagi"),
        ("डॉक्टर", "doktar"),
        ("बेहोश", "behosh"),
    ],
)
def test_devanagari_is_spelt_the_way_hinglish_is_typed(devanagari: str, latin: str) -> None:
    """Unspoken inherent vowels are dropped and long vowels doubled, as people type them."""
    assert to_latin(devanagari) == latin


def test_to_latin_leaves_latin_and_other_scripts_alone() -> None:
    """Only Devanagari is rewritten; English words and digits pass through in place."""
    assert to_latin("papa को 2 बार दौरा") == "papa ko 2 baar daura"
    assert to_latin("வணக்கம் hello") == "வணக்கம் hello"


@pytest.mark.parametrize(
    "spellings",
    [
        ("saans", "sans", "saas", "साँस", "सांस", "सास"),
        ("nahi", "nhi", "nahin", "nai", "nahee", "नहीं", "नही"),
        ("dikkat", "dikat", "diqqat", "दिक्कत", "दिक़्क़त"),
        ("takleef", "taklif", "takalif", "तकलीफ", "तकलीफ़"),
        ("zindagi", "jindagi", "zindgi", "ज़िंदगी", "जिंदगी", "जिन्दगी"),
        ("jhaag", "jhag", "jaag", "झाग"),
        ("behosh", "behosh", "behos", "बेहोश", "बेहोस"),
        ("daura", "dora", "doura", "दौरा"),
        ("raha", "rha", "रहा"),
        ("khoon", "khun", "khooon", "ख़ून", "खून"),
        ("mein", "me", "main", "mai", "m", "में", "मैं"),
        ("neele", "nile", "नीले", "निले"),
        ("phool", "fool", "phul", "फूल"),
        ("hoth", "honth", "hont", "होंठ", "होठ"),
        ("zahar", "jahar", "ज़हर", "जहर"),
    ],
)
def test_spelling_variants_share_one_skeleton(spellings: tuple[str, ...]) -> None:
    """Hinglish spellings and Devanagari variants of one word fold to the same skeleton."""
    assert len({hinglish_skeleton(s) for s in spellings}) == 1, [
        (s, hinglish_skeleton(s)) for s in spellings
    ]


def test_ho_raha_typed_as_one_word_is_two_words() -> None:
    """"hora" is how many type "ho raha"; its skeleton is the two words'."""
    assert hinglish_skeleton("hora") == skeleton("ho raha")


def test_words_that_mean_different_things_stay_apart() -> None:
    """Folding is loose, but not so loose that these everyday pairs meet."""
    pairs = [("saans", "sahi"), ("marna", "maaf"), ("ruk", "rok"), ("chahti", "chhati")]
    for a, b in pairs:
        assert hinglish_skeleton(a) != hinglish_skeleton(b), (a, b)


def test_skeleton_of_a_sentence_is_its_words_skeletons() -> None:
    """Both scripts of one sentence give the same skeleton text."""
    assert skeleton("mujhe saans lene mein dikkat ho rahi hai") == skeleton(
        "मुझे साँस लेने में दिक्कत हो रही है"
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("सांस लेने में बहुत तकलीफ हो रही है", "hi"),
        ("mujhe saans lene mein dikkat ho rahi hai", "hinglish"),
        ("papa ko daura pad raha hai", "hinglish"),
        ("dystonia kya hota hai", "hinglish"),
        ("what is dystonia", "en"),
        ("my child's neck is stuck and he can't swallow", "en"),
        ("என்னால் மூச்சு விட முடியவில்லை", "other"),
        ("میں سانس نہیں لے پا رہا", "other"),
        ("i cant breathe ಉಸಿರಾಟ", "en"),
        ("👍🙏", "unknown"),
    ],
)
def test_language_guess(text: str, language: str) -> None:
    """Devanagari is Hindi; Latin with everyday Hindi words is Hinglish; else English."""
    assert detect_language(text) == language


def test_english_question_sets_read_as_english() -> None:
    """On the team's English question sets, at most a handful are taken for Hinglish,
    and those are the ones that really are Hinglish or Hindi."""
    for name in ("dev-questions.tsv", "holdout-questions.tsv"):
        cases = read_cases(DATA / name)
        wrong = [
            c.question
            for c in cases
            if detect_language(c.question) in ("hinglish", "other")
            and not any(w in c.question.split() for w in ("kya", "hai", "kaun"))
        ]
        assert wrong == [], name


def test_the_transliteration_tables_load_only_when_devanagari_arrives(tmp_path: Path) -> None:
    """An English-only bot never pays the ~10 MB of indic-transliteration's tables: loading
    an FAQ without Devanagari phrasings and answering English does not import it; a
    Devanagari word does. (The shipped FAQ has Devanagari phrasings, so it loads them at
    start-up, when its phrasings are spelt in Latin letters for matching.)"""
    shipped = Path(__file__).parent.parent / "faq" / "data" / "faq.yaml"
    # Devanagari alternates and synonym groups dropped; the urgent rules keep theirs.
    english_only = re.sub(
        r"(?m)^(      - |  - \[).*[\u0900-\u097f].*\n", "", shipped.read_text(encoding="utf-8")
    )
    (tmp_path / "faq.yaml").write_text(english_only, encoding="utf-8")
    script = (
        "import sys\n"
        "from faq.loader import load_faq\n"
        "from faq.matcher import Matcher\n"
        f"m = Matcher(load_faq({str(tmp_path / 'faq.yaml')!r}))\n"
        "m.decide('I cant breathe'); m.decide('saans nahi aa rahi')\n"
        "before = 'indic_transliteration' in sys.modules\n"
        "m.decide('साँस नहीं आ रही')\n"
        "print(before, 'indic_transliteration' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split() == ["False", "True"]


_MIXED_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0900, max_codepoint=0x097F),
        st.characters(min_codepoint=0x0980, max_codepoint=0x0DFF),
        st.sampled_from(list("abcdehiklmnoprstuvwyz ?!.'\u200b\u200c\u200d\u2060\u00ad\ufeff")),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_MIXED_TEXT)
def test_normaliser_and_screen_never_fail_on_any_mix_of_scripts(text: str) -> None:
    """Stray signs, lone matras, joiners and mixed scripts never make the screen raise."""
    assert isinstance(to_latin(text), str)
    assert isinstance(skeleton(text), str)
    assert detect_language(text) in ("en", "hi", "hinglish", "other", "unknown")
    SCREEN.check(text)
