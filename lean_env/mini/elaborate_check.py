"""The transition checker: an independent type and scope checker for goals and terms.

Trusted, and small on purpose. `check_goal` runs on every goal `mini` produces (the root goal
of a statement, and every goal a tactic leaves, in the search and in `verify` alike): every
local's id occurs once, every variable has a type mini knows, every hypothesis mentions only
variables declared before it and the target only variables in context (no dangling or
captured reference, no metavariable, no loose bound variable), and every hypothesis and the
target is a well-typed proposition (no ℝ-typed `+` with a ℕ operand and no `Cast`, no `Cast`
down the chain, no `App` whose argument does not match its function's domain, ...). A goal
that fails is a fault of the tactic that made it, never a new proof state."""

from __future__ import annotations

from collections.abc import Mapping

from .elaborate_library import FIELD_TYS, KNOWN_CONSTANTS, NUM_RANK, container
from .terms import (
    INT,
    NAT,
    PROP,
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
    arrow,
    finset_of,
    is_fvar,
)

_ORDER_OPS = ("<", "≤", ">", "≥", "∣")


def check_types(t: Term, env: Mapping[str, Ty] | None = None) -> Ty:
    """The type of `t`, every node checked; `TypeError` names the first ill-typed node.
    `env` types the free variables (a `Var` must carry the type of its binder)."""
    return _check(t, dict(env or {}), False)


def check_goal(goal: Goal) -> None:
    """The transition check (see the module docstring); `TypeError` names the first fault."""
    env: dict[str, Ty] = {}
    seen: set[str] = set()
    for loc in goal.locals:
        if not is_fvar(loc.fid) or loc.fid in seen:
            raise TypeError(f"local {loc.name} has a duplicate or malformed id {loc.fid!r}")
        seen.add(loc.fid)
        if loc.is_var:
            _valid_type(loc.var.ty)
            env[loc.fid] = loc.var.ty
        else:
            _expect(_check(loc.prop, env, True), PROP, loc.prop)
    _expect(_check(goal.target, env, True), PROP, goal.target)


def _valid_type(ty: Ty) -> None:
    if isinstance(ty, Arrow):
        _valid_type(ty.dom)
        _valid_type(ty.cod)
    elif not (ty in NUM_RANK or ty == PROP or (isinstance(ty, Base) and container(ty) is not None)):
        raise TypeError(f"unknown type {ty}")


def _expect(got: Ty, want: Ty, t: Term) -> None:
    if got != want:
        raise TypeError(f"expected {want}, got {got} in {t!r}")


def _numeric(ty: Ty, t: Term) -> None:
    if ty not in NUM_RANK:
        raise TypeError(f"expected a numeric type, got {ty} in {t!r}")


def _check(t: Term, env: dict[str, Ty], strict: bool) -> Ty:
    """`strict`: every variable must be in `env` (a local in context, or bound above)."""
    match t:
        case Var(name=n, ty=ty):
            if n in env and env[n] != ty:
                raise TypeError(f"variable {n} used at {ty}, bound at {env[n]}")
            if strict and n not in env:
                raise TypeError(f"dangling reference to {n} (not in context)")
            return ty
        case Const(name=n, ty=ty):
            _check_const(n, ty, t)
            return ty
        case Lit(value=v, ty=ty):
            _numeric(ty, t)
            if v < 0:
                raise TypeError(f"negative literal {t!r}")
            return ty
        case App(fn=fn, args=args, ty=ty):
            fty = _check(fn, env, strict)
            for a in args:
                if not isinstance(fty, Arrow):
                    raise TypeError(f"too many arguments in {t!r}")
                _expect(_check(a, env, strict), fty.dom, t)
                fty = fty.cod
            _expect(fty, ty, t)
            return ty
        case Arith(op=op, lhs=a, rhs=b, ty=ty):
            _numeric(ty, t)
            _expect(_check(a, env, strict), ty, t)
            eb = _check(b, env, strict)
            if op == "^":
                if not (eb == NAT or (eb == INT and ty in FIELD_TYS) or eb == ty == REAL):
                    raise TypeError(f"no HPow {ty} {eb} in {t!r}")
            else:
                _expect(eb, ty, t)
            if op == "%" and ty in FIELD_TYS:
                raise TypeError(f"no HMod on {ty} in {t!r}")
            return ty
        case Neg(arg=a, ty=ty):
            if ty not in NUM_RANK or ty == NAT:
                raise TypeError(f"no Neg {ty} in {t!r}")
            _expect(_check(a, env, strict), ty, t)
            return ty
        case Cast(arg=a, ty=ty):
            at = _check(a, env, strict)
            _numeric(at, t)
            _numeric(ty, t)
            if NUM_RANK[at] >= NUM_RANK[ty]:
                raise TypeError(f"cast from {at} to {ty} in {t!r}")
            return ty
        case Rel(op=op, lhs=a, rhs=b):
            ta = _check(a, env, strict)
            _expect(_check(b, env, strict), ta, t)
            if op in _ORDER_OPS:
                _numeric(ta, t)
            elif ta == PROP:
                raise TypeError(f"relation between propositions in {t!r}")
            return PROP
        case TrueP() | FalseP():
            return PROP
        case Not(arg=a):
            _expect(_check(a, env, strict), PROP, t)
            return PROP
        case And(lhs=a, rhs=b) | Or(lhs=a, rhs=b) | Imp(lhs=a, rhs=b) | Iff(lhs=a, rhs=b):
            _expect(_check(a, env, strict), PROP, t)
            _expect(_check(b, env, strict), PROP, t)
            return PROP
        case Forall(name=n, ty=ty, body=b) | Exists(name=n, ty=ty, body=b):
            _expect(_check(b, {**env, n: ty}, strict), PROP, t)
            return PROP
        case Lam(name=n, ty=ty, body=b):
            return Arrow(ty, _check(b, {**env, n: ty}, strict))
        case BigOp(op=op, name=n, elem=e, finset=fs, body=b, ty=ty):
            if op not in ("∑", "∏"):
                raise TypeError(f"unknown big operator {op}")
            _expect(_check(fs, env, strict), finset_of(e), t)
            _numeric(ty, t)
            _expect(_check(b, {**env, n: e}, strict), ty, t)
            return ty
    raise TypeError(f"not a term: {t!r}")


def _check_const(name: str, ty: Ty, t: Term) -> None:
    """A known constant must have an instance of its signature as its type."""
    sig = KNOWN_CONSTANTS.get(name)
    if sig is None:
        return
    for alpha in sig.alpha_ok if sig.generic else (NAT,):
        doms, res = sig.instantiate(alpha)
        if arrow(*doms, res) == ty:
            return
    raise TypeError(f"constant {name} at type {ty}")

