"""A seeded generator of `mini` theorem STATEMENTS (never proofs), with difficulty knobs.

Self-play and the benchmarks need an endless, reproducible supply of problems in the fragment
`mini` reads: ℕ/ℤ/Prop variables, functions ℕ → ℕ / ℤ → ℤ, ∧ ∨ ¬ → ↔, ∀/∃, = ≠ < ≤ > ≥ ∣,
+ - * / % ^ and numerals. Each statement is drawn from one of eight families (propositional,
linear arithmetic, ∃-witness, closed arithmetic, function values, induction-style, nonlinear,
case splits), mixed by weights that move with the difficulty. A share of them is deliberately
FALSE, meaning the universal closure fails and its negation is provable; the intent is recorded
only as a label in `Statement.family` (`"linear/true"`, `"cases/false"`).

Labels are built, not guessed: a true statement comes from a construction that implies it (a
linear combination of hypotheses, an expanded polynomial, a truth table), and every statement
carries a concrete point (values, valuations, function interpretations) at which its
hypotheses hold; for a false statement the target fails there, which is the disproof's witness.
That point is evaluated with Lean's semantics (ℕ subtraction truncates, ℤ `/` `%` are
Euclidean) and checked when the statement is made, so a mislabelled draft cannot get out.

Everything flows from `random.Random(seed)`; statement `i` depends only on the draws before it,
so `generate(s, 10)` is a prefix of `generate(s, 200)`.

Layout: `gen_terms` (draft terms, printer, Lean-semantics evaluator), `gen_draft` (knobs,
`Draft`, shared helpers), `gen_logic`, `gen_arith`, `gen_algebra` (the eight families); this
module mixes them and names the results.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from lean_env.mini.semantics import int_ediv as ediv
from lean_env.mini.semantics import int_emod as emod
from lean_env.problem import Problem
from lean_env.text.statement import canonical, strip_proof
from selfplay import gen_algebra, gen_arith, gen_logic
from selfplay.gen_draft import EASY, FAMILIES, HARD, MEDIUM, Difficulty, Draft

__all__ = [
    "EASY", "FAMILIES", "HARD", "MEDIUM", "Difficulty", "Draft", "canonical", "draw",
    "ediv", "emod", "generate", "intended_true", "topic",
]


# (weight at level 0, weight at level 1): easy sets lean on one-closer facts, hard ones on
# families that need several tactics or a lemma the basic candidates do not offer.
_WEIGHTS = {
    "prop": (1.0, 1.0), "linear": (1.3, 1.0), "exists": (0.8, 0.9), "closed": (1.4, 0.5),
    "function": (0.8, 1.0), "induction": (0.7, 1.1), "nonlinear": (0.5, 1.0), "cases": (0.7, 1.0),
}


def topic(problem: Problem) -> str:
    """The generator family a statement comes from (`linear` of `linear/false`)."""
    return problem.family.partition("/")[0]


def intended_true(problem: Problem) -> bool:
    """False means the statement's universal closure is false: its negation is provable."""
    return problem.family.endswith("/true")


def generate(seed: int, n: int, difficulty: Difficulty = MEDIUM) -> list[Problem]:
    """`n` distinct (by `canonical`) statements named `gen_<seed>_<i>`, deterministic in `seed`;
    `family` is `<topic>/true` or `<topic>/false` (the label, never shown to the search)."""
    rng = random.Random(seed)
    tag = str(seed) if seed >= 0 else f"m{-seed}"
    out: list[Problem] = []
    seen: set[str] = set()
    while len(out) < n:
        for _ in range(50):  # easy knobs have few distinct problems: retry before accepting a repeat
            draft = draw(rng, difficulty)
            name = f"gen_{tag}_{len(out)}"
            text = draft.text(name)
            if canonical(text) not in seen:
                break
        seen.add(canonical(text))
        family = f"{draft.topic}/{'true' if draft.truth else 'false'}"
        out.append(Problem(name, strip_proof(text), source=f"generator:{seed}", family=family))
    return out


def draw(rng: random.Random, d: Difficulty) -> Draft:
    """One draft: pick a family by weight, build it, check its label at its point.

    Public for callers that want the structure rather than the text (e.g. making variants).
    """
    t = d.level
    weights = [(1 - t) * _WEIGHTS[f][0] + t * _WEIGHTS[f][1] for f in d.families]
    family = rng.choices(d.families, weights)[0]
    truth = rng.random() >= d.false_share
    draft = _BUILDERS[family](rng, d, truth)
    if family not in ("prop", "exists"):  # truth tables / divisibility settle those
        draft.check()
    return draft


_BUILDERS: dict[str, Callable[[random.Random, Difficulty, bool], Draft]] = {
    "prop": gen_logic.prop, "linear": gen_logic.linear, "exists": gen_logic.exists,
    "closed": gen_arith.closed, "function": gen_arith.function, "cases": gen_arith.cases,
    "induction": gen_algebra.induction, "nonlinear": gen_algebra.nonlinear,
}
