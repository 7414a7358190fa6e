"""The matcher on the shipped FAQ: from a patient's own words to urgent, answer, clarify or none.

Every question here is written for this file; none is copied from the labelled question
sets in tests/data, which measure quality separately (tests/test_quality.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faq.loader import load_faq
from faq.matcher import (
    AGREE_LEAD_RELIEF,
    AGREE_RELIEF,
    MAX_SUGGESTIONS,
    SUGGEST_RELIEF,
    Answer,
    Clarify,
    Decision,
    Match,
    Matcher,
    NoMatch,
    Urgent,
    decide,
    matcher_for,
)
from faq.model import FAQ, Thresholds

DECISION_TYPES = (Urgent, Answer, Clarify, NoMatch)


def answered_id(decision: Decision) -> str | None:
    return decision.match.entry.id if isinstance(decision, Answer) else None


def describe(decision: Decision) -> str:
    if isinstance(decision, Answer):
        return f"answer {decision.match.entry.id} ({decision.match.score})"
    if isinstance(decision, Clarify):
        return "clarify " + ", ".join(f"{m.entry.id} ({m.score})" for m in decision.candidates)
    if isinstance(decision, Urgent):
        return f"urgent ({decision.rule})"
    return "none"


# -- answering in the patient's own words -------------------------------------------------


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what is dystoina", "what-is-dystonia"),
        ("wht are the sympotms of dystonia", "symptoms"),
        ("can dystonya be cured", "treatable"),
        ("is dystonia psycological", "not-psychological"),
        ("why dose touching my chin help", "sensory-trick"),
        ("how long untill i see improvment", "time-to-improve"),
        ("is distonia progresive or not", "progression"),
        ("does strees make my dystonia wrose", "stress"),
        ("how is distonia diagnossed", "assessment"),
        ("whre does this infromation come from", "sources"),
        ("are yuo a robot or a persn", "about-bot"),
        ("how do i book an apointment", "contact-clinic"),
    ],
)
def test_typoed_question_still_answers_the_right_entry(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    decision = matcher.decide(question)
    assert answered_id(decision) == entry_id, describe(decision)


@pytest.mark.parametrize(
    ("typo", "correct"),
    [
        ("waht is dystonia", "what is dystonia"),
        ("is there pian with dystonia", "is there pain with dystonia"),
    ],
)
def test_four_letter_typo_is_understood_like_the_word(
    matcher: Matcher, typo: str, correct: str
) -> None:
    intended = matcher.decide(correct)
    decision = matcher.decide(typo)
    assert type(decision) is type(intended), describe(decision)
    assert describe(decision).split(" (")[0] == describe(intended).split(" (")[0]


def test_misspelt_word_is_corrected_to_the_faqs_own_word(matcher: Matcher) -> None:
    assert matcher.query_terms("distonia") == matcher.query_terms("dystonia")
    assert matcher.query_terms("dystoina") == matcher.query_terms("dystonia")


@pytest.mark.parametrize(
    ("first", "second", "entry_id"),
    [
        (
            "my contractions get worse when im stressed",
            "my spasms get worse when im stressed",
            "stress",
        ),
        (
            "the contractions in my neck, is it a muscle problem",
            "the spasms in my neck, is it a muscle problem",
            "muscles-or-brain",
        ),
        (
            "my mri came back normal, why do i still have dystonia",
            "my scan came back normal, why do i still have dystonia",
            "normal-tests",
        ),
    ],
)
def test_synonyms_lead_to_the_same_answer(
    matcher: Matcher, first: str, second: str, entry_id: str
) -> None:
    assert matcher.query_terms(first) == matcher.query_terms(second)
    one, other = matcher.decide(first), matcher.decide(second)
    assert answered_id(one) == answered_id(other) == entry_id, (describe(one), describe(other))


def test_synonym_words_become_one_term(matcher: Matcher) -> None:
    assert matcher.query_terms("contraction") == matcher.query_terms("spasm")
    assert matcher.query_terms("mri") == matcher.query_terms("scan")
    assert matcher.query_terms("muscle") != matcher.query_terms("brain")


@pytest.mark.parametrize(
    ("with_apostrophe", "without"),
    [
        ("why doesn't relaxing stop it", "why doesnt relaxing stop it"),
        ("why can't I stop it by relaxing", "why cant i stop it by relaxing"),
        ("what's causing my dystonia", "whats causing my dystonia"),
        ("I’m stressed and it’s worse", "im stressed and its worse"),  # curly apostrophes
    ],
)
def test_contractions_without_apostrophes_mean_the_same(
    matcher: Matcher, with_apostrophe: str, without: str
) -> None:
    assert matcher.query_terms(with_apostrophe) == matcher.query_terms(without)
    one, other = matcher.decide(with_apostrophe), matcher.decide(without)
    assert isinstance(one, Answer), describe(one)
    assert answered_id(one) == answered_id(other)


def test_cant_and_cannot_are_the_same_words(matcher: Matcher) -> None:
    assert (
        matcher.query_terms("i can't relax")
        == matcher.query_terms("i cant relax")
        == matcher.query_terms("i cannot relax")
    )


# -- abstaining -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        # medicines and doses
        "how many mg of levodopa should i take",
        "can i double my gabapentin dose",
        "is diazepam ok to take every night",
        "can i take ibuprofen with my pills",
        # pregnancy
        "can i get pregnant with dystonia",
        "i am pregnant, is my medicine safe for the baby",
        # nothing to do with dystonia
        "will it rain tomorrow",
        "what is the weather like in mumbai",
        "who is the prime minister of india",
        "write me a poem about cats",
        "can i eat mangoes",
        "my car wont start",
        # gibberish, emoji, punctuation
        "qwpoeiru zxmcnv",
        "xkcd qpzm vvvv",
        "😭😭😭",
        "🙏",
        "......",
        # other languages
        "¿puedo hacer ejercicio con distonía?",
        "was ist dystonie und wie behandelt man sie",
        "ما هو خلل التوتر العضلي",
        "मुझे सिर दर्द है",
        "Qu'est-ce que la dystonie ?",
    ],
)
def test_out_of_scope_question_is_never_answered(matcher: Matcher, question: str) -> None:
    decision = matcher.decide(question)
    assert isinstance(decision, NoMatch | Clarify), describe(decision)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how long does treatment take and what results", {"time-to-improve", "outcomes"}),
        ("is it stress or is it in my head", {"stress", "not-psychological"}),
    ],
)
def test_near_tie_asks_which_one_with_two_or_three_candidates(
    matcher: Matcher, question: str, expected: set[str]
) -> None:
    decision = matcher.decide(question)
    assert isinstance(decision, Clarify), describe(decision)
    ids = [m.entry.id for m in decision.candidates]
    assert 2 <= len(ids) <= MAX_SUGGESTIONS
    assert expected <= set(ids)
    scores = [m.score for m in decision.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len(set(ids)) == len(ids)


# -- the urgent screen ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ("i am struggling for breath right now", "breathing difficulty"),
        ("I CAN'T BREATHE", "breathing difficulty"),
        ("im finding it hard to breathe", "breathing difficulty"),
        ("my mother cannot swallow her food since this morning", "swallowing difficulty"),
        ("he can't swallow", "swallowing difficulty"),
        ("she is choking on water", "choking"),
        ("my throat is swelling up", "throat closing or swelling"),
        ("i have been thinking about suicide", "self-harm or suicidal thoughts"),
        ("i want to hurt myself", "self-harm or suicidal thoughts"),
        ("i'm going to kill myself", "self-harm or suicidal thoughts"),
        ("मैं मरना चाहता हूँ", "self-harm or suicidal thoughts"),
        ("मैं मरना चाहती हूँ", "self-harm or suicidal thoughts"),
        ("i think i overdosed on my medicine", "overdose"),
        ("i took too many pills", "overdose"),
        ("i have taken 40 tablets", "overdose"),
        ("he hit his head on the floor and now he is confused", "head injury with confusion"),
        ("my son fell down, banged his head and keeps vomiting", "head injury with confusion"),
        ("high fever and my whole body is stiff", "fever with spasms or stiffness"),
        ("i have a fever and my spasms are terrible", "fever with spasms or stiffness"),
        ("my neck spasm won't stop", "spasms that will not stop"),
    ],
)
def test_urgent_screen_fires_on_an_emergency(matcher: Matcher, message: str, rule: str) -> None:
    decision = matcher.decide(message)
    assert isinstance(decision, Urgent), describe(decision)
    assert decision.rule == rule


@pytest.mark.parametrize(
    "message",
    [
        "my husband can hardly breathe",
        "i can barely breathe",
        "breathing is really difficult",
        "swallowing is very difficult for me",
        "i took too many of my sleeping pills",
        "i swallowed all my pills",
    ],
)
def test_urgent_screen_fires_on_everyday_wording_of_an_emergency(
    matcher: Matcher, message: str
) -> None:
    assert isinstance(matcher.decide(message), Urgent)


@pytest.mark.parametrize(
    "message",
    [
        "these painkillers are killing my stomach",
        "I'm dying to know",
        "I killed it at the gym",
        "my breathing exercises help me relax",
        "why wont my neck stop pulling",
        "why won't my neck stop pulling",
        "this pain is killing me",
        "can dystonia kill you",
        "my neck is killing me",
        "i nearly died laughing",
        "i hit my head on a cupboard, no other problems",
        "i get a fever every winter",
        "my swallowing is fine",
        "deep breathing helps me",
    ],
)
def test_urgent_screen_ignores_everyday_phrases(matcher: Matcher, message: str) -> None:
    decision = matcher.decide(message)
    assert not isinstance(decision, Urgent), describe(decision)
    assert matcher.urgent_rule(message) is None


@pytest.mark.parametrize(
    ("question", "emergency"),
    [
        ("Does stress make dystonia worse?", "also i cant breathe"),
        ("What is dystonia?", "my throat is closing"),
        ("How do I book an appointment?", "my dad is choking"),
    ],
)
def test_urgent_wins_over_a_strong_faq_match(
    matcher: Matcher, question: str, emergency: str
) -> None:
    alone = matcher.decide(question)
    assert isinstance(alone, Answer), describe(alone)
    assert alone.match.score >= 0.9
    assert isinstance(matcher.decide(f"{question} {emergency}"), Urgent)
    assert isinstance(matcher.decide(f"{emergency}. {question}"), Urgent)


def test_urgent_phrase_at_the_end_of_a_long_message_is_still_caught(matcher: Matcher) -> None:
    text = "my neck pulls to the left and " * 150 + "now i cant breathe"
    assert isinstance(matcher.decide(text), Urgent)


# -- thresholds come from the FAQ -----------------------------------------------------


QUESTION = "my scan came back normal, why do i still have dystonia"


def test_raising_the_answer_threshold_turns_an_answer_into_clarify(faq: FAQ) -> None:
    before = Matcher(faq).decide(QUESTION)
    assert isinstance(before, Answer), describe(before)
    score = before.match.score
    assert faq.thresholds.clarify <= score < 0.99

    # Agreement of the meaning model relieves the threshold by AGREE_RELIEF, no more.
    stricter = dataclasses.replace(
        faq,
        thresholds=dataclasses.replace(
            faq.thresholds, answer=round(score + AGREE_RELIEF + 0.01, 2)
        ),
    )
    after = Matcher(stricter).decide(QUESTION)
    assert isinstance(after, Clarify), describe(after)
    assert after.candidates[0].entry.id == "normal-tests"
    assert after.candidates[0].score == score


def test_raising_the_clarify_threshold_above_the_best_score_abstains(faq: FAQ) -> None:
    score = Matcher(faq).rank(QUESTION)[0].score
    above = round(score + SUGGEST_RELIEF + 0.01, 2)
    strict = dataclasses.replace(faq, thresholds=Thresholds(answer=above, clarify=above))
    assert isinstance(Matcher(strict).decide(QUESTION), NoMatch)


def test_a_wider_margin_turns_an_answer_with_a_close_runner_up_into_clarify(faq: FAQ) -> None:
    before = Matcher(faq).decide(QUESTION)
    assert isinstance(before, Answer)
    gap = before.match.score - before.runners_up[0].score
    margin = round(gap + AGREE_LEAD_RELIEF + 0.01, 2)
    wide = dataclasses.replace(faq, thresholds=dataclasses.replace(faq.thresholds, margin=margin))
    assert isinstance(Matcher(wide).decide(QUESTION), Clarify)


def test_thresholds_are_read_from_the_yaml(faq: FAQ, tmp_path: Path) -> None:
    text = faq.path.read_text(encoding="utf-8")
    assert "  answer_threshold: 0.45\n" in text
    edited = tmp_path / "faq.yaml"
    edited.write_text(text.replace("  answer_threshold: 0.45\n", "  answer_threshold: 0.95\n"))
    stricter = load_faq(edited)
    assert stricter.thresholds.answer == 0.95
    assert faq.thresholds.answer == 0.45
    assert isinstance(matcher_for(faq).decide(QUESTION), Answer)
    assert isinstance(matcher_for(stricter).decide(QUESTION), Clarify)


def test_each_faq_gets_its_own_cached_matcher(faq: FAQ) -> None:
    assert matcher_for(faq) is matcher_for(faq)
    copy = dataclasses.replace(faq)
    assert matcher_for(copy) is not matcher_for(faq)
    assert decide(faq, "what is dystonia") == matcher_for(faq).decide("what is dystonia")


# -- determinism and odd input --------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["what is dystoina", "how long does treatment take and what results", "cant breathe", "lol"],
)
def test_same_input_gives_the_same_decision(faq: FAQ, matcher: Matcher, question: str) -> None:
    first = matcher.decide(question)
    assert matcher.decide(question) == first
    assert Matcher(faq).decide(question) == first  # a fresh matcher agrees too
    assert matcher.rank(question) == Matcher(faq).rank(question)


ODD_INPUTS = {
    "empty": "",
    "spaces": "   \n\t  ",
    "10k-chars": ("what is dystonia " * 700)[:10_000],
    "10k-one-word": "a" * 10_000,
    "control-chars": "what\x00 is\x07 dys\x1btonia\x7f\r\n?\x0b\x0c",
    "ansi-escape": "\x1b[31mwhat is dystonia\x1b[0m",
    "rtl-arabic": "ما هو خلل التوتر العضلي؟",
    "rtl-override": "\u202ewhat is dystonia\u202c",
    "hebrew": "מה זה דיסטוניה",
    "zero-width-joiner": "dys\u200dtonia what\u200b is \u200cit \ufeff",
    "emoji-zwj": "👨\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈",
    "only-punctuation": "?!?!...,,;;::--()[]{}''\"\"",
    "combining-marks": "d\u0301\u0302\u0303ystonia" + "\u0300" * 500,
    "math-alphanumerics": "what is \U0001d4b9\U0001d4ce\U0001d4c8tonia",
    "many-short-words": "a b c d e f g h i j " * 500,
}


@pytest.mark.parametrize("name", sorted(ODD_INPUTS))
def test_odd_input_still_gets_a_decision(matcher: Matcher, name: str) -> None:
    decision = matcher.decide(ODD_INPUTS[name])
    assert isinstance(decision, DECISION_TYPES)


def test_long_pasted_text_is_decided_by_its_start(matcher: Matcher) -> None:
    text = "does stress make dystonia worse " + "lorem ipsum dolor sit amet " * 400
    assert len(text) > 10_000
    assert isinstance(matcher.decide(text), DECISION_TYPES)


def test_control_and_zero_width_characters_do_not_hide_words(matcher: Matcher) -> None:
    clean = matcher.decide("what is dystonia")
    assert answered_id(matcher.decide("what\u200b is\x07 dystonia")) == answered_id(clean)


# -- property: any text gets one of the four decisions --------------------------------


def _faq_words() -> list[str]:
    shipped = load_faq()
    return sorted({w for e in shipped.entries for p in e.phrasings for w in p.split()})


FAQ_WORDS = _faq_words()
mixed_text = st.lists(
    st.one_of(st.sampled_from(FAQ_WORDS), st.text(min_size=1, max_size=8)), max_size=25
).map(" ".join)
any_text = st.one_of(st.text(), mixed_text)


def _check_decision(faq: FAQ, decision: Decision) -> None:
    assert isinstance(decision, DECISION_TYPES)
    matches: tuple[Match, ...] = ()
    if isinstance(decision, Answer):
        matches = (decision.match, *decision.runners_up)
    elif isinstance(decision, Clarify):
        assert decision.candidates
        matches = decision.candidates
    elif isinstance(decision, NoMatch):
        matches = decision.nearest
    for match in matches:
        assert any(match.entry is entry for entry in faq.entries)
        assert 0.0 <= match.score <= 1.0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_any_text_gets_one_of_the_four_decisions(matcher: Matcher, text: str) -> None:
    _check_decision(matcher.faq, matcher.decide(text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word=st.sampled_from(FAQ_WORDS), noise=st.text(max_size=40))
def test_faq_words_mixed_with_random_unicode_get_a_decision(
    matcher: Matcher, word: str, noise: str
) -> None:
    for text in (f"{word} {noise}", f"{noise}{word}", f"{noise} {word} {noise}"):
        _check_decision(matcher.faq, matcher.decide(text))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_top_few_are_the_head_of_the_full_ranking_whatever_the_question(
    matcher: Matcher, faq: FAQ, data: st.DataObject
) -> None:
    """Ranking only the top few (pruned with every target's total computed at once) picks
    the same targets, scores and order as ranking them all, held-out phrasing or not."""
    entry = data.draw(st.sampled_from(faq.entries))
    number = data.draw(st.integers(0, len(entry.phrasings) - 1))
    vocabulary = [w for p in entry.phrasings for w in p.split()] + ["dystonia", "my", "neck"]
    text = " ".join(data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=8)))
    held_out = data.draw(st.sampled_from([None, (entry.id, number)]))
    terms = matcher.query_terms(text)
    n = len(faq.entries)

    full = [(score, target) for score, target, _ in matcher._rank_targets(terms, held_out, None)]
    top = [(score, target) for score, target, _ in matcher._rank_targets(terms, held_out, 4)]

    assert [r for r in top if r[1] < n] == [r for r in full if r[1] < n][:4]
    assert [r for r in top if r[1] >= n] == [r for r in full if r[1] >= n][:1]
