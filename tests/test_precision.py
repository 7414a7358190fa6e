"""Never a wrong answer: the failure kinds the hybrid matcher exists to prevent.

Every question here is written for this file; none is copied from an evaluation set or
from the FAQ's phrasings.
"""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

import pytest

from conversation.replies import reply_for
from faq import semantic
from faq.loader import load_faq
from faq.matcher import Answer, Clarify, Decision, Matcher, NoMatch, asks_about_medicines
from faq.model import FAQ


def describe(decision: Decision) -> str:
    if isinstance(decision, Answer):
        return f"answer {decision.match.entry.id}"
    if isinstance(decision, Clarify):
        return "clarify " + ", ".join(m.entry.id for m in decision.candidates)
    if isinstance(decision, NoMatch):
        topic = decision.not_covered.id if decision.not_covered else None
        return f"none (not covered: {topic})"
    return decision.kind


def suggested(decision: Decision) -> set[str]:
    if isinstance(decision, Answer):
        return {decision.match.entry.id}
    if isinstance(decision, Clarify):
        return {m.entry.id for m in decision.candidates}
    return set()


# -- topics the FAQ does not cover ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("is dystonia passed down in families", "genetics-and-inheritance"),
        ("my grandfather had it too, is it in the genes", "genetics-and-inheritance"),
        ("do botulinum toxin shots work for a twisted neck", "injections"),
        ("is brain stimulation surgery an option for me", "surgery"),
        ("is my dystonia actually parkinsons disease", "other-conditions"),
        ("is dystonia a terminal illness", "life-expectancy"),
        ("would yoga classes help my spasms", "exercise-and-yoga"),
        ("how much will the treatment cost me", "costs-and-fees"),
        ("am i allowed to drive a car with this", "driving-and-work"),
        ("will zinc or vitamin b12 tablets stop the twisting", "medicines-and-doses"),
        ("should my wife start magnesium for her spasms", "diet-and-food"),
        ("can ayurveda cure my fathers neck dystonia", "other-therapies"),
        ("kya homeopathy se dystonia theek hota hai", "other-therapies"),
        ("which book explains dystonia for families", "books-and-support-groups"),
        ("is there a whatsapp group for dystonia patients", "books-and-support-groups"),
        ("is it okay to smoke cigarettes with dystonia", "alcohol-and-smoking"),
        ("kya daru peene se gardan aur zyada mudegi", "alcohol-and-smoking"),
        ("my uncle has thyroid trouble, is that linked to his dystonia", "other-conditions"),
        ("can my wife catch it from me", "passing-to-others"),
        ("kya ye bimari chhoot se failti hai", "passing-to-others"),
        # spreading by touch is catching it, not dystonia spreading in the body
        ("क्या यह रोग छूने से फैलता है", "passing-to-others"),
        ("kya dystonia chhoone se phailta hai", "passing-to-others"),
        ("can dystonia spread through touch to others", "passing-to-others"),
        # whether one can keep a job is not how dystonia affects daily life
        ("क्या डिस्टोनिया के रहते मैं नौकरी कर पाऊँगा", "driving-and-work"),
        # a doctor elsewhere is neither a book nor this clinic
        ("could you recommend a neurologist in my city", "other-doctors"),
        ("lucknow me koi achha doctor batao", "other-doctors"),
    ],
)
def test_a_question_on_an_uncovered_topic_names_that_topic_instead_of_answering(
    matcher: Matcher, question: str, topic: str
) -> None:
    """An uncovered topic sharing the FAQ's words gets its not-covered reply, not an entry."""
    decision = matcher.decide(question)
    assert isinstance(decision, NoMatch), describe(decision)
    assert decision.not_covered is not None, describe(decision)
    assert decision.not_covered.id == topic


def test_the_not_covered_reply_names_the_topic_and_the_clinic_and_carries_the_disclaimer(
    faq: FAQ, matcher: Matcher
) -> None:
    """The reply is honest about the gap, points to the clinic and ends with the disclaimer."""
    decision = matcher.decide("should my son have a gene test for this")
    assert isinstance(decision, NoMatch)
    assert decision.not_covered is not None
    reply = reply_for(faq, decision)
    text = "\n".join(b.text for b in reply.blocks)
    assert "does not cover genetics" in text
    assert faq.clinic.contact_text in text
    assert reply.blocks[-1].text == faq.disclaimer
    assert "{contact}" not in text


def test_every_not_covered_topic_has_english_and_hindi_or_hinglish_phrasings(faq: FAQ) -> None:
    """Each known unknown can be recognised in the patients' languages."""
    assert len(faq.not_covered) >= 11
    for topic in faq.not_covered:
        ascii_phrasings = [p for p in topic.phrasings if p.isascii()]
        assert len(ascii_phrasings) >= 3 + 2 - 1, topic.id
        assert any(not p.isascii() for p in topic.phrasings), topic.id
        assert "{contact}" in topic.reply


# -- medicines and doses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "can i take medicine for dystonia",
        "how many mg should my father have at night",
        "is it fine to skip my tablets when i feel better",
        "which medication works fastest for neck spasms",
        "how soon will the pills start working",
        "dawai kab tak leni padegi",
        "goli khane se farak padega kya",
        "दवा कितने दिन लेनी है",
        "does the dose need to go up if the spasm gets worse",
        # a class of medicine, not the word "medicine": "relaxant" must not meet "relax"
        "would a muscle relaxant stop the pulling",
        "relaxant lena theek rahega kya",
        "can antidepressants make my neck worse",
        "is paracetamol ok for the neck pain",
    ],
)
def test_a_medicine_or_dose_question_never_gets_an_faq_answer_or_suggestion(
    matcher: Matcher, question: str
) -> None:
    """The medicine guard: not covered (or a plain abstain), never an entry, never buttons."""
    decision = matcher.decide(question)
    assert isinstance(decision, NoMatch), describe(decision)
    assert decision.nearest == ()
    assert decision.not_covered is not None
    assert decision.not_covered.id == "medicines-and-doses"


def test_the_medicine_guard_holds_even_without_a_medicines_topic(faq: FAQ) -> None:
    """With no not_covered section at all, a dose question still gets no answer."""
    bare = Matcher(dataclasses.replace(faq, not_covered=()))
    decision = bare.decide("what dose of tablets should i take")
    assert isinstance(decision, NoMatch)
    assert decision.not_covered is None
    assert decision.nearest == ()


@pytest.mark.parametrize(
    "question",
    ["why dose touching my chin help", "dose stress make it worse", "how dose it spread"],
)
def test_dose_typed_for_does_is_not_a_medicine_question(question: str) -> None:
    """ "dose" before its subject is the verb "does" mistyped, not a dose."""
    assert not asks_about_medicines(question)


# -- meaning without shared words -------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what makes dystonia start in a person", "what-causes-dystonia"),
        ("what does the future look like with this condition", "progression"),
        ("is it possible to have it only in one hand", "types"),
        ("what would i notice if i had dystonia", "symptoms"),
    ],
)
def test_meaning_without_the_faqs_words_still_reaches_the_entry(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    """The meaning model finds the entry (as the answer or among the suggestions)."""
    assert entry_id in suggested(matcher.decide(question))


def test_the_meaning_model_vetoes_a_lexical_answer_it_clearly_disagrees_with(
    faq: FAQ,
) -> None:
    """Lexical alone answers a surgery question with the non-surgical entry; hybrid does not."""
    question = "what happens during a brain operation for dystonia"
    lexical = Matcher(faq, semantic=False).decide(question)
    hybrid = Matcher(faq).decide(question)
    assert not (isinstance(hybrid, Answer) and hybrid.match.entry.id == "non-invasive-treatment"), (
        describe(hybrid)
    )
    del lexical  # shown for the reader: the ablation is measured in bench/


# -- long messages ----------------------------------------------------------------------

LONG_STORY = (
    "Good evening. I am writing on behalf of my aunt, who is 61 and lives with my family in "
    "Nagpur. About four years ago she began to have trouble holding her head straight; at "
    "first it was only when she was tired in the evening, but over time it has become "
    "constant and now her chin turns towards her left shoulder for most of the day. She "
    "used to teach at a primary school and had to take early retirement, which upset her "
    "very much. She has seen three different doctors, had an MRI and several blood tests, "
    "and has tried massage and hot packs at home. Some days she will not leave the house "
    "because she feels people are looking at her. We are all trying to support her but we "
    "do not really understand what is happening to her body. Her daughter is getting "
    "married in March and she is worried about the ceremony and the photographs. "
    "She also finds it hard to sleep, and the pulling feels stronger after an argument at "
    "home or a difficult phone call. Our question is simple. "
    "Does worry and tension make this kind of problem stronger?"
)


def test_a_long_message_is_read_from_its_question_sentences(matcher: Matcher) -> None:
    """A caregiver's long story ending in a question gets that question's entry."""
    assert len(LONG_STORY) > 1000
    decision = matcher.decide(LONG_STORY)
    assert "stress" in suggested(decision), describe(decision)


def test_a_two_thousand_character_message_ending_in_its_questions_is_answered_or_suggested(
    matcher: Matcher,
) -> None:
    """The caregiver's very long message is read from its last question sentences."""
    story = LONG_STORY.rsplit("Our question is simple.", 1)[0]
    message = (
        story
        + story.replace("my aunt", "her sister").replace("Nagpur", "Pune")
        + " So, after all this, my questions are: will it keep spreading to her arms over"
        " the years? And is there treatment for it?"
    )
    assert len(message) > 2000
    decision = matcher.decide(message)
    assert suggested(decision) & {"progression", "treatable"}, describe(decision)


def test_a_long_message_with_an_emergency_inside_is_still_urgent(matcher: Matcher) -> None:
    """The urgent screen reads the whole message, not only its question sentences."""
    message = LONG_STORY.replace("Good evening.", "Right now she cannot breathe properly.")
    assert matcher.decide(message).kind == "urgent"


# -- follow-ups -------------------------------------------------------------------------


def test_a_follow_up_is_read_with_the_answer_it_follows(matcher: Matcher) -> None:
    """ "and how long until it works?" after the clinic's treatment asks about the timeline."""
    alone = matcher.decide("and how long until that works?")
    followed = matcher.decide("and how long until that works?", context="clinic-treatment")
    assert "time-to-improve" in suggested(followed), describe(followed)
    assert not isinstance(alone, Answer) or alone.match.entry.id == "time-to-improve"


def test_a_follow_up_on_an_uncovered_topic_stays_not_covered(matcher: Matcher) -> None:
    """ "does that work for kids?" is about children, whatever it follows."""
    decision = matcher.decide("does that work for kids too?", context="non-invasive-treatment")
    assert isinstance(decision, NoMatch), describe(decision)
    assert decision.not_covered is not None
    assert decision.not_covered.id == "children"


def test_context_that_does_not_help_still_abstains(matcher: Matcher) -> None:
    """An unrelated message after an answer is not pulled towards that answer."""
    decision = matcher.decide("what time does the train to delhi leave", context="stress")
    assert not isinstance(decision, Answer), describe(decision)


def test_an_unknown_context_id_is_ignored(matcher: Matcher) -> None:
    """A stale entry id (after an FAQ edit) changes nothing."""
    question = "does stress make dystonia worse"
    assert describe(matcher.decide(question, context="no-such-entry")) == describe(
        matcher.decide(question)
    )


# -- negation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    ["i am not grateful at all", "that was not helpful", "no thanks, this did not help me"],
)
def test_negated_chit_chat_is_not_answered_as_if_affirmative(
    matcher: Matcher, message: str
) -> None:
    """ "not grateful" is not "thank you"."""
    decision = matcher.decide(message)
    assert not isinstance(decision, Answer), describe(decision)


def test_a_question_about_surgery_is_not_answered_with_treatment_without_surgery(
    matcher: Matcher,
) -> None:
    """Neither source describes surgery: asking what it involves must not get the
    non-invasive answer as if it were about surgery."""
    decision = matcher.decide("what does the surgery involve")
    assert not isinstance(decision, Answer), describe(decision)


@pytest.mark.parametrize(
    "message",
    [
        "सर्जरी से इलाज होगा क्या",
        "surgery se poori tarah theek hoga kya",
        "kya operation se dystonia puri tarah thik hota hai",
    ],
)
def test_a_hindi_surgery_question_is_not_answered_with_treatment_without_surgery(
    matcher: Matcher, message: str
) -> None:
    """Hindi is matched on its words alone, and "surgery ke bina" (without surgery) is one
    term apart from "surgery": a question about surgery is not answered with the entry
    about treatment without it."""
    decision = matcher.decide(message)
    assert not isinstance(decision, Answer), describe(decision)


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("will dystonia show on a scan", "normal-tests"),
        ("is my father faking it", "not-psychological"),
        ("does calming down stop the pulling", "relaxing-doesnt-help"),
    ],
)
def test_a_plain_question_to_an_entry_titled_by_a_denial_is_still_answered(
    matcher: Matcher, message: str, entry: str
) -> None:
    """Entries such as "Why doesn't relaxing help?" are the answer to the plain question."""
    decision = matcher.decide(message)
    assert isinstance(decision, Answer), describe(decision)
    assert decision.match.entry.id == entry


@pytest.mark.parametrize(
    "message",
    ["i want to book a consultation", "booking kaise karu", "can i book a visit to the clinic"],
)
def test_booking_still_reaches_the_contact_entry(matcher: Matcher, message: str) -> None:
    """ "book" the noun (a book to read) is not read as booking, and booking still works."""
    decision = matcher.decide(message)
    assert isinstance(decision, Answer), describe(decision)
    assert decision.match.entry.id == "contact-clinic"


def test_a_remedy_named_with_a_symptom_is_never_answered(matcher: Matcher) -> None:
    """The symptom's words point at entries, but no entry may read as a verdict on the remedy."""
    decision = matcher.decide("homeopathy se gardan ka khichav jayega kya")
    assert not isinstance(decision, Answer), describe(decision)


@pytest.mark.parametrize("message", ["office me training hai kal", "i start job training monday"])
def test_training_for_a_job_is_not_the_clinics_brain_training(
    matcher: Matcher, message: str
) -> None:
    decision = matcher.decide(message)
    assert not isinstance(decision, Answer), describe(decision)


@pytest.mark.parametrize(
    "message", ["surgery ke bina koi ilaj hai kya", "operation ke alawa aur kya kar sakte hai"]
)
def test_treatment_without_surgery_asked_in_hinglish_still_reaches_its_entry(
    matcher: Matcher, message: str
) -> None:
    assert "non-invasive-treatment" in suggested(matcher.decide(message))


def test_a_book_to_read_is_not_answered_with_how_to_book(matcher: Matcher) -> None:
    decision = matcher.decide("mummy ke liye dystonia par ek achhi book bata do")
    assert not isinstance(decision, Answer), describe(decision)


def test_or_not_is_a_question_not_a_negation(matcher: Matcher) -> None:
    """ "is it treatable or not" still gets its answer."""
    decision = matcher.decide("is dystonia treatable or not")
    assert isinstance(decision, Answer)
    assert decision.match.entry.id == "treatable"


# -- the model ships with the package and never touches the network --------------------


@pytest.mark.parametrize(
    "message", ["bhai dystonia kya cheez hai samjha do", "डिस्टोनिया क्या होता है समझा दीजिए"]
)
def test_asking_to_have_dystonia_explained_is_not_about_others_not_understanding(
    matcher: Matcher, message: str
) -> None:
    """ "samjha do" (explain it) and "koi nahi samajhta" (nobody understands me) fold to
    one Hinglish spelling; only the first is a question about what dystonia is."""
    decision = matcher.decide(message)
    assert isinstance(decision, Answer), describe(decision)
    assert decision.match.entry.id == "what-is-dystonia"


@pytest.mark.parametrize("message", ["tell me a joke", "sunao koi joke", "kuch funny batao yaar"])
def test_a_request_for_a_joke_is_never_answered_with_an_entry(
    matcher: Matcher, message: str
) -> None:
    assert not isinstance(matcher.decide(message), Answer)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_meaning_model_loads_and_runs_without_any_network_access(no_network: None) -> None:
    """Loading the bundled model and deciding with it opens no socket."""
    semantic.bundled_embedder.cache_clear()
    try:
        matcher = Matcher(load_faq())
        decision = matcher.decide("where does dystonia come from")
    finally:
        semantic.bundled_embedder.cache_clear()
    assert "what-causes-dystonia" in suggested(decision)


def test_the_wordllama_package_code_is_never_imported() -> None:
    """Only the wheel's files are read: its loader would try to download a tokenizer."""
    import sys

    Matcher(load_faq())
    assert "wordllama" not in sys.modules


def test_the_small_tokenizer_gives_the_same_pieces_as_the_tokenizers_library(faq: FAQ) -> None:
    """Our BPE reader equals the reference implementation on every FAQ phrasing and more."""
    from tokenizers import Tokenizer

    from faq.semantic import TOKENIZER, PieceTokenizer, bundled_model_dir
    from faq.text import words

    folder = bundled_model_dir()
    reference = Tokenizer.from_file(str(folder / TOKENIZER))
    ours = PieceTokenizer.from_file(folder / TOKENIZER)
    texts = [p for e in faq.entries for p in e.phrasings]
    texts += [p for t in faq.not_covered for p in t.phrasings]
    texts += ["naïve café 🙏 ???", "मेरी गर्दन में दर्द है", "x" * 300, "", "Ünïcödé 12345 mg"]
    for text in texts:
        ws = words(text)
        expected = reference.encode(" ".join(ws), add_special_tokens=False).ids
        assert ours.encode(ws) == expected, text


def test_ask_json_marks_a_not_covered_question_and_keeps_decision_none(matcher: Matcher) -> None:
    """`faq ask --json`: the four decisions stay the contract; the topic id is added."""
    from faq.cli import decision_json

    out = decision_json(
        "will botulinum shots fix my eyelids", matcher.decide("will botulinum shots fix my eyelids")
    )
    assert out["decision"] == "none"
    assert out["not_covered"] == "injections"
    plain = decision_json("what is the weather", matcher.decide("what is the weather"))
    assert "not_covered" not in plain


def test_eval_counts_a_not_covered_reply_as_abstaining(matcher: Matcher) -> None:
    """A not-covered reply is right for an out-of-scope question and never a wrong answer."""
    from faq.evaluate import Case, Outcome

    case = Case("could my daughter inherit this from me", frozenset({"none"}), "oos", 1)
    outcome = Outcome(case, matcher.decide(case.question))
    assert outcome.right
    assert not outcome.wrong_answer
    assert "not covered" in outcome.describe()
