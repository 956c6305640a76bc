"""The small Mathlib lemma table of `mini`: names a proof term (or a hint list such as
`nlinarith [sq_nonneg (a - b), mul_pos ha hb]`) may cite.

Each entry takes the checker and the syntactic arguments and returns the proposition the
applied lemma proves, inferring implicit arguments from the types of proof arguments as
Lean's unifier would on these shapes. Every statement here is a true Mathlib lemma on ℕ, ℤ, ℚ
and ℝ (ordered commutative semirings; `sub_ne_zero_of_ne` needs an additive group, so not ℕ),
so citing one never makes `mini` unsound.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lean_env.mini.elaborate_library import NUM_RANK
from lean_env.mini.errors import TacticFailure
from lean_env.mini.printer import pp_term
from lean_env.mini.syntax import Syn
from lean_env.mini.terms import (
    NAT,
    PROP,
    And,
    App,
    Arith,
    Arrow,
    Const,
    Forall,
    Lit,
    Neg,
    Or,
    Rel,
    Term,
    Var,
    alpha_eq,
    type_of,
)

if TYPE_CHECKING:  # proofterm imports this module (lazily, for `LEMMAS`)
    from lean_env.mini.proofterm import Checker

Lemma = Callable[["Checker", list[Syn]], Term]


def _zero(t: Term) -> Term:
    return Lit(0, type_of(t))


def _term(ck, syn: Syn) -> Term:
    """A numeric argument (these lemmas are about ordered semirings: a proposition or a
    finset is an instance failure in Lean, refused here)."""
    from lean_env.mini.proofterm import term_of

    t = term_of(syn, ck.goal, None)
    if type_of(t) not in NUM_RANK:
        raise TacticFailure(f"failed to synthesize an ordered semiring instance for {type_of(t)}")
    return t


def _terms(ck, args: list[Syn]) -> list[Term]:
    """Explicit arguments of one type `α`, as Lean's elaborator types them: the first fixes
    `α`, the others are elaborated against it (a ℕ argument after a ℤ one is cast up; a ℤ
    argument after a ℕ one is a type mismatch)."""
    from lean_env.mini.proofterm import term_of

    first = _term(ck, args[0])
    return [first, *(term_of(a, ck.goal, type_of(first)) for a in args[1:])]


def _rel(ck, syn: Syn, *ops: str) -> Rel:
    """The proposition of a proof argument, which must be a relation among `ops`
    (with `>`/`≥` read as flipped `<`/`≤`)."""
    prop = ck.infer(syn)
    if isinstance(prop, Rel):
        if prop.op == ">":
            prop = Rel("<", prop.rhs, prop.lhs)
        elif prop.op == "≥":
            prop = Rel("≤", prop.rhs, prop.lhs)
        if prop.op in ops:
            return prop
    raise TacticFailure(
        f"application type mismatch: expected a proof of a {'/'.join(ops)} fact, got\n  {pp_term(prop)}"
    )


def _pos_arg(ck, syn: Syn, strict: bool) -> Term:
    """From a proof of `0 < a` (or `0 ≤ a`), the term `a`."""
    r = _rel(ck, syn, "<" if strict else "≤")
    if not (isinstance(r.lhs, Lit) and r.lhs.value == 0):
        raise TacticFailure(f"application type mismatch: expected 0 {'<' if strict else '≤'} _, got\n  {pp_term(r)}")
    return r.rhs


def _arity(name: str, args: list[Syn], n: int) -> None:
    if len(args) != n:
        raise TacticFailure(f"mini: lemma {name} expects {n} explicit argument(s), got {len(args)}")


def sq_nonneg(ck, args):
    _arity("sq_nonneg", args, 1)
    a = _term(ck, args[0])
    return Rel("≤", _zero(a), Arith("^", a, Lit(2, NAT), type_of(a)))


def mul_self_nonneg(ck, args):
    _arity("mul_self_nonneg", args, 1)
    a = _term(ck, args[0])
    return Rel("≤", _zero(a), Arith("*", a, a, type_of(a)))


def abs_nonneg(ck, args):

    _arity("abs_nonneg", args, 1)
    a = _term(ck, args[0])
    ty = type_of(a)
    if ty == NAT:  # Lean: `|·|` needs a lattice-ordered group, which ℕ is not
        raise TacticFailure("failed to synthesize Lattice ℕ / AddGroup ℕ for |·|")
    return Rel("≤", _zero(a), App(Const("abs", Arrow(ty, ty)), (a,), ty))


def _binary_pos(name: str, op: str, strict_a: bool, strict_b: bool, strict_out: bool) -> Lemma:
    def lemma(ck, args):
        _arity(name, args, 2)
        a = _pos_arg(ck, args[0], strict_a)
        b = _pos_arg(ck, args[1], strict_b)
        if type_of(a) != type_of(b):
            raise TacticFailure(
                f"application type mismatch in {name}: the facts are about {type_of(a)} and {type_of(b)}"
            )
        return Rel("<" if strict_out else "≤", _zero(a), Arith(op, a, b, type_of(a)))

    return lemma


def pow_pos(ck, args):
    _arity("pow_pos", args, 2)
    a = _pos_arg(ck, args[0], True)
    from lean_env.mini.proofterm import term_of

    n = term_of(args[1], ck.goal, NAT)
    return Rel("<", _zero(a), Arith("^", a, n, type_of(a)))


def pow_nonneg(ck, args):
    _arity("pow_nonneg", args, 2)
    a = _pos_arg(ck, args[0], False)
    from lean_env.mini.proofterm import term_of

    n = term_of(args[1], ck.goal, NAT)
    return Rel("≤", _zero(a), Arith("^", a, n, type_of(a)))


def le_refl(ck, args):
    _arity("le_refl", args, 1)
    a = _term(ck, args[0])
    return Rel("≤", a, a)


def le_of_lt(ck, args):
    _arity("le_of_lt", args, 1)
    r = _rel(ck, args[0], "<")
    return Rel("≤", r.lhs, r.rhs)


def _trans(name: str, op1: str, op2: str, out: str) -> Lemma:
    def lemma(ck, args):

        _arity(name, args, 2)
        r1, r2 = _rel(ck, args[0], op1), _rel(ck, args[1], op2)
        if not alpha_eq(r1.rhs, r2.lhs):
            raise TacticFailure(f"application type mismatch in {name}: {pp_term(r1)} and {pp_term(r2)} do not chain")
        return Rel(out, r1.lhs, r2.rhs)

    return lemma


def ne_of_gt(ck, args):
    _arity("ne_of_gt", args, 1)
    r = _rel(ck, args[0], "<")  # a > b, i.e. b < a  ⊢  a ≠ b
    return Rel("≠", r.rhs, r.lhs)


def ne_of_lt(ck, args):
    _arity("ne_of_lt", args, 1)
    r = _rel(ck, args[0], "<")
    return Rel("≠", r.lhs, r.rhs)


def le_antisymm(ck, args):

    _arity("le_antisymm", args, 2)
    r1, r2 = _rel(ck, args[0], "≤"), _rel(ck, args[1], "≤")
    if not (alpha_eq(r1.lhs, r2.rhs) and alpha_eq(r1.rhs, r2.lhs)):
        raise TacticFailure("application type mismatch in le_antisymm")
    return Rel("=", r1.lhs, r1.rhs)


def nat_zero_le(ck, args):
    from lean_env.mini.proofterm import term_of

    _arity("Nat.zero_le", args, 1)
    a = term_of(args[0], ck.goal, NAT)
    return Rel("≤", Lit(0, NAT), a)


def _comm(name: str, op: str) -> Lemma:
    def lemma(ck, args):
        _arity(name, args, 2)
        a, b = _terms(ck, args)
        ty = type_of(a)
        return Rel("=", Arith(op, a, b, ty), Arith(op, b, a, ty))

    return lemma


def _assoc(name: str, op: str) -> Lemma:
    def lemma(ck, args):
        _arity(name, args, 3)
        a, b, c = _terms(ck, args)
        ty = type_of(a)
        return Rel("=", Arith(op, Arith(op, a, b, ty), c, ty), Arith(op, a, Arith(op, b, c, ty), ty))

    return lemma


def two_mul(ck, args):
    _arity("two_mul", args, 1)
    a = _term(ck, args[0])
    ty = type_of(a)
    return Rel("=", Arith("*", Lit(2, ty), a, ty), Arith("+", a, a, ty))


def sub_ne_zero_of_ne(ck, args):
    """`sub_ne_zero_of_ne {a b : α} [AddGroup α] (h : a ≠ b) : a - b ≠ 0`: not on ℕ, where
    `1 - 2 = 0` (no AddGroup ℕ instance)."""
    _arity("sub_ne_zero_of_ne", args, 1)
    r = _rel(ck, args[0], "≠")
    ty = type_of(r.lhs)
    if ty == NAT:
        raise TacticFailure("failed to synthesize AddGroup ℕ")
    return Rel("≠", Arith("-", r.lhs, r.rhs, ty), _zero(r.lhs))


def le_or_lt(ck, args):
    """`le_or_lt (a b : α) : a ≤ b ∨ b < a` on a linear order (the split ℕ's truncated `-`
    asks for: `b ≤ a` or `a < b`)."""
    _arity("le_or_lt", args, 2)
    a, b = _terms(ck, args)
    return Or(Rel("≤", a, b), Rel("<", b, a))


def abs_cases(ck, args):
    """`abs_cases (a : α) : (|a| = a ∧ 0 ≤ a) ∨ (|a| = -a ∧ a < 0)` on a linear ordered ring
    (ℤ, ℚ, ℝ; `|·|` is not defined on ℕ)."""
    _arity("abs_cases", args, 1)
    a = _term(ck, args[0])
    ty = type_of(a)
    if ty == NAT:
        raise TacticFailure("failed to synthesize Lattice ℕ / AddGroup ℕ for |·|")
    abs_a = App(Const("abs", Arrow(ty, ty)), (a,), ty)
    return Or(And(Rel("=", abs_a, a), Rel("≤", _zero(a), a)), And(Rel("=", abs_a, Neg(a, ty)), Rel("<", a, _zero(a))))


# ---------------------------------------------------------------- library facts (issue 14)
# Stated as Mathlib states them; trailing explicit ℕ arguments left out become `∀` binders (so
# `rw [Nat.factorial_succ]` finds its instance), the base of a power must be given (its type
# fixes the monoid).


def _nat(ck, syn: Syn) -> Term:
    from lean_env.mini.proofterm import term_of

    return term_of(syn, ck.goal, NAT)


def _fn(name: str, arity: int) -> Callable[..., Term]:
    ty = NAT if name != "Nat.Prime" else PROP
    sig = Arrow(NAT, ty) if arity == 1 else Arrow(NAT, Arrow(NAT, ty))
    return lambda *xs: App(Const(name, sig), tuple(xs), ty)


def _quantified(build: Callable[..., Term], given: list[Term], arity: int) -> Term:
    """`build` applied to the given arguments, the missing trailing ℕ ones `∀`-bound."""
    names = [f"n{i}" for i in range(len(given), arity)]
    body = build(*given, *(Var(n, NAT) for n in names))
    for n in reversed(names):
        body = Forall(n, NAT, body)
    return body


def _nat_statement(name: str, arity: int, build: Callable[..., Term]) -> Lemma:
    """A lemma over `arity` explicit naturals; missing trailing ones are quantified."""

    def lemma(ck, args):
        if len(args) > arity:
            raise TacticFailure(f"mini: lemma {name} expects at most {arity} explicit argument(s), got {len(args)}")
        return _quantified(build, [_nat(ck, a) for a in args], arity)

    return lemma


def _pow_statement(name: str, build: Callable[..., Term], arity: int) -> Lemma:
    """`pow_succ a n`, `pow_add a m n`, `pow_mul a m n`: the base fixes the type."""

    def lemma(ck, args):
        if not args or len(args) > arity:
            raise TacticFailure(f"mini: give {name} its base (and at most {arity - 1} exponents) explicitly")
        return _quantified(build, [_term(ck, args[0]), *(_nat(ck, x) for x in args[1:])], arity)

    return lemma


def _pw(a: Term, e: Term) -> Term:
    return Arith("^", a, e, type_of(a))


def _plus(a: Term, b: Term) -> Term:
    return Arith("+", a, b, NAT)


_ONE = Lit(1, NAT)
_factorial, _choose, _gcd, _lcm, _prime = (_fn("Nat.factorial", 1), _fn("Nat.choose", 2), _fn("Nat.gcd", 2),
                                           _fn("Nat.lcm", 2), _fn("Nat.Prime", 1))


def dvd_pow(ck, args):
    """`dvd_pow {x y : α} (hxy : x ∣ y) {n : ℕ} (hn : n ≠ 0) : x ∣ y ^ n`."""
    _arity("dvd_pow", args, 2)
    h = _rel(ck, args[0], "∣")
    hn = _rel(ck, args[1], "≠")
    if not (isinstance(hn.rhs, Lit) and hn.rhs.value == 0 and type_of(hn.lhs) == NAT):
        raise TacticFailure(f"application type mismatch in dvd_pow: expected n ≠ 0, got\n  {pp_term(hn)}")
    return Rel("∣", h.lhs, _pw(h.rhs, hn.lhs))


def prime_dvd_of_dvd_pow(ck, args):
    """`Nat.Prime.dvd_of_dvd_pow {p m n : ℕ} (pp : p.Prime) (h : p ∣ m ^ n) : p ∣ m`."""
    _arity("Nat.Prime.dvd_of_dvd_pow", args, 2)
    pp = ck.infer(args[0])
    h = _rel(ck, args[1], "∣")
    if not (isinstance(pp, App) and isinstance(pp.fn, Const) and pp.fn.name == "Nat.Prime"):
        raise TacticFailure(f"application type mismatch: expected a proof of Nat.Prime _, got\n  {pp_term(pp)}")
    p = pp.args[0]
    if not (alpha_eq(h.lhs, p) and isinstance(h.rhs, Arith) and h.rhs.op == "^" and type_of(h.rhs) == NAT):
        raise TacticFailure(f"application type mismatch in Nat.Prime.dvd_of_dvd_pow: expected {pp_term(p)} ∣ _ ^ _")
    return Rel("∣", p, h.rhs.lhs)


LEMMAS: dict[str, Lemma] = {
    "sq_nonneg": sq_nonneg,
    "pow_two_nonneg": sq_nonneg,
    "mul_self_nonneg": mul_self_nonneg,
    "abs_nonneg": abs_nonneg,
    "mul_pos": _binary_pos("mul_pos", "*", True, True, True),
    "mul_nonneg": _binary_pos("mul_nonneg", "*", False, False, False),
    "add_pos": _binary_pos("add_pos", "+", True, True, True),
    "add_nonneg": _binary_pos("add_nonneg", "+", False, False, False),
    "add_pos_of_pos_of_nonneg": _binary_pos("add_pos_of_pos_of_nonneg", "+", True, False, True),
    "pow_pos": pow_pos,
    "pow_nonneg": pow_nonneg,
    "le_refl": le_refl,
    "le_rfl": le_refl,
    "le_of_lt": le_of_lt,
    "le_trans": _trans("le_trans", "≤", "≤", "≤"),
    "lt_trans": _trans("lt_trans", "<", "<", "<"),
    "lt_of_le_of_lt": _trans("lt_of_le_of_lt", "≤", "<", "<"),
    "lt_of_lt_of_le": _trans("lt_of_lt_of_le", "<", "≤", "<"),
    "ne_of_gt": ne_of_gt,
    "ne_of_lt": ne_of_lt,
    "le_antisymm": le_antisymm,
    "Nat.zero_le": nat_zero_le,
    "mul_comm": _comm("mul_comm", "*"),
    "add_comm": _comm("add_comm", "+"),
    "mul_assoc": _assoc("mul_assoc", "*"),
    "add_assoc": _assoc("add_assoc", "+"),
    "two_mul": two_mul,
    "sub_ne_zero_of_ne": sub_ne_zero_of_ne,
    "abs_cases": abs_cases,
    "le_or_lt": le_or_lt,
    "pow_succ": _pow_statement("pow_succ", lambda a, n: Rel("=", _pw(a, _plus(n, _ONE)), Arith(
        "*", _pw(a, n), a, type_of(a))), 2),
    "pow_add": _pow_statement("pow_add", lambda a, m, n: Rel("=", _pw(a, _plus(m, n)), Arith(
        "*", _pw(a, m), _pw(a, n), type_of(a))), 3),
    "pow_mul": _pow_statement("pow_mul", lambda a, m, n: Rel("=", _pw(a, Arith("*", m, n, NAT)), _pw(_pw(a, m), n)), 3),
    "Nat.factorial_succ": _nat_statement("Nat.factorial_succ", 1, lambda n: Rel(
        "=", _factorial(_plus(n, _ONE)), Arith("*", _plus(n, _ONE), _factorial(n), NAT))),
    "Nat.choose_succ_succ": _nat_statement("Nat.choose_succ_succ", 2, lambda n, k: Rel(
        "=", _choose(_plus(n, _ONE), _plus(k, _ONE)), _plus(_choose(n, k), _choose(n, _plus(k, _ONE))))),
    "Nat.pow_mod": _nat_statement("Nat.pow_mod", 3, lambda a, b, n: Rel(
        "=", Arith("%", _pw(a, b), n, NAT), Arith("%", _pw(Arith("%", a, n, NAT), b), n, NAT))),
    "Nat.gcd_mul_lcm": _nat_statement("Nat.gcd_mul_lcm", 2, lambda m, n: Rel(
        "=", Arith("*", _gcd(m, n), _lcm(m, n), NAT), Arith("*", m, n, NAT))),
    "dvd_pow": dvd_pow,
    "Nat.Prime.dvd_of_dvd_pow": prime_dvd_of_dvd_pow,
}
