"""Hindi and Hinglish reach the same terms as English: across scripts and spellings.

Every question here is written for this file; none is copied from the labelled question
sets in tests/data, which measure quality separately (tests/test_quality.py).
"""

from __future__ import annotations

import pytest

from faq.matcher import Answer, Matcher, NoMatch
from faq.text import STOPWORDS, term, words


def test_devanagari_words_stay_whole_and_come_out_in_latin_letters() -> None:
    """Vowel signs and the virama are part of a word, not separators."""
    assert words("डिस्टोनिया क्या है?") == ["distoniya", "kya", "hai"]
    assert words("गर्दन का दर्द") == ["gardan", "ka", "dard"]


def test_mixed_script_text_keeps_every_word_in_order() -> None:
    """English, Hinglish and Devanagari words in one message all survive, in order."""
    assert words("mera neck दर्द se") == ["mera", "neck", "dard", "se"]


@pytest.mark.parametrize(
    "spellings",
    [
        ("zyada", "jyada", "ज़्यादा", "ज्यादा"),
        ("theek", "thik", "ठीक"),
        ("ilaj", "ilaaj", "इलाज"),
        ("badhta", "badhti", "badhna", "बढ़ता"),
        ("dystonia", "distonia", "डिस्टोनिया"),
        ("gardan", "gardn", "गर्दन"),
    ],
)
def test_spellings_of_one_hindi_word_share_one_term(spellings: tuple[str, ...]) -> None:
    """Free Hinglish spelling and the Devanagari form give one matcher term."""
    terms = {term(w) for s in spellings for w in words(s)}
    assert len(terms) == 1, terms


def test_hinglish_terms_never_meet_english_stems() -> None:
    """ "aaram" (rest) is not "arm", and "baad" (after) is not "badh" (to grow)."""
    assert term("aaram") != term("arm")
    assert term("baad") != term("badh")
    assert term("galti") != term("galat")


def test_english_words_keep_their_english_stems() -> None:
    """The English stemmer still joins English forms, and is never fed Hindi."""
    assert term("twisting") == term("twisted") == term("twists")
    assert term("muscles") == term("muscle")


@pytest.mark.parametrize("word", ["kya", "hai", "hain", "kyun", "mujhe", "nahi", "lena", "milta"])
def test_hinglish_function_words_are_stopwords(word: str) -> None:
    """Hinglish function words weigh like English ones."""
    assert term(word) in STOPWORDS


@pytest.mark.parametrize("word", ["neend", "hai", "nahi", "kaise", "mujhe", "dawai", "kitne"])
def test_hinglish_words_are_not_corrected_into_english(matcher: Matcher, word: str) -> None:
    """In a Hinglish question, a Hindi word is left alone, never "corrected" to English."""
    assert word not in {"need", "has"}
    question = f"kya {word} se dystonia hota hai"
    assert term(word) in matcher.query_terms(question) or word in matcher.query_terms(question)


@pytest.mark.parametrize(
    ("variants", "entry_id"),
    [
        (
            (
                "kya stress se dystonia zyada hota hai",
                "तनाव में डिस्टोनिया ज़्यादा होता है क्या",
                "tanaav me distonia jada hota h kya",
            ),
            "stress",
        ),
        (
            ("dystonia ke lakshan batao", "डिस्टोनिया के लक्षण बताओ", "distonia ke symptoms batao"),
            "symptoms",
        ),
        (
            ("kya ye bimari failti hai", "क्या यह बीमारी फैलती है", "kya ye bimari spread hoti hai"),
            "progression",
        ),
    ],
)
def test_one_question_in_either_script_or_spelling_finds_one_entry(
    matcher: Matcher, variants: tuple[str, ...], entry_id: str
) -> None:
    """The same question in Devanagari, Hinglish or mixed with English is answered alike."""
    for question in variants:
        decision = matcher.decide(question)
        assert isinstance(decision, Answer), (question, decision)
        assert decision.match.entry.id == entry_id, (question, decision.match.entry.id)


def test_stress_question_in_hindi_is_not_answered_with_what_is_dystonia(
    matcher: Matcher,
) -> None:
    """The dangerous confusion: a stress question never gets the definition as an answer."""
    decision = matcher.decide("तनाव होने पर मेरा डिस्टोनिया बढ़ जाता है क्या")
    assert isinstance(decision, Answer)
    assert decision.match.entry.id == "stress"


@pytest.mark.parametrize(
    "question",
    [
        "dystonia ki dawai ki dose kitni honi chahiye",
        "kya dystonia khandani hota hai",
        "बोटोक्स इंजेक्शन कितने दिन असर करता है",
    ],
)
def test_hinglish_question_outside_the_faq_gets_no_confident_answer(
    matcher: Matcher, question: str
) -> None:
    """Medicines, heredity and injections are not covered: no answer is given for them."""
    assert not isinstance(matcher.decide(question), Answer)


def test_no_two_synonym_groups_share_a_matcher_term(matcher: Matcher) -> None:
    """Skeletons fold spellings together; they must never fold two groups into one."""
    owner: dict[tuple[str, ...], int] = {}
    clashes = []
    for number, group in enumerate(matcher.faq.synonyms):
        for phrase in group:
            key = tuple(term(w) for w in words(phrase))
            if owner.setdefault(key, number) != number:
                clashes.append(f"{phrase!r} in group {number} and group {owner[key]}")
    assert not clashes, clashes


@pytest.mark.parametrize(
    "question",
    [
        "kya parkinson aur dystonia ek hi hai",  # "hi" here is the particle, not hello
        "kya tension se bp badh jata hai",  # an abbreviation the FAQ does not know
        "dystonia ke ilaj ka kharcha kitna hai",  # what it costs: no entry says
        "kya mera dystonia khatam ho sakta hai",  # "khatam" (ended) is not lost confidence
        "papa ke liye dystonia ki koi book batao",  # a book to read, not a booking
    ],
)
def test_hinglish_look_alikes_get_no_confident_answer(matcher: Matcher, question: str) -> None:
    """Questions that share words with an entry but ask something else are not answered."""
    assert not isinstance(matcher.decide(question), Answer), matcher.decide(question)


def test_english_loanwords_in_devanagari_meet_their_english_word(matcher: Matcher) -> None:
    """ "अपॉइंटमेंट" and "रिपोर्ट" are the FAQ's "appointment" and "report"."""
    assert "appoint" in matcher.query_terms("अपॉइंटमेंट")
    assert matcher.query_terms("रिपोर्ट") == matcher.query_terms("report")


def test_hindi_words_are_not_taken_for_english_look_alikes(matcher: Matcher) -> None:
    """Close spellings are not enough: "chehra" (face) is not "cheers"."""
    assert matcher.query_terms("chehra") == matcher.query_terms("face")
    assert matcher.query_terms("chinta") != matcher.query_terms("chin")


@pytest.mark.parametrize(
    "text", ["theek hai", "ठीक है", "ok yaar", "accha ji", "अच्छा", "haan ji", "pehla wala"]
)
def test_an_acknowledgement_gets_no_answer(matcher: Matcher, text: str) -> None:
    """ "theek hai" is "okay", not "can it be cured" ("theek ho sakta hai")."""
    assert isinstance(matcher.decide(text), NoMatch)


def test_thanks_with_an_acknowledgement_is_still_thanks(matcher: Matcher) -> None:
    decision = matcher.decide("ok thanks")
    assert isinstance(decision, Answer)
    assert decision.match.entry.id == "thanks"


@pytest.mark.parametrize(
    "question",
    [
        "mere pitaji ko doctor ne dystonia bataya hai, ye kya bimari hai",
        "yaar ye dystonia kya hota hai",
    ],
)
def test_everyday_hindi_words_are_neither_corrected_nor_unknown(
    matcher: Matcher, question: str
) -> None:
    """ "yaar" (friend) is not a typo of "year"; "pitaji" (father) is context, not a drug."""
    assert "year" not in matcher.query_terms(question)
    decision = matcher.decide(question)
    assert isinstance(decision, Answer)
    assert decision.match.entry.id == "what-is-dystonia"
