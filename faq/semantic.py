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
import json
import os
import struct
import weakref
from array import array
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from faq.text import words

WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
# A sentence longer than this many tokens adds nothing the first ones did not say.
MAX_TOKENS = 256
MAX_CACHED_ROWS = 12_000

Vector = npt.NDArray[np.float32]
_NO_RANK = 1 << 62


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
        self._table = RowTable(folder / WEIGHTS, "embedding.weight")
        self._tokenizer = PieceTokenizer.from_file(folder / TOKENIZER)
        self.dimensions = self._table.dimensions

    def embed(self, text: str) -> Vector:
        """The text's vector, from its folded words (so it reads what the matcher reads)."""
        ids = self._tokenizer.encode(words(text))
        if not ids:
            return np.zeros(self.dimensions, dtype=np.float32)
        return self._table.mean(ids[:MAX_TOKENS])

    def embed_many(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self.embed(text)
        return out


class PieceTokenizer:
    """The model's Llama-style BPE tokenizer, in a few lines and a few megabytes.

    The `tokenizers` library holds this 32,000-piece vocabulary in about 16 MB and costs
    6 MB more to import, a third of the bot's memory budget. The tokenizer file is a plain
    BPE: each word, prefixed with "▁", starts as its characters and the pair whose merge
    ranks first is merged until none is left; a character outside the vocabulary becomes
    its UTF-8 bytes. A test checks that the pieces equal the library's on many texts.
    """

    def __init__(self, vocab: dict[str, int], ranks: Sequence[int]) -> None:
        self._vocab = vocab
        # The merge rank of each piece, by piece id (one array, not a second dict).
        self._ranks = ranks
        self._bytes = [vocab.get(f"<0x{b:02X}>", 0) for b in range(256)]
        self._cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_file(cls, path: Path) -> PieceTokenizer:
        model = json.loads(path.read_text(encoding="utf-8"))["model"]
        if model.get("type") != "BPE":
            raise ModelMissingError(f"{path.name}: not a BPE tokenizer")
        vocab: dict[str, int] = model["vocab"]
        ranks = array("q", [_NO_RANK]) * (max(vocab.values(), default=0) + 1)
        for rank, merge in enumerate(model["merges"]):
            left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
            piece = vocab.get(left + right)
            if piece is not None and ranks[piece] == _NO_RANK:
                ranks[piece] = rank
        return cls(vocab, ranks)

    def encode(self, words: Sequence[str]) -> list[int]:
        out: list[int] = []
        for word in words:
            ids = self._cache.get(word)
            if ids is None:
                ids = self._word("▁" + word)
                if len(self._cache) < 50_000:
                    self._cache[word] = ids
            out.extend(ids)
        return out

    def _word(self, word: str) -> tuple[int, ...]:
        pieces = list(word)
        vocab, ranks = self._vocab, self._ranks
        while len(pieces) > 1:
            best, best_rank = -1, _NO_RANK
            for i in range(len(pieces) - 1):
                merged = vocab.get(pieces[i] + pieces[i + 1])
                if merged is not None and ranks[merged] < best_rank:
                    best, best_rank = i, ranks[merged]
            if best < 0:
                break
            pieces[best : best + 2] = [pieces[best] + pieces[best + 1]]
        ids: list[int] = []
        for piece in pieces:
            found = self._vocab.get(piece)
            if found is None:
                ids.extend(self._bytes[b] for b in piece.encode("utf-8"))
            else:
                ids.append(found)
        return tuple(ids)


class RowTable:
    """One float16 matrix of a .safetensors file, read a row at a time as tokens appear.

    Reading the whole 16 MB table, or memory-mapping it (the kernel maps neighbouring
    pages too), would cost the bot a large share of its memory budget, while a chat only
    ever uses a few thousand of its 32,000 rows. Each row read is kept (up to
    MAX_CACHED_ROWS, about 1 KB each) and later reads come from memory.

    The format is an 8-byte little-endian header length, a JSON header giving each
    tensor's dtype, shape and byte offsets, then the raw data.
    """

    def __init__(self, path: Path, name: str) -> None:
        with path.open("rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
        info = header[name]
        if info["dtype"] != "F16" or len(info["shape"]) != 2:
            raise ModelMissingError(f"{path.name}: {name} is not a float16 matrix")
        start, end = info["data_offsets"]
        self.rows, self.dimensions = (int(n) for n in info["shape"])
        if end - start != 2 * self.rows * self.dimensions:
            raise ModelMissingError(f"{path.name}: {name} has the wrong size")
        self._offset = 8 + length + start
        self._row_bytes = 2 * self.dimensions
        # A raw descriptor, kept open while the table lives, closed when it goes.
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)
        self._cache: dict[int, Vector] = {}

    def row(self, index: int) -> Vector:
        found = self._cache.get(index)
        if found is None:
            index = min(max(index, 0), self.rows - 1)
            data = os.pread(self._fd, self._row_bytes, self._offset + index * self._row_bytes)
            found = np.frombuffer(data, dtype=np.float16).astype(np.float32)
            if len(self._cache) < MAX_CACHED_ROWS:
                self._cache[index] = found
        return found

    def mean(self, indices: Sequence[int]) -> Vector:
        out = np.zeros(self.dimensions, dtype=np.float32)
        for index in indices:
            out += self.row(index)
        out /= max(len(indices), 1)
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
        # einsum runs in this thread: a BLAS matrix-vector product may spread over every
        # core, and on a busy machine that made the slowest decisions 20 ms slower.
        sims = np.einsum("ij,j->i", self._matrix, query / norm)
        if 0 <= skip_row < len(sims):
            sims[skip_row] = -1.0
        out[self._present] = np.maximum.reduceat(sims, self._starts)
        return out


def _normalised(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    out: npt.NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return out
