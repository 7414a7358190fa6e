"""The urgent screen on wordings found by testing as patients write, and their controls."""

from __future__ import annotations

import pytest

from faq.loader import load_faq
from faq.matcher import Matcher, NoMatch, Urgent
from faq.model import UrgentRule
from faq.urgent import UrgentScreen, compile_either

MATCHER = Matcher(load_faq())

EMERGENCIES = [
    # punctuation and emoji between the words
    "I can't... breathe",
    "i cant, breathe",
    "I can't 😭 breathe",
    "I'm short-of-breath",
    # breathing, choking, swallowing
    "i feel breathless and my neck is pulling back",
    "i am suffocating",
    "out of breath",
    "breathing is very very very difficult",
    "i can no longer breathe",
    "food is stuck in my throat and i cant get it down",
    "cant swalow even water",
    "dam ghut raha hai",
    "khana gale me atak gaya",
    # self-harm, direct and indirect, in English, Hinglish and Hindi
    "mar jaana chahta hoon",
    "jeena nahi chahta ab",
    "मुझे जीना नहीं है",
    "everyone would be better off without me",
    "i wish i could sleep and never wake up",
    "i am a burden to everyone",
    "i am going to jump from the terrace",
    "I want to end it",
    "nobody would miss me",
    "I feel like giving up",
    # overdose
    "i took 5 sleeping pills",
    "my mother swallowed a bottle of pills",
    "I took all my pills",
    # other emergencies
    "seene me dard ho raha hai",
    "सीने में दर्द हो रहा है",
    "i think i am having a stroke",
    "I feel like I'm dying",
    "i cut myself and it wont stop bleeding",
    "he had a fit and is not waking up",
    "she is unconscious",
    "my father fell down the stairs and now he is not making sense",
    "tez bukhar hai aur poora body akad gaya hai",
    "my jaw is locked and i cant open my mouth",
    "my lips and tongue are swelling after the injection",
    "my eyes rolled up and are stuck after starting new tablets",
    "my whole body is twisting and i cant stop it, please help",
    # once answered "I don't have an answer": Hindi, Hinglish, zero-width separators
    "सांस लेने में बहुत तकलीफ हो रही है",
    "papa ko daura pad raha hai aur muh se jhaag",
    "kal se khana nigal nahi pa raha",
    "mujhe saans lene mein dikkat ho rahi hai",
    "i\u200bcant\u200bbreathe",
]

CONTROLS = [
    "my cramp wont stop when i write, is that normal",
    "i choke on my words when i am nervous",
    "this pain is killing me",
    "i'm dying to know if this gets better",
    "i choked up talking about it",
    "is dystonia a kind of seizure",
    "my neck is not responding to treatment",
    "my whole body feels stiff in the morning",
    "a stroke of luck",
    "why wont my neck stop pulling",
    "my breathing exercises help",
    "dard jaan le raha hai",
    "hasi se mar gaya",
    "hans hans ke mar gaye",
    "saans ki exercise",
    "pranayam se aaram milta hai",
    "pichle hafte bukhar tha",
    "tablets ke baad neend aati hai",
    "dam ghut raha hai is naukri mein",
    "kya main dystonia se mar jaunga",
    # English that the Hindi/Hinglish phrases must leave alone
    "deep breathing helps my tremor problem",
    "i drink tap water and my neck is stiff",
    "my neck twists continuously when i walk",
    "my whole body twists when i walk",
    "chest xray normal no pain",
    "i swallow my saliva a lot is that a dystonia problem",
    "does breathing technique help my neck problem",
    "so the problem is my neck",
    "my boss is very supportive",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_emergency_wording_gets_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", CONTROLS)
def test_alarming_sounding_everyday_wording_is_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize(
    "text", ["how long does botox take to work", "can i take clonazepam for dystonia"]
)
def test_a_question_about_an_unknown_drug_is_never_answered_confidently(text: str) -> None:
    assert MATCHER.decide(text).kind in ("clarify", "none")


# Found by testing the bot as a frightened relative writes: a bleeding head after a fall,
# self-harm in everyday Hinglish, and invisible characters pasted inside a word.
BLEEDING_HEAD_AND_SELF_HARM = [
    "papa bathroom mein gir gaye aur sir se khoon aa raha hai",
    "दादी सीढ़ियों से गिर गईं सिर से खून बह रहा है",
    "my grandma fell off the bed and her head is bleeding",
    "he banged his head on the floor and there is blood everywhere",
    "maa ka sar fat gaya",
    "pankhe se latak jaungi main",
    "main apni kalai kaat lungi",
    "she has been cutting her arms again",
    "i keep cutting when i feel this way",
    "mujhe ab jeena nahi hai",
    "bhagwan mujhe utha lo bas",
    "khud ko khatam kar lungi aaj",
    "thinking of unaliving myself",
    "i want to kill my\u200bself",
    "saa\u200bns nahi aa rahi papa ko",
    "aaram nahi mil raha spasm ruk nahi rahi 4 ghante se",
    "the spasm in her leg began after lunch and still it will not stop",
    "do ghante se aenthan band hi nahi ho rahi",
    "i can\u200dt brea\u00adthe",
]

HEAD_AND_LIFE_LOOK_ALIKES = [
    "can a head injury cause dystonia",
    "after a fall last year my neck started twisting",
    "sir mein dard rehta hai dystonia se",
    "blood test report normal aayi hai",
    "hasi se mar jana hai yaar",
    "is life with dystonia worth living, asking for an article",
    # why relaxing does not stop the spasms: a question, not spasms that will not stop
    "relax karne par bhi jhatke kyu nahi rukte",
    "aaram karne pe bhi akdan kyon band nahi hoti",
    "main shaant baithta hoon phir bhi ainthan kyun nahi rukti",
    # idioms and things over and done with
    "i cant breathe a word about my diagnosis at work",
    "office ki tension se dam ghutta hai, dystonia badhega kya",
    "pichhle mahine nigalne mein dikkat hui thi, ab theek hai",
]


@pytest.mark.parametrize("text", BLEEDING_HEAD_AND_SELF_HARM)
def test_bleeding_head_self_harm_and_hidden_characters_get_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent), text


@pytest.mark.parametrize("text", HEAD_AND_LIFE_LOOK_ALIKES)
def test_questions_about_heads_and_life_are_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent), text


CALLS_FOR_HELP_AND_DESPAIR = [
    # a bare call for help says nothing about what is wrong: the urgent reply is safe
    "help me!!!",
    "Help me please, EMERGENCY!!",
    "sos",
    "it's an emergency",
    "bachao",
    "बचाओ",
    "koi madad karo",
    "मदद करो जल्दी",
    "इमरजेंसी है",
    # despair that may be a crisis gets the reply that offers Tele-MANAS
    "I can't take this anymore",
    "i cannot cope with this any more",
    "I've given up on life",
]

HELP_WORDS_IN_QUESTIONS = [
    "help",  # how to use the bot: the conversation answers it as /help
    "can you help me",
    "help me understand dystonia",
    "what is an emergency",
    "does the clinic help with neck dystonia",
    "hath ki akdan se pareshan hu par emergency nahi hai, bas jankari chahiye",
    "madad chahiye dystonia ke baare me",
    "I can't take the bus to the clinic, is there another way to get advice",
]


@pytest.mark.parametrize("text", CALLS_FOR_HELP_AND_DESPAIR)
def test_a_bare_call_for_help_or_despair_gets_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", HELP_WORDS_IN_QUESTIONS)
def test_asking_for_help_with_a_question_is_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent)


FALLS_ONTO_THE_HEAD = [
    "my father fell and hit his head",
    "mom slipped in the bathroom and banged her head",
    "papa gir gaye sir pe chot lagi hai",
    "dadi bathroom me fisal gayi, sir takra gaya",
    # several sleeping pills taken
    "maine neend ki goliyan kha li hai",
]

FALLS_LONG_AGO_OR_ELSEWHERE = [
    "I fell and hit my head years ago, could that cause dystonia",
    "can a head injury cause dystonia",
    "pichle saal gir gaya tha sir pe chot lagi thi, kya isse dystonia hua",
    "mera beta cycle se gir gaya ghutne pe chot hai",
    "kal gir gayi thi bazaar mein par ab theek hu",
    "neend ki goliyan khane se dystonia badhta hai kya",
    "neend ki goli kha li thi phir bhi neend nahi aayi",
]


@pytest.mark.parametrize("text", FALLS_ONTO_THE_HEAD)
def test_a_fall_onto_the_head_or_sleeping_pills_taken_get_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", FALLS_LONG_AGO_OR_ELSEWHERE)
def test_a_fall_long_ago_a_knee_injury_or_a_pill_question_is_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent)


REACTIONS_TO_A_NEW_MEDICINE = [
    "she started a new medicine yesterday and now her tongue is sticking out, cant control it",
    "after the new injection his neck is pulled back and stuck",
    "nayi dawai li aur gardan peeche akad gayi",
    "nayi goli ke baad jeebh bahar aa rahi hai, control nahi ho raha",
]

NEW_MEDICINE_QUESTIONS_AND_IMPROVEMENTS = [
    "the new tablet has helped my neck a lot",
    "can a new medicine make dystonia worse",
    "kya nayi dawai se gardan akad sakti hai",
    "nayi dawai se aaram mila, akdan kam ho gayi",
]


@pytest.mark.parametrize("text", REACTIONS_TO_A_NEW_MEDICINE)
def test_a_sudden_reaction_after_a_new_medicine_gets_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", NEW_MEDICINE_QUESTIONS_AND_IMPROVEMENTS)
def test_a_question_about_a_new_medicine_or_its_benefit_is_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent)


HOURS_OF_PULLING = [
    "his neck has been pulled back for 5 hours and he is in agony",
    "I can't stop the pulling, it has been hours",
    "her head has been stuck to one side for three hours now",
]

EVERYDAY_PULLING = [
    "my neck has been pulling for hours every day",
    "it pulls for 2 hours after writing",
    "my neck has been twisted to the left for years",
    "I have been pulling my hair out for hours trying to understand this",
]


@pytest.mark.parametrize("text", HOURS_OF_PULLING)
def test_hours_of_pulling_without_the_word_spasm_get_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", EVERYDAY_PULLING)
def test_everyday_pulling_and_idioms_are_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent)


HINGLISH_STUCK_FOR_HOURS = [
    "do ghante se maa ki gardan peeche ki taraf atki hui hai",
    "uska jabda teen ghante se khul nahi raha",
    "पापा की गर्दन चार घंटे से एक तरफ अटकी है",
    "mere husband ka neck 6 hours se stuck hai",
    "jaw 2 ghante se khula reh gaya hai, band nahi ho raha",
    "3 ghante ho gaye, papa ki gardan hil hi nahi rahi",
    "gardan 3 ghante se atki hai, roz aisa nahi hota",
    "dadi ki gardan teen ghante se ek taraf jam gayi hai",
]

HINGLISH_EVERYDAY_STIFFNESS = [
    "gardan roz ghanton tak atki si lagti hai",
    "mera laptop do ghante se atka hua hai",
    "ghar ke saath kaam kaise sambhalun",
    "is bimari ke saath kam dard kaise ho",
    "ghanton se kandhe me dard hai, dimaag jam sa gaya hai, gardan bhi thaki hai",
    "laptop teen ghante se stuck hai, gardan me dard ho gaya kaam karte karte",
    "office ka kaam 4 ghante se atka hua hai, gardan theek hai",
    "har shaam do ghante gardan atki si rehti hai",
    "gardan me dard hai, 2 ghante se traffic me phasa hua hu",
    "mera head office 2 ghante se atka hua hai",
    "aankh 2 ghante se laptop pe atki rehti hai",
    "bimari ke saath low feel hota hai",
    "mere saath 85 log the",
    "maa ke saath do ghante baithi, gardan atki si lagti hai roz",
]

LOW_OXYGEN = [
    "papa ka sat 85 aa raha hai",
    "oximeter sat bahut kam dikha raha hai",
    "her sats are dropping",
    "sat low aa raha hai aur saans phool rahi",
    "o2 sat kam hai",
]


@pytest.mark.parametrize("text", LOW_OXYGEN)
def test_low_oxygen_saturation_written_as_sat_gets_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", HINGLISH_STUCK_FOR_HOURS)
def test_a_neck_or_jaw_stuck_for_hours_in_hindi_gets_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", HINGLISH_EVERYDAY_STIFFNESS)
def test_everyday_stiffness_and_saath_kam_are_not_urgent(text: str) -> None:
    """ "saath" (with) folds like "sat" (oxygen saturation) and "kaam" (work) like "kam"
    (low): a question about living with dystonia is not a breathing emergency."""
    assert not isinstance(MATCHER.decide(text), Urgent)


# A general question about what dystonia can do is not something happening now; the
# not-covered reply it gets still says to call 112 if it is. Any word about a person, a
# time or trouble keeps the urgent reply.
GENERAL_SWALLOWING_AND_BREATHING_QUESTIONS = [
    "can dystonia lead to problems swallowing",
    "is difficulty breathing ever part of dystonia",
    "why would dystonia cause choking",
    "does cervical dystonia make swallowing difficult",
]

SWALLOWING_AND_BREATHING_HAPPENING_NOW = [
    "can dystonia cause choking? my mother is choking on her food",
    "is this dystonia, i cant swallow since this morning",
    "does dystonia do this, he is struggling to breathe",
    "can dystonia cause trouble breathing right now",
    "cant breathe is it dystonia",
    "Can't swallow. Dystonia?",
]


@pytest.mark.parametrize("text", GENERAL_SWALLOWING_AND_BREATHING_QUESTIONS)
def test_a_general_question_about_swallowing_or_breathing_is_neither_urgent_nor_answered(
    text: str,
) -> None:
    """No entry says what dystonia does to swallowing or breathing."""
    assert MATCHER.decide(text).kind in ("clarify", "none")


def test_the_not_covered_reply_on_swallowing_still_says_to_call_112() -> None:
    decision = MATCHER.decide("is difficulty breathing ever part of dystonia")
    assert isinstance(decision, NoMatch), decision
    assert decision.not_covered is not None
    assert decision.not_covered.id == "swallowing-breathing-speech"
    assert "112" in decision.not_covered.reply


@pytest.mark.parametrize("text", SWALLOWING_AND_BREATHING_HAPPENING_NOW)
def test_swallowing_or_breathing_trouble_happening_to_someone_is_still_urgent(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


def test_unless_silences_only_the_english_part_of_its_rule() -> None:
    screen = UrgentScreen(
        (
            UrgentRule(
                "swallowing",
                any=(r"\bswallow",),
                unless=(r"^(can|does)\s(?!.*\bmy\b).*\bdystonia\b",),
                hinglish=("nigal* nahi",),
            ),
        )
    )
    assert screen.check("can dystonia affect how you swallow") is None
    assert screen.check("can dystonia affect how my son swallows") == "swallowing"
    assert screen.check("i cant swallow") == "swallowing"
    assert screen.check("can dystonia make it so you nigal nahi pate") == "swallowing"


# Found by a tester writing as frightened relatives: pills put aside, the warning signs
# relatives notice, a colour other than blue, a neck stuck since the morning.
WARNING_SIGNS_AND_STUCK_SINCE_MORNING = [
    "i have pills saved up and tonight i'll take them all",
    "she has her tablets hidden and says she will take them all tonight",
    "my brother says he doesnt see the point anymore and has given away all his things",
    "dad has been giving away his belongings and talks like a goodbye",
    "everyone would be better off if i was gone",
    "he is turning purple and holding his throat",
    "her lips are turning grey",
    "mum's neck has been stuck twisted back since 6 this morning and she is crying",
    "his jaw has been locked since last night",
    "bhai ki gardan subah se peeche mudi hui hai, 5 ghante ho gaye, ruk hi nahi rahi",
]

FIGURES_OF_SPEECH_AND_HABITS = [
    "my boss is suffocating me with deadlines, stress makes my spasms worse",
    "mom had a fit when she heard the diagnosis, what is dystonia exactly",
    "i wanted to disappear when my head turned in the meeting",
    "i give away my old clothes every diwali",
    "roz shaam ko gardan do ghante peeche khinchi rehti hai",
    "my neck has been stuck to the left for years",
]


@pytest.mark.parametrize("text", WARNING_SIGNS_AND_STUCK_SINCE_MORNING)
def test_warning_signs_and_a_neck_stuck_since_morning_get_the_urgent_reply(text: str) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", FIGURES_OF_SPEECH_AND_HABITS)
def test_figures_of_speech_and_everyday_habits_are_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent)


# Found by a second tester: a count given after the pills, "don't want to wake up", a
# neck "is stuck" (not "has been") since the morning, a posture held a whole afternoon.
PILLS_COUNTED_AND_POSTURES_HELD_TODAY = [
    "she swallowed her tablets, about 25 of them, and is very sleepy",
    "i took some pills, maybe 15, please dont tell anyone",
    "i really dont want to wake up tomorrow",
    "i hope i dont wake up in the morning",
    "his neck is stuck pulled to the left since 7 this morning, it wont come back",
    "her jaw is locked since last night and she cant eat",
    "papa's head has been bent forward the whole evening and nothing works",
    # near-variants a reviewer found missed
    "i dont want to wake up to one more day of this",
    "i dont wanna wake up anymore",
    "i want to go to sleep and not wake up",
    "i wish i would never wake up again",
    "she took some of her tablets, like 30",
    "his neck is locked since today morning",
    "my neck is pulled back the whole evening",
]

TIMES_DOSES_AND_FIGURES_OF_SPEECH = [
    "i dont want to wake up early for the appointment",
    "my neck has been stuck since 10 years, will it get worse",
    "my head has been pulled to the right all day, most days",
    "my new manager is suffocating me with rules and my neck is worse",
    "ऑफिस में इतना प्रेशर है कि दम घुटता है, क्या इससे ऐंठन बढ़ती है",
    "daftar me dam ghut raha hai kaam ke bojh se",
    # medicine times, other things stuck, and waking others: a reviewer's false alarms
    "i took my tablets at 9 and the pulling started an hour later",
    "i took my medicines for 8 weeks and nothing changed",
    "he took the pills in 2021",
    "i dont want to wake up my wife when the spasms come at night",
    "i dont want to wake up stiff and sore again",
    "we were stuck in a jam since 11 am, can we come tomorrow",
    "the booking page is frozen since yesterday",
    "my neck is stuck to one side since 3 or 4 years",
    "i have been tossing and twisting all night and could not sleep",
    "i have been stuck in meetings the whole afternoon",
]


@pytest.mark.parametrize("text", PILLS_COUNTED_AND_POSTURES_HELD_TODAY)
def test_pills_counted_after_taking_them_and_postures_held_today_get_the_urgent_reply(
    text: str,
) -> None:
    assert isinstance(MATCHER.decide(text), Urgent)


@pytest.mark.parametrize("text", TIMES_DOSES_AND_FIGURES_OF_SPEECH)
def test_waking_early_years_of_stiffness_and_office_pressure_are_not_urgent(text: str) -> None:
    assert not isinstance(MATCHER.decide(text), Urgent)


def test_smoke_at_the_office_is_still_urgent() -> None:
    """The office exception is for the figure of speech, not for a fire at work."""
    assert isinstance(MATCHER.decide("office me aag lagi hai aur dam ghut raha hai"), Urgent)


def test_a_rules_patterns_joined_into_one_find_what_each_finds() -> None:
    joined = compile_either((r"\bcant\s+breathe\b", r"\bchok\w*", r"^help$"))
    assert len(joined) == 1
    for text, found in [
        ("i cant breathe", True),
        ("he is choking", True),
        ("help", True),
        ("please help me", False),
        ("breathe in", False),
    ]:
        assert bool(joined[0].search(text)) is found, text


def test_patterns_that_cannot_be_joined_are_kept_apart() -> None:
    """A back-reference would point at another pattern's group once joined, and a global
    flag must open the whole pattern: such patterns are searched one by one."""
    with_backreference = compile_either((r"(\w+) \1", r"\bchok\w*"))
    assert [p.pattern for p in with_backreference] == [r"(\w+) \1", r"\bchok\w*"]
    assert with_backreference[0].search("very very tight")
    assert len(compile_either((r"(?x) cant \s breathe", r"\bchok\w*"))) == 2
    assert len(compile_either((r"(a)?(?(1)b|c)", r"\bchok\w*"))) == 2
