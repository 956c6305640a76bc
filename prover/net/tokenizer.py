"""A tokenizer for goal and tactic text, learned from the texts it is trained on.

A character / word-piece hybrid. Text is first cut into pieces: ASCII identifiers
(`nlinarith`, `h`, `x2`), single digits, newlines (they separate hypotheses) and any other
single character (`ℕ`, `⊢`, `∀`, `→`, `≤`, `₀`, `(`, ...); spaces and tabs are dropped. An
identifier seen at least `min_count` times becomes one token; a rarer one is spelled by the
longest known prefixes, down to single characters. Numbers are always spelled digit by digit,
so `60` and `600` share their pieces.

The alphabet every tokenizer starts from (printable ASCII plus the Lean symbols in `LEAN_SYMBOLS`)
is fixed, so those characters are single tokens even when training never saw them; any other
character seen in training is added; anything else is `UNK`. Nothing is pretrained: the word
list comes from the training texts only. Training is deterministic (ties broken by the text),
and the whole tokenizer round-trips through a JSON-able dict for checkpoints.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

PAD, CLS, SEP, UNK, NEWLINE = 0, 1, 2, 3, 4
SPECIALS = ("<pad>", "<cls>", "<sep>", "<unk>", "\n")
FORMAT = "leanzero-wordpiece"
VERSION = 1

# Always in the alphabet: Lean's unicode notation (binders, connectives, relations, number
# systems, anonymous constructors, subscripts, inaccessible-name dagger, focus dot).
LEAN_SYMBOLS = (
    "ℕℤℚℝℂ⊢∀∃λ→←↔∧∨¬≤≥≠∣↑⟨⟩⦃⦄∈∉⊆⊂∩∪∅×∘·•✝ₓ⁻¹√∑∏π∞⌊⌋⌈⌉"
    "₀₁₂₃₄₅₆₇₈₉⁰²³⁴⁵⁶⁷⁸⁹αβγδεζηθικμνξρστφχψω"
)
ALPHABET = "".join(chr(c) for c in range(33, 127)) + LEAN_SYMBOLS + " "  # " ": see `encode_text`

_PIECES = re.compile(r"[A-Za-z_][A-Za-z0-9_']*|\n|[^\s]")
_TEXT_PIECES = re.compile(r"[A-Za-z_][A-Za-z0-9_']*|\s+|[^\s]")  # `pieces`, with whitespace runs


def pieces(text: str) -> list[str]:
    """Pre-tokenization: identifiers, newlines and single characters; other whitespace dropped."""
    return _PIECES.findall(text)


class Tokenizer:
    """Text to token ids (no specials added: the model adds CLS/SEP itself). Immutable."""

    __slots__ = ("_cache", "_index", "_max_word", "_old", "_tokens")

    CACHE_SIZE = 50_000  # memoized texts, in two generations (see `encode`)

    def __init__(self, tokens: Sequence[str]) -> None:
        tokens = tuple(tokens)
        if tokens[: len(SPECIALS)] != SPECIALS:
            raise ValueError(f"tokenizer vocabulary must start with the specials {SPECIALS!r}")
        index = {t: i for i, t in enumerate(tokens)}
        if len(index) != len(tokens):
            raise ValueError("tokenizer vocabulary has duplicate tokens")
        self._tokens = tokens
        self._index = index
        self._max_word = max(len(t) for t in tokens)
        self._cache: dict[str, tuple[int, ...]] = {}
        self._old: dict[str, tuple[int, ...]] = {}

    @classmethod
    def train(cls, texts: Iterable[str], *, max_words: int = 2000, min_count: int = 2) -> Tokenizer:
        """Learn the word list from `texts`: the `max_words` most frequent identifiers of at
        least two characters seen `min_count` times or more, plus every character seen."""
        words: Counter[str] = Counter()
        chars: set[str] = set()
        for text in texts:
            for piece in pieces(text):
                if len(piece) > 1:
                    words[piece] += 1
                chars.update(piece)
        vocab = list(SPECIALS)
        seen = set(vocab)
        for c in ALPHABET + "".join(sorted(chars)):
            if c not in seen:
                vocab.append(c)
                seen.add(c)
        frequent = sorted((w for w, n in words.items() if n >= min_count), key=lambda w: (-words[w], w))
        vocab += [w for w in frequent[:max_words] if w not in seen]
        return cls(vocab)

    @property
    def vocab_size(self) -> int:
        return len(self._tokens)

    @property
    def tokens(self) -> tuple[str, ...]:
        return self._tokens

    def encode(self, text: str) -> tuple[int, ...]:
        """Token ids of `text`, memoized: goals and tactics recur constantly during search and
        training. The memo has two generations of `CACHE_SIZE / 2` texts: when the young one is
        full it becomes the old one (the old one is dropped), and a text found in the old one
        is young again, so memory stays bounded and the texts in use stay."""
        ids = self._cache.get(text)
        if ids is None:
            ids = self._old.get(text)
            if ids is None:
                out: list[int] = []
                for piece in pieces(text):
                    out += self._spell(piece)
                ids = tuple(out)
            if len(self._cache) >= self.CACHE_SIZE // 2:
                self._old, self._cache = self._cache, {}
            self._cache[text] = ids
        return ids

    def _spell(self, piece: str) -> list[int]:
        """A known piece is one token; otherwise greedy longest known prefix, then the rest."""
        whole = self._index.get(piece)
        if whole is not None:
            return [whole]
        if piece[0].isdigit():
            return [self._index.get(c, UNK) for c in piece]
        out: list[int] = []
        i = 0
        while i < len(piece):
            for j in range(min(len(piece), i + self._max_word), i, -1):
                found = self._index.get(piece[i:j])
                if found is not None:
                    out.append(found)
                    i = j
                    break
            else:
                out.append(UNK)
                i += 1
        return out

    def encode_text(self, text: str) -> tuple[int, ...] | None:
        """Token ids that `text_of` turns back into `text` up to whitespace (each run of spaces
        becomes one `" "` token), for the tactic decoder, which must write text Lean can read;
        None when that is impossible: a character the vocabulary lacks, a newline (multi-line
        tactics are indentation-sensitive) or a vocabulary without the space token."""
        space = self._index.get(" ")
        if space is None or "\n" in text:
            return None
        out: list[int] = []
        for piece in _TEXT_PIECES.findall(text.strip()):
            if piece.isspace():
                out.append(space)
                continue
            ids = self._spell(piece)
            if UNK in ids:
                return None
            out += ids
        return tuple(out)

    def text_of(self, ids: Iterable[int]) -> str:
        """The text of token ids, tokens concatenated (the inverse of `encode_text`); specials
        and out-of-range ids are dropped."""
        n, tokens = len(self._tokens), self._tokens
        return "".join(tokens[i] for i in ids if len(SPECIALS) <= i < n)

    def decode(self, ids: Iterable[int]) -> str:
        """Tokens joined by spaces (a debugging view: dropped whitespace is not restored)."""
        return " ".join(self._tokens[i] if 0 <= i < len(self._tokens) else SPECIALS[UNK] for i in ids)

    def to_dict(self) -> dict[str, object]:
        return {"format": FORMAT, "version": VERSION, "tokens": list(self._tokens)}

    @classmethod
    def from_dict(cls, data: object) -> Tokenizer:
        """Inverse of `to_dict`; ValueError naming what is wrong for anything else."""
        if not isinstance(data, dict):
            raise ValueError(f"tokenizer data is a {type(data).__name__}, not a dict")
        if data.get("format") != FORMAT:
            raise ValueError(f"tokenizer format is {data.get('format')!r}, expected {FORMAT!r}")
        if data.get("version") != VERSION:
            raise ValueError(f"tokenizer version is {data.get('version')!r}, expected {VERSION}")
        tokens = data.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, str) and t for t in tokens):
            raise ValueError("tokenizer 'tokens' must be a list of non-empty strings")
        return cls(tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self._tokens == other._tokens

    def __hash__(self) -> int:
        return hash(self._tokens)

    def __repr__(self) -> str:
        return f"Tokenizer(vocab_size={self.vocab_size})"
