"""Turning free text into comparable words. Shared by the matcher and the urgent screen."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from spellchecker import SpellChecker

from faq.indic import hinglish_skeleton, to_latin

# Patients rarely type apostrophes, so contractions are expanded from their bare form
# (after apostrophes are dropped): "can't", "cant" and "cannot" all become "can not".
_CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "wont": ("will", "not"),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "werent": ("were", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "hadnt": ("had", "not"),
    "shouldnt": ("should", "not"),
    "wouldnt": ("would", "not"),
    "couldnt": ("could", "not"),
    "mustnt": ("must", "not"),
    "aint": ("is", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "ill": ("i", "will"),
    "id": ("i", "would"),
    "youre": ("you", "are"),
    "youve": ("you", "have"),
    "theyre": ("they", "are"),
    "whats": ("what", "is"),
    "whos": ("who", "is"),
    "hows": ("how", "is"),
    "wheres": ("where", "is"),
    "thats": ("that", "is"),
    "theres": ("there", "is"),
    "its": ("it",),
    "u": ("you",),
    "ur": ("your",),
    "r": ("are",),
    "pls": ("please",),
    "plz": ("please",),
    "thx": ("thanks",),
    "ty": ("thank", "you"),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
}

# Function words carry little meaning on their own; they are down-weighted, never dropped,
# because some questions ("who are you?") consist of nothing else.
_ENGLISH_STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves also really please ok okay yes yeah get got go going lot lots
    thing things something anything way much many even still ever always actually maybe
    tell know want like bit good great nice fine well sir
    """.split()
)
# Hinglish function words ("dystonia kya hai", "stress se badhta hai kya"), with the
# spellings people type ("kyu", "kyun", "kyon"; "nahi", "nhi").
_HINGLISH_FUNCTION_WORDS = frozenset(
    """
    kya kia hai h he hain hein hy ho hota hoti hote hua hui hue hu hoon ka ki ke ko se me mein
    men main mai aur or bhi ye yeh yah wo woh vo voh mera meri mere mujhe mujhko hum hame
    hamara hamari tum tumhe tumhara aap aapka aapki aapke apna apni apne kaise kese kaisa
    kaisi kyun kyu kyon kyo kiyu kab kitna kitne kitni koi kuch kisi kis kaun jo jab tab to
    toh par pe na nahi nhi nahin nai mat ji haan han bhai yaar madam thoda bahut bohot
    bhot bahot sab sabhi ek raha rahi rahe gaya gayi gaye gya jata jati jate jaata jaati
    jaate karta karti karte kar karna karne karo kare kiya liye lie wala wali wale tha thi
    the hoga hogi honge sakta sakti sakte skta chahiye chahie batao bataye bataiye bataye
    bataen please abhi bas phir fir isme usme iska uska iski uski iske uske yaha yahan waha
    wahan kaha kahan kise kisko kisi kiski kiska jise jisko matlab baad baare saath
    sath liye lie pehle wagera li liya lia gai gayi dijiye dijie kijiye kijie lijiye
    hei hein nahee kiyu kyoon hee ab hamesha itna itni itne utna jitna pata aisa aisi aise
    waisa waisi waise jaisa jaisi jaise sambhav mumkin asal asli aakhir naam
    """.split()
)
# Everyday Hindi verbs ("lena", "milna", "kehna", ...) in every inflection: like "get",
# "go" or "tell", they say little about which question is asked.
_HINGLISH_VERB_ROOTS = """
    le de aa ja mil rakh pad reh rah bol keh kah kar ho sak chah ban bata
""".split()
_VERB_ENDINGS = (
    "", "na", "ne", "ni", "ta", "ti", "te", "ega", "egi", "enge", "unga", "ungi", "oge",
    "ya", "yi", "ye", "o", "e", "i", "a", "u", "un", "oon", "kar", "ke", "iye", "ie", "iyega",
    "aie", "aiye", "en",
)
# Forms that are also English words ("mile", "sake", "hone") stay English.
_ENGLISH_LOOKALIKES = frozenset("ban bane mile sake hone pad jane dee lee ".split())
_HINGLISH_STOPWORDS = (
    _HINGLISH_FUNCTION_WORDS
    | frozenset(r + e for r in _HINGLISH_VERB_ROOTS for e in _VERB_ENDINGS if " " not in e)
) - _ENGLISH_LOOKALIKES - _ENGLISH_STOPWORDS
_LONG_VOWEL = re.compile(r"aa+|ee+|ii+|oo+|uu+")
_SHORT = {"a": "a", "e": "i", "i": "i", "o": "u", "u": "u"}


def _short_vowels(word: str) -> str:
    """Long vowels written short and "w" as "v", as Devanagari's loose spelling and
    typists differ: "bataao" ~ "batao", "vaale" ~ "wale"."""
    return _LONG_VOWEL.sub(lambda m: _SHORT[m[0][0]], word).replace("w", "v")


_HINGLISH_STOPWORDS = (
    _HINGLISH_STOPWORDS | frozenset(map(_short_vowels, _HINGLISH_STOPWORDS))
) - frozenset({"huge"})  # "hooge" (you will be) written short is an English word
# Spellings of one function word become one term, so a phrase in a synonym group
# ("kyu hota", why does it happen) needs writing once. "aap" and "tum" are "you",
# "kahan" "where", so "kya aap doctor ho" meets "are you a doctor".
_STOPWORD_ALIASES = {
    **dict.fromkeys("kyun kyon kyo kiyu kyoon".split(), "kyu"),
    **dict.fromkeys("hain h hy hei hein".split(), "hai"),
    **dict.fromkeys("nhi nahin nai nahee".split(), "nahi"),
    **dict.fromkeys("hoti hote".split(), "hota"),
    **dict.fromkeys("hui hue".split(), "hua"),
    **dict.fromkeys("aap aapko tum tumhe tu".split(), "you"),
    **dict.fromkeys("kahan kaha".split(), "where"),
    **dict.fromkeys("kab".split(), "when"),
}
STOPWORDS = _ENGLISH_STOPWORDS | _HINGLISH_STOPWORDS

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
# A word is a run of letters, digits and combining marks: Devanagari vowel signs and the
# virama are marks, and without them "डिस्टोनिया" would fall apart into single letters.
_MARKS = "\u0300-\u036f\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963"
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_SPACE = re.compile(r"\s+")
_ASCII_NON_WORD = re.compile(r"[^a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("english")


_ASCII_CONTROLS = {i: (" " if chr(i) in "\n\r\t" else None) for i in (*range(32), 127)}


def fold(text: str) -> str:
    """Compatibility-normalise, lower-case, strip Latin accents and control characters.

    Accents are dropped only from Latin letters ("é" -> "e"): in scripts such as
    Devanagari the combining signs are part of the word and must stay.
    """
    if text.isascii():
        # Most messages are plain ASCII, for which normalising changes nothing: only
        # control characters go. Every question is folded several times, so this matters.
        return text.translate(_ASCII_CONTROLS).lower()
    return fold_by_unicode_rules(text)


def fold_by_unicode_rules(text: str) -> str:
    """fold() without its ASCII shortcut (which must give the same result)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(ch)
        if category[0] == "C":
            out.append(" " if ch in "\n\r\t" else "")
        elif category == "Mn" and out and out[-1].isascii():
            continue
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).casefold()


# Invisible characters that are word breaks when they sit between words: zero-width space,
# word joiner, soft hyphen, byte-order mark, direction marks, Mongolian vowel separator.
_INVISIBLE_BREAKS = dict.fromkeys(map(ord, "\u200b\u2060\u00ad\ufeff\u200e\u200f\u180e"), " ")
# ZWNJ and ZWJ choose glyph shapes inside Indian-script (and Arabic-script) words, where
# they are part of the spelling; between Latin letters they only hide a word break.
_JOINERS = re.compile(r"[\u200c\u200d]+")
_JOINING_SCRIPTS = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0900-\u0dff]")


def break_invisible(text: str) -> str:
    """Invisible separators as spaces, so "i\u200bcant\u200bbreathe" reads as three words,
    while ZWJ/ZWNJ inside a Devanagari (or other Indian-script) word are simply dropped."""
    if text.isascii():
        return text

    def joiner(m: re.Match[str]) -> str:
        before = text[m.start() - 1 : m.start()]
        after = text[m.end() : m.end() + 1]
        return "" if _JOINING_SCRIPTS.match(before) or _JOINING_SCRIPTS.match(after) else " "

    return _JOINERS.sub(joiner, text).translate(_INVISIBLE_BREAKS)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\u00ad\ufeff\u200e\u200f\u180e]+")


def drop_invisible(text: str) -> str:
    """The text with every invisible character removed, as if it were not there."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def screen_form(text: str) -> str:
    """The form the urgent screen reads: folded, apostrophes removed, and every run of
    punctuation, emoji, invisible separators and spaces made one space, so "I can't...
    breathe", "cant, breathe", "can't 😭 breathe" and "i\u200bcant\u200bbreathe" all read
    "i cant breathe"."""
    folded = fold(break_invisible(text)).translate(_APOSTROPHES)
    if folded.isascii():
        # the same rule for plain ASCII, where letters and digits are all there is to keep
        return _ASCII_NON_WORD.sub(" ", folded).strip()
    return words_only(folded)


def words_only(folded: str) -> str:
    """Letters, digits and marks kept, every other run made one space (screen_form's
    rule without its ASCII shortcut, which must give the same result)."""
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in folded)
    return _SPACE.sub(" ", kept).strip()


def words(text: str) -> list[str]:
    """Folded words with contractions expanded. Digits are kept; punctuation is not.

    Devanagari words come out in loose Latin letters, the way Hinglish is typed
    ("तनाव" -> "tanav", "नहीं" -> "nahi"), so Hindi, Hinglish and English share one
    vocabulary: a question in either script meets phrasings written in the other.
    """
    out: list[str] = []
    for word in _WORD.findall(fold(text).translate(_APOSTROPHES)):
        if _DEVANAGARI.search(word):
            out.extend(to_latin(word).lower().split())
        else:
            out.extend(_CONTRACTIONS.get(word, (word,)))
    return out


# A Hinglish word's spellings meet in faq.indic's skeleton ("zyada", "jyada" -> "jyd");
# two more folds join the spellings of "dystonia" ("distonia", "distoniya"), and Hindi
# verb endings are stripped first, so "badhta", "badhti", "badhna", "badhega" meet.
_Y_BETWEEN_CONSONANTS = re.compile(r"(?<=[^aeiouy])y(?=[^aeiouy])")
_IY_BEFORE_VOWEL = re.compile(r"iy(?=[aeiou])")
# Verb endings first ("-wana" makes a verb causative: "karwana" ~ "karna"), then the
# plural and oblique endings of nouns ("dinon" ~ "din", "dawaiyan" ~ "dawai").
_HINDI_ENDINGS = (
    "wana", "wane", "wani", "wata", "wati", "wate", "waya", "vana", "vane", "vani", "kar",
    "enge", "unga", "ungi", "ega", "egi", "oge", "ta", "ti", "te", "na", "ni", "ne",
    "yon", "yan", "on", "en",
)
# Hinglish terms live apart from English stems: "aaram" (rest) must not meet "arm".
HINGLISH_MARK = "hi:"


# Nouns that only look like verb forms: "galti" (mistake) is not "gal" + "-ti".
_NOT_VERB_FORMS = frozenset("galti galtiyan galtiyon rasta raasta ghanta ghante".split())


@lru_cache(maxsize=65536)
def hinglish_term(word: str) -> str:
    """The matcher's term for a Hinglish word: verb ending removed, spelling skeleton."""
    word = _short_vowels(word)
    for ending in () if word in _NOT_VERB_FORMS else _HINDI_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if word in _HINGLISH_STOPWORDS:
        return _STOPWORD_ALIASES.get(word, word)
    folded = _IY_BEFORE_VOWEL.sub("i", _Y_BETWEEN_CONSONANTS.sub("i", word))
    return HINGLISH_MARK + (hinglish_skeleton(folded).replace(" ", "") or word)


def is_hindi_like(word: str) -> bool:
    """A Latin word to read as Hinglish: four letters or more, alphabetic, not English."""
    return len(word) >= 4 and word.isascii() and word.isalpha() and not is_english_word(word)


def term(word: str) -> str:
    """The matcher's term for one word: English words stemmed, Hinglish ones skeletonised.

    Stopwords keep their own spelling: their skeletons are short and would otherwise
    swallow content words ("baad", after, and "badh", to grow, share a skeleton).
    """
    if not word.isalpha():
        return word
    if word in _HINGLISH_STOPWORDS or _short_vowels(word) in _HINGLISH_STOPWORDS:
        plain = word if word in _HINGLISH_STOPWORDS else _short_vowels(word)
        return _STOPWORD_ALIASES.get(plain, plain)
    if is_hindi_like(word):
        return hinglish_term(word)
    return stem(word)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    # Snowball folds British and American spellings differently ("generalised" keeps
    # its "s"); mapping -is-/-ys- endings onto -iz-/-yz- first makes them meet.
    if word.endswith(("ise", "ised", "ises", "ising", "isation", "yse", "ysed")):
        word = re.sub(r"(?<=[iy])s(?=(e|ed|es|ing|ation)$)", "z", word)
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Real English words (pyspellchecker's frequency list), never typos to "correct".

    Only alphabetic words of four letters or more are kept: the matcher never corrects
    shorter ones, and the smaller set saves memory. Loaded once per process.
    """
    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(w for w in counts if len(w) >= 4 and w.isalpha())


def is_english_word(word: str) -> bool:
    return word in english_words()


# Common Hindi words that are not stopwords: like an English dictionary word, an unknown
# one is context ("ghar", "umar"), not the name of a drug or procedure the FAQ lacks.
_EVERYDAY_HINDI = """
    ghar log logon din raat subah sham shaam saal mahina mahine baat baate cheez chiz tarah
    tarika jagah waqt vakt samay time baar bar sawal jawab haal halat umar umr bachcha beta
    beti maa mummy papa pita bhai behen pati patni dost aadmi aurat ladka ladki hissa
    hisse accha acha achha bura bada badi bade chota choti naya nayi purana sahi galat
    theek thik jaldi dheere dhire pura puri pure sara sari saare dusra dusri dusre pehla
    pehli akela akeli mushkil aasaan asan khush dukhi pareshan zaroori jaruri sach
    haath pair sar sir aankh muh munh gala kandha kamar peeth chehra ungli dimag dil
    dikh dekh soch samajh sun baith uth chal khel likh padh ruk rok chhod pakad puch
    jaan maan lag bhool aaram baki baaki bahar ghoor sharam sharm
    kaam kamo dusre hissa
    yaar yar wala wali wale pitaji pitaaji mataji maataji dadaji dadiji nanaji naniji
    chacha chachi mama mami bhaiya didi bata bataya batay kah keh bol aa aay
""".split()


@lru_cache(maxsize=1)
def _everyday_hindi_terms() -> frozenset[str]:
    forms = {w + e for w in _EVERYDAY_HINDI for e in _VERB_ENDINGS}
    return frozenset(term(f) for f in forms)


def is_everyday_word(word: str) -> bool:
    """An English dictionary word, or a common Hindi word in any spelling."""
    return is_english_word(word) or is_everyday_hindi(word)


def is_everyday_hindi(word: str) -> bool:
    """A common Hindi word in any spelling ("yaar" is a friend, never a typo of "year")."""
    return term(word) in _everyday_hindi_terms()


# Words that acknowledge rather than ask ("ok", "theek hai", "accha ji", "haan"). A message
# made only of these is small talk: matching it would answer "theek hai" (okay) with "can
# dystonia be cured" ("theek ho sakta hai"). "The first one" refers to buttons. Latin
# spellings only: words() gives Devanagari in Latin letters ("ठीक है" is "thik hai").
_ACKNOWLEDGEMENTS = frozenset(
    """
    ok okay okk okey k kk fine alright right sure yes yeah yep no nope cool hmm hm hmmm
    got it i see understood noted great good nice
    theek thik teek tik hai he h haan han haa ha hanji haanji ji jee yaar yar
    accha acha achha acchha achcha achchha achaa oke samajh samjh samjha samjhi gaya
    gayi gya gyi aa bas sahi wala wali wale pehla pehli pahla pahli dusra dusri
    doosra teesra tisra first second third one the
    """.split()
)


def is_acknowledgement(text: str) -> bool:
    """Whether the message only acknowledges ("ok", "theek hai", "accha ji")."""
    found = words(text)
    return bool(found) and all(w in _ACKNOWLEDGEMENTS for w in found)
