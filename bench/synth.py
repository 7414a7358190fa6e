"""Synthetic FAQs of a chosen size, written as YAML files that pass the FAQ checker.

A synthetic FAQ is the shipped FAQ grown with generated entries: the shipped settings,
urgent rules, synonyms, topics, references and entries stay, and filler entries are added
until the file holds the wanted number of phrasings. Filler text is drawn from the shipped
FAQ's own words (weighted by how often the FAQ uses them), so the matcher sees a realistic
vocabulary: every dev question shares words with many synthetic phrasings.

The checker's rules the generator keeps:
  * ids are lowercase words joined by hyphens, unique, at most 48 characters;
  * every phrasing (compared as folded words) belongs to one entry only;
  * at least 8 alternates per entry (otherwise only a warning, but keep the file clean);
  * topics, references and see_also point at things that exist;
  * every answer fits in one Telegram message.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from faq.loader import DEFAULT_FAQ_PATH
from faq.model import FAQ
from faq.text import STOPWORDS, words

PHRASINGS_PER_ENTRY = 10  # the question and 9 alternates
KEY_WORDS_PER_ENTRY = 3
FILLER_WORDS = (2, 6)
ANSWER_WORDS = (25, 45)


@dataclass(frozen=True)
class Vocabulary:
    content: tuple[str, ...]  # words that can make an entry distinctive
    filler: tuple[str, ...]  # every word, for sampling by frequency
    filler_weights: tuple[int, ...]


def vocabulary_of(faq: FAQ) -> Vocabulary:
    """The shipped FAQ's words with their frequencies (phrasings and answers)."""
    counts: Counter[str] = Counter()
    for entry in faq.entries:
        for text in (*entry.phrasings, entry.answer):
            counts.update(w for w in words(text) if w.isalpha())
    content = tuple(sorted(w for w in counts if len(w) >= 4 and w not in STOPWORDS))
    filler = tuple(sorted(counts))
    return Vocabulary(content, filler, tuple(counts[w] for w in filler))


class _Generator:
    def __init__(self, faq: FAQ, vocabulary: Vocabulary, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = vocabulary
        self.topics = [t.id for t in faq.topics]
        self.references = [r.key for r in faq.references]
        # Phrasing keys already taken, in the form the checker compares them.
        self.taken = {" ".join(words(p)) for e in faq.entries for p in e.phrasings}

    def filler(self, low: int, high: int) -> list[str]:
        n = self.rng.randint(low, high)
        v = self.vocabulary
        return self.rng.choices(v.filler, weights=v.filler_weights, k=n)

    def phrasing(self, keys: list[str]) -> str:
        """A new phrasing using one or two of the entry's key words; never a duplicate."""
        while True:
            chosen = self.rng.sample(keys, self.rng.randint(1, 2))
            parts = chosen + self.filler(*FILLER_WORDS)
            self.rng.shuffle(parts)
            key = " ".join(words(" ".join(parts)))
            if key not in self.taken:
                self.taken.add(key)
                return " ".join(parts)

    def answer(self) -> str:
        paragraphs = [" ".join(self.filler(*ANSWER_WORDS)).capitalize() + "." for _ in range(2)]
        return "\n\n".join(paragraphs)

    def entry(self, number: int) -> dict[str, Any]:
        keys = self.rng.sample(self.vocabulary.content, KEY_WORDS_PER_ENTRY)
        phrasings = [self.phrasing(keys) for _ in range(PHRASINGS_PER_ENTRY)]
        entry: dict[str, Any] = {
            "id": entry_id(number),
            "topic": self.topics[number % len(self.topics)],
            "question": phrasings[0].capitalize() + "?",
            "alternates": phrasings[1:],
            "answer": self.answer(),
            "references": [self.references[number % len(self.references)]],
        }
        if number > 0:
            entry["see_also"] = [entry_id(self.rng.randrange(number))]
        return entry


def entry_id(number: int) -> str:
    return f"synthetic-{number:05d}"


def shipped_document(path: Path = DEFAULT_FAQ_PATH) -> dict[str, Any]:
    """The shipped FAQ as plain data (it holds only strings, numbers, lists and maps)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_synthetic_faq(shipped: FAQ, target_phrasings: int, out_dir: Path, seed: int) -> Path:
    """Write a FAQ of about `target_phrasings` phrasings; returns the file's path."""
    document = shipped_document(shipped.path)
    have = sum(len(e.phrasings) for e in shipped.entries)
    extra = max(-(-(target_phrasings - have) // PHRASINGS_PER_ENTRY), 0)
    generator = _Generator(shipped, vocabulary_of(shipped), seed)
    document["entries"] = [*document["entries"], *(generator.entry(i) for i in range(extra))]
    path = out_dir / f"faq-{target_phrasings}.yaml"
    path.write_text(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    return path
