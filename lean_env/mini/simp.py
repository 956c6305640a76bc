"""`simp` and `norm_num` over a small, documented rewrite set.

The engine rewrites bottom-up to a fixed point (children first, then the node, repeated at the
node until nothing applies), with a step cap and `deadline.check()`. Every rule below is a
Lean/Mathlib `@[simp]` lemma or simproc valid under Lean's semantics (ℕ subtraction truncates:
`a - b + b = a` is *not* here), so every rewrite preserves truth.

Simprocs (also active with `simp only`, as in Lean):
  literal arithmetic `+ - * / % ^` on ℕ and ℤ (`Nat.reduceAdd`, `Int.reduceMod`, ...; `^` only
  for exponents ≤ 256, Lean's `exponentiation.threshold`), `-(-3)`/`-0` (`Int.reduceNeg`),
  literal relations `= ≠ < ≤ > ≥ ∣` to `True`/`False`, and `Nat.gcd`, `Nat.succ`,
  `Int.natAbs`, `Int.toNat`, `Int.tdiv/tmod/fdiv/fmod` of literals; plus `eq_self`, `iff_self`
  (`a = a`, `p ↔ p` to `True`: Lean's `simpOnlyBuiltins`).

Default simp lemmas (not with `only`):
  arithmetic: `add_zero zero_add mul_one one_mul mul_zero zero_mul sub_zero sub_self`,
  `Nat.zero_sub` (ℕ `0 - a = 0`), `zero_sub` (ℤ `0 - a = -a`), `add_sub_cancel(_left)`,
  `sub_add_cancel` (ℤ only), `pow_zero pow_one one_pow`, `div_one div_zero zero_div`,
  `mod_one mod_zero zero_mod mod_self`, `neg_neg neg_zero`;
  casts: `Nat.cast_ofNat cast_add cast_mul cast_pow cast_inj cast_le cast_lt`, and casts
  against numerals (`Nat.cast_eq_ofNat`, ...);
  relations: `le_refl lt_self_iff_false dvd_refl ne_eq gt_iff_lt ge_iff_le one_dvd dvd_zero`,
  `zero_dvd_iff`, ℕ: `zero_le not_lt_zero nonpos_iff_eq_zero Nat.add_eq_zero_iff`,
  `0 < n + k` (k > 0), `add_right_inj add_left_inj add_right_eq_self (and variants)`,
  `mul_eq_zero`, `not_lt not_le`;
  logic: `and_true true_and and_false false_and and_self and_not_self not_and_self`,
  `or_true true_or or_false false_or or_self not_true not_false not_not` (classical),
  `implies_true false_implies true_implies imp_false imp_self`,
  `true_iff iff_true false_iff iff_false`, `forall_const exists_const implies_true`
  (`∀ x, True`), `exists_false`.

User rules (`simp [h]`): `l = r` rewrites `l` to `r`, `a ↔ b` rewrites `a` to `b`, `¬p` and
`a ≠ b` rewrite `p` / `a = b` to `False`, any other `p` rewrites `p` to `True`; leading `∀`
binders become pattern variables (first-order matching, plus ℕ offsets `n + k` against
numerals, and `>`/`≥`/`≠` seen through as Lean's discrimination trees do); leading
hypotheses `p → ...` become side conditions discharged by simplifying them to `True`.

`norm_num` = the simp set + evaluation of closed numeric subterms and closed decidable atoms
(relations, `Nat.Prime`, `Even`, `Nat.ModEq`, ...) through `evaluate`, without a threshold on
exponents (but with `evaluate`'s size guards). Unlike Lean's plain `simp`, nothing here closes
a goal from a hypothesis unless hypotheses are given as rules (`simp [*]`, `use_hyps`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from lean_env.mini import bigop
from lean_env.mini.context import clear, match, replace_type, with_target
from lean_env.mini.errors import UNBOUNDED, Deadline, TacticFailure
from lean_env.mini.evaluate import CONSTANTS, evaluate
from lean_env.mini.semantics import NotEvaluable, arith, relation
from lean_env.mini.terms import (
    FALSE,
    FIELDS,
    INT,
    NAT,
    NUMBERS,
    NUMERIC,
    PROP,
    TRUE,
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
    Lit,
    Neg,
    Not,
    Or,
    Rel,
    Term,
    TrueP,
    Ty,
    Var,
    alpha_eq,
    free_vars,
    fresh_id,
    fresh_mvar,
    instantiate,
    subst,
    subst_many,
    subterms,
    type_of,
)

MAX_STEPS = 10_000  # rewrites per call before giving up, like Lean's `maxSteps`
POW_THRESHOLD = 256  # Lean's `exponentiation.threshold` for the `reducePow` simprocs
LITERAL_MAX_BITS = 8192  # larger values are not written back as numerals (~2500 digits)
MAX_DISCHARGE_DEPTH = 2

Proc = Callable[[Term], Term | None]

# ---------------------------------------------------------------- literals


def lit_value(t: Term) -> int | None:
    """The value of a numeral: `Lit n`, or `-Lit n` on ℤ."""
    match t:
        case Lit(value=v):
            return v
        case Neg(arg=Lit(value=v)):
            return -v
    return None


def make_lit(v: int, ty: Ty) -> Term:
    return Lit(v, ty) if v >= 0 else Neg(Lit(-v, ty), ty)


def _small(v: int) -> bool:
    return v.bit_length() <= LITERAL_MAX_BITS


def _zero(ty: Ty) -> Lit:
    return Lit(0, ty)


def _one(ty: Ty) -> Lit:
    return Lit(1, ty)


# ---------------------------------------------------------------- simprocs

_SIMPROC_CONSTANTS = (
    "Nat.gcd", "Nat.succ", "Int.natAbs", "Int.toNat", "Int.tdiv", "Int.tmod", "Int.fdiv", "Int.fmod",
)


def simprocs(t: Term) -> Term | None:
    """Lean core's ground-literal simprocs (active even in `simp only`)."""
    match t:
        case Arith(ty=ty) if ty in FIELDS:
            return None  # Lean's literal simprocs are ℕ/ℤ ones; `norm_num` evaluates ℚ/ℝ
        case Arith(op=op, lhs=a, rhs=b, ty=ty):
            va, vb = lit_value(a), lit_value(b)
            if va is None or vb is None or (op == "^" and vb > POW_THRESHOLD):
                return None
            try:
                v = arith(op, va, vb, ty)
            except NotEvaluable:
                return None
            assert isinstance(v, int)  # ℕ/ℤ arithmetic
            return make_lit(v, ty) if _small(v) else None
        case Neg(arg=Lit(value=0) as z):
            return Lit(0, z.ty)
        case Neg(arg=Neg(arg=Lit() as lit)):
            return lit
        case Rel(op=op, lhs=a, rhs=b):
            va, vb = lit_value(a), lit_value(b)
            if va is None or vb is None:
                return None
            return TRUE if relation(op, va, vb) else FALSE
        case App(fn=Const(name=name), args=args, ty=ty) if name in _SIMPROC_CONSTANTS:
            vals = [lit_value(a) for a in args]
            if any(v is None for v in vals) or len(vals) != CONSTANTS[name][0]:
                return None
            value = CONSTANTS[name][1](*vals)
            return make_lit(value, ty) if isinstance(value, int) else None
    return None


def self_rules(t: Term) -> Term | None:
    """`eq_self`, `iff_self`: Lean's `simpOnlyBuiltins`."""
    match t:
        case Rel(op="=", lhs=a, rhs=b) | Iff(lhs=a, rhs=b) if alpha_eq(a, b):
            return TRUE
    return None


# ---------------------------------------------------------------- default simp lemmas


def _arith_lemmas(t: Arith) -> Term | None:
    op, a, b, ty = t.op, t.lhs, t.rhs, t.ty
    z, one = _zero(ty), _one(ty)
    match op:
        case "+":
            if b == z:
                return a
            if a == z:
                return b
            if ty == INT and isinstance(a, Arith) and a.op == "-" and alpha_eq(a.rhs, b):
                return a.lhs  # sub_add_cancel (ℤ only: false on ℕ)
        case "*":
            if b == one:
                return a
            if a == one:
                return b
            if a == z or b == z:
                return z
        case "-":
            if b == z:
                return a
            if a == z:
                return z if ty == NAT else Neg(b, ty)
            if alpha_eq(a, b):
                return z
            if isinstance(a, Arith) and a.op == "+":
                if alpha_eq(a.rhs, b):
                    return a.lhs  # add_sub_cancel: (x + y) - y = x, on ℕ too
                if alpha_eq(a.lhs, b):
                    return a.rhs  # add_sub_cancel_left
        case "^":
            if b == Lit(0, NAT):
                return one
            if b == Lit(1, NAT):
                return a
            if a == one:
                return one
        case "/":
            if b == one:
                return a
            if b == z or a == z:
                return z
        case "%":
            if b == one or a == z or alpha_eq(a, b):
                return z
            if b == z:
                return a
    return None


def cast_lemmas(t: Cast) -> Term | None:
    """`Nat.cast_ofNat`, `cast_add`, `cast_mul`, `cast_pow` (any cast up the tower), and on a
    cast from ℤ or ℚ also `cast_sub`, `cast_neg` (ℕ subtraction truncates: not pushed)."""
    ty = t.ty
    src = type_of(t.arg)
    match t.arg:
        case Lit(value=v):
            return Lit(v, ty)
        case Arith(op=("+" | "*") as op, lhs=a, rhs=b):
            return Arith(op, Cast(a, ty), Cast(b, ty), ty)
        case Arith(op="-", lhs=a, rhs=b) if src != NAT:
            return Arith("-", Cast(a, ty), Cast(b, ty), ty)
        case Neg(arg=a):
            return Neg(Cast(a, ty), ty)
        case Arith(op="^", lhs=a, rhs=n):
            return Arith("^", Cast(a, ty), n, ty)
    return None


def _is_pos_offset(t: Term) -> bool:
    """`n + k` with a numeral `k > 0` (so `0 < n + k` on ℕ)."""
    return isinstance(t, Arith) and t.op == "+" and isinstance(t.rhs, Lit) and t.rhs.value > 0


def _rel_lemmas(t: Rel) -> Term | None:
    op, a, b = t.op, t.lhs, t.rhs
    ty = type_of(a)
    if ty not in NUMERIC:
        return None
    z, one = _zero(ty), _one(ty)
    if alpha_eq(a, b):
        return TRUE if op in ("=", "≤", "≥", "∣") else FALSE
    match op:
        case "≠":
            return Not(Rel("=", a, b))
        case ">":
            return Rel("<", b, a)
        case "≥":
            return Rel("≤", b, a)
        case "∣":
            if a == one or b == z:
                return TRUE
            if a == z:
                return Rel("=", b, z)
            return None
    if isinstance(a, Cast) and isinstance(b, Cast) and type_of(a.arg) == type_of(b.arg):
        return Rel(op, a.arg, b.arg)  # Nat.cast_inj / cast_le / cast_lt
    if isinstance(a, Cast) and isinstance(b, Lit):
        return Rel(op, a.arg, Lit(b.value, type_of(a.arg)))
    if isinstance(a, Lit) and isinstance(b, Cast):
        return Rel(op, Lit(a.value, type_of(b.arg)), b.arg)
    if ty == NAT:
        if op == "≤" and a == z:
            return TRUE
        if op == "≤" and b == z:
            return Rel("=", a, z)
        if op == "<" and b == z:
            return FALSE
        if op == "<" and a == z and _is_pos_offset(b):
            return TRUE
        if op == "=" and b == z and isinstance(a, Arith) and a.op == "+":
            return And(Rel("=", a.lhs, z), Rel("=", a.rhs, z))
    if op != "=":
        return None
    if b == z and isinstance(a, Arith) and a.op == "*":
        return Or(Rel("=", a.lhs, z), Rel("=", a.rhs, z))  # mul_eq_zero
    sa = (a.lhs, a.rhs) if isinstance(a, Arith) and a.op == "+" else None
    sb = (b.lhs, b.rhs) if isinstance(b, Arith) and b.op == "+" else None
    if sa and sb:
        if alpha_eq(sa[0], sb[0]):
            return Rel("=", sa[1], sb[1])
        if alpha_eq(sa[1], sb[1]):
            return Rel("=", sa[0], sb[0])
    if sa:
        if alpha_eq(sa[0], b):
            return Rel("=", sa[1], z)
        if alpha_eq(sa[1], b):
            return Rel("=", sa[0], z)
    if sb:
        if alpha_eq(sb[0], a):
            return Rel("=", sb[1], z)
        if alpha_eq(sb[1], a):
            return Rel("=", sb[0], z)
    return None


def _logic_lemmas(t: Term) -> Term | None:
    match t:
        case Not(arg=TrueP()):
            return FALSE
        case Not(arg=FalseP()):
            return TRUE
        case Not(arg=Not(arg=p)):
            return p
        case Not(arg=Rel(op="<", lhs=a, rhs=b)):
            return Rel("≤", b, a)
        case Not(arg=Rel(op="≤", lhs=a, rhs=b)):
            return Rel("<", b, a)
        case And(lhs=TrueP(), rhs=p) | And(lhs=p, rhs=TrueP()):
            return p
        case And(lhs=FalseP()) | And(rhs=FalseP()):
            return FALSE
        case And(lhs=p, rhs=q):
            if alpha_eq(p, q):
                return p
            if (isinstance(q, Not) and alpha_eq(q.arg, p)) or (isinstance(p, Not) and alpha_eq(p.arg, q)):
                return FALSE
        case Or(lhs=TrueP()) | Or(rhs=TrueP()):
            return TRUE
        case Or(lhs=FalseP(), rhs=p) | Or(lhs=p, rhs=FalseP()):
            return p
        case Or(lhs=p, rhs=q) if alpha_eq(p, q):
            return p
        case Imp(rhs=TrueP()) | Imp(lhs=FalseP()):
            return TRUE
        case Imp(lhs=TrueP(), rhs=q):
            return q
        case Imp(lhs=p, rhs=FalseP()):
            return Not(p)
        case Imp(lhs=p, rhs=q) if alpha_eq(p, q):
            return TRUE
        case Iff(lhs=TrueP(), rhs=p) | Iff(lhs=p, rhs=TrueP()):
            return p
        case Iff(lhs=FalseP(), rhs=p) | Iff(lhs=p, rhs=FalseP()):
            return Not(p)
        case Forall(body=TrueP()):
            return TRUE
        case Exists(body=FalseP()):
            return FALSE
        case Forall(name=n, body=body) | Exists(name=n, body=body) if n not in free_vars(body):
            return body  # forall_const / exists_const: ℕ, ℤ, Prop and functions are inhabited
    return None


def simp_lemmas(t: Term) -> Term | None:
    """The default simp set (see the module docstring)."""
    match t:
        case Arith():
            return _arith_lemmas(t)
        case Neg(arg=Neg(arg=a)):
            return a
        case Cast():
            return cast_lemmas(t)
        case Rel():
            return _rel_lemmas(t)
    return _logic_lemmas(t)


# ---------------------------------------------------------------- norm_num evaluation


def norm_num_eval(t: Term) -> Term | None:
    """Evaluate a closed numeric subterm to a numeral (on ℚ/ℝ a numeral or `±a / b` in lowest
    terms, Mathlib's normal form), a closed decidable atom to True/False."""
    if isinstance(t, (Lit, TrueP, FalseP)) or lit_value(t) is not None:
        return None
    atom = isinstance(t, Rel) or (isinstance(t, App) and t.ty == PROP)
    numeric = isinstance(t, (Arith, App, Cast, Neg, BigOp)) and type_of(t) in NUMBERS
    if not (atom or numeric):
        return None
    if free_vars(t) or not _norm_num_reads_finsets(t):
        return None
    try:
        v = evaluate(t)
    except NotEvaluable:
        return None
    if isinstance(v, bool):
        return TRUE if v else FALSE
    if isinstance(v, Fraction) and v.denominator != 1:
        if not (_small(v.numerator) and _small(v.denominator)):
            return None
        out = Arith("/", make_lit(v.numerator, type_of(t)), Lit(v.denominator, type_of(t)), type_of(t))
        return None if out == t else out
    v = int(v)
    return make_lit(v, type_of(t)) if _small(v) else None


def _norm_num_reads_finsets(t: Term) -> bool:
    """Mathlib's norm_num evaluates `∑`/`∏` over `Finset.range n` (its big-operators
    extension), not cards, filters, intervals or divisors (`decide` does those)."""
    for s in subterms(t):
        if isinstance(s, BigOp) and not (isinstance(s.finset, App) and isinstance(s.finset.fn, Const)
                                         and s.finset.fn.name == "Finset.range"):
            return False
        if isinstance(s, App) and isinstance(s.fn, Const) and s.fn.name == "Finset.card":
            return False
    return True


# ---------------------------------------------------------------- user rules


@dataclass(frozen=True, slots=True)
class Rule:
    """`lhs ↦ rhs` when the premises (instantiated) simplify to `True`; `holes` are the
    pattern variables (metavariables, never a name a goal can contain) with their types."""

    lhs: Term
    rhs: Term
    holes: Mapping[str, Ty] = field(default_factory=dict)
    premises: tuple[Term, ...] = ()


def rules_from_prop(p: Term) -> list[Rule]:
    """The rewrite rules Lean's simp derives from a hypothesis or lemma statement `p`; its
    leading `∀`s become holes (fresh metavariables: an inner binder of the same name stays a
    bound variable)."""
    holes: dict[str, Ty] = {}
    premises: list[Term] = []
    while True:
        match p:
            case Forall(name=n, ty=ty):
                hole = fresh_mvar(n)
                holes[hole] = ty
                p = instantiate(p, Var(hole, ty))
            case Imp(lhs=prem, rhs=rest) if not isinstance(rest, FalseP):
                premises.append(prem)
                p = rest
            case Imp(lhs=prem, rhs=FalseP()):
                p = Not(prem)
                break
            case _:
                break
    if isinstance(p, And) and not holes and not premises:
        return rules_from_prop(p.lhs) + rules_from_prop(p.rhs)
    match p:
        case Rel(op="=", lhs=l, rhs=r) | Iff(lhs=l, rhs=r):
            lhs, rhs = l, r
        case Rel(op="≠", lhs=l, rhs=r):
            lhs, rhs = Rel("=", l, r), FALSE
        case Not(arg=q):
            lhs, rhs = q, FALSE
        case TrueP() | FalseP():
            return []
        case _:
            lhs, rhs = p, TRUE
    if isinstance(lhs, Var) and lhs.name in holes:
        return []  # a bare pattern variable would match everything
    if alpha_eq(lhs, rhs) or not set(holes) <= free_vars(lhs):
        return []
    return [Rule(lhs, rhs, holes, tuple(premises))]


# ---------------------------------------------------------------- the rewriter


class Rewriter:
    """Bottom-up rewriting to a fixed point with user rules then built-in procedures.

    A binder is entered as Lean's simp enters it: its variable becomes a fresh local for the
    body (so a rule may rewrite `x + 0` under `∀ x`), and is abstracted back afterwards."""

    def __init__(self, rules: Sequence[Rule], procs: Sequence[Proc], deadline: Deadline = UNBOUNDED) -> None:
        self.rules = list(rules)
        self.procs = list(procs)
        self.deadline = deadline
        self.steps = 0
        self.depth = 0
        # keyed by id (structural hashing of deep terms is quadratic); the stored input keeps
        # the object alive, so an id is never reused while the rewriter lives
        self.memo: dict[int, tuple[Term, Term]] = {}

    def simp(self, t: Term) -> Term:
        done = self.memo.get(id(t))
        if done is not None:
            return done[1]
        self.deadline.check()
        out = self._children(t)
        while (new := self._step(out)) is not None:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise TacticFailure("simp failed, maximum number of steps exceeded")
            self.deadline.check()
            out = self._children(new)
        self.memo[id(t)] = (t, out)
        self.memo[id(out)] = (out, out)
        return out

    def _children(self, t: Term) -> Term:
        match t:
            case Forall(name=n, ty=ty) | Exists(name=n, ty=ty):
                local = Var(fresh_id(n), ty)
                body = self.simp(instantiate(t, local))
                return type(t)(n, ty, subst(body, local.name, Var(n, ty)))
            case BigOp(op=op, name=n, elem=elem, finset=fs, ty=ty):  # Finset.sum_congr: inside the body
                local = Var(fresh_id(n), elem)
                body = self.simp(instantiate(t, local))
                return BigOp(op, n, elem, self.simp(fs), subst(body, local.name, Var(n, elem)), ty)
            case Var() | Const() | Lit() | TrueP() | FalseP():
                return t
            case App(fn=fn, args=args, ty=ty):
                return App(fn, tuple(self.simp(a) for a in args), ty)
            case Arith(op=op, lhs=a, rhs=b, ty=ty):
                return Arith(op, self.simp(a), self.simp(b), ty)
            case Rel(op=op, lhs=a, rhs=b):
                return Rel(op, self.simp(a), self.simp(b))
            case Neg(arg=a, ty=ty):
                return Neg(self.simp(a), ty)
            case Cast(arg=a, ty=ty):
                return Cast(self.simp(a), ty)
            case Not(arg=a):
                return Not(self.simp(a))
            case And() | Or() | Imp() | Iff():
                return type(t)(self.simp(t.lhs), self.simp(t.rhs))
        return t

    def _step(self, t: Term) -> Term | None:
        for rule in self.rules:
            sub: dict[str, Term] = {}
            if not match(rule.lhs, t, rule.holes, sub, simp=True):
                continue
            if len(sub) < len(rule.holes):
                continue  # a hole only in the premises or the right-hand side: not instantiable
            if rule.premises and not self._discharge(rule, sub):
                continue
            new = subst_many(rule.rhs, sub)
            if new != t:
                return new
        for proc in self.procs:
            out = proc(t)
            if out is not None and out != t:
                return out
        return None

    def _discharge(self, rule: Rule, sub: dict[str, Term]) -> bool:
        if self.depth >= MAX_DISCHARGE_DEPTH:
            return False
        self.depth += 1
        try:
            return all(self.simp(subst_many(p, sub)) == TRUE for p in rule.premises)
        finally:
            self.depth -= 1


# ---------------------------------------------------------------- tactics


def _procs(only: bool, numerals: bool) -> list[Proc]:
    procs: list[Proc] = [simprocs, self_rules]
    if not only:
        procs += [simp_lemmas, bigop.range_small]
    if numerals:
        procs.append(norm_num_eval)
    return procs


def _run(
    goal: Goal, deadline: Deadline, rules: Sequence[Term], *, only: bool, at: str | None,
    use_hyps: bool, numerals: bool, fail: str, lemmas: Sequence[str] = (),
) -> Goal | None:
    """One location: the target (`at=None`) or the hypothesis with id `at`. `lemmas` are the
    big-operator rules given by name (`bigop.RULE_NAMES`)."""
    user = [r for p in rules for r in rules_from_prop(p)]
    procs = _procs(only, numerals)
    for name in lemmas:
        procs.append(bigop.succ_proc(name) if name in bigop.SUCC_RULES else bigop.range_small)

    def rewriter(exclude: str | None) -> Rewriter:
        rs = list(user)
        if use_hyps:
            for h in goal.hyps():
                if h.fid != exclude:
                    rs += rules_from_prop(h.prop)
        return Rewriter(rs, procs, deadline)

    if at is not None:
        h = goal.get(at)
        if h is None or h.is_var:
            raise TacticFailure(fail)
        new = rewriter(at).simp(h.prop)
        if new == h.prop:
            raise TacticFailure(fail)
        if new == FALSE:
            return None
        if new == TRUE:  # a hypothesis simplified to True is cleared
            return clear(goal, at)
        return replace_type(goal, at, new)
    new = rewriter(None).simp(goal.target)
    if new == TRUE:
        return None
    if new == goal.target:
        raise TacticFailure(fail)
    return with_target(goal, new)


def simp(
    goal: Goal, deadline: Deadline = UNBOUNDED, rules: Sequence[Term] = (), only: bool = False,
    at: str | None = None, use_hyps: bool = False, lemmas: Sequence[str] = (),
) -> Goal | None:
    """Lean's `simp [rules] (at h)` at one place (`at`: a hypothesis id); `use_hyps` is `simp [*]`.

    The target becoming `True` closes the goal, a hypothesis becoming `False` closes it, a
    hypothesis becoming `True` is cleared, a target becoming `False` is left as the goal.
    """
    return _run(goal, deadline, rules, only=only, at=at, use_hyps=use_hyps, numerals=False,
                fail="simp made no progress", lemmas=lemmas)


def norm_num(
    goal: Goal, deadline: Deadline = UNBOUNDED, rules: Sequence[Term] = (), at: str | None = None,
    only: bool = False, lemmas: Sequence[str] = (),
) -> Goal | None:
    """Mathlib's `norm_num [rules] (at h)` at one place: simp plus evaluation of closed
    numerals and atoms."""
    return _run(goal, deadline, rules, only=only, at=at, use_hyps=False, numerals=True,
                fail="norm_num failed to simplify", lemmas=lemmas)
