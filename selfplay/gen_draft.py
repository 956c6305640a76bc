"""What every statement family shares: the difficulty knobs, the draft, and random helpers.

A family is a function `(rng, difficulty, truth) -> Draft`; the modules `gen_logic`,
`gen_arith` and `gen_algebra` hold them, `generator` mixes them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from lean_env.mini.terms import INT, NAT, Base, Ty
from selfplay.gen_terms import Env, Prop, Rel, holds, show_prop

FAMILIES = ("prop", "linear", "exists", "closed", "function", "induction", "nonlinear", "cases")


# ------------------------------------------------------------------ knobs


Binders = tuple[tuple[tuple[str, ...], Ty], ...]  # ((names), type), ...


@dataclass(frozen=True, slots=True)
class Difficulty:
    """Knobs of the generator; every family reads the ones that make sense for it.

    logic_depth: nesting of ∧/∨/→/↔ in propositional targets, conjunctions in arithmetic
        targets, composition/quantifier depth (`f (f 2)`, `∀ n, ∃ m, ...`).
    hypotheses: hypotheses per statement (propositional and linear families use exactly this
        many, at least one; the others add up to this many where they have any).
    arithmetic_size: size of numerals and coefficients, and of closed expressions (0..5).
    variables: number of variables (Prop atoms are one more than this), 1..6.
    false_share: probability that a statement is drawn as a false variant.
    families: which families may be drawn; weights between them follow the other knobs.
    """

    logic_depth: int = 2
    hypotheses: int = 2
    arithmetic_size: int = 2
    variables: int = 2
    false_share: float = 0.2
    families: tuple[str, ...] = FAMILIES

    def __post_init__(self) -> None:
        if not 0.0 <= self.false_share <= 1.0:
            raise ValueError(f"false_share must be in [0, 1], got {self.false_share}")
        unknown = [f for f in self.families if f not in FAMILIES]
        if unknown or not self.families:
            raise ValueError(f"families must be a non-empty subset of {FAMILIES}, got {self.families}")
        for knob in ("logic_depth", "hypotheses", "arithmetic_size", "variables"):
            if getattr(self, knob) < 0:
                raise ValueError(f"{knob} must be >= 0")

    @property
    def level(self) -> float:
        """0 (easiest) .. 1 (hardest): where the family weights sit between easy and hard."""
        total = self.logic_depth + self.hypotheses + self.arithmetic_size + self.variables
        return min(1.0, max(0.0, (total - 4) / 8))


EASY = Difficulty(logic_depth=1, hypotheses=1, arithmetic_size=1, variables=1, false_share=0.15)
MEDIUM = Difficulty(logic_depth=2, hypotheses=2, arithmetic_size=2, variables=2, false_share=0.2)
HARD = Difficulty(logic_depth=3, hypotheses=4, arithmetic_size=3, variables=3, false_share=0.25)


# ------------------------------------------------------------------ drafts


@dataclass(frozen=True, slots=True)
class Draft:
    """A statement before naming: binders, hypotheses, target, label and its witness point.

    `point` satisfies every hypothesis; the target holds there iff `truth`. For a false draft
    the point is the counterexample behind the disproof.
    """

    topic: str
    truth: bool
    binders: Binders
    hyps: tuple[Prop, ...]
    target: Prop
    point: Env = field(default_factory=dict)
    ty: Base = NAT  # the type quantifier-free arithmetic is evaluated in

    def text(self, name: str) -> str:
        parts = [f"({' '.join(names)} : {ty})" for names, ty in self.binders]
        parts += [f"({_hyp_name(i)} : {show_prop(h)})" for i, h in enumerate(self.hyps)]
        head = " ".join([f"theorem {name}", *parts])
        return f"{head} : {show_prop(self.target)} := by sorry"

    def check(self, bound: int = 3) -> None:
        """Raise if the witness point contradicts the label (a generator bug)."""
        env = dict(self.point)
        bad = [show_prop(h) for h in self.hyps if not holds(h, env, self.ty, bound)]
        if bad or holds(self.target, env, self.ty, bound) != self.truth:
            raise AssertionError(f"mislabelled {self.topic}/{self.truth}: {self.text('x')} at {env}")


def _hyp_name(i: int) -> str:
    return "h" + "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(i))


# ------------------------------------------------------------------ random helpers


def num_bound(d: Difficulty) -> int:
    """The numeral scale at this `arithmetic_size`: values are drawn up to it or a fraction of it."""
    return (5, 10, 20, 50, 100, 200)[min(d.arithmetic_size, 5)]


def coef_max(d: Difficulty) -> int:
    """The largest coefficient (multiplier, step, ratio) at this `arithmetic_size`."""
    return (2, 3, 4, 6, 9, 12)[min(d.arithmetic_size, 5)]


def clamp(x: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, x))


def draw_value(rng: random.Random, ty: Base, bound: int) -> int:
    return rng.randint(-bound, bound) if ty == INT else rng.randint(0, bound)


def flip(rng: random.Random, rel: Rel) -> Rel:
    """An equivalent spelling: `a < b` as `b > a`, `a = b` as `b = a`."""
    mirror = {"<": ">", "≤": "≥", "=": "=", "≠": "≠"}
    if rel.op in mirror and rng.random() < 0.35:
        return Rel(mirror[rel.op], rel.right, rel.left)
    return rel


def int_or_nat(rng: random.Random, int_share: float = 0.5) -> Base:
    return INT if rng.random() < int_share else NAT


VARS = ("x", "y", "z", "w", "u", "v")
ATOMS = ("p", "q", "r", "s", "t", "u", "v")
