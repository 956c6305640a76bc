"""Where self-play's statements come from: files of statements and the seeded generator.

Self-play attempts STATEMENTS, never proofs: from files (`name, formal_statement[, header]`
JSONL such as miniF2F, read by `lean_env.problem.read_problems`), from the seeded `mini`
generator, and as variants of other statements (`selfplay.variants`). Each one is tried as itself
and as its negation (`lean_env.problem.negation`); whichever is verified becomes a proof or a
disproof. The problem type and all Lean-text work live in `lean_env` (`problem`, `text`).

A run mixes its sources by weight (`mixed_stream`, over `selfplay.config.SourceSpec`s): a
smooth weighted round-robin, so every prefix of the stream holds each source's share to within
one statement per source, deterministic, and resumable by position (`skip`). Each statement
says where it came from (`Problem.source`): `generator:<seed>/<difficulty>` or
`file:<file name>`; files cycle, later passes renamed `NAME~1`, `NAME~2`, ...
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from lean_env.problem import Problem, ProblemFileError, read_problems
from selfplay.config import SourceSpec
from selfplay.generator import EASY, HARD, MEDIUM, Difficulty, generate

__all__ = [
    "StatementSourceError", "difficulty_label", "file_labels", "file_stream", "from_generator", "from_jsonl",
    "generator_stream", "mixed_stream", "read_source", "weighted_order",
]


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


def generator_stream(seed: int, difficulty: Difficulty | str = MEDIUM, *, batch: int = 256,
                     start: int = 0) -> Iterator[Problem]:
    """An endless deterministic supply: batch `k` is `from_generator(derived seed k, batch)`.

    Batches use seeds derived from (`seed`, `k`), so names never repeat; texts may repeat
    across batches (the curriculum drops duplicates it still holds). `start` skips that many
    statements without generating the whole batches before it (a resumed run's position).
    """
    first, offset = divmod(start, batch)
    for k in itertools.count(first):
        digest = hashlib.sha256(f"{seed}/{k}".encode()).digest()
        yield from from_generator(int.from_bytes(digest[:6], "big"), batch, difficulty)[offset:]
        offset = 0


# ------------------------------------------------------------------ mixed, weighted sources


def file_labels(sources: Sequence[SourceSpec]) -> dict[str, str]:
    """The `source` of each file's statements, by path: `file:<file name>`, or `file:<path>`
    for files whose names clash (`a/valid.jsonl` and `b/valid.jsonl`)."""
    paths = [s.path for s in sources if s.path is not None]
    names = [os.path.basename(p) or p for p in paths]
    return {p: f"file:{n if names.count(n) == 1 else p}" for p, n in zip(paths, names, strict=True)}


def read_source(path: str, label: str | None = None) -> list[Problem]:
    """The statements of one file source, labelled `label` (default `file:<file name>`); a
    `StatementSourceError` naming the file when it cannot be read or holds no statement."""
    problems = from_jsonl(path)
    if not problems:
        raise StatementSourceError(f"{path}: no statements in the file")
    label = label or f"file:{os.path.basename(path) or path}"
    return [replace(p, source=label) for p in problems]


def file_stream(problems: Sequence[Problem], *, start: int = 0) -> Iterator[Problem]:
    """`problems` cycled for ever from position `start`: the first pass as they are, pass `r`
    renamed `NAME~r` (the curriculum holds each name once)."""
    if not problems:
        raise ValueError("cannot cycle an empty list of statements")
    round_, offset = divmod(start, len(problems))
    for r in itertools.count(round_):
        for p in problems[offset:]:
            yield p if r == 0 else replace(p, name=f"{p.name}~{r}")
        offset = 0


def weighted_order(weights: Sequence[float]) -> Iterator[int]:
    """Which source each next statement comes from: smooth weighted round-robin (nginx's), in
    exact integer arithmetic. After any `n` draws, source `i` has been drawn within one of
    `n * w_i / sum(w)` times, its draws spread evenly."""
    if not weights or any(not (math.isfinite(w) and w > 0) for w in weights):
        raise ValueError(f"weights must be positive numbers, got {list(weights)}")
    fractions = [Fraction(repr(float(w))) for w in weights]  # 0.1 is 1/10, not the nearest binary fraction
    scale = math.lcm(*(f.denominator for f in fractions))
    ints = [int(f * scale) for f in fractions]
    g = math.gcd(*ints)
    ints = [w // g for w in ints]
    total, current = sum(ints), [0] * len(ints)
    while True:
        for i, w in enumerate(ints):
            current[i] += w
        best = max(range(len(ints)), key=lambda i: (current[i], -i))  # ties: the earlier source
        current[best] -= total
        yield best


def mixed_stream(sources: Sequence[SourceSpec], *, seed: int, difficulty: Difficulty | str = MEDIUM,
                 skip: int = 0) -> Iterator[Problem]:
    """The run's endless statement stream: `sources` mixed by weight (`weighted_order`), from
    position `skip`, the same as the stream from 0 with its first `skip` statements dropped.

    Files are read (and checked) now, so a bad one is a `StatementSourceError` here, not
    halfway through a run; a source given twice is one too. One source alone is exactly
    that source's stream (the generator's, or the file cycled).
    """
    specs = tuple(sources)
    if not specs:
        raise ValueError("no statement sources")
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise StatementSourceError(f"statement source {spec.name} given twice")
        seen.add(spec.name)
    labels = file_labels(specs)
    files = {s.path: read_source(s.path, labels[s.path]) for s in specs if s.path is not None}
    order = weighted_order([s.weight for s in specs])
    drawn = [0] * len(specs)
    for _ in range(skip):  # the position of every source after `skip` statements
        drawn[next(order)] += 1
    streams = [
        generator_stream(seed, difficulty, start=n) if s.path is None else file_stream(files[s.path], start=n)
        for s, n in zip(specs, drawn, strict=True)
    ]
    return (next(streams[i]) for i in order)
