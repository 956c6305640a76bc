"""Random statements of `mini`'s fragment, printed as Lean text, and a brute-force oracle.

The soundness test needs false statements it can be *certain* about, found by a checker that
shares nothing with the prover it checks: this module deliberately imports nothing from
`lean_env.mini`. It has its own small typed AST, a precedence-correct Lean printer and an
evaluator with Lean 4 semantics (ℕ truncated `-`, `x / 0 = 0`, `x % 0 = x`; ℤ `/` and `%`
are `Int.ediv`/`Int.emod`; ℚ and ℝ exact rational arithmetic with `x / 0 = 0` and `0⁻¹ = 0`,
evaluated at rational points, which is all a counterexample needs). Evaluation is
three-valued (True / False / None = unknown): a quantifier over an infinite range only ever
yields the answer a finite search can certify, so a reported counterexample is a genuine one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from functools import cache
from typing import Any

from hypothesis import strategies as st

NAT, INT, RAT, REAL, PROP = "ℕ", "ℤ", "ℚ", "ℝ", "Prop"
FIELDS = (RAT, REAL)
TOWER = (NAT, INT, RAT, REAL)  # casts go up this list, never down
NAT_RANGE = range(0, 6)
INT_RANGE = range(-4, 5)
# ℚ/ℝ values tried: the non-integers are what separate field facts from integer ones
# (`x ^ 2 ≥ x`, `0 < x → 1 ≤ x` and `2 * x ≠ 1` hold on ℤ, fail at 1/2)
FIELD_VALUES = tuple(Fraction(v) for v in ("0", "1", "-1", "1/2", "-1/2", "2", "1/3", "-2", "3/2"))
SPAN = 6  # values tried past the bound of an open-ended binder predicate (`∀ n ≥ 2`)

# ---------------------------------------------------------------- AST


@dataclass(frozen=True)
class Var:
    """A numeric variable (free, or bound by a quantifier)."""

    name: str
    ty: str


@dataclass(frozen=True)
class Lit:
    value: int  # ≥ 0; negative integers are Neg(Lit)
    ty: str


@dataclass(frozen=True)
class Bin:
    """`lhs op rhs` for op in `+ - * / %`, both sides of type `ty`."""

    op: str
    lhs: Num
    rhs: Num
    ty: str


@dataclass(frozen=True)
class Pow:
    base: Num
    exp: int  # a small ℕ literal
    ty: str


@dataclass(frozen=True)
class ZPow:
    """`base ^ exp` on ℚ/ℝ with an ℤ exponent (`zpow`: `x ^ (-k) = (x ^ k)⁻¹`, so `0 ^ (-1) = 0`)."""

    base: Num
    exp: Num  # of type ℤ
    ty: str


@dataclass(frozen=True)
class Neg:
    arg: Num
    ty: str = INT


@dataclass(frozen=True)
class Cast:
    """`(↑arg : ty)` for an `arg` of a type below `ty` in ℕ → ℤ → ℚ → ℝ."""

    arg: Num
    ty: str = INT


@dataclass(frozen=True)
class Inv:
    """`arg⁻¹` on ℚ or ℝ (`0⁻¹ = 0`)."""

    arg: Num
    ty: str


Num = Var | Lit | Bin | Pow | ZPow | Neg | Cast | Inv


@dataclass(frozen=True)
class PVar:
    name: str


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Not:
    arg: Prop


@dataclass(frozen=True)
class Conn:
    """`lhs op rhs` for op in `∧ ∨ → ↔`."""

    op: str
    lhs: Prop
    rhs: Prop


@dataclass(frozen=True)
class Rel:
    """`lhs op rhs` for op in `= ≠ < ≤ > ≥ ∣` (both sides of one numeric type)."""

    op: str
    lhs: Num
    rhs: Num


@dataclass(frozen=True)
class Quant:
    """`∀ name : ty, body` / `∃ ...`, or with a binder predicate `∀ name ≥ k, body`."""

    kind: str  # "∀" or "∃"
    name: str
    ty: str
    body: Prop
    bound: tuple[str, int] | None = None  # (op in < ≤ > ≥, literal)


Prop = PVar | Const | Not | Conn | Rel | Quant


@dataclass(frozen=True)
class Statement:
    """`theorem name (vars) (hyps) : target`; variables carry type ℕ, ℤ, ℚ, ℝ or Prop."""

    variables: tuple[tuple[str, str], ...]
    hyps: tuple[tuple[str, Prop], ...]
    target: Prop
    name: str = "t"
    full_parens: bool = False

    @property
    def text(self) -> str:
        return statement_text(self)


# ---------------------------------------------------------------- printing
# Lean 4 precedences: ↔ 20, → 25 (right), ∨ 30 (right), ∧ 35 (right), ¬ takes its argument
# at 40, relations 50 (non-assoc), + - 65 (left), * / % 70 (left), ^ 75 (right).
# Unary minus prints its argument as an atom and is parenthesized as the base of `^`,
# so the text does not depend on the exact precedence of prefix `-`.

ATOM = 1024
_ARITH_PREC = {"+": 65, "-": 65, "*": 70, "/": 70, "%": 70}
_CONN_PREC = {"↔": 20, "→": 25, "∨": 30, "∧": 35}
_RIGHT_ASSOC = {"→", "∨", "∧"}


def _paren(text: str, prec: int, need: int, full: bool) -> str:
    return f"({text})" if prec < need or (full and prec < ATOM) else text


def _anchored(t: Num) -> bool:
    """Does this binop tree contain a leaf whose type is fixed (so numerals follow it)?"""
    match t:
        case Lit():
            return False
        case Bin(lhs=a, rhs=b):
            return _anchored(a) or _anchored(b)
        case _:
            return True  # variables, casts; `^` and `-` anchor their own operand


def _num(t: Num, full: bool) -> tuple[str, int]:
    match t:
        case Var(name=n):
            return n, ATOM
        case Lit(value=v):
            return str(v), ATOM
        case Bin(op=op, lhs=a, rhs=b):
            p = _ARITH_PREC[op]
            sa, pa = _num(a, full)
            sb, pb = _num(b, full)
            return f"{_paren(sa, pa, p, full)} {op} {_paren(sb, pb, p + 1, full)}", p
        case Pow(base=b, exp=e, ty=ty):
            if ty != NAT and not _anchored(b):
                return f"({_num(b, False)[0]} : {ty}) ^ {e}", 75
            sb, pb = _num(b, full)
            return f"{_paren(sb, pb, 76, full)} ^ {e}", 75
        case ZPow(base=b, exp=e):
            sb, pb = _num(b, full)
            base = _paren(sb, pb, 76, full) if _anchored(b) else f"({sb} : {t.ty})"
            if _anchored(e):
                se, pe = _num(e, full)
                return f"{base} ^ {_paren(se, pe, 75, full)}", 75
            return f"{base} ^ ({_num(e, False)[0]} : ℤ)", 75
        case Neg(arg=a, ty=ty):
            if not _anchored(a):
                return f"-({_num(a, False)[0]} : {ty})", 75
            sa, pa = _num(a, full)
            return f"-{_paren(sa, pa, ATOM, full)}", 75
        case Inv(arg=a, ty=ty):
            if not _anchored(a):
                return f"({_num(a, False)[0]} : {ty})⁻¹", ATOM
            sa, pa = _num(a, full)
            return f"{_paren(sa, pa, ATOM, full)}⁻¹", ATOM
        case Cast(arg=a, ty=ty):
            sa, pa = _num(a, full)
            if not _anchored(a):
                return f"(↑({sa} : {a.ty}) : {ty})", ATOM
            return f"(↑{_paren(sa, pa, ATOM, full)} : {ty})", ATOM
    raise TypeError(t)


def _prop(t: Prop, full: bool) -> tuple[str, int]:
    match t:
        case PVar(name=n):
            return n, ATOM
        case Const(value=v):
            return ("True" if v else "False"), ATOM
        case Not(arg=a):
            sa, pa = _prop(a, full)
            return f"¬{_paren(sa, pa, 40, full)}", ATOM - 1
        case Conn(op=op, lhs=a, rhs=b):
            p = _CONN_PREC[op]
            right = op in _RIGHT_ASSOC
            sa, pa = _prop(a, full)
            sb, pb = _prop(b, full)
            return f"{_paren(sa, pa, p + 1, full)} {op} {_paren(sb, pb, p if right else p + 1, full)}", p
        case Rel(op=op, lhs=a, rhs=b):
            sa, pa = _num(a, full)
            sb, pb = _num(b, full)
            sa = _paren(sa, pa, 51, full)
            if num_type(a) != NAT and not (_anchored(a) or _anchored(b)):
                sa = f"({_num(a, False)[0]} : {num_type(a)})"
            return f"{sa} {op} {_paren(sb, pb, 51, full)}", 50
        case Quant(kind=k, name=n, ty=ty, body=b, bound=bound):
            sb, _ = _prop(b, full)
            if bound is None:
                return f"{k} {n} : {ty}, {sb}", 0
            op, v = bound
            sv = str(v) if ty == NAT else f"({v} : {ty})"
            return f"{k} {n} {op} {sv}, {sb}", 0
    raise TypeError(t)


def num_text(t: Num, full: bool = False) -> str:
    return _num(t, full)[0]


def prop_text(t: Prop, full: bool = False) -> str:
    return _prop(t, full)[0]


def statement_text(s: Statement) -> str:
    """`theorem t (x y : ℕ) (p : Prop) (h₀ : ...) : target` (no proof part)."""
    parts = [f"theorem {s.name}"]
    for ty, group in itertools.groupby(s.variables, key=lambda v: v[1]):
        parts.append(f"({' '.join(n for n, _ in group)} : {ty})")
    for name, h in s.hyps:
        parts.append(f"({name} : {prop_text(h, s.full_parens)})")
    return " ".join(parts) + f" : {prop_text(s.target, s.full_parens)}"


# ---------------------------------------------------------------- evaluation (Lean 4 semantics)


def nat_sub(a: int, b: int) -> int:
    return max(0, a - b)


def nat_div(a: int, b: int) -> int:
    return a // b if b else 0


def nat_mod(a: int, b: int) -> int:
    return a % b if b else a


def int_emod(a: int, b: int) -> int:
    """`Int.emod`: `a % 0 = a`, otherwise `0 ≤ a % b < |b|`."""
    return a % abs(b) if b else a


def int_ediv(a: int, b: int) -> int:
    """`Int.ediv`: the quotient matching `int_emod` (`a = b * (a / b) + a % b`), `a / 0 = 0`."""
    return (a - int_emod(a, b)) // b if b else 0


def divides(a: int, b: int) -> bool:
    return b == 0 if a == 0 else b % a == 0


_NAT_OPS: dict[str, Callable[[int, int], int]] = {
    "+": int.__add__, "-": nat_sub, "*": int.__mul__, "/": nat_div, "%": nat_mod,
}
_INT_OPS: dict[str, Callable[[int, int], int]] = {
    "+": int.__add__, "-": int.__sub__, "*": int.__mul__, "/": int_ediv, "%": int_emod,
}


def field_div(a: Fraction | int, b: Fraction | int) -> Fraction:
    """ℚ/ℝ division: exact, and `x / 0 = 0`."""
    return Fraction(a) / b if b else Fraction(0)


def field_inv(a: Fraction | int) -> Fraction:
    return field_div(1, a)


def zpow(a: Fraction | int, n: int) -> Fraction:
    """`a ^ (n : ℤ)` in a field: `a ^ (-k) = (a ^ k)⁻¹`, so `0 ^ (-k) = 0` and `0 ^ 0 = 1`."""
    if abs(n) > 64:
        raise OverflowError(n)
    return Fraction(a) ** n if n >= 0 else field_inv(Fraction(a) ** (-n))


_FIELD_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": field_div,
}
_RELS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b, "≠": lambda a, b: a != b, "<": lambda a, b: a < b,
    "≤": lambda a, b: a <= b, ">": lambda a, b: a > b, "≥": lambda a, b: a >= b, "∣": divides,
}

Env = dict[str, Any]
Tri = bool | None  # None: unknown


def num_type(t: Num) -> str:
    return t.ty


def _ops(ty: str) -> dict[str, Callable[[Any, Any], Any]]:
    return _NAT_OPS if ty == NAT else _INT_OPS if ty == INT else _FIELD_OPS


def _compile_num(t: Num) -> Callable[[Env], Any]:
    match t:
        case Var(name=n):
            return lambda env: env[n]
        case Lit(value=v):
            return lambda env: v
        case Bin(op=op, lhs=a, rhs=b, ty=ty):
            f = _ops(ty)[op]
            ca, cb = _compile_num(a), _compile_num(b)
            return lambda env: f(ca(env), cb(env))
        case Pow(base=b, exp=e):
            cb = _compile_num(b)
            return lambda env: cb(env) ** e
        case ZPow(base=b, exp=e):
            cb, ce = _compile_num(b), _compile_num(e)
            return lambda env: zpow(cb(env), ce(env))
        case Neg(arg=a):
            ca = _compile_num(a)
            return lambda env: -ca(env)
        case Inv(arg=a):
            ca = _compile_num(a)
            return lambda env: field_inv(ca(env))
        case Cast(arg=a):
            return _compile_num(a)
    raise TypeError(t)


def _not(a: Tri) -> Tri:
    return None if a is None else not a


def _and(a: Tri, b: Tri) -> Tri:
    if a is False or b is False:
        return False
    return True if a is True and b is True else None


def _or(a: Tri, b: Tri) -> Tri:
    if a is True or b is True:
        return True
    return False if a is False and b is False else None


def _iff(a: Tri, b: Tri) -> Tri:
    return None if a is None or b is None else a == b


def quant_domain(ty: str, bound: tuple[str, int] | None) -> tuple[Any, bool]:
    """The values a quantifier is checked on, and whether they are all its values."""
    if ty in FIELDS:  # never all of them; bounded field quantifiers are not generated
        assert bound is None
        return FIELD_VALUES, False
    if bound is None:
        return (NAT_RANGE if ty == NAT else INT_RANGE), False
    op, v = bound
    lo = 0 if ty == NAT else None
    match op:
        case "<":
            return (range(lo, v) if lo is not None else range(v - SPAN, v)), lo is not None
        case "≤":
            return (range(lo, v + 1) if lo is not None else range(v - SPAN + 1, v + 1)), lo is not None
        case ">":
            return range(v + 1, v + 1 + SPAN), False
        case "≥":
            return range(v, v + SPAN), False
    raise ValueError(op)


def _compile_prop(t: Prop) -> Callable[[Env], Tri]:
    match t:
        case PVar(name=n):
            return lambda env: env[n]
        case Const(value=v):
            return lambda env: v
        case Not(arg=a):
            ca = _compile_prop(a)
            return lambda env: _not(ca(env))
        case Conn(op=op, lhs=a, rhs=b):
            ca, cb = _compile_prop(a), _compile_prop(b)
            if op == "∧":
                return lambda env: _and(ca(env), cb(env))
            if op == "∨":
                return lambda env: _or(ca(env), cb(env))
            if op == "→":
                return lambda env: _or(_not(ca(env)), cb(env))
            return lambda env: _iff(ca(env), cb(env))
        case Rel(op=op, lhs=a, rhs=b):
            f, ca, cb = _RELS[op], _compile_num(a), _compile_num(b)
            return lambda env: f(ca(env), cb(env))
        case Quant(kind=k, name=n, ty=ty, body=b, bound=bound):
            cb = _compile_prop(b)
            dom, complete = quant_domain(ty, bound)
            if k == "∀":
                return lambda env: _forall(cb, env, n, dom, complete)
            return lambda env: _exists(cb, env, n, dom, complete)
    raise TypeError(t)


def _forall(body: Callable[[Env], Tri], env: Env, name: str, dom: Any, complete: bool) -> Tri:
    unknown = not complete
    for v in dom:
        r = body({**env, name: v})
        if r is False:
            return False
        if r is None:
            unknown = True
    return None if unknown else True


def _exists(body: Callable[[Env], Tri], env: Env, name: str, dom: Any, complete: bool) -> Tri:
    unknown = not complete
    for v in dom:
        r = body({**env, name: v})
        if r is True:
            return True
        if r is None:
            unknown = True
    return None if unknown else False


def evaluate(t: Prop, env: Env) -> Tri:
    """Three-valued truth of `t` under `env` (True/False are certain, None is unknown)."""
    return _compile_prop(t)(env)


def eval_num(t: Num, env: Env) -> Any:
    return _compile_num(t)(env)


def assignments(variables: tuple[tuple[str, str], ...]) -> Iterator[Env]:
    """All assignments of small values: ℕ in 0..5, ℤ in -4..4, ℚ/ℝ in `FIELD_VALUES`,
    Props in {False, True}."""
    doms = [_DOMAINS[ty] for _, ty in variables]
    names = [n for n, _ in variables]
    for values in itertools.product(*doms):
        yield dict(zip(names, values))


_DOMAINS: dict[str, Any] = {NAT: NAT_RANGE, INT: INT_RANGE, RAT: FIELD_VALUES, REAL: FIELD_VALUES,
                            PROP: (False, True)}


def counterexample(stmt: Statement) -> dict[str, Any] | None:
    """An assignment making every hypothesis certainly true and the target certainly false."""
    hyps = [_compile_prop(h) for _, h in stmt.hyps]
    target = _compile_prop(stmt.target)
    for env in assignments(stmt.variables):
        if all(h(env) is True for h in hyps) and target(env) is False:
            return env
    return None


# ---------------------------------------------------------------- AST utilities


NODES = (Var, Lit, Bin, Pow, ZPow, Neg, Cast, Inv, PVar, Const, Not, Conn, Rel, Quant)


def free_names(t: Prop | Num) -> set[str]:
    match t:
        case Var(name=n) | PVar(name=n):
            return {n}
        case Quant(name=n, body=b):
            return free_names(b) - {n}
        case Lit() | Const():
            return set()
        case _:
            out: set[str] = set()
            for f in fields(t):
                v = getattr(t, f.name)
                if isinstance(v, NODES):
                    out |= free_names(v)
            return out


def _subnodes(t: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, t
    for f in fields(t):
        v = getattr(t, f.name)
        if isinstance(v, NODES):
            yield from _subnodes(v, (*path, f.name))


def _replace_at(t: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    return replace(t, **{path[0]: _replace_at(getattr(t, path[0]), path[1:], new)})


_REL_NEIGHBOURS = {"<": "≤", "≤": "<", ">": "≥", "≥": ">", "=": "≤", "≠": "<", "∣": "∣"}
_OP_NEIGHBOURS = {"+": "-", "-": "+", "*": "+", "/": "%", "%": "/"}
_FIELD_OP_NEIGHBOURS = {"+": "-", "-": "+", "*": "/", "/": "*"}  # no `%` on a field


def _mutations(node: Any) -> list[Any]:
    """Small edits that keep the node well-typed: ±1 on numerals, neighbouring operators."""
    match node:
        case Lit(value=v, ty=ty):
            return [Lit(v + 1, ty)] + ([Lit(v - 1, ty)] if v > 0 else [])
        case Rel(op=op):
            return [replace(node, op=_REL_NEIGHBOURS[op]), Rel(op, node.rhs, node.lhs)]
        case Bin(op=op, ty=ty):
            return [replace(node, op=(_FIELD_OP_NEIGHBOURS if ty in FIELDS else _OP_NEIGHBOURS)[op])]
        case Pow(exp=e):
            return [replace(node, exp=e + 1)] + ([replace(node, exp=e - 1)] if e > 0 else [])
        case Quant(bound=(op, v)):
            return [replace(node, bound=(op, v + 1)), replace(node, bound=(op, max(0, v - 1)))]
        case Conn(op="∧" | "∨" as op):
            return [replace(node, op="∨" if op == "∧" else "∧")]
        case Conn(op="→" | "↔"):
            return [replace(node, op="↔" if node.op == "→" else "→")]
    return []


# ---------------------------------------------------------------- random generation


@dataclass(frozen=True)
class _Ctx:
    nums: tuple[Var, ...]  # numeric variables in scope (free and bound)
    props: tuple[str, ...]
    bound: tuple[str, ...] = ("n", "m", "k")  # unused names for quantifiers

    def of(self, ty: str) -> list[Var]:
        return [v for v in self.nums if v.ty == ty]


@cache
def _ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


# Strategies are built once and indexed: building one per draw dominated generation time.
def _int(draw: Callable, lo: int, hi: int) -> int:
    return draw(_ints(lo, hi))


def _pick(draw: Callable, seq: Any) -> Any:
    seq = tuple(seq)
    return seq[draw(_ints(0, len(seq) - 1))]


def _coin(draw: Callable) -> bool:
    return draw(_ints(0, 1)) == 1


def _lit(draw: Callable, ty: str) -> Lit:
    return Lit(_pick(draw, (0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10)), ty)


def _below(ty: str) -> tuple[str, ...]:
    """The types that cast into `ty` (ℕ and ℤ only: the fragment's casts start there)."""
    return tuple(t for t in TOWER[: TOWER.index(ty)] if t in (NAT, INT))


def _num_term(draw: Callable, ty: str, ctx: _Ctx, depth: int) -> Num:
    vs = ctx.of(ty)
    kind = _int(draw, 0, 9) if depth > 0 else _int(draw, 0, 3)
    if kind <= 1 and vs:
        return _pick(draw, vs)
    if kind <= 2 or (kind <= 3 and not vs):
        lower = [v for v in ctx.nums if v.ty in _below(ty)]
        if ty != NAT and lower and _coin(draw):
            return Cast(_pick(draw, lower), ty)
        return _lit(draw, ty)
    if kind == 3:
        return _pick(draw, vs) if vs else _lit(draw, ty)
    if kind <= 7:
        ops = ("+", "-", "*", "/", "+", "-", "*") if ty in FIELDS else ("+", "-", "*", "/", "%", "+", "-", "*")
        op = _pick(draw, ops)
        return Bin(op, _num_term(draw, ty, ctx, depth - 1), _num_term(draw, ty, ctx, depth - 1), ty)
    if kind == 8:
        ints = ctx.of(INT)
        if ty in FIELDS and ints and _coin(draw):  # zpow: an ℤ variable, maybe shifted
            e: Num = _pick(draw, ints)
            if _coin(draw):
                e = Bin(_pick(draw, ("+", "-")), e, Lit(_int(draw, 1, 2), INT), INT)
            return ZPow(_num_term(draw, ty, ctx, 0), e, ty)
        return Pow(_num_term(draw, ty, ctx, 0), _int(draw, 0, 3), ty)
    if ty != NAT:
        choice = _int(draw, 0, 2 if ty in FIELDS else 1)
        if choice == 0:
            return Neg(_num_term(draw, ty, ctx, depth - 1), ty)
        if choice == 2:
            return Inv(_num_term(draw, ty, ctx, depth - 1), ty)
        return Cast(_num_term(draw, _pick(draw, _below(ty)), ctx, depth - 1), ty)
    return _num_term(draw, ty, ctx, depth - 1)


def _rel(draw: Callable, ctx: _Ctx, depth: int) -> Rel:
    tys = [v.ty for v in ctx.nums] or [NAT]
    ty = _pick(draw, tys + [NAT, INT] if _int(draw, 0, 4) == 0 else tys)
    ops = ("=", "≠", "<", "≤", ">", "≥", "∣", "=", "<", "≤")
    op = _pick(draw, ops[:6] + ops[7:] if ty in FIELDS else ops)
    nd = min(depth, 2)
    return Rel(op, _num_term(draw, ty, ctx, nd), _num_term(draw, ty, ctx, nd))


def _prop_term(draw: Callable, ctx: _Ctx, depth: int, quants: int) -> Prop:
    kind = _int(draw, 0, 11) if depth > 0 else _int(draw, 0, 4)
    if kind <= 2:
        return _rel(draw, ctx, 2)
    if kind == 3:
        return PVar(_pick(draw, ctx.props)) if ctx.props else _rel(draw, ctx, 1)
    if kind == 4:
        return Const(_coin(draw)) if _int(draw, 0, 3) == 0 else _rel(draw, ctx, 1)
    if kind == 5:
        return Not(_prop_term(draw, ctx, depth - 1, quants))
    if kind <= 9:
        op = _pick(draw, ("∧", "∨", "→", "↔", "∧", "∨", "→"))
        return Conn(op, _prop_term(draw, ctx, depth - 1, quants), _prop_term(draw, ctx, depth - 1, quants))
    if quants <= 0 or not ctx.bound:
        return _rel(draw, ctx, 2)
    name, rest = ctx.bound[0], ctx.bound[1:]
    fields_in_sight = any(v.ty in FIELDS for v in ctx.nums)
    ty = _pick(draw, (NAT, NAT, INT, REAL) if fields_in_sight else (NAT, NAT, INT))
    v = Var(name, ty)
    inner = _Ctx((*ctx.nums, v, v), ctx.props, rest)  # listed twice: the bound variable is favoured
    bound = None
    if ty not in FIELDS and _coin(draw):
        bound = (_pick(draw, ("<", "≤", ">", "≥")), _int(draw, 0, 4))
    body = _prop_term(draw, inner, min(depth - 1, 2), quants - 1)
    return Quant(_pick(draw, ("∀", "∃")), name, ty, body, bound)


_HYP_NAMES = ("h₀", "h₁", "h₂")


def _declared(free: set[str], types: dict[str, str], extra: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Binders for the used variables (plus a few unused ones), up the tower, then Prop."""
    used = {n: types[n] for n in free} | dict(extra)
    order = {NAT: 0, INT: 1, RAT: 2, REAL: 3, PROP: 4}
    return tuple(sorted(used.items(), key=lambda kv: (order[kv[1]], kv[0])))


@st.composite
def random_statements(draw: Callable) -> Statement:
    """Statements built from the whole fragment at random (mostly easy to refute)."""
    names = _pick(draw, (("x", "y", "z"), ("a", "b", "c")))
    n_num = _int(draw, 0, 3)
    tys = (NAT, NAT, INT, NAT, NAT, INT, RAT, REAL)  # fields on about a quarter of the variables
    nums = tuple(Var(names[i], _pick(draw, tys)) for i in range(n_num))
    props = ("p", "q")[: _int(draw, 0, 2)]
    ctx = _Ctx(nums, props)
    hyps = tuple(
        (_HYP_NAMES[i], _prop_term(draw, ctx, _int(draw, 0, 2), 1))
        for i in range(_int(draw, 0, 3))
    )
    target = _prop_term(draw, ctx, _int(draw, 0, 3), 2)
    variables = tuple((v.name, v.ty) for v in nums) + tuple((p, PROP) for p in props)
    return Statement(variables, hyps, target, full_parens=_coin(draw))


# Near misses: statements true on most values but false on a few, and true facts with a
# small edit (mutation), so the prover meets false goals that look provable.


def _near_miss_core(draw: Callable, ty: str, a: Var, b: Var, c: Var) -> tuple[list[Prop], Prop]:
    """One template instance: (hypotheses, target)."""
    k = _int(draw, 1, 4)
    j = _int(draw, 0, 3)
    L = lambda v: Lit(v, ty)
    B = lambda op, x, y: Bin(op, x, y, ty)
    n = Var("n", ty)
    which = _int(draw, 0, 31)
    match which:
        case 0:
            return [], Rel("=", B("+", B("-", a, b), b), a)
        case 1:
            return [Rel("≤", b, a)] if _coin(draw) else [], Rel("=", B("+", B("-", a, b), b), a)
        case 2:
            return [], Rel("=", B("*", B("/", a, L(k)), L(k)), a)
        case 3:
            return [Rel("∣", L(k), a)], Rel("=", B("*", B("/", a, L(k)), L(k)), a)
        case 4:
            return [], Rel("<", B("%", a, L(k + 1)), L(k))
        case 5:
            return [], Rel("≠", B("*", a, a), B("*", L(k), a))
        case 6:
            return [Rel("<", a, b)], Rel("≤", B("+", a, L(_int(draw, 1, 2))), b)
        case 7:
            return [], Rel("≥", Pow(a, 2, ty), B("+", a, L(j)))
        case 8:
            return [], Rel(">", Pow(L(2), _int(draw, 1, 3), ty), B("*", a, L(k)))
        case 9:
            return [], Rel("∣", L(2), B("*", a, B("+", a, L(_int(draw, 1, 2)))))
        case 10:
            return [], Rel("∣", L(j), a)
        case 11:
            return [], Conn("→", Rel("∣", a, b), Rel("≤", a, b))
        case 12:
            return [], Rel("<", B("%", a, b), b)
        case 13:
            return [], Rel("≤", a, B("+", B("*", B("/", a, b), b), b))
        case 14:
            return [], Conn("→", Not(Rel("<", a, b)), Rel("<", b, a))
        case 15:
            return [], Conn("→", Rel("≠", a, b), Rel("<", a, b))
        case 16:
            return [Rel("=", B("*", a, b), L(0))], Rel("=", a, L(0))
        case 17:
            return [], Rel("≥", B("/", B("+", a, b), L(2)), a)
        case 18:
            return [Rel("≥", b, c)], Rel("≤", B("-", a, b), B("-", a, c))
        case 19:
            return [], Rel("≠", B("*", L(2), a), B("+", b, L(1)))
        case 20:
            return [Rel("<", a, B("+", b, L(1)))], Rel("<", a, b)
        case 21:
            return [Rel("≤", a, b), Rel("≤", b, B("+", a, L(1)))], Rel("=", a, b)
        case 22:
            bound = (_pick(draw, ("<", "≤")), _int(draw, 1, 4))
            return [], Quant("∃", "n", ty, Rel("=", B("*", n, n), a), bound)
        case 23:
            return [], Quant("∃", "n", ty, Rel("=", B("+", n, a), b))
        case 24:
            body = Rel(">", Pow(n, 2, ty), B("+", n, L(j)))
            return [], Quant("∀", "n", ty, body, ("≥", _int(draw, 0, 3)))
        case 25:
            body = Rel(">", Pow(L(2), _int(draw, 1, 3), ty), B("*", L(k), n))
            return [], Quant("∀", "n", ty, body, ("<", _int(draw, 1, 5)))
        case 26:
            hyp = Quant("∀", "n", ty, Rel("<", n, a), ("<", k))
            return [hyp], Rel(">", a, L(k + _int(draw, 0, 1)))
        case 27:
            return [], Conn("∨", Rel("=", B("%", a, L(2)), L(0)), Rel("=", B("%", a, L(2)), L(j)))
        case 28:
            return [], Rel("=", B("+", B("*", B("/", a, L(k)), L(k)), B("%", a, L(k))), B("+", a, L(j)))
        case 29:
            return [Rel("≤", a, b)], Rel("<", B("-", b, a), b)
        case 30:
            return [], Rel("≥", B("*", a, b), a)
        case _:
            return [], Rel("≤", B("-", B("+", a, L(k)), b), B("+", B("-", a, b), L(j)))


def _int_near_miss(draw: Callable, z: Var, w: Var, x: Var) -> tuple[list[Prop], Prop]:
    """Integer-specific traps: Euclidean `/` and `%`, negation, casts of truncated differences."""
    k = _int(draw, 1, 3)
    j = _int(draw, 0, 3)
    L = lambda v: Lit(v, INT)
    B = lambda op, p, q: Bin(op, p, q, INT)
    m, d = _int(draw, 1, 9), _int(draw, 0, 3)
    q = _int(draw, -5, 5)
    neg = lambda v: Neg(L(-v)) if v < 0 else L(v)
    match _int(draw, 0, 13):
        case 0:
            return [], Rel("=", B("/", neg(-m), neg(d)), neg(q))
        case 1:
            return [], Rel("=", B("%", neg(-m), neg(d)), neg(q))
        case 2:
            return [], Rel("=", B("/", L(m), Neg(L(d))), neg(q))
        case 3:
            return [], Rel("=", B("%", L(m), Neg(L(d))), neg(q))
        case 4:
            return [], Rel(">", B("*", z, z), L(0))
        case 5:
            return [], Rel("≥", Pow(z, 3, INT), z)
        case 6:
            return [], Rel("≤", Neg(z), z)
        case 7:
            return [], Conn("∨", Rel("=", B("%", z, L(2)), L(1)), Rel("=", B("%", z, L(2)), Neg(L(1))))
        case 8:
            return [], Rel("=", B("/", Neg(z), L(2)), Neg(B("/", z, L(2))))
        case 9:
            return [], Rel("=", Cast(Bin("-", x, Var("y", NAT), NAT)), B("-", Cast(x), Cast(Var("y", NAT))))
        case 10:
            return [], Rel("≥", B("-", Cast(x), Cast(Var("y", NAT))), L(j))
        case 11:
            return [], Rel("<", B("%", z, L(k + 1)), L(k))
        case 12:
            return [Rel("<", z, w)], Rel("<", B("*", z, z), B("*", w, w))
        case _:
            return [], Rel("=", B("*", B("/", z, L(k + 1)), L(k + 1)), B("-", z, B("%", z, L(k + 1))))


def _field_near_miss(draw: Callable, ty: str, a: Var, b: Var, c: Var) -> tuple[list[Prop], Prop]:
    """ℚ/ℝ traps: facts of ℤ that fail at 1/2, `x / 0 = 0`, `0⁻¹ = 0`, casts of ℕ/ℤ `-` and `/`."""
    k = _int(draw, 1, 3)
    L = lambda v: Lit(v, ty)
    B = lambda op, p, q: Bin(op, p, q, ty)
    x, y, z = Var("x", NAT), Var("y", NAT), Var("z", INT)
    m, n = Var("m", INT), Var("n", INT)
    match _int(draw, 0, 31):
        case 0:
            return [], Rel("=", B("*", B("/", a, b), b), a)
        case 1:
            return [Rel("≠", b, L(0))], Rel("=", B("*", B("/", a, b), b), a)
        case 2:
            return [], Rel(">", B("*", a, a), L(0))
        case 3:
            return [], Rel("≥", Pow(a, 2, ty), a)
        case 4:
            return [Rel(">", a, L(0))], Rel("≥", a, L(1))
        case 5:
            return [Rel("<", a, b)], Rel("≤", B("+", a, L(1)), b)
        case 6:
            return [Rel("=", B("*", L(2), a), L(1))], Const(False)
        case 7:
            return [], Rel("≠", B("*", L(2), a), L(1))
        case 8:
            return [], Rel("=", B("*", Inv(a, ty), a), L(1))
        case 9:
            return [Rel("≠", a, L(0))], Rel("=", B("*", Inv(a, ty), a), L(1))
        case 10:
            return [], Rel("≥", B("/", B("+", a, b), L(2)), a)
        case 11:
            return [], Rel("=", B("/", a, B("+", b, c)), B("+", B("/", a, b), B("/", a, c)))
        case 12:
            return [Rel("<", a, b)], Rel("<", B("*", a, a), B("*", b, b))
        case 13:
            return [], Rel("=", Cast(Bin("-", x, y, NAT), ty), B("-", Cast(x, ty), Cast(y, ty)))
        case 14:
            return [], Rel("=", Cast(Bin("/", x, Lit(k + 1, NAT), NAT), ty), B("/", Cast(x, ty), L(k + 1)))
        case 15:
            return [], Rel("=", Cast(Bin("/", z, Lit(k + 1, INT), INT), ty), B("/", Cast(z, ty), L(k + 1)))
        case 16:
            return [Rel("<", L(0), a)], Rel("<", B("/", a, L(k)), a)
        case 17:
            return [Rel("≤", L(0), a), Rel("≤", a, L(1))], Rel("≤", Pow(a, 2, ty), a)
        case 18:
            return [Rel("<", L(0), a)], Rel("≤", B("/", L(1), a), a)
        case 19:
            return [], Rel("=", B("*", B("/", a, L(k - 1)), L(k - 1)), a)
        case 20:
            return [Rel("=", B("*", a, b), L(0))], Rel("=", a, L(0))
        case 21:
            return [], Rel(">", Pow(B("-", a, b), 2, ty), L(0))
        case 22:
            return [], Rel("≥", Pow(a, 3, ty), a)
        case 23:
            return [Rel("<", L(0), a), Rel("<", L(0), b)], Rel("<", B("/", a, b), a)
        case 24:
            return [], Rel("≤", Inv(a, ty), L(1))
        case 25:
            return [Rel("<", L(1), a)], Rel("<", Inv(a, ty), L(1))
        case 26:
            return [], Rel("≠", Inv(B("+", a, L(1)), ty), L(0))
        case 28:  # zpow_add needs a ≠ 0: false at a = 0, m = 1, n = -1
            return [], Rel("=", ZPow(a, Bin("+", m, n, INT), ty), B("*", ZPow(a, m, ty), ZPow(a, n, ty)))
        case 29:
            return [], Rel("≠", ZPow(a, m, ty), L(0))
        case 30:
            return [Rel("≠", a, L(0))], Rel("=", ZPow(a, Bin("+", m, Lit(1, INT), INT), ty), B("*", ZPow(a, m, ty), a))
        case 31:
            return [], Rel("≥", ZPow(a, m, ty), L(0))
        case _:
            return [Rel("≤", Cast(x, ty), B("/", Cast(y, ty), L(2)))], Rel("≤", Cast(x, ty), Cast(y, ty))


_PROP_TAUTOLOGY_EDITS: tuple[Prop, ...] = (
    Conn("→", Conn("→", PVar("p"), PVar("q")), Conn("→", PVar("q"), PVar("p"))),
    Conn("→", Not(Conn("∧", PVar("p"), PVar("q"))), Not(PVar("p"))),
    Conn("→", Conn("∨", PVar("p"), PVar("q")), PVar("p")),
    Conn("→", Conn("↔", PVar("p"), PVar("q")), PVar("p")),
    Conn("→", Not(Not(PVar("p"))), PVar("q")),
    Conn("↔", Conn("→", PVar("p"), PVar("q")), Conn("→", Not(PVar("p")), Not(PVar("q")))),
    Conn("→", Conn("∧", Conn("∨", PVar("p"), PVar("q")), Not(PVar("q"))), Not(PVar("p"))),
    Conn("∨", PVar("p"), Not(PVar("q"))),
    Not(Conn("∧", PVar("p"), Not(PVar("q")))),
)


@st.composite
def near_miss_statements(draw: Callable) -> Statement:
    """Templates that fail on only a few small values, optionally mutated once more."""
    family = _int(draw, 0, 12)
    if family <= 5:
        ty = _pick(draw, (NAT, NAT, INT))
        names = _pick(draw, (("x", "y", "z"), ("a", "b", "c"), ("m", "k", "j")))
        if "n" in names:
            names = ("x", "y", "z")
        a, b, c = (Var(nm, ty) for nm in names)
        hyps, target = _near_miss_core(draw, ty, a, b, c)
    elif family <= 8:
        hyps, target = _int_near_miss(draw, Var("z", INT), Var("w", INT), Var("x", NAT))
    elif family == 9:
        hyps, target = [], _pick(draw, _PROP_TAUTOLOGY_EDITS)
    else:
        ty = _pick(draw, FIELDS)
        names = _pick(draw, (("a", "b", "c"), ("u", "v", "w")))
        a, b, c = (Var(nm, ty) for nm in names)
        hyps, target = _field_near_miss(draw, ty, a, b, c)
    if _int(draw, 0, 2) == 2:  # draws shrink towards 0: keep 0 the simplest choice
        nodes = [(path, node) for path, node in _subnodes(target) if _mutations(node)]
        if nodes:
            path, node = _pick(draw, nodes)
            target = _replace_at(target, path, _pick(draw, _mutations(node)))
    if _int(draw, 0, 3) == 3:  # an irrelevant hypothesis or a propositional side condition
        hyps = [*hyps, _pick(draw, (Rel("≤", Lit(0, NAT), Lit(1, NAT)), PVar("p"), Const(True)))]
    free: set[str] = set()
    types: dict[str, str] = {}
    for t in (*hyps, target):
        for _path, node in _subnodes(t):
            if isinstance(node, Var):
                types[node.name] = node.ty
            elif isinstance(node, PVar):
                types[node.name] = PROP
        free |= free_names(t)
    extra = [("p", PROP)] if _int(draw, 0, 5) == 5 else []
    variables = _declared(free, types, extra)
    named = tuple((_HYP_NAMES[i], h) for i, h in enumerate(hyps[:3]))
    return Statement(variables, named, target, full_parens=_int(draw, 0, 3) == 3)


def statements() -> st.SearchStrategy[Statement]:
    """The mix used by the soundness test: about half near misses."""
    return st.one_of(near_miss_statements(), random_statements())
