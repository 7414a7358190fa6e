"""What the checker says about a translation file's wording, located as path:line:col.

The file's shape and ids are checked where it is loaded (faq/translations.py); this module
checks the texts themselves: damaged characters, a "translation" left in Latin letters,
placeholders that differ from the English, answers too long for one Telegram message,
texts that are missing, and how many texts still wait for a clinician's review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import yaml
from rapidfuzz import process

from faq.fixed_texts import TEXT_KEYS, english_placeholders, placeholders
from faq.limits import MESSAGE_LIMIT, answer_message_length

# The FAQ checker's own definition of damaged text, so both files are judged alike.
from faq.loader import MOJIBAKE
from faq.model import CONTACT_PLACEHOLDER, FAQ
from faq.problems import Problem
from faq.schema import MAX_TOPIC_TITLE
from faq.translations import Translation, TranslationFile, with_translations

LANGUAGE_NAMES = {"hi": "Hindi"}
SCRIPT_NAMES = {"hi": "Devanagari"}

# Below this share of Devanagari among a text's letters, it is not really in Hindi script.
MIN_SCRIPT_SHARE = 0.5

_DEVANAGARI = re.compile(r"[\u0900-\u097f\ua8e0-\ua8ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Not counted either way: placeholders, /commands, web addresses, and acronyms (MRI, NIH).
_NEUTRAL = re.compile(r"\{[^{}\s]*\}|(?<!\w)/[a-z_]+|https?://\S+|\b[A-Z]{2,6}s?\b")


def content_problems(
    where: str, text: str, root: yaml.Node, parsed: TranslationFile, faq: FAQ
) -> list[Problem]:
    """Every problem in the translated wording itself (the ids are already known to be good)."""
    problems: list[Problem] = []
    for loc, value in _texts(parsed):
        node = _node_at(root, loc)
        problems.extend(_text_problems(where, text, node, loc, value, parsed.language))
    problems.extend(_placeholder_problems(where, root, parsed, faq))
    problems.extend(_length_problems(where, root, parsed, faq))
    problems.extend(_key_problems(where, root, parsed))
    return problems


def review_problems(translation: Translation, *, verbose: bool = False) -> list[Problem]:
    """One warning counting the texts not yet reviewed; with `verbose`, one per text too."""
    pending = [
        (translation.locations.get(label, (1, 1)), label)
        for label, reviewed in _review_marks(translation)
        if not reviewed
    ]
    if not pending:
        return []
    pending.sort()
    where = str(translation.path)
    language = LANGUAGE_NAMES.get(translation.language, translation.language)
    count = len(pending)
    (line, col), _ = pending[0]
    summary = Problem(
        where,
        line,
        col,
        f"{count} {language} text{'s' * (count != 1)} {'are' if count != 1 else 'is'} "
        "not yet reviewed",
        "once a clinician who reads the language has checked a text against the English, "
        "change its 'reviewed: false' to 'reviewed: true'",
        "warning",
    )
    listed = [
        Problem(where, ln, cl, f"not yet reviewed: {label}", severity="warning")
        for (ln, cl), label in pending
    ]
    return [summary, *listed] if verbose else [summary]


def missing_problems(translation: Translation, faq: FAQ) -> list[Problem]:
    """One warning per section that lacks texts the English has (they are shown in English)."""
    language = LANGUAGE_NAMES.get(translation.language, translation.language)
    wanted = (
        ("texts", [k for k in TEXT_KEYS if k not in translation.texts]),
        ("topics", [t.id for t in faq.topics if t.id not in translation.topics]),
        ("entries", [e.id for e in faq.entries if e.id not in translation.entries]),
        ("not_covered", [t.id for t in faq.not_covered if t.id not in translation.not_covered]),
    )
    problems: list[Problem] = []
    for section, missing in wanted:
        if missing:
            problems.append(
                Problem(
                    str(translation.path),
                    *translation.locations.get(section, (1, 1)),
                    f"{len(missing)} {section} have no {language} version yet, so the bot "
                    f"shows them in English: {', '.join(missing)}",
                    f"add each under '{section}:' with 'reviewed: false'",
                    "warning",
                )
            )
    return problems


def add_translation_problems(
    faq: FAQ | None, problems: list[Problem], *, verbose: bool = False
) -> tuple[FAQ | None, list[Problem]]:
    """The check command's view of the translation files beside a checked FAQ.

    Their problems are added after the FAQ's own; an error in one makes the result
    unusable (None), as the bot would refuse it too.
    """
    if faq is None:
        return None, problems
    with_them, found = with_translations(faq)
    for translation in with_them.translations.values():
        found.extend(missing_problems(translation, faq))
        found.extend(review_problems(translation, verbose=verbose))
    if any(p.severity == "error" for p in found):
        return None, [*problems, *found]
    return with_them, [*problems, *found]


# -- the checks --------------------------------------------------------------------------


def _texts(parsed: TranslationFile) -> Iterator[tuple[tuple[str, ...], str]]:
    for key, item in parsed.texts.items():
        yield ("texts", key, "text"), item.text
    for key, topic in parsed.topics.items():
        yield ("topics", key, "title"), topic.title
    for key, entry in parsed.entries.items():
        yield ("entries", key, "question"), entry.question
        yield ("entries", key, "answer"), entry.answer
    for key, reply in parsed.not_covered.items():
        yield ("not_covered", key, "reply"), reply.reply


def _text_problems(
    where: str, text: str, node: yaml.Node, loc: tuple[str, ...], value: str, language: str
) -> Iterator[Problem]:
    name = ".".join(loc)
    if bad := MOJIBAKE.search(value):
        found = text.find(bad.group(), node.start_mark.index, max(node.end_mark.index, 1))
        line, col = _line_col(text, found) if found >= 0 else _mark(node)
        yield Problem(
            where,
            line,
            col,
            f"garbled characters {bad.group()!r} in '{name}': text damaged by a wrong "
            "character encoding",
            "retype the quotes, apostrophes and dashes around it",
        )
    share = script_share(value)
    script = SCRIPT_NAMES.get(language, "")
    if script and share is not None and share < MIN_SCRIPT_SHARE:
        yield Problem(
            where,
            *_mark(node),
            f"'{name}' is not written in {script} letters ({round(share * 100)}% of its "
            "letters are)",
            f"write it in {script} script; Latin letters are fine only for names, titles "
            "of papers and short acronyms such as MRI",
        )
    if loc[0] == "topics" and len(value.strip()) > MAX_TOPIC_TITLE:
        yield Problem(
            where,
            *_mark(node),
            f"topic title is {len(value.strip())} characters; buttons show {MAX_TOPIC_TITLE}",
            "shorten it",
        )


def script_share(value: str) -> float | None:
    """The share of Devanagari among the letters that count; None if there are none."""
    counted = _NEUTRAL.sub(" ", value)
    native = len(_DEVANAGARI.findall(counted))
    latin = len(_LATIN.findall(counted))
    return native / (native + latin) if native + latin else None


def _placeholder_problems(
    where: str, root: yaml.Node, parsed: TranslationFile, faq: FAQ
) -> Iterator[Problem]:
    pairs: list[tuple[tuple[str, ...], str, frozenset[str] | None]] = [
        (("texts", key, "text"), item.text, english_placeholders(faq, key))
        for key, item in parsed.texts.items()
    ]
    for entry_id, item in parsed.entries.items():
        entry = faq.entry(entry_id)
        if entry is None:
            continue
        for part, english_text in (("question", entry.question), ("answer", entry.answer)):
            translated = getattr(item, part)
            pairs.append((("entries", entry_id, part), translated, placeholders(english_text)))
    english_replies = {t.id: t.reply for t in faq.not_covered}
    for topic_id, reply in parsed.not_covered.items():
        if topic_id in english_replies:
            pairs.append(
                (
                    ("not_covered", topic_id, "reply"),
                    reply.reply,
                    placeholders(english_replies[topic_id]),
                )
            )
    for loc, value, english in pairs:
        if english is None:
            continue
        have = placeholders(value)
        name = ".".join(loc)
        for missing in sorted(english - have):
            yield Problem(
                where,
                *_mark(_node_at(root, loc)),
                f"'{name}' lacks the placeholder {missing} that the English has",
                f"put {missing} back, spelled exactly so, where the English has it",
            )
        for extra in sorted(have - english):
            yield Problem(
                where,
                *_mark(_node_at(root, loc)),
                f"'{name}' has the placeholder {extra}, which the English does not have",
                "placeholders are filled in by the bot and must not be translated: "
                + (f"use {', '.join(sorted(english))}" if english else "remove it"),
            )


def _length_problems(
    where: str, root: yaml.Node, parsed: TranslationFile, faq: FAQ
) -> Iterator[Problem]:
    disclaimer_item = parsed.texts.get("disclaimer")
    disclaimer = disclaimer_item.text.strip() if disclaimer_item else faq.disclaimer
    missing_item = parsed.texts.get("contact_missing")
    # {contact} may become either language's wording; count the longer one.
    contact = max(
        faq.clinic.contact_text, missing_item.text.strip() if missing_item else "", key=len
    )
    sized = replace(faq, disclaimer=disclaimer)
    for entry_id, item in parsed.entries.items():
        entry = faq.entry(entry_id)
        if entry is None:
            continue
        answer = item.answer.strip().replace(CONTACT_PLACEHOLDER, contact)
        length = answer_message_length(
            sized, replace(entry, question=item.question.strip(), answer=answer)
        )
        if length > MESSAGE_LIMIT:
            yield Problem(
                where,
                *_mark(_node_at(root, ("entries", entry_id, "answer"))),
                f"the translated answer to {entry_id!r} would make a {length}-character "
                f"message; Telegram allows {MESSAGE_LIMIT}",
                "shorten the translation",
            )


def _key_problems(where: str, root: yaml.Node, parsed: TranslationFile) -> Iterator[Problem]:
    for key in parsed.texts:
        if key not in TEXT_KEYS:
            guess = process.extractOne(key, TEXT_KEYS, score_cutoff=70)
            yield Problem(
                where,
                *_mark(_node_at(root, ("texts", key), at_key=True)),
                f"the bot never shows a text called '{key}'",
                f"did you mean {guess[0]!r}?" if guess else "check the name against the list",
                "warning",
            )


# -- locating ----------------------------------------------------------------------------


def _review_marks(translation: Translation) -> Iterator[tuple[str, bool]]:
    for key, text in translation.texts.items():
        yield f"texts.{key}", text.reviewed
    for key, topic in translation.topics.items():
        yield f"topics.{key}", topic.reviewed
    for key, entry in translation.entries.items():
        yield f"entries.{key}", entry.reviewed
    for key, reply in translation.not_covered.items():
        yield f"not_covered.{key}", reply.reviewed


def _node_at(root: yaml.Node, loc: tuple[str, ...], *, at_key: bool = False) -> yaml.Node:
    """The node at `loc` (or its key), as deep as it exists."""
    node = root
    for i, part in enumerate(loc):
        if not isinstance(node, yaml.MappingNode):
            break
        pair = next(((k, v) for k, v in node.value if k.value == part), None)
        if pair is None:
            break
        node = pair[0] if at_key and i == len(loc) - 1 else pair[1]
    return node


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
