"""The semantic cross-check of `verify`: a proof of a false statement is never reported.

Before `mini` reports a proof, the statement itself is evaluated on small and random values
of its variables (ℕ, ℤ, ℚ/ℝ at rational points, propositions, functions as random tables) and
of its quantified variables (bounded ranges in full, others sampled). An assignment under which
every hypothesis holds and the target is false is a counterexample: the "proof" must have come
through a hole in a tactic, and `verify` reports an internal soundness fault instead of a proof.

This shares nothing with the tactics. It is trusted, so it is small and exact: evaluation is
three-valued (true, false, unknown), arithmetic follows Lean's semantics (`semantics.py`,
rational arithmetic with `x / 0 = 0` on ℚ/ℝ), and whatever it cannot evaluate exactly (a real
square root, a quantifier over an infinite range that sampling does not settle, a number too
large) is unknown, so a counterexample it reports is a real one. It cannot show a statement
true; it only catches false ones cheaply (`bench/crosscheck.py` measures its cost per verify).
"""

from __future__ import annotations

import math
import random
import time
import zlib
from collections.abc import Callable
from fractions import Fraction

from lean_env.mini.evaluate import CONSTANTS
from lean_env.mini.printer import pp_goal
from lean_env.mini.semantics import NotEvaluable, relation
from lean_env.mini.semantics import arith as int_arith
from lean_env.mini.terms import (
    INT,
    NAT,
    PROP,
    RAT,
    REAL,
    And,
    App,
    Arith,
    Arrow,
    Base,
    BigOp,
    Cast,
    Const,
    Exists,
    FalseP,
    Forall,
    Goal,
    Iff,
    Imp,
    Lam,
    Lit,
    Neg,
    Not,
    Or,
    Rel,
    Term,
    TrueP,
    Ty,
    Var,
    arrow_parts,
    free_vars,
    subst,
)

Value = int | Fraction | bool | Callable[..., "Value"]  # a function returns a value
UNKNOWN = None
FIELDS = (RAT, REAL)
MAX_BITS = 4096  # larger intermediate values are unknown: this check stays cheap
BOUNDED_RANGE = 200  # a bounded quantifier over more values than this is sampled instead
MAX_FINSET = 20_000  # a big operator over more elements is unknown
PRIME_TRIAL = 10_000  # `Nat.Prime n` by trial division up to this divisor, else unknown

_SMALL: dict[Ty, tuple[Value, ...]] = {
    NAT: (0, 1, 2, 3, 4, 5, 7, 10),
    INT: (0, 1, -1, 2, -2, 3, -3, 5, -7),
    RAT: tuple(Fraction(x) for x in ("0", "1", "-1", "1/2", "2", "-1/2", "3", "-3/2", "1/3")),
    PROP: (False, True),
}


class Unknown(Exception):
    """This subterm cannot be evaluated exactly here."""


def counterexample(goal: Goal, *, seed: int | None = None, samples: int = 64,
                   budget: float = 0.05) -> dict[str, str] | None:
    """An assignment (user name -> value, as text) under which every hypothesis of `goal`
    holds and its target is false; None when none is found within `samples` assignments and
    `budget` seconds. Deterministic for a given goal and seed."""
    variables = [loc for loc in goal.locals if loc.is_var]
    if any(not _samplable(loc.var.ty) for loc in variables):
        return None

    rng = random.Random(zlib.crc32(pp_goal(goal).encode()) if seed is None else seed)
    hyps = [loc.prop for loc in goal.locals if not loc.is_var]
    end = time.monotonic() + budget
    for k in range(samples):
        if k and time.monotonic() > end:
            return None
        env = {loc.fid: _value(loc.var.ty, rng, k) for loc in variables}
        ev = _Evaluator(env, rng, end)
        if all(ev.truth(h) is True for h in hyps) and ev.truth(goal.target) is False:
            return {loc.name: _show(env[loc.fid]) for loc in variables}
    return None


# ---------------------------------------------------------------- values


def _samplable(ty: Ty) -> bool:
    if isinstance(ty, Arrow):
        args, res = arrow_parts(ty)
        return all(_scalar(a) for a in args) and _scalar(res)
    return _scalar(ty)


def _scalar(ty: Ty) -> bool:
    return ty in (NAT, INT, RAT, REAL, PROP)


def _value(ty: Ty, rng: random.Random, k: int) -> Value:
    """The `k`-th sample of type `ty`: small values first, then random ones of growing size."""
    if isinstance(ty, Arrow):
        _, res = arrow_parts(ty)
        table: dict[tuple, Value] = {}

        def fn(*args: object) -> Value:  # a random function, fixed once drawn
            if args not in table:
                table[args] = _value(res, rng, rng.randrange(0, 4 * (k + 1)))
            return table[args]

        return fn
    small = _SMALL[RAT if ty == REAL else ty]
    if k < len(small) and rng.random() < 0.7:
        return small[k]
    match ty:
        case Base() if ty == PROP:
            return rng.random() < 0.5
        case Base() if ty == NAT:
            return rng.randrange(0, 10 ** rng.randrange(1, 4))
        case Base() if ty == INT:
            return rng.randrange(-(10 ** rng.randrange(1, 4)), 10 ** rng.randrange(1, 4))
    return Fraction(rng.randrange(-60, 61), rng.randrange(1, 13))


def _show(v: Value) -> str:
    return "(a function)" if callable(v) else str(v)


# ---------------------------------------------------------------- three-valued evaluation


class _Evaluator:
    def __init__(self, env: dict[str, Value], rng: random.Random, end: float) -> None:
        self.env = env
        self.rng = rng
        self.end = end

    def truth(self, p: Term) -> bool | None:
        try:
            return self.prop(p)
        except (Unknown, NotEvaluable, ZeroDivisionError, OverflowError, RecursionError):
            return UNKNOWN

    # ------------------------------------------------------------ propositions

    def prop(self, p: Term) -> bool | None:
        match p:
            case TrueP():
                return True
            case FalseP():
                return False
            case Var(name=n):
                return self._var(n)  # type: ignore[return-value]  # a Prop variable's value is a bool
            case Not(arg=a):
                v = self.truth(a)
                return None if v is None else not v
            case And(lhs=a, rhs=b):
                x, y = self.truth(a), self.truth(b)
                return False if False in (x, y) else (True if x is True and y is True else None)
            case Or(lhs=a, rhs=b):
                x, y = self.truth(a), self.truth(b)
                return True if True in (x, y) else (False if x is False and y is False else None)
            case Imp(lhs=a, rhs=b):
                x = self.truth(a)
                if x is False:
                    return True
                y = self.truth(b)
                return True if y is True else (False if x is True and y is False else None)
            case Iff(lhs=a, rhs=b):
                x, y = self.truth(a), self.truth(b)
                return None if x is None or y is None else x == y
            case Rel(op=op, lhs=a, rhs=b):
                return self._rel(op, a, b)
            case Forall() | Exists():
                return self._quantifier(p)
            case App(fn=Var(name=n), args=args):
                return bool(self._call(n, args))
            case App(fn=Const(name=name), args=args):
                return self._predicate(name, args)
        raise Unknown(type(p).__name__)

    def _rel(self, op: str, a: Term, b: Term) -> bool:
        x, y = self.value(a), self.value(b)
        if isinstance(x, bool) or isinstance(y, bool):
            if op not in ("=", "≠"):
                raise Unknown(op)
            return (x == y) == (op == "=")
        assert not callable(x) and not callable(y), (a, b)  # statements never compare functions (elaborator)
        if op == "∣" and not (isinstance(x, int) and isinstance(y, int)):
            raise Unknown("divisibility in a field")
        return relation(op, x, y)  # Lean's relations (generic over ints and fractions, but `∣`)

    def _quantifier(self, q: Forall | Exists) -> bool | None:
        """Bounded ranges (`∀ x < k`, `∃ x ≤ k`, ...) in full; anything else by sampling, which
        can only refute a `∀` or witness an `∃`."""
        universal = isinstance(q, Forall)
        if not _scalar(q.ty):
            raise Unknown("quantifier over a non-scalar type")
        values, complete = self._range(q)
        saw_unknown = not complete
        for v in values:
            if time.monotonic() > self.end:
                raise Unknown("time")
            saved = self.env.get(q.name)
            self.env[q.name] = v
            try:
                r = self.truth(q.body)
            finally:
                if saved is None:
                    self.env.pop(q.name, None)
                else:
                    self.env[q.name] = saved
            if r is None:
                saw_unknown = True
            elif r != universal:
                return r
        return None if saw_unknown else universal

    def _range(self, q: Forall | Exists) -> tuple[list[Value], bool]:
        """The values to try for `q`'s variable, and whether they are all of its range."""
        if q.ty == PROP:
            return [False, True], True
        bound = _upper_bound(q)
        if bound is not None and q.ty == NAT:
            strict, k = bound
            top = self.value(k)
            if isinstance(top, int):
                n = top + (0 if strict else 1)
                if n <= BOUNDED_RANGE:
                    return list(range(max(n, 0))), True
        return [_value(q.ty, self.rng, i) for i in range(24)], False

    # ------------------------------------------------------------ numbers

    def value(self, t: Term) -> Value:
        match t:
            case Lit(value=v, ty=ty):
                return Fraction(v) if ty in FIELDS else v
            case Var(name=n):
                return self._var(n)
            case Neg(arg=a):
                return -self._num(a)
            case Cast(arg=a, ty=ty):
                x = self._num(a)
                return Fraction(x) if ty in FIELDS else x
            case Arith(op=op, lhs=a, rhs=b, ty=ty):
                return self._arith(op, a, b, ty)
            case App(fn=Var(name=n), args=args):
                return self._call(n, args)
            case App(fn=Const(name="Finset.card"), args=(s,)):
                return len(self._finset(s))
            case App(fn=Const(name=name), args=args):
                return self._function(name, args)
            case BigOp(op=op, name=n, elem=elem, finset=s, body=body, ty=ty):
                acc: int | Fraction = Fraction(0 if op == "∑" else 1) if ty in FIELDS else (0 if op == "∑" else 1)
                for v in self._finset(s):
                    acc = int_arith("+" if op == "∑" else "*", acc, self._num(self._with(n, v, body, elem)), ty)
                return acc
        if isinstance(t, (Rel, Not, And, Or, Imp, Iff, TrueP, FalseP, Forall, Exists)):
            r = self.truth(t)
            if r is None:
                raise Unknown("proposition")
            return r
        raise Unknown(type(t).__name__)

    def _with(self, name: str, v: int, t: Term, ty: Ty) -> Term:
        """`t` with the bound variable `name` replaced by the numeral `v` (so no env juggling)."""
        return subst(t, name, Lit(v, ty) if v >= 0 else Neg(Lit(-v, ty), ty))

    def _finset(self, s: Term) -> list[int]:
        """The elements of a finite set of the fragment, in increasing order (Lean's `range`,
        `Icc`/`Ico`/`Ioc`/`Ioo`, `divisors` (none for 0), `properDivisors`, `filter`)."""
        match s:
            case App(fn=Const(name="Finset.filter"), args=(Lam(name=x, ty=ty, body=p), inner)):
                out = []
                for v in self._finset(inner):
                    r = self.truth(self._with(x, v, p, ty))
                    if r is None:
                        raise Unknown("filter predicate")
                    if r:
                        out.append(v)
                return out
            case App(fn=Const(name=name), args=args):
                vals = [self._num(a) for a in args]
                if not all(isinstance(v, int) for v in vals):
                    raise Unknown("finite set bounds")
                ends = {"Finset.range": lambda: (0, vals[0]), "Finset.Icc": lambda: (vals[0], vals[1] + 1),
                        "Finset.Ico": lambda: (vals[0], vals[1]), "Finset.Ioc": lambda: (vals[0] + 1, vals[1] + 1),
                        "Finset.Ioo": lambda: (vals[0] + 1, vals[1])}
                if name in ends and len(vals) == (1 if name == "Finset.range" else 2):
                    lo, hi = ends[name]()
                    if hi - lo > MAX_FINSET:
                        raise Unknown("finite set too large")
                    return [int(v) for v in range(int(lo), int(hi))]
                if name in ("Nat.divisors", "Nat.properDivisors") and len(vals) == 1:
                    n = int(vals[0])
                    if n > MAX_FINSET:
                        raise Unknown("finite set too large")
                    return [d for d in range(1, n + 1) if n % d == 0 and (name == "Nat.divisors" or d < n)]
        raise Unknown("finite set")

    def _num(self, t: Term) -> int | Fraction:
        v = self.value(t)
        if isinstance(v, bool) or callable(v):
            raise Unknown("not a number")
        return v

    def _var(self, name: str) -> Value:
        if name not in self.env:
            raise Unknown(f"variable {name}")
        return self.env[name]

    def _call(self, name: str, args: tuple[Term, ...]) -> Value:
        fn = self._var(name)
        if not callable(fn):
            raise Unknown("not a function")
        return fn(*(self.value(a) for a in args))

    def _arith(self, op: str, a: Term, b: Term, ty: Ty) -> int | Fraction:
        x, y = self._num(a), self._num(b)
        if ty in FIELDS:
            match op:
                case "+":
                    r = x + y
                case "-":
                    r = x - y
                case "*":
                    r = x * y
                case "/":
                    r = Fraction(0) if y == 0 else Fraction(x) / y
                case "^" if isinstance(y, int) or (isinstance(y, Fraction) and y.denominator == 1 and ty != REAL):
                    r = _field_pow(Fraction(x), int(y))
                case _:
                    raise Unknown(op)
            _check_size(r)
            return r
        if isinstance(x, Fraction) or isinstance(y, Fraction):
            raise Unknown("mixed arithmetic")
        if op == "^" and y * max(x.bit_length(), 1) > MAX_BITS:
            raise Unknown("power too large")
        r = int_arith(op, x, y, ty)
        _check_size(r)
        return r

    def _function(self, name: str, args: tuple[Term, ...]) -> Value:
        vals = [self.value(a) for a in args]
        if name in ("abs",):
            x = vals[0]
            assert not callable(x), name  # the elaborator applies `abs` to a number
            # one type per branch: mypy types `abs` of `int | Fraction` as `object`
            return abs(x) if isinstance(x, Fraction) else abs(x)
        if name in ("min", "max", "Nat.min", "Nat.max"):
            return (min if "min" in name else max)(vals)  # type: ignore[type-var]  # numbers: args of a numeric type
        if name in ("Int.floor", "Nat.floor", "Int.ceil", "Nat.ceil") and isinstance(vals[0], Fraction):
            v = math.floor(vals[0]) if "floor" in name else math.ceil(vals[0])
            return max(v, 0) if name.startswith("Nat") else v
        if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):

            spec = CONSTANTS.get(name)
            if spec is not None and spec[0] == len(vals) and name != "Nat.Prime":
                r = spec[1](*vals)
                if isinstance(r, int) and not isinstance(r, bool):
                    _check_size(r)
                return r
        raise Unknown(name)

    def _predicate(self, name: str, args: tuple[Term, ...]) -> bool:
        if name == "Nat.Prime":
            n = self._num(args[0])
            return _prime(int(n))
        v = self._function(name, args)
        if not isinstance(v, bool):
            raise Unknown(name)
        return v


def _upper_bound(q: Forall | Exists) -> tuple[bool, Term] | None:
    """`(strict, k)` for `∀ x, x < k → P`, `∃ x, x ≤ k ∧ P`, ... (`k` not mentioning `x`)."""
    match q:
        case Forall(body=Imp(lhs=Rel() as g)) | Exists(body=And(lhs=Rel() as g)):
            pass
        case _:
            return None
    x = Var(q.name, q.ty)
    if g.op in ("<", "≤") and g.lhs == x:
        k, strict = g.rhs, g.op == "<"
    elif g.op in (">", "≥") and g.rhs == x:
        k, strict = g.lhs, g.op == ">"
    else:
        return None

    return None if q.name in free_vars(k) else (strict, k)


def _field_pow(x: Fraction, n: int) -> Fraction:
    if abs(n) * max(abs(x.numerator).bit_length(), abs(x.denominator).bit_length(), 1) > MAX_BITS:
        raise Unknown("power too large")
    if n >= 0:
        return x**n
    return Fraction(0) if x == 0 else 1 / x ** (-n)  # Lean: 0⁻¹ = 0


def _check_size(v: int | Fraction) -> None:
    size = v.bit_length() if isinstance(v, int) else max(abs(v.numerator).bit_length(), v.denominator.bit_length())
    if size > MAX_BITS:
        raise Unknown("value too large")


def _prime(n: int) -> bool:
    if n < 2:
        return False
    root = math.isqrt(n)
    for d in range(2, min(root, PRIME_TRIAL) + 1):
        if n % d == 0:
            return False
    if root > PRIME_TRIAL:
        raise Unknown("primality of a large number")
    return True
