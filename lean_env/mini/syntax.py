"""Surface syntax of `mini`: what the parser reads from Lean text, before elaboration.

Operators are normalized to their unicode spelling (`/\\` -> `∧`, `->` -> `→`, `<=` -> `≤`, ...).
Every node carries `pos = (line, col)`, 1-based, for error messages. Types are terms too
(`ℕ`, `ℤ → ℤ`), as in Lean. Dotted names (`Nat.gcd`, `h.1`, `h.mp`) stay one `SIdent`;
the elaborator splits off projections it cannot resolve as constants, as Lean does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

Pos = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SIdent:
    name: str
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SNum:
    value: int
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SHole:
    """`_`"""

    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SApp:
    fn: Syn
    args: tuple[Syn, ...]
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SBinOp:
    """Infix operators: arithmetic `+ - * / % ^`, relations `= ≠ < ≤ > ≥ ∣`,
    logic `∧ ∨ → ↔`."""

    op: str
    lhs: Syn
    rhs: Syn
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SUnOp:
    """Prefix `¬`, `-`, `↑`, and postfix factorial `!`."""

    op: str
    arg: Syn
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SBinderGroup:
    """`x y : T` or `x` (type to infer) or `n ≥ 5` (binder predicate: `pred = ("≥", 5)`)."""

    names: tuple[str, ...]
    type: Syn | None = None
    pred: tuple[str, Syn] | None = None
    implicit: bool = False


@dataclass(frozen=True, slots=True)
class SBinder:
    """`∀ groups, body`, `∃ groups, body`, `fun groups => body` (kind: "∀", "∃", "fun")."""

    kind: str
    groups: tuple[SBinderGroup, ...]
    body: Syn
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SAnon:
    """Anonymous constructor `⟨a, b, c⟩`."""

    items: tuple[Syn, ...]
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class STuple:
    """`(a, b)` (a pair; longer tuples nest to the right)."""

    items: tuple[Syn, ...]
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SAscribe:
    """`(e : T)`."""

    expr: Syn
    type: Syn
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SProj:
    """`(e).field` for a non-identifier `e` (`(h x).1`)."""

    expr: Syn
    field: str
    pos: Pos = dataclasses.field(default=(0, 0), compare=False)  # qualified: `field` is the attribute above


@dataclass(frozen=True, slots=True)
class SModEq:
    """`a ≡ b [MOD n]` / `[ZMOD n]`."""

    lhs: Syn
    rhs: Syn
    modulus: Syn
    kind: str  # "MOD" or "ZMOD"
    pos: Pos = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class SBy:
    """`by tacs` inside a term: the raw tactic text, parsed by the tactic layer."""

    tactics: str
    pos: Pos = field(default=(0, 0), compare=False)


Syn = (
    SIdent | SNum | SHole | SApp | SBinOp | SUnOp | SBinder | SAnon | STuple | SAscribe
    | SProj | SModEq | SBy
)


@dataclass(frozen=True, slots=True)
class TheoremSyn:
    """`theorem name binders : statement [:= proof]` as read; `proof` is raw text or None."""

    name: str
    binders: tuple[SBinderGroup, ...]
    statement: Syn
    proof: str | None
    pos: Pos = field(default=(0, 0), compare=False)
