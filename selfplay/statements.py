"""Where self-play's statements come from: files of statements and the seeded generator.

Self-play attempts STATEMENTS, never proofs: from files (`name, formal_statement[, header]`
JSONL such as miniF2F, read by `lean_env.problem.read_problems`), from the seeded `mini`
generator, and as variants of other statements (`selfplay.variants`). Each one is tried as itself
and as its negation (`lean_env.problem.negation`); whichever is verified becomes a proof or a
disproof. The problem type and all Lean-text work live in `lean_env` (`problem`, `text`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from lean_env.problem import Problem, ProblemFileError, read_problems
from selfplay.generator import EASY, HARD, MEDIUM, Difficulty, generate

__all__ = ["StatementSourceError", "difficulty_label", "from_generator", "from_jsonl", "generator_stream"]


class StatementSourceError(ValueError):
    """A row of a statement file that cannot be used; the message starts with `file:line:`."""


def from_jsonl(path: str | Path) -> list[Problem]:
    """Problems from a `name, formal_statement[, header]` JSONL file (blank lines skipped);
    a row that cannot be used, or a statement that does not read, is a `StatementSourceError`
    saying `file:line: what is wrong`."""
    try:
        return read_problems(path)
    except ProblemFileError as e:
        raise StatementSourceError(str(e)) from None


_PRESETS = {"easy": EASY, "medium": MEDIUM, "hard": HARD}


def difficulty_label(d: Difficulty) -> str:
    """`easy`/`medium`/`hard` for the presets, the knob values otherwise."""
    for label, preset in _PRESETS.items():
        if d == preset:
            return label
    fams = "" if set(d.families) == set(EASY.families) else "," + "+".join(d.families)
    return (f"l{d.logic_depth}h{d.hypotheses}a{d.arithmetic_size}v{d.variables}"
            f"f{d.false_share:g}{fams}")


def from_generator(seed: int, n: int, difficulty: Difficulty | str = MEDIUM) -> list[Problem]:
    """`n` generated `mini` statements (`selfplay.generator.generate`), names `gen_<seed>_<i>`."""
    if isinstance(difficulty, str) and difficulty not in _PRESETS:
        raise ValueError(f"unknown difficulty '{difficulty}'; choose one of {', '.join(_PRESETS)}")
    d = _PRESETS[difficulty] if isinstance(difficulty, str) else difficulty
    source = f"generator:{seed}/{difficulty_label(d)}"
    return [replace(p, source=source) for p in generate(seed, n, d)]


def generator_stream(seed: int, difficulty: Difficulty | str = MEDIUM, *, batch: int = 256) -> Iterator[Problem]:
    """An endless deterministic supply: batch `k` is `from_generator(derived seed k, batch)`.

    Batches use seeds derived from (`seed`, `k`), so names never repeat; texts may repeat
    across batches (the curriculum drops duplicates it still holds).
    """
    for k in itertools.count():
        digest = hashlib.sha256(f"{seed}/{k}".encode()).digest()
        yield from from_generator(int.from_bytes(digest[:6], "big"), batch, difficulty)
