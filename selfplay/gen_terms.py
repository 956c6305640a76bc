"""Draft terms of the statement generator: representation, Lean printer, evaluator, builders.

A small tree of its own rather than `mini`'s elaborated terms: the generator needs exact control
of the surface text (which spelling, where parentheses go) and a quick evaluation at a point to
check labels. Evaluation computes with `lean_env.mini.semantics`, the one place Lean's ℕ/ℤ
operations are written down, so labels and the prover agree on `/`, `%`, `-` and `∣`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lean_env.mini.semantics import arith, relation
from lean_env.mini.terms import INT, Base

# ------------------------------------------------------------------ terms


@dataclass(frozen=True, slots=True)
class Num:
    value: int


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Typed:
    """`(e : ℤ)`: fixes the type of a closed expression, as in `(-7 : ℤ) / 2`."""

    expr: Expr
    type: Base


@dataclass(frozen=True, slots=True)
class Call:
    fn: str
    arg: Expr


@dataclass(frozen=True, slots=True)
class Bin:
    op: str  # + - * / % ^
    left: Expr
    right: Expr


Expr = Num | Var | Typed | Call | Bin


@dataclass(frozen=True, slots=True)
class Rel:
    op: str  # = ≠ < ≤ > ≥ ∣
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Atom:
    name: str


@dataclass(frozen=True, slots=True)
class Not:
    arg: Prop


@dataclass(frozen=True, slots=True)
class Conn:
    op: str  # ∧ ∨ → ↔
    left: Prop
    right: Prop


@dataclass(frozen=True, slots=True)
class Quant:
    kind: str  # ∀ ∃
    names: tuple[str, ...]
    type: Base
    body: Prop


Prop = Rel | Atom | Not | Conn | Quant

_EPREC = {"+": 65, "-": 65, "*": 70, "/": 70, "%": 70, "^": 75}
_PPREC = {"↔": 20, "→": 25, "∨": 30, "∧": 35}


def _eprec(e: Expr) -> int:
    if isinstance(e, Bin):
        return _EPREC[e.op]
    return 75 if isinstance(e, Num) and e.value < 0 else 1024


def show(e: Expr) -> str:
    """Lean's surface syntax; parentheses where Lean's precedences need them."""
    match e:
        case Num(v):
            return str(v)
        case Var(name):
            return name
        case Typed(inner, ty):
            return f"({show(inner)} : {ty})"
        case Call(fn, arg):
            atomic = isinstance(arg, Var) or (isinstance(arg, Num) and arg.value >= 0)
            return f"{fn} {show(arg)}" if atomic else f"{fn} ({show(arg)})"
        case Bin(op, left, right):
            p = _EPREC[op]
            right_assoc = op == "^"
            lt, rt = show(left), show(right)
            if _eprec(left) < p or (right_assoc and _eprec(left) <= p):
                lt = f"({lt})"
            if _eprec(right) < p or (not right_assoc and _eprec(right) <= p):
                rt = f"({rt})"
            return f"{lt} {op} {rt}"
    raise TypeError(e)


def _pprec(p: Prop) -> int:
    match p:
        case Conn(op, _, _):
            return _PPREC[op]
        case Quant():
            return 0
        case Not():
            return 40
        case Rel():
            return 50
    return 1024


def show_prop(p: Prop) -> str:
    match p:
        case Rel(op, left, right):
            return f"{show(left)} {op} {show(right)}"
        case Atom(name):
            return name
        case Not(arg):
            inner = show_prop(arg)
            return f"¬{inner}" if _pprec(arg) >= 40 else f"¬({inner})"
        case Conn(op, left, right):
            q = _PPREC[op]
            lt, rt = show_prop(left), show_prop(right)
            if _pprec(left) <= q:
                lt = f"({lt})"
            if _pprec(right) < q or (_pprec(right) == q and op == "↔"):
                rt = f"({rt})"
            return f"{lt} {op} {rt}"
        case Quant(kind, names, ty, body):
            return f"{kind} {' '.join(names)} : {ty}, {show_prop(body)}"
    raise TypeError(p)


# ------------------------------------------------------------------ evaluation (Lean semantics)


Value = int | bool | Callable[[int], int]  # of a variable: a number, a truth value or a function
Env = Mapping[str, Value]


def evaluate(e: Expr, env: Env, ty: Base) -> int:
    """The value of `e` in type `ty` (ℕ or ℤ) with Lean's semantics."""
    match e:
        case Num(v):
            return v
        case Var(name):
            return env[name]  # type: ignore[return-value]
        case Typed(inner, _):
            return evaluate(inner, env, ty)
        case Call(fn, arg):
            return env[fn](evaluate(arg, env, ty))  # type: ignore[operator]
        case Bin(op, left, right):
            return int(arith(op, evaluate(left, env, ty), evaluate(right, env, ty), ty))  # ℕ/ℤ only
    raise TypeError(e)


_CONNS: dict[str, Callable[[bool, bool], bool]] = {
    "∧": lambda a, b: a and b, "∨": lambda a, b: a or b,
    "→": lambda a, b: (not a) or b, "↔": lambda a, b: a == b,
}
BOUND = 12  # quantifiers are checked over [0, BOUND] (ℤ: [-BOUND, BOUND]); ∃ over 4x that


def holds(p: Prop, env: Env, ty: Base, bound: int = BOUND) -> bool:
    """Truth of `p` at `env`; ∀ over ℕ/ℤ is checked on [0, bound] (ℤ: [-bound, bound]) and
    ∃ on four times that: a sanity check of labels, not a decision procedure."""
    match p:
        case Rel(op, left, right):
            return relation(op, evaluate(left, env, ty), evaluate(right, env, ty))
        case Atom(name):
            return bool(env[name])
        case Not(arg):
            return not holds(arg, env, ty, bound)
        case Conn(op, left, right):
            return _CONNS[op](holds(left, env, ty, bound), holds(right, env, ty, bound))
        case Quant(kind, names, qty, body):
            r = bound * (4 if kind == "∃" else 1)
            values = range(-r, r + 1) if qty == INT else range(r + 1)
            test = any if kind == "∃" else all

            def rec(i: int, inner: dict) -> bool:
                if i == len(names):
                    return holds(body, inner, qty, bound)
                return test(rec(i + 1, {**inner, names[i]: v}) for v in values)

            return rec(0, dict(env))
    raise TypeError(p)


# ------------------------------------------------------------------ builders


def scaled(c: int, e: Expr) -> Expr:
    return e if c == 1 else Bin("*", Num(c), e)


def sum_of(terms: Sequence[Expr]) -> Expr:
    if not terms:
        return Num(0)
    acc = terms[0]
    for term in terms[1:]:
        acc = Bin("+", acc, term)
    return acc


def plus(e: Expr, c: int, ty: Base) -> Expr:
    """`e + c`, or `e - |c|` over ℤ (never a truncating ℕ subtraction)."""
    if c == 0:
        return e
    if c < 0 and ty == INT:
        return Bin("-", e, Num(-c))
    return Bin("+", e, Num(c))


def conj(props: Sequence[Prop], op: str = "∧") -> Prop:
    acc = props[-1]
    for p in reversed(props[:-1]):
        acc = Conn(op, p, acc)
    return acc


def summands(e: Expr) -> list[Expr]:
    if isinstance(e, Bin) and e.op == "+":
        return [*summands(e.left), *summands(e.right)]
    return [e]
