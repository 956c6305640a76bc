"""`omega`: linear arithmetic over ℕ and ℤ, decided exactly by z3 (QF_LIA).

Like Lean's `omega`, terms are read as linear combinations of atoms: `*` only by a constant,
`/` and `%` only by a constant (modelled exactly, including division by zero), ℕ `-` as
truncated subtraction, `Nat.succ n` as `n + 1`, `min`/`max`/`Int.natAbs`/`Int.toNat` by cases;
every other numeric subterm (`x * y`, `x / y`, `f x`, ...) is an atom, compared only
syntactically. Propositions it cannot read contribute nothing, as `omega` ignores such facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from lean_env.mini.arith_common import (
    AtomTable,
    apply_op,
    head_name,
    is_numeric,
    z3_unsat,
)
from lean_env.mini.errors import Deadline, TacticFailure
from lean_env.mini.terms import (
    NAT,
    And,
    App,
    Arith,
    Cast,
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
    Var,
    fresh_id,
    instantiate,
)

FAILURE = "omega could not prove the goal"


@dataclass(frozen=True)
class _Lin:
    """`const + Σ coeffs[v] * v` over the solver's integer variables (by index)."""

    const: int = 0
    coeffs: tuple[tuple[int, int], ...] = ()

    @property
    def is_const(self) -> bool:
        return not self.coeffs

    def scale(self, k: int) -> _Lin:
        if k == 0:
            return _Lin()
        return _Lin(self.const * k, tuple((v, c * k) for v, c in self.coeffs))

    def add(self, other: _Lin) -> _Lin:
        acc = dict(self.coeffs)
        for v, c in other.coeffs:
            acc[v] = acc.get(v, 0) + c
        return _Lin(self.const + other.const, tuple(sorted((v, c) for v, c in acc.items() if c)))


def _var(v: int) -> _Lin:
    return _Lin(0, ((v, 1),))


_MINMAX = {  # name -> whether it is a minimum
    "min": True, "Nat.min": True, "Int.min": True, "max": False, "Nat.max": False, "Int.max": False,
}


@dataclass
class _Encoder:
    """Translates facts to z3, collecting atoms, auxiliary variables and their definitions."""

    atoms: AtomTable = field(default_factory=AtomTable)
    atom_var: dict[int, int] = field(default_factory=dict)
    vars: list[z3.ArithRef] = field(default_factory=list)
    defs: list[z3.BoolRef] = field(default_factory=list)
    n_opaque: int = 0

    def fresh(self) -> int:
        self.vars.append(z3.Int(f"v{len(self.vars)}"))
        return len(self.vars) - 1

    def expr(self, lin: _Lin) -> z3.ArithRef:
        return z3.Sum([z3.IntVal(lin.const)] + [c * self.vars[v] for v, c in lin.coeffs])

    def atom(self, t: Term) -> _Lin:
        i = self.atoms.index(t)
        if i not in self.atom_var:
            self.atom_var[i] = self.fresh()
        return _var(self.atom_var[i])

    def defined(self, build) -> _Lin:
        """A fresh variable `v` constrained by `build(v)` (a definition: it holds everywhere)."""
        v = self.fresh()
        self.defs.append(build(self.vars[v]))
        return _var(v)

    def divmod(self, x: _Lin, k: int) -> tuple[_Lin, _Lin]:
        """Quotient and remainder of `x` by a nonzero constant, as `Int.ediv`/`Int.emod`."""
        q, r = self.fresh(), self.fresh()
        qv, rv = self.vars[q], self.vars[r]
        self.defs += [self.expr(x) == k * qv + rv, rv >= 0, rv < abs(k)]
        return _var(q), _var(r)

    # ------------------------------------------------------------ numeric terms

    def lin(self, t: Term) -> _Lin:
        match t:
            case Lit(value=v):
                return _Lin(v)
            case Neg(arg=a):
                return self.lin(a).scale(-1)
            case Cast(arg=a):
                return self.lin(a)
            case Arith(op=op, lhs=a, rhs=b, ty=ty):
                return self.arith(t, op, a, b, ty)
        if not isinstance(t, App):
            return self.atom(t)
        name = head_name(t)
        if name == "Nat.succ" and len(t.args) == 1:
            return self.lin(t.args[0]).add(_Lin(1))
        if name in ("Int.natAbs", "Int.toNat") and len(t.args) == 1:
            x = self.expr(self.lin(t.args[0]))
            low = -x if name == "Int.natAbs" else 0
            return self.defined(lambda v: v == z3.If(x >= 0, x, low))
        if name in _MINMAX and len(t.args) == 2:
            x, y = (self.expr(self.lin(a)) for a in t.args)
            pick = x <= y if _MINMAX[name] else x >= y
            return self.defined(lambda v: v == z3.If(pick, x, y))
        return self.atom(t)

    def arith(self, t: Term, op: str, a: Term, b: Term, ty) -> _Lin:
        la, lb = self.lin(a), self.lin(b)
        if la.is_const and lb.is_const:
            value = apply_op(op, la.const, lb.const, ty)
            if value is not None:
                return _Lin(value)
        match op:
            case "+":
                return la.add(lb)
            case "-" if ty == NAT:
                x, y = self.expr(la), self.expr(lb)
                return self.defined(lambda v: v == z3.If(x >= y, x - y, 0))
            case "-":
                return la.add(lb.scale(-1))
            case "*" if la.is_const:
                return lb.scale(la.const)
            case "*" if lb.is_const:
                return la.scale(lb.const)
            case "/" | "%" if lb.is_const:
                k = lb.const
                if k == 0:
                    return _Lin() if op == "/" else la
                q, r = self.divmod(la, k)
                return q if op == "/" else r
        return self.atom(t)

    # ------------------------------------------------------------ propositions

    def opaque(self) -> z3.BoolRef:
        """A proposition omega cannot read: a fresh, unconstrained truth value."""
        self.n_opaque += 1
        return z3.Bool(f"p{self.n_opaque}")

    def prop(self, p: Term) -> z3.BoolRef:
        match p:
            case TrueP():
                return z3.BoolVal(True)
            case FalseP():
                return z3.BoolVal(False)
            case Not(arg=a):
                return z3.Not(self.prop(a))
            case And(lhs=a, rhs=b):
                return z3.And(self.prop(a), self.prop(b))
            case Or(lhs=a, rhs=b):
                return z3.Or(self.prop(a), self.prop(b))
            case Imp(lhs=a, rhs=b):
                return z3.Implies(self.prop(a), self.prop(b))
            case Iff(lhs=a, rhs=b):
                return self.prop(a) == self.prop(b)
            case Rel(op=op, lhs=a, rhs=b) if is_numeric(a) and is_numeric(b):
                return self.rel(op, a, b)
        return self.opaque()

    def rel(self, op: str, a: Term, b: Term) -> z3.BoolRef:
        if op == "∣":
            k = self.lin(a)
            if not k.is_const:
                return self.opaque()
            if k.const == 0:
                return self.expr(self.lin(b)) == 0
            _, r = self.divmod(self.lin(b), k.const)
            return self.expr(r) == 0
        x, y = self.expr(self.lin(a)), self.expr(self.lin(b))
        match op:
            case "=":
                return x == y
            case "≠":
                return x != y
            case "<":
                return x < y
            case "≤":
                return x <= y
            case ">":
                return x > y
            case "≥":
                return x >= y
        return self.opaque()

    def side_conditions(self) -> list[z3.BoolRef]:
        nonneg = [self.vars[v] >= 0 for i, v in self.atom_var.items() if self.atoms.nat[i]]
        return self.defs + nonneg


def _facts(goal: Goal) -> list[Term]:
    """Hypotheses plus what Lean's `falseOrByContra` adds: intro `→`/`∀`/`¬`/`≠`, then the
    negation of what remains (the goal becomes `False`)."""
    facts = [loc.prop for loc in goal.hyps()]
    target = goal.target
    while True:
        match target:
            case FalseP():
                return facts
            case Not(arg=a):
                return facts + [a]
            case Rel(op="≠", lhs=a, rhs=b):
                return facts + [Rel("=", a, b)]
            case Imp(lhs=a, rhs=b):
                facts.append(a)
                target = b
            case Forall(name=n, ty=ty):
                target = instantiate(target, Var(fresh_id(n), ty))  # intro: a new local
            case _:
                return facts + [Not(target)]


def omega(goal: Goal, deadline: Deadline) -> None:
    """Close `goal` by linear integer arithmetic, or raise TacticFailure."""
    deadline.check()
    enc = _Encoder()
    constraints = [enc.prop(fact) for fact in _facts(goal)]
    if z3_unsat(constraints + enc.side_conditions(), deadline):
        return None
    raise TacticFailure(FAILURE)
