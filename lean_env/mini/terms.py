"""Typed core terms of `mini`: what statements, hypotheses and goals are made of.

The parser produces surface syntax; elaboration turns it into these terms, with every
coercion explicit (`Cast`) and every operator typed, as Lean's elaborator would. Terms are
frozen and hashable; comparisons that must ignore bound names go through `alpha_eq`.

Identity is not a name. A `Var` names one of three disjoint kinds of variable:
- a *local* of the goal by its fvar id (`x#17`), never by the name a script writes;
- a *bound* variable by its binder's name (`x` in `∀ x, P x`), always an identifier;
- a *metavariable* (a pattern hole of `apply`, `rw`, `simp`) by its id (`?x#18`).
`#` cannot occur in an identifier (mini's lexer never produces one), so a term built from
locals and constants can be substituted under any binder without capture, and a binder can
never be mistaken for a local or a hole. A local's display name (`x`, `x✝`, `x✝¹`) is
computed only when a goal is printed (`printer.display_names`, Lean's sanitizer).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields

# ---------------------------------------------------------------- identities

ID_MARK = "#"
_ids = itertools.count(1)


def fresh_id(hint: str) -> str:
    """A new fvar id: unique in this process, never equal to a bound variable's name."""
    return f"{hint_of(hint)}{ID_MARK}{next(_ids)}"


def fresh_mvar(hint: str) -> str:
    """A new metavariable id (a pattern hole), distinct from every fvar id and bound name."""
    return f"?{hint_of(hint)}{ID_MARK}{next(_ids)}"


def is_fvar(name: str) -> bool:
    return ID_MARK in name and not name.startswith("?")


def is_mvar(name: str) -> bool:
    return name.startswith("?") and ID_MARK in name


def hint_of(name: str) -> str:
    """The readable part of an id (`x` for `x#17` and `?x#18`); a bound name is its own hint."""
    base = name.split(ID_MARK, 1)[0]
    return base[1:] if base.startswith("?") and ID_MARK in name else base

# ---------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class Base:
    """A base type: `ℕ`, `ℤ` or `Prop` (printed with Mathlib's notation)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Arrow:
    """A function type `dom → cod` (curried for several arguments)."""

    dom: Ty
    cod: Ty

    def __str__(self) -> str:
        left = f"({self.dom})" if isinstance(self.dom, Arrow) else str(self.dom)
        return f"{left} → {self.cod}"


Ty = Base | Arrow
NAT = Base("ℕ")
INT = Base("ℤ")
PROP = Base("Prop")
REAL = Base("ℝ")
RAT = Base("ℚ")
NUMERIC = (NAT, INT)  # the integer types (omega, decide, `%`, `∣`, integer strengthening)
FIELDS = (RAT, REAL)  # the ordered fields (linarith, nlinarith, positivity, ring, norm_num)
NUMBERS = (NAT, INT, RAT, REAL)  # every number type, in the order casts go (ℕ → ℤ → ℚ → ℝ)


def finset_of(elem: Ty) -> Base:
    """`Finset α` (a base type by name: no variable of this type is ever a local)."""
    return Base(f"Finset {elem}")


def arrow(*tys: Ty) -> Ty:
    """`arrow(a, b, c)` is `a → b → c`."""
    result = tys[-1]
    for t in reversed(tys[:-1]):
        result = Arrow(t, result)
    return result


def arrow_parts(ty: Ty) -> tuple[list[Ty], Ty]:
    """Argument types and result type of a (curried) function type."""
    args: list[Ty] = []
    while isinstance(ty, Arrow):
        args.append(ty.dom)
        ty = ty.cod
    return args, ty


# ---------------------------------------------------------------- terms
# Numeric terms carry their type; propositions have type Prop.


@dataclass(frozen=True, slots=True)
class Var:
    """A free or bound variable: a local (`x`, `f`, `p`) or a binder's variable."""

    name: str
    ty: Ty


@dataclass(frozen=True, slots=True)
class Const:
    """A library constant with its (instantiated) type, e.g. `Nat.gcd : ℕ → ℕ → ℕ`."""

    name: str
    ty: Ty


@dataclass(frozen=True, slots=True)
class Lit:
    """A numeral `n ≥ 0` of type ℕ or ℤ (negative integers are `Neg(Lit)`, as in Lean)."""

    value: int
    ty: Ty


@dataclass(frozen=True, slots=True)
class App:
    """Application of a function-typed term (a `Var` or `Const`) to arguments."""

    fn: Term
    args: tuple[Term, ...]
    ty: Ty


@dataclass(frozen=True, slots=True)
class Arith:
    """`lhs op rhs` for op in `+ - * / % ^` (for `^`, `rhs : ℕ`), with Lean's semantics."""

    op: str
    lhs: Term
    rhs: Term
    ty: Ty


@dataclass(frozen=True, slots=True)
class Neg:
    """Integer negation `-a`."""

    arg: Term
    ty: Ty = INT


@dataclass(frozen=True, slots=True)
class Cast:
    """The coercion `↑a : ℤ` of a natural number."""

    arg: Term
    ty: Ty = INT


@dataclass(frozen=True, slots=True)
class Rel:
    """`lhs op rhs` for op in `= ≠ < ≤ > ≥ ∣`: a proposition."""

    op: str
    lhs: Term
    rhs: Term


@dataclass(frozen=True, slots=True)
class TrueP:
    pass


@dataclass(frozen=True, slots=True)
class FalseP:
    pass


@dataclass(frozen=True, slots=True)
class Not:
    arg: Term


@dataclass(frozen=True, slots=True)
class And:
    lhs: Term
    rhs: Term


@dataclass(frozen=True, slots=True)
class Or:
    lhs: Term
    rhs: Term


@dataclass(frozen=True, slots=True)
class Imp:
    """`lhs → rhs` between propositions (a non-dependent ∀)."""

    lhs: Term
    rhs: Term


@dataclass(frozen=True, slots=True)
class Iff:
    lhs: Term
    rhs: Term


@dataclass(frozen=True, slots=True)
class Forall:
    """`∀ (name : ty), body`."""

    name: str
    ty: Ty
    body: Term


@dataclass(frozen=True, slots=True)
class Exists:
    """`∃ name, body` (binder type kept, Lean does not print it)."""

    name: str
    ty: Ty
    body: Term


@dataclass(frozen=True, slots=True)
class Lam:
    """`fun (name : ty) => body` (as the predicate of `Finset.filter`)."""

    name: str
    ty: Ty
    body: Term

    @property
    def fn_ty(self) -> Ty:
        return Arrow(self.ty, type_of(self.body))


@dataclass(frozen=True, slots=True)
class BigOp:
    """`∑ name ∈ finset, body` / `∏ ...`: binds `name` in `body` only."""

    op: str  # "∑" or "∏"
    name: str
    elem: Ty
    finset: Term
    body: Term
    ty: Ty


Term = (
    Var | Const | Lit | App | Arith | Neg | Cast | Rel | TrueP | FalseP
    | Not | And | Or | Imp | Iff | Forall | Exists | Lam | BigOp
)
TRUE = TrueP()
FALSE = FalseP()
BINDERS = (Forall, Exists, Lam, BigOp)
CONNECTIVES = (Not, And, Or, Imp, Iff)
REL_OPS = ("=", "≠", "<", "≤", ">", "≥", "∣")
ARITH_OPS = ("+", "-", "*", "/", "%", "^")


def type_of(t: Term) -> Ty:
    """The type of a term: numeric terms carry it, everything else is a Prop."""
    match t:
        case Var(ty=ty) | Const(ty=ty) | Lit(ty=ty) | App(ty=ty) | Arith(ty=ty) | Neg(ty=ty) | Cast(ty=ty) \
                | BigOp(ty=ty):
            return ty
        case Lam():
            return t.fn_ty
        case _:
            return PROP


def is_prop(t: Term) -> bool:
    return type_of(t) == PROP


# ---------------------------------------------------------------- traversal


def children(t: Term) -> Iterator[Term]:
    """Immediate subterms, left to right."""
    match t:
        case App(fn=fn, args=args):
            yield fn
            yield from args
        case Arith(lhs=a, rhs=b) | Rel(lhs=a, rhs=b) | And(lhs=a, rhs=b) | Or(lhs=a, rhs=b) \
                | Imp(lhs=a, rhs=b) | Iff(lhs=a, rhs=b):
            yield a
            yield b
        case Neg(arg=a) | Cast(arg=a) | Not(arg=a):
            yield a
        case Forall(body=b) | Exists(body=b) | Lam(body=b):
            yield b
        case BigOp(finset=f, body=b):
            yield f
            yield b
        case _:
            return


def map_children(t: Term, f: Callable[[Term], Term]) -> Term:
    """Rebuild `t` with `f` applied to each immediate subterm (binders are not renamed)."""
    match t:
        case App(fn=fn, args=args, ty=ty):
            return App(f(fn), tuple(f(a) for a in args), ty)
        case Arith(op=op, lhs=a, rhs=b, ty=ty):
            return Arith(op, f(a), f(b), ty)
        case Rel(op=op, lhs=a, rhs=b):
            return Rel(op, f(a), f(b))
        case And() | Or() | Imp() | Iff():
            return type(t)(f(t.lhs), f(t.rhs))
        case Neg(arg=a, ty=ty):
            return Neg(f(a), ty)
        case Cast(arg=a, ty=ty):
            return Cast(f(a), ty)
        case Not(arg=a):
            return Not(f(a))
        case Forall(name=n, ty=ty, body=b):
            return Forall(n, ty, f(b))
        case Exists(name=n, ty=ty, body=b):
            return Exists(n, ty, f(b))
        case Lam(name=n, ty=ty, body=b):
            return Lam(n, ty, f(b))
        case BigOp(op=op, name=n, elem=e, finset=fs, body=b, ty=ty):
            return BigOp(op, n, e, f(fs), f(b), ty)
        case _:
            return t


def subterms(t: Term) -> Iterator[Term]:
    """All subterms, pre-order (including under binders)."""
    yield t
    for c in children(t):
        yield from subterms(c)


def free_vars(t: Term) -> frozenset[str]:
    """Names of the free variables of `t`."""
    match t:
        case Var(name=n):
            return frozenset((n,))
        case Forall(name=n, body=b) | Exists(name=n, body=b) | Lam(name=n, body=b):
            return free_vars(b) - {n}
        case BigOp(name=n, finset=fs, body=b):
            return free_vars(fs) | (free_vars(b) - {n})
        case _:
            out: frozenset[str] = frozenset()
            for c in children(t):
                out |= free_vars(c)
            return out


def fresh_name(base: str, taken: set[str] | frozenset[str]) -> str:
    """A bound name: `base`, or `base_1`, `base_2`, ... whichever is not taken."""
    if base not in taken:
        return base
    stem = base.rstrip("0123456789_")
    i = 1
    while f"{stem}_{i}" in taken:
        i += 1
    return f"{stem}_{i}"


def subst(t: Term, name: str, value: Term) -> Term:
    """Capture-avoiding substitution of `value` for the free variable `name`."""
    return subst_many(t, {name: value})


def subst_many(t: Term, mapping: dict[str, Term]) -> Term:
    """Simultaneous capture-avoiding substitution."""
    if not mapping:
        return t
    match t:
        case Var(name=n):
            return mapping.get(n, t)
        case Forall(name=n, ty=ty, body=b) | Exists(name=n, ty=ty, body=b) | Lam(name=n, ty=ty, body=b):
            n, body = _under_binder(n, ty, b, mapping)
            return type(t)(n, ty, body)
        case BigOp(op=op, name=n, elem=e, finset=fs, body=b, ty=ty):
            n, body = _under_binder(n, e, b, mapping)
            return BigOp(op, n, e, subst_many(fs, mapping), body, ty)
        case _:
            return map_children(t, lambda c: subst_many(c, mapping))


def _under_binder(n: str, ty: Ty, b: Term, mapping: dict[str, Term]) -> tuple[str, Term]:
    """Substitute under a binder of `n`, renaming it when it would capture."""
    inner = {k: v for k, v in mapping.items() if k != n}
    if not inner:
        return n, b
    incoming: set[str] = set()
    for v in inner.values():
        incoming |= free_vars(v)
    if n in incoming:
        new = fresh_name(n, incoming | free_vars(b) | set(inner))
        b = subst_many(b, {n: Var(new, ty)})
        n = new
    return n, subst_many(b, inner)


def instantiate(b: Forall | Exists | Lam | BigOp, value: Term) -> Term:
    """The body of binder `b` with its bound variable replaced by `value` (opening `b`)."""
    return subst(b.body, b.name, value)


def alpha_eq(a: Term, b: Term) -> bool:
    """Equality up to renaming of bound variables."""
    return _alpha(a, b, {}, {})


def _alpha(a: Term, b: Term, env_a: dict[str, int], env_b: dict[str, int]) -> bool:
    if type(a) is not type(b):
        return False
    match a:
        case Var(name=n, ty=ty):
            assert isinstance(b, Var)
            ia, ib = env_a.get(n), env_b.get(b.name)
            if ia is None and ib is None:
                return n == b.name and ty == b.ty
            return ia == ib
        case Forall() | Exists() | Lam():
            assert isinstance(b, (Forall, Exists, Lam))
            if a.ty != b.ty:
                return False
            level = max([*env_a.values(), *env_b.values(), -1]) + 1
            return _alpha(a.body, b.body, {**env_a, a.name: level}, {**env_b, b.name: level})
        case BigOp():
            assert isinstance(b, BigOp)
            if (a.op, a.elem, a.ty) != (b.op, b.elem, b.ty) or not _alpha(a.finset, b.finset, env_a, env_b):
                return False
            level = max([*env_a.values(), *env_b.values(), -1]) + 1
            return _alpha(a.body, b.body, {**env_a, a.name: level}, {**env_b, b.name: level})
        case Var() | Const() | Lit() | TrueP() | FalseP():
            return a == b
        case _:
            for f in fields(a):
                va, vb = getattr(a, f.name), getattr(b, f.name)
                if isinstance(va, tuple):
                    if len(va) != len(vb) or not all(_alpha(x, y, env_a, env_b) for x, y in zip(va, vb)):
                        return False
                elif isinstance(va, (str, Base, Arrow)):
                    if va != vb:
                        return False
                elif not _alpha(va, vb, env_a, env_b):
                    return False
            return True


# Library functions on ℚ/ℝ the decision procedures model (the others, `Real.sqrt`, `Real.log`,
# `Int.floor`, `Rat.num`, ..., stay outside: nothing here knows their laws).
FIELD_FUNCTIONS = frozenset(("abs", "min", "max", "Inv.inv"))


def in_fragment(t: Term) -> bool:
    """Whether the decision procedures (omega, linarith, ring, simp, decide, ...) model `t`:
    ℕ, ℤ, ℚ, ℝ and Prop terms, casts up the tower ℕ → ℤ → ℚ → ℝ, and on ℚ/ℝ only the
    field operations and `FIELD_FUNCTIONS`; big operators and cards over the finite sets
    `finset_parts` reads; no other λ. Everything else still parses and prints, but only
    structural tactics act on it."""
    return fragment_blocker(t) is None


def fragment_blocker(t: Term) -> str | None:
    """The first construct of `t` outside the fragment (see `in_fragment`), named for a
    report (`Real.sqrt`, `∑ over a Finset variable`, `type Finset ℕ`, ...), or None when `t` is
    inside. Big operators and `Finset.card` are inside over the finite sets `finset_parts` reads."""
    match t:
        case BigOp(op=op, elem=elem, finset=s, body=body, ty=ty):
            if elem not in (NAT, INT) or ty not in NUMBERS:
                return f"{op} over {_ty_name(elem)}"
            return finset_blocker(s) or fragment_blocker(body)
        case App(fn=Const(name="Finset.card"), args=(s,)):
            return finset_blocker(s)
        case Lam():
            return "λ"
        case Cast(arg=a, ty=ty) if not _cast_up(type_of(a), ty):
            return f"cast {_ty_name(type_of(a))} → {_ty_name(ty)}"
        case Const(name=name, ty=ty) if not _fragment_ty(ty) or (
            _mentions_field(ty) and name not in FIELD_FUNCTIONS
        ):
            return name
        case Var(ty=ty) if not _fragment_ty(ty):
            return f"type {_ty_name(ty)}"
        case Forall(ty=ty) | Exists(ty=ty) if ty not in NUMBERS:
            return f"quantifier over {_ty_name(ty)}"
        case Rel(lhs=a) if type_of(a) not in NUMBERS:  # `p = q` between propositions
            return f"relation on {_ty_name(type_of(a))}"
        case Rel(op="∣", lhs=a) if type_of(a) in FIELDS:
            return "∣ on a field"
        case Arith(op="%", ty=ty) if ty in FIELDS:
            return "% on a field"
        case Arith(op="^", rhs=e) if type_of(e) in FIELDS:
            return "a real power (rpow)"
    if not _fragment_ty(type_of(t)):
        return f"type {_ty_name(type_of(t))}"
    for c in children(t):
        if (b := fragment_blocker(c)) is not None:
            return b
    return None


FINSET_INTERVALS = ("Finset.Icc", "Finset.Ico", "Finset.Ioc", "Finset.Ioo")
FINSET_DIVISORS = ("Nat.divisors", "Nat.properDivisors")


def finset_parts(s: Term) -> tuple[str, tuple[Term, ...]] | None:
    """`(kind, arguments)` of a finite set the fragment reads: `Finset.range n`,
    `Finset.Icc/Ico/Ioc/Ioo a b` of ℕ/ℤ, `Nat.divisors n`, `Nat.properDivisors n`, and
    `Finset.filter (fun x => P) s` of one of these (arguments: the λ and the inner set)."""
    match s:
        case App(fn=Const(name="Finset.range"), args=(n,)):
            return "Finset.range", (n,)
        case App(fn=Const(name=name), args=(a, b)) if name in FINSET_INTERVALS and type_of(a) in (NAT, INT):
            return name, (a, b)
        case App(fn=Const(name=name), args=(n,)) if name in FINSET_DIVISORS:
            return name, (n,)
        case App(fn=Const(name="Finset.filter"), args=(Lam() as p, inner)) if finset_parts(inner) is not None:
            return "Finset.filter", (p, inner)
    return None


def finset_blocker(s: Term) -> str | None:
    """What keeps the finite set `s` out of the fragment, or None."""
    parts = finset_parts(s)
    if parts is None:
        return "a finite set other than range/Icc/divisors/filter"
    kind, args = parts
    if kind == "Finset.filter":
        p, inner = args
        assert isinstance(p, Lam)
        return fragment_blocker(p.body) or finset_blocker(inner)
    for a in args:
        if (b := fragment_blocker(a)) is not None:
            return b
    return None


def _ty_name(ty: Ty) -> str:
    if isinstance(ty, Arrow):
        return f"{_ty_name(ty.dom)} → {_ty_name(ty.cod)}"
    return ty.name


def _cast_up(src: Ty, dst: Ty) -> bool:
    return src in NUMBERS and dst in NUMBERS and NUMBERS.index(src) < NUMBERS.index(dst)


def _mentions_field(ty: Ty) -> bool:
    if isinstance(ty, Arrow):
        return _mentions_field(ty.dom) or _mentions_field(ty.cod)
    return ty in FIELDS


def _fragment_ty(ty: Ty) -> bool:
    if isinstance(ty, Arrow):
        return _fragment_ty(ty.dom) and _fragment_ty(ty.cod)
    return ty in (*NUMBERS, PROP)


def integral(t: Term) -> bool:
    """Whether every number in `t` is a natural or an integer (no ℚ/ℝ subterm or binder):
    what `decide`, `rfl` on closed arithmetic and `omega` may read."""
    for s in subterms(t):
        if type_of(s) in FIELDS or (isinstance(s, (Forall, Exists)) and s.ty in FIELDS):
            return False
        if isinstance(s, (Var, Const)) and _mentions_field(s.ty):
            return False
    return True


# ---------------------------------------------------------------- goals


@dataclass(frozen=True, slots=True)
class Local:
    """A local of a goal: a variable (`type` is a `Ty`) or a hypothesis (`type` is a Prop).

    `fid` is its identity (terms mention it as `Var(fid, ty)`); `name` is the user name a
    script writes to refer to it. An `inaccessible` local (introduced without a name, as
    Lean's hygiene does) prints as `name✝` and no script can refer to it.
    """

    fid: str
    name: str
    type: Ty | Term
    inaccessible: bool = False

    @property
    def is_var(self) -> bool:
        return isinstance(self.type, (Base, Arrow))

    @property
    def var(self) -> Var:
        """The term for this variable."""
        assert isinstance(self.type, (Base, Arrow)), self  # `is_var`
        return Var(self.fid, self.type)

    @property
    def prop(self) -> Term:
        """The proposition of this hypothesis."""
        assert not isinstance(self.type, (Base, Arrow)), self  # not `is_var`
        return self.type


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal: locals in order, the target, and Lean's case tag (e.g. `succ`) if any."""

    locals: tuple[Local, ...]
    target: Term
    case: str | None = None

    def lookup(self, name: str) -> Local | None:
        """The local a script means by `name`: the latest accessible one with that user name
        (later locals shadow earlier ones, as in Lean; inaccessible ones are never found)."""
        for loc in reversed(self.locals):
            if loc.name == name and not loc.inaccessible:
                return loc
        return None

    def get(self, fid: str) -> Local | None:
        for loc in self.locals:
            if loc.fid == fid:
                return loc
        return None

    def hyps(self) -> list[Local]:
        return [loc for loc in self.locals if not loc.is_var]

    def vars(self) -> list[Local]:
        return [loc for loc in self.locals if loc.is_var]


def goal_of(named: Sequence[tuple[str, Ty | Term]], target: Term, case: str | None = None) -> Goal:
    """A goal from locals written by user name (`Var("x", ℕ)` meaning the local `x`): each gets
    a fresh id, and the later locals' types and the target mention ids. For tests and tools."""
    scope: dict[str, Term] = {}
    locals_: list[Local] = []
    for name, ty in named:
        if not isinstance(ty, (Base, Arrow)):
            ty = subst_many(ty, dict(scope))
        loc = Local(fresh_id(name), name, ty)
        locals_.append(loc)
        if loc.is_var:
            scope[name] = loc.var
        else:
            scope.pop(name, None)
    return Goal(tuple(locals_), subst_many(target, scope), case)


def named(goal: Goal) -> Goal:
    """`goal` with every local's id replaced by its user name, to compare goals elaborated
    separately (tests, tools). Ambiguous where two locals share a name: never give it a tactic."""
    mapping: dict[str, Term] = {loc.fid: Var(loc.name, loc.var.ty) for loc in goal.locals if loc.is_var}
    locals_ = tuple(
        Local(loc.name, loc.name, loc.type if loc.is_var else subst_many(loc.prop, mapping), loc.inaccessible)
        for loc in goal.locals
    )
    return Goal(locals_, subst_many(goal.target, mapping), goal.case)
