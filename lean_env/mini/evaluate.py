"""Evaluation of closed terms with Lean's semantics, and the `decide` tactic built on it.

Numbers evaluate to Python ints (ℕ, ℤ) or exact Fractions (ℚ, ℝ), propositions to bools,
through `semantics` (ℕ subtraction truncates, `x / 0 = 0`, `x % 0 = x`, ℤ `/` and `%` are
`Int.ediv` and `Int.emod`, a field's `0⁻¹ = 0`). Only what Lean can `decide` evaluates: a
proposition is evaluable when a `Decidable` instance exists for it in Lean/Mathlib (relations
between numbers, connectives, known decidable predicates, quantifiers over ℕ bounded by
`x < k` / `x ≤ k`). The check is structural and done before evaluating, so `False ∧ ∀ x, P x`
is refused even though short-circuiting would give an answer: Lean's instance synthesis fails
on it too. `decide` itself never reads ℚ/ℝ (ℝ's order is not computable, and mini does not
claim ℚ's instances reduce); `norm_num` evaluates them.

Sizes are guarded: results above `MAX_BITS` bits raise `NotEvaluable` rather than eat
memory, and quantifier loops call `deadline.check()` on every iteration.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from lean_env.mini.errors import UNBOUNDED, Deadline, TacticFailure
from lean_env.mini.printer import pp_term
from lean_env.mini.semantics import (
    MAX_BITS,
    NotEvaluable,
    Number,
    arith,
    field_inv,
    int_ediv,
    int_emod,
    int_fdiv,
    int_fmod,
    int_tdiv,
    int_tmod,
    nat_mod,
    nat_sub,
    relation,
)
from lean_env.mini.terms import (
    FIELDS,
    NAT,
    NUMBERS,
    PROP,
    And,
    App,
    Arith,
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
    Var,
    finset_parts,
    free_vars,
    type_of,
)


class NotDecidable(NotEvaluable):
    """No `Decidable` instance exists for a proposition (Lean: failed to synthesize)."""


Value = Number | bool


# ---------------------------------------------------------------- known constants


PRIME_TRIAL_LIMIT = 10_000  # the largest trial divisor a primality certificate may need


def is_prime(n: int) -> bool:
    """`Nat.Prime n`, decided only where a certificate is short, as Mathlib's `norm_num`
    extension decides it (through `Nat.minFac`): a factor up to `PRIME_TRIAL_LIMIT` shows `n`
    composite, whatever its size; no factor up to `√n ≤ PRIME_TRIAL_LIMIT` shows `n` prime
    (primes below 10⁸). Anything else is `NotEvaluable`: no probabilistic test, no bound taken
    on trust. Trial division is exact, so the answer is never wrong."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    root = math.isqrt(n)
    for d in range(3, min(root, PRIME_TRIAL_LIMIT) + 1, 2):
        if n % d == 0:
            return False
    if root <= PRIME_TRIAL_LIMIT:
        return True
    raise NotEvaluable("primality of a number this large is not decided (no small factor)")


def factorial(n: int) -> int:
    if n > MAX_BITS or (n > 2 and n * math.log2(n) > MAX_BITS):
        raise NotEvaluable("factorial too large to evaluate")
    return math.factorial(n)


def choose(n: int, k: int) -> int:
    if k < 0 or k > n:
        return 0
    k = min(k, n - k)
    if k > MAX_BITS or (k > 2 and k * math.log2(n) > MAX_BITS):  # C(n, k) ≥ 2^k here
        raise NotEvaluable("binomial coefficient too large to evaluate")
    return math.comb(n, k)


def nat_log(b: int, n: int) -> int:
    """`Nat.log b n`: largest k with b^k ≤ n (0 when b ≤ 1 or n < b)."""
    if b <= 1:
        return 0
    k = 0
    while n >= b:
        n //= b
        k += 1
    return k


def fib(n: int) -> int:
    if n > 1_000_000:
        raise NotEvaluable("Fibonacci number too large to evaluate")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


# name -> (arity, implementation). Names are Lean's; the elaborator produces them.
CONSTANTS: dict[str, tuple[int, Callable[..., Value]]] = {
    "Nat.succ": (1, lambda n: n + 1),
    "Nat.pred": (1, lambda n: nat_sub(n, 1)),
    "Nat.gcd": (2, math.gcd),
    "Nat.lcm": (2, math.lcm),
    "Nat.factorial": (1, factorial),
    "Nat.choose": (2, choose),
    "Nat.sqrt": (1, math.isqrt),
    "Nat.log": (2, nat_log),
    "Nat.fib": (1, fib),
    "Nat.Prime": (1, is_prime),
    "Nat.Coprime": (2, lambda a, b: math.gcd(a, b) == 1),
    "Nat.ModEq": (3, lambda n, a, b: nat_mod(a, n) == nat_mod(b, n)),
    "Nat.min": (2, min),
    "Nat.max": (2, max),
    "Int.gcd": (2, math.gcd),
    "Int.lcm": (2, math.lcm),
    "Int.natAbs": (1, abs),
    "Int.toNat": (1, lambda a: max(a, 0)),
    "Int.sign": (1, lambda a: (a > 0) - (a < 0)),
    "Int.ModEq": (3, lambda n, a, b: int_emod(a, n) == int_emod(b, n)),
    "Int.ediv": (2, int_ediv),
    "Int.emod": (2, int_emod),
    "Int.fdiv": (2, int_fdiv),
    "Int.fmod": (2, int_fmod),
    "Int.tdiv": (2, int_tdiv),
    "Int.tmod": (2, int_tmod),
    "abs": (1, abs),
    "Inv.inv": (1, field_inv),  # ℚ/ℝ only (the elaborator types it so)
    "min": (2, min),
    "max": (2, max),
    "Even": (1, lambda n: n % 2 == 0),
    "Odd": (1, lambda n: n % 2 == 1),
}


# ---------------------------------------------------------------- bounded quantifiers


def bounded(t: Forall | Exists) -> tuple[bool, Term, Term] | None:
    """`(strict, k, P)` for `∀ x, x < k → P`, `∀ x, x ≤ k → P`, `∃ x, x < k ∧ P`, ... over ℕ.

    These are the shapes Lean's `Nat.decidableBallLT`/`decidableBallLe`/`decidableExistsLT`/
    `decidableExistsLe` instances match (`k > x` unfolds reducibly to `x < k`, so it counts).
    """
    if t.ty != NAT:
        return None
    match t:
        case Forall(body=Imp(lhs=Rel() as guard, rhs=body)) | Exists(body=And(lhs=Rel() as guard, rhs=body)):
            pass
        case _:
            return None
    x = Var(t.name, NAT)
    match guard.op, guard.lhs, guard.rhs:
        case ("<" | "≤"), lhs, k if lhs == x:
            strict = guard.op == "<"
        case (">" | "≥"), k, rhs if rhs == x:
            strict = guard.op == ">"
        case _:
            return None
    if t.name in free_vars(k):
        return None
    return strict, k, body


# ---------------------------------------------------------------- structural decidability


# `decide` runs Lean's `Decidable` instances by reduction: Mathlib's global `Nat.Prime` instance
# goes through `Nat.minFac` (well-founded recursion, which does not reduce), and a bounded
# quantifier unfolds once per value, within Lean's default `maxRecDepth` (512). These bounds
# keep `decide` (and `trivial`, which tries it) below what Lean finishes; `norm_num` has its own.
DECIDE_NO_REDUCE = frozenset(("Nat.Prime",))
DECIDE_MAX_RANGE = 256  # values one bounded quantifier may run through under `decide`


def _check(t: Term, bound: frozenset[str], env: Mapping[str, object], decide: bool = False) -> None:
    """Raise unless `t` is evaluable: every variable has a value, every proposition an instance."""
    match t:
        case Lit() | TrueP() | FalseP():
            return
        case Var(name=n):
            if n not in bound and n not in env:
                raise NotEvaluable(f"free variable {n}")
        case Const(name=n):
            raise NotEvaluable(f"cannot evaluate constant {n}")
        case App(fn=Const(name="Finset.card"), args=(s,)):
            _check_finset(s, bound, env, decide)
        case App(fn=Const(name=n), args=args):
            spec = CONSTANTS.get(n)
            if spec is None or spec[0] != len(args):
                # an unknown predicate has no instance; an unknown function just does not reduce
                raise (NotDecidable if t.ty == PROP else NotEvaluable)(f"cannot evaluate {n}")
            if decide and n in DECIDE_NO_REDUCE:
                raise NotEvaluable(f"the Decidable instance of {n} does not reduce")
            for a in args:
                _check(a, bound, env, decide)
        case App(fn=Var(name=n), args=args):
            if n in bound or n not in env:
                raise NotEvaluable(f"free variable {n}")
            for a in args:
                _check(a, bound, env, decide)
        case App():
            raise NotEvaluable("cannot evaluate application")
        case Arith(lhs=a, rhs=b) | And(lhs=a, rhs=b) | Or(lhs=a, rhs=b) | Imp(lhs=a, rhs=b) | Iff(lhs=a, rhs=b):
            _check(a, bound, env, decide)
            _check(b, bound, env, decide)
        case Neg(arg=a) | Cast(arg=a) | Not(arg=a):
            _check(a, bound, env, decide)
        case Rel(lhs=a, rhs=b):
            if type_of(a) not in NUMBERS or type_of(b) not in NUMBERS:
                raise NotDecidable("equality of non-numbers is not decidable")
            if decide and type_of(a) in FIELDS:
                raise NotEvaluable("the Decidable instance of a ℚ/ℝ relation does not reduce")
            _check(a, bound, env, decide)
            _check(b, bound, env, decide)
        case Forall() | Exists():
            shape = bounded(t)
            if shape is None:
                raise NotDecidable("unbounded quantifier")
            _, k, body = shape
            _check(k, bound, env, decide)
            _check(body, bound | {t.name}, env, decide)
        case BigOp(name=n, finset=fs, body=body):
            _check_finset(fs, bound, env, decide)
            _check(body, bound | {n}, env, decide)
        case _:
            raise NotEvaluable(f"cannot evaluate {type(t).__name__}")


def _parts(s: Term) -> tuple[str, tuple[Term, ...]]:
    """`finset_parts(s)`, a filter's predicate checked to be a λ; NotEvaluable for another set."""
    parts = finset_parts(s)
    if parts is None:
        raise NotEvaluable("cannot evaluate this finite set")
    assert parts[0] != "Finset.filter" or isinstance(parts[1][0], Lam)
    return parts


def _check_finset(s: Term, bound: frozenset[str], env: Mapping[str, object], decide: bool) -> None:
    kind, args = _parts(s)
    if kind == "Finset.filter":
        p, inner = args
        assert isinstance(p, Lam)
        _check(p.body, bound | {p.name}, env, decide)
        _check_finset(inner, bound, env, decide)
        return
    for a in args:
        _check(a, bound, env, decide)


# ---------------------------------------------------------------- evaluation


def evaluate(
    t: Term, env: Mapping[str, object] | None = None, deadline: Deadline = UNBOUNDED, *, decide: bool = False,
) -> Value:
    """The value of `t` under `env` (variable name -> int, bool or Python callable).
    `decide`: only what Lean's `decide` reduces (see `DECIDE_NO_REDUCE`, `DECIDE_MAX_RANGE`)."""
    env = dict(env or {})
    _check(t, frozenset(), env, decide)
    return _eval(t, env, deadline, DECIDE_MAX_RANGE if decide else None)


def _eval(t: Term, env: dict[str, object], deadline: Deadline, cap: int | None) -> Value:
    match t:
        case Lit(value=v):
            return v
        case TrueP():
            return True
        case FalseP():
            return False
        case Var(name=n):
            return env[n]  # type: ignore[return-value]  # a numeric or Prop variable: an int or a bool
        case App(fn=Const(name="Finset.card"), args=(s,)):
            return len(finset_values(s, env, deadline, cap))
        case App(fn=Const(name=n), args=args):
            return CONSTANTS[n][1](*(_eval(a, env, deadline, cap) for a in args))
        case App(fn=Var(name=n), args=args):
            fn = env[n]
            if not callable(fn):
                raise NotEvaluable(f"{n} is not a function")
            return fn(*(_eval(a, env, deadline, cap) for a in args))
        case Arith(op=op, lhs=a, rhs=b, ty=ty):
            return arith(op, _eval(a, env, deadline, cap), _eval(b, env, deadline, cap), ty)
        case Neg(arg=a):
            return -_eval(a, env, deadline, cap)
        case Cast(arg=a):
            return _eval(a, env, deadline, cap)
        case Rel(op=op, lhs=a, rhs=b):
            return relation(op, _eval(a, env, deadline, cap), _eval(b, env, deadline, cap))
        case Not(arg=a):
            return not _eval(a, env, deadline, cap)
        case And(lhs=a, rhs=b):
            return bool(_eval(a, env, deadline, cap)) and bool(_eval(b, env, deadline, cap))
        case Or(lhs=a, rhs=b):
            return bool(_eval(a, env, deadline, cap)) or bool(_eval(b, env, deadline, cap))
        case Imp(lhs=a, rhs=b):
            return (not _eval(a, env, deadline, cap)) or bool(_eval(b, env, deadline, cap))
        case Iff(lhs=a, rhs=b):
            return bool(_eval(a, env, deadline, cap)) == bool(_eval(b, env, deadline, cap))
        case Forall() | Exists():
            return _quantifier(t, env, deadline, cap)
        case BigOp(op=op, name=n, finset=fs, body=body, ty=ty):
            acc: Value = 0 if op == "∑" else 1
            for v in finset_values(fs, env, deadline, cap):
                deadline.check()
                acc = arith("+" if op == "∑" else "*", acc, _bound_eval(body, n, v, env, deadline, cap), ty)
            return acc
    raise NotEvaluable(f"cannot evaluate {type(t).__name__}")


# `decide` unfolds a finite set once per element (as a bounded quantifier: `DECIDE_MAX_RANGE`);
# `norm_num` (no cap of its own here) stops at this many elements per set.
MAX_FINSET = 5000


def _bound_eval(t: Term, name: str, value: int, env: dict[str, object], deadline: Deadline, cap: int | None) -> Value:
    saved = env.get(name, _MISSING)
    env[name] = value
    try:
        return _eval(t, env, deadline, cap)
    finally:
        if saved is _MISSING:
            env.pop(name, None)
        else:
            env[name] = saved


def finset_values(s: Term, env: dict[str, object], deadline: Deadline = UNBOUNDED, cap: int | None = None) -> list[int]:
    """The elements of a finite set `finset_parts` reads, in increasing order."""
    kind, args = _parts(s)
    if kind == "Finset.filter":
        p, inner = args
        assert isinstance(p, Lam)
        return [v for v in finset_values(inner, env, deadline, cap)
                if _bound_eval(p.body, p.name, v, env, deadline, cap)]
    vals = [int(_eval(a, env, deadline, cap)) for a in args]
    limit = MAX_FINSET if cap is None else cap
    match kind:
        case "Finset.range":
            lo, hi = 0, vals[0]
        case "Finset.Icc":
            lo, hi = vals[0], vals[1] + 1
        case "Finset.Ico":
            lo, hi = vals[0], vals[1]
        case "Finset.Ioc":
            lo, hi = vals[0] + 1, vals[1] + 1
        case "Finset.Ioo":
            lo, hi = vals[0] + 1, vals[1]
        case _:  # divisors: Lean filters `Finset.Ico 1 (n + 1)`; 0 has none
            n = vals[0]
            if n + 1 > limit:
                raise NotEvaluable(f"maximum recursion depth has been reached (the divisors of {n})")
            top = n if kind == "Nat.properDivisors" else n + 1
            return [d for d in range(1, top) if n % d == 0]
    if hi - lo > limit:
        raise NotEvaluable(f"maximum recursion depth has been reached (a set of {hi - lo} elements)")
    return list(range(lo, max(lo, hi)))


_MISSING = object()


def _quantifier(t: Forall | Exists, env: dict[str, object], deadline: Deadline, cap: int | None) -> bool:
    shape = bounded(t)
    assert shape is not None  # guaranteed by _check
    strict, k, body = shape
    limit = int(_eval(k, env, deadline, cap)) + (0 if strict else 1)
    if cap is not None and limit > cap:
        raise NotEvaluable(f"maximum recursion depth has been reached (a range of {limit} values)")
    universal = isinstance(t, Forall)
    for v in range(limit):
        deadline.check()
        if bool(_bound_eval(body, t.name, v, env, deadline, cap)) != universal:
            return not universal
    return universal


def is_closed(t: Term) -> bool:
    """No free variables (constants and bound variables are fine)."""
    return not free_vars(t)


# ---------------------------------------------------------------- decide


def _decidable_text(target: Term, pp: Callable[[Term], str]) -> str:
    text = pp(target)
    return f"Decidable ({text})" if " " in text else f"Decidable {text}"


def decide(goal: Goal, deadline: Deadline = UNBOUNDED, pp: Callable[[Term], str] | None = None) -> None:
    """Lean's `decide`: evaluate the closed target; hypotheses are ignored, as in Lean.

    Messages follow Lean 4 (v4.12+): free variables are refused up front, a missing
    instance is "failed to synthesize", a false proposition is reported as proved false.
    `DeadlineExceeded` propagates (the caller turns it into a timeout).
    """
    if pp is None:
        pp = pp_term
    target = goal.target
    if not is_closed(target):
        raise TacticFailure(
            f"expected type must not contain free variables\n  {pp(target)}\n"
            "Use the '+revert' option to automatically cleanup and revert free variables."
        )
    try:
        value = evaluate(target, None, deadline, decide=True)
    except NotDecidable:
        raise TacticFailure(f"failed to synthesize\n  {_decidable_text(target, pp)}") from None
    except NotEvaluable:
        raise TacticFailure(
            f"tactic 'decide' failed for proposition\n  {pp(target)}\n"
            "since its 'Decidable' instance did not reduce to 'isTrue' or 'isFalse'."
        ) from None
    if value is not True:
        raise TacticFailure(f"tactic 'decide' proved that the proposition\n  {pp(target)}\nis false")
