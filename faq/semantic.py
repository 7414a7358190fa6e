"""A second opinion on meaning: sentence embeddings from a small static model.

The lexical matcher needs shared words; patients often share only meaning ("where does
it come from" is a question about causes). This module embeds a text as the mean of its
tokens' vectors from WordLlama's 256-dimension model, whose weights and tokenizer ship
inside the `wordllama` wheel. Only those two files are read: nothing is downloaded, ever.
(`wordllama.load()` itself looks for the tokenizer in another folder and then tries to
fetch it, so the package's code is not imported at all.)

Vectors are centred on the mean of the FAQ's own phrasings before the cosine: every
sentence about dystonia shares a large common direction, and removing it leaves what
tells one question from another.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from faq.text import words

WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
# A sentence longer than this many tokens adds nothing the first ones did not say.
MAX_TOKENS = 256

Vector = npt.NDArray[np.float32]


class ModelMissingError(RuntimeError):
    """The bundled model files are not installed (the `wordllama` package is missing)."""


def bundled_model_dir() -> Path:
    """The folder of the installed `wordllama` package, found without importing it."""
    spec = importlib.util.find_spec("wordllama")
    locations = list(spec.submodule_search_locations or ()) if spec else []
    for location in locations:
        folder = Path(location)
        if (folder / WEIGHTS).is_file() and (folder / TOKENIZER).is_file():
            return folder
    raise ModelMissingError("the wordllama package with its bundled model is not installed")


class Embedder:
    """Text -> 256-dimension vector: the mean of its tokens' static embeddings."""

    def __init__(self, folder: Path) -> None:
        tensors = load_file(str(folder / WEIGHTS))
        # Kept in half precision (16 MB); rows are widened only when a text is embedded.
        self._table: npt.NDArray[np.float16] = tensors["embedding.weight"]
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.dimensions = int(self._table.shape[1])

    def embed(self, text: str) -> Vector:
        """The text's vector, from its folded words (so it reads what the matcher reads)."""
        ids = self._tokenizer.encode(" ".join(words(text)), add_special_tokens=False).ids
        if not ids:
            return np.zeros(self.dimensions, dtype=np.float32)
        rows = self._table[np.asarray(ids[:MAX_TOKENS], dtype=np.int64)]
        mean: Vector = rows.astype(np.float32).mean(axis=0)
        return mean

    def embed_many(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self.embed(text)
        return out


@lru_cache(maxsize=1)
def bundled_embedder() -> Embedder:
    """The shipped model, loaded once per process (FAQ reloads reuse it)."""
    return Embedder(bundled_model_dir())


class SemanticIndex:
    """Every phrasing of every target (entry or not-covered topic), embedded once.

    `owners[i]` is the target of phrasing row i; rows of one target are contiguous and
    targets are in order, so the best row per target is one `maximum.reduceat`.
    """

    def __init__(self, embedder: Embedder, phrasings: Sequence[tuple[int, str]]) -> None:
        self._embedder = embedder
        owners = [owner for owner, _ in phrasings]
        if owners != sorted(owners):
            raise ValueError("phrasings must be grouped by target, in order")
        self.targets = (owners[-1] + 1) if owners else 0
        matrix = embedder.embed_many([text for _, text in phrasings])
        self._centre = matrix.mean(axis=0) if len(matrix) else np.zeros(embedder.dimensions)
        self._centre = self._centre.astype(np.float32)
        self._matrix = _normalised(matrix - self._centre)
        self._owners = np.asarray(owners, dtype=np.int64)
        present = np.unique(self._owners)
        self._starts = np.searchsorted(self._owners, present)
        self._present = present

    def scores(self, text: str, *, skip_row: int = -1) -> npt.NDArray[np.float32]:
        """Cosine of `text` with each target's closest phrasing (-1 for a target with none).

        `skip_row` hides one phrasing row (the checker's self-test holds each one out).
        """
        out = np.full(self.targets, -1.0, dtype=np.float32)
        if not len(self._present):
            return out
        query = self._embedder.embed(text) - self._centre
        norm = float(np.linalg.norm(query))
        if norm == 0.0:
            return out
        sims = self._matrix @ (query / norm)
        if 0 <= skip_row < len(sims):
            sims[skip_row] = -1.0
        out[self._present] = np.maximum.reduceat(sims, self._starts)
        return out


def _normalised(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    out: npt.NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return out
