"""Printer of `mini`: Lean + Mathlib's exact text, and parse(print(t)) == t."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lean_env.mini.elaborate import Scope, elaborate_term, parse_statement
from lean_env.mini.parser import parse_term_text
from lean_env.mini.printer import pp_goal, pp_term, pp_type
from lean_env.mini.terms import (
    FALSE,
    INT,
    NAT,
    PROP,
    TRUE,
    And,
    App,
    Arith,
    Arrow,
    Cast,
    Const,
    Exists,
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
    Var,
    alpha_eq,
    arrow,
    named,
    type_of,
)

from .term_builders import local

n, m, x, y = Var("n", NAT), Var("m", NAT), Var("x", INT), Var("y", INT)
p, q, r = Var("p", PROP), Var("q", PROP), Var("r", PROP)
F = Var("f", Arrow(INT, INT))
G = Var("g", Arrow(NAT, NAT))
PRED = Var("P", Arrow(NAT, PROP))


def L(v: int, ty=NAT) -> Lit:
    return Lit(v, ty)


def add(a, b, ty=NAT):
    return Arith("+", a, b, ty)


def sub(a, b, ty=NAT):
    return Arith("-", a, b, ty)


def mul(a, b, ty=NAT):
    return Arith("*", a, b, ty)


def pw(a, b, ty=NAT):
    return Arith("^", a, b, ty)


def const(name: str, *tys):
    return Const(name, arrow(*tys))


def test_pp_type() -> None:
    assert pp_type(NAT) == "ℕ" and pp_type(INT) == "ℤ" and pp_type(PROP) == "Prop"
    assert pp_type(Arrow(INT, INT)) == "ℤ → ℤ"
    assert pp_type(arrow(NAT, NAT, INT)) == "ℕ → ℕ → ℤ"
    assert pp_type(Arrow(Arrow(NAT, NAT), NAT)) == "(ℕ → ℕ) → ℕ"


@pytest.mark.parametrize(
    "term, text",
    [
        (add(n, add(m, L(1))), "n + (m + 1)"),
        (add(add(n, m), L(1)), "n + m + 1"),
        (sub(n, sub(m, L(1))), "n - (m - 1)"),
        (mul(add(n, m), L(2)), "(n + m) * 2"),
        (add(n, mul(m, L(2))), "n + m * 2"),
        (pw(L(2), add(n, L(1))), "2 ^ (n + 1)"),
        (pw(pw(L(2), n), m), "(2 ^ n) ^ m"),
        (pw(L(2), pw(n, m)), "2 ^ n ^ m"),
        (pw(Neg(x), L(2), INT), "(-x) ^ 2"),
        (Neg(pw(x, L(2), INT)), "-x ^ 2"),
        (mul(Neg(x), y, INT), "-x * y"),
        (Neg(mul(x, y, INT)), "-(x * y)"),
        (Neg(Neg(x)), "- -x"),
        (Neg(L(1, INT)), "-1"),
        (pw(Neg(L(1, INT)), n, INT), "(-1) ^ n"),
        (sub(x, Neg(L(1, INT)), INT), "x - -1"),
        (mul(L(2, INT), Neg(x), INT), "2 * -x"),
        (App(F, (sub(x, L(1, INT), INT),), INT), "f (x - 1)"),
        (App(F, (App(F, (x,), INT),), INT), "f (f x)"),
        (App(F, (Cast(n),), INT), "f ↑n"),
        (App(F, (Neg(x),), INT), "f (-x)"),
        (Not(Rel("=", x, y)), "¬x = y"),
        (Not(Rel("<", x, L(0, INT))), "¬x < 0"),
        (Not(And(p, q)), "¬(p ∧ q)"),
        (And(Not(p), q), "¬p ∧ q"),
        (Not(Not(p)), "¬¬p"),
        (Cast(n), "↑n"),
        (Cast(add(n, L(1))), "↑(n + 1)"),
        (Cast(App(G, (n,), NAT)), "↑(g n)"),
        (add(Cast(n), L(1, INT), INT), "↑n + 1"),
        (Rel("≠", x, L(0, INT)), "x ≠ 0"),
        (Rel("∣", L(3), add(n, L(1))), "3 ∣ n + 1"),
        (Rel(">", x, L(0, INT)), "x > 0"),
        (App(const("Nat.factorial", NAT, NAT), (n,), NAT), "n !"),
        (App(const("Nat.factorial", NAT, NAT), (L(9),), NAT), "9!"),
        (App(const("Nat.factorial", NAT, NAT), (add(n, L(1)),), NAT), "(n + 1)!"),
        (mul(L(2), App(const("Nat.factorial", NAT, NAT), (n,), NAT)), "2 * n !"),
        (App(const("abs", INT, INT), (sub(x, L(1, INT), INT),), INT), "|x - 1|"),
        (App(const("Nat.ModEq", NAT, NAT, NAT, PROP), (L(7), n, m), PROP), "n ≡ m [MOD 7]"),
        (App(const("Int.ModEq", INT, INT, INT, PROP), (L(7, INT), x, Cast(n)), PROP), "x ≡ ↑n [ZMOD 7]"),
        (App(const("Nat.gcd", NAT, NAT, NAT), (n, add(m, L(1))), NAT), "Nat.gcd n (m + 1)"),
        (App(const("Nat.Prime", NAT, PROP), (n,), PROP), "Nat.Prime n"),
        (Or(And(p, q), r), "p ∧ q ∨ r"),
        (And(Or(p, q), r), "(p ∨ q) ∧ r"),
        (And(p, And(q, r)), "p ∧ q ∧ r"),
        (And(And(p, q), r), "(p ∧ q) ∧ r"),
        (Imp(Imp(p, q), r), "(p → q) → r"),
        (Imp(p, Imp(q, r)), "p → q → r"),
        (Iff(Iff(p, q), r), "(p ↔ q) ↔ r"),
        (Iff(And(p, q), Imp(q, p)), "p ∧ q ↔ q → p"),
        (TRUE, "True"),
        (Not(FALSE), "¬False"),
        (Forall("a", INT, Rel("=", Var("a", INT), x)), "∀ (a : ℤ), a = x"),
        (Forall("a", INT, Forall("b", INT, Rel("=", Var("a", INT), Var("b", INT)))), "∀ (a b : ℤ), a = b"),
        (Forall("a", INT, Forall("b", NAT, Rel("=", Var("a", INT), Cast(Var("b", NAT))))),
         "∀ (a : ℤ) (b : ℕ), a = ↑b"),
        (Forall("a", INT, Forall("b", INT, Forall("c", NAT, Rel("=", Var("a", INT), Cast(Var("c", NAT)))))),
         "∀ (a : ℤ), ℤ → ∀ (c : ℕ), a = ↑c"),
        (Forall("a", INT, Forall("b", INT, Forall(
            "c", NAT, Rel("=", Var("a", INT), Arith("+", Var("b", INT), Cast(Var("c", NAT)), INT))
         ))),
         "∀ (a b : ℤ) (c : ℕ), a = b + ↑c"),
        (Forall("k", NAT, Imp(Rel("≥", Var("k", NAT), L(5)), Rel("=", App(G, (Var("k", NAT),), NAT), L(0)))),
         "∀ k ≥ 5, g k = 0"),
        (Forall("k", NAT, Imp(Rel("≤", L(5), Var("k", NAT)), p)), "∀ (k : ℕ), 5 ≤ k → p"),
        (Exists("a", NAT, Rel("=", Var("a", NAT), n)), "∃ a, a = n"),
        (Exists("a", NAT, Exists("b", INT, Rel("=", Cast(Var("a", NAT)), Var("b", INT)))), "∃ a b, ↑a = b"),
        (Exists("a", NAT, And(Rel(">", Var("a", NAT), L(0)), Rel("<", Var("a", NAT), n))), "∃ a > 0, a < n"),
        (Exists("a", NAT, Exists("b", NAT, And(Rel(">", Var("b", NAT), L(0)), Rel("<", Var("a", NAT), Var("b", NAT))))),
         "∃ a, ∃ b > 0, a < b"),
        (Forall("a", NAT, p), "ℕ → p"),
        (And(Forall("a", NAT, Rel("=", Var("a", NAT), n)), p), "(∀ (a : ℕ), a = n) ∧ p"),
        (And(p, Forall("a", NAT, Rel("=", Var("a", NAT), n))), "p ∧ ∀ (a : ℕ), a = n"),
        (Not(Exists("a", NAT, Rel("=", Var("a", NAT), n))), "¬∃ a, a = n"),
        (And(Not(Exists("a", NAT, Rel("=", Var("a", NAT), n))), p), "¬(∃ a, a = n) ∧ p"),
        (Iff(Forall("a", INT, Rel("=", App(F, (Var("a", INT),), INT), L(0, INT))), p),
         "(∀ (a : ℤ), f a = 0) ↔ p"),
    ],
)
def test_pp_term(term: Term, text: str) -> None:
    assert pp_term(term) == text


def test_pp_goal() -> None:
    goal = Goal((local("p", PROP), local("q", PROP), local("hp", p), local("hq", q)), And(p, q))
    assert pp_goal(goal) == "p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q"
    h = Rel("<", L(0), n)
    goal = Goal((local("n", NAT), local("m", NAT), local("x", INT), local("h₀", h), local("h₁", h)), FALSE, "succ")
    assert pp_goal(goal) == "case succ\nn m : ℕ\nx : ℤ\nh₀ h₁ : 0 < n\n⊢ False"
    # only consecutive locals group
    goal = Goal((local("a", NAT), local("x", INT), local("b", NAT)), TRUE)
    assert pp_goal(goal) == "a : ℕ\nx : ℤ\nb : ℕ\n⊢ True"
    assert pp_goal(Goal((), Rel("=", L(0), L(0)), "zero")) == "case zero\n⊢ 0 = 0"


TRANSCRIPTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "lean-repl-transcripts"


def _transcript_goals() -> list[str]:
    """Recorded Lean goals over the fragment (run without Mathlib: `Nat` is our `ℕ`)."""
    out: set[str] = set()
    for path in sorted(TRANSCRIPTS.glob("**/*.expected.out")):
        for chunk in path.read_text(encoding="utf-8").split("\n\n"):
            try:
                data = json.loads(chunk)
            except json.JSONDecodeError:
                continue
            stack = [data]
            while stack:
                d = stack.pop()
                if isinstance(d, dict):
                    for k, v in d.items():
                        if k == "goal" and isinstance(v, str):
                            out.add(v)
                        elif k == "goals" and isinstance(v, list):
                            out.update(g for g in v if isinstance(g, str))
                        else:
                            stack.append(v)
                elif isinstance(d, list):
                    stack.extend(d)
    return sorted(out)


def _goal_to_statement(text: str) -> tuple[str | None, str]:
    """`case t\\nx : T\\n⊢ P` -> (case, theorem text)."""
    lines = text.replace("Nat", "ℕ").replace("Int", "ℤ").split("\n")
    case = None
    if lines[0].startswith("case "):
        case, lines = lines[0][5:], lines[1:]
    binders = []
    for line in lines[:-1]:
        names, _, ty = line.partition(" : ")
        binders.append(f"({names} : {ty})")
    return case, f"theorem t {' '.join(binders)} : {lines[-1][2:]}"


def test_transcript_goals_print_back() -> None:
    goals = _transcript_goals() if TRANSCRIPTS.exists() else []
    if not goals:
        pytest.skip("../shared/lean-repl-transcripts absent")
    checked = 0
    for text in goals:
        case, stmt = _goal_to_statement(text)
        try:
            _, goal = parse_statement(stmt)
        except Exception:
            continue  # outside the fragment (ℝ, `Unit`, `true = true`, ...)
        expected = text.replace("Nat", "ℕ").replace("Int", "ℤ")
        assert pp_goal(Goal(goal.locals, goal.target, case)) == expected
        checked += 1
    assert checked >= 40


# ---------------------------------------------------------------- round trip
# Terms are built as the elaborator builds them. A ℤ tree (arithmetic tree or both sides of a
# relation) without an expected type must contain a "definite" ℤ leaf (a ℤ variable or an
# application), because Lean's own printing drops the ascription that made `↑n + 1 = 0` integer.
# Binders whose type Lean does not print (∃, binder predicates) range over ℕ.

SCOPE_GOAL = Goal(
    (local("n", NAT), local("m", NAT), local("x", INT), local("y", INT), local("f", Arrow(INT, INT)),
     local("g", Arrow(NAT, NAT)), local("p", PROP), local("q", PROP), local("P", Arrow(NAT, PROP))),
    TRUE,
)
SCOPE = Scope.from_goal(SCOPE_GOAL)
ABS = const("abs", INT, INT)
NAT_FNS = {
    "Nat.gcd": (NAT, NAT), "Nat.lcm": (NAT, NAT), "Nat.choose": (NAT, NAT), "Nat.factorial": (NAT,),
    "Nat.succ": (NAT,), "Nat.sqrt": (NAT,),
}
INT_TO_NAT = {"Int.natAbs": (INT,), "Int.toNat": (INT,), "Int.gcd": (INT, INT)}


@st.composite
def nat_term(draw, depth: int, bound: tuple[str, ...] = ()) -> Term:
    leaves = [n, m, *(Var(b, NAT) for b in bound)]
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.one_of(st.sampled_from(leaves), st.integers(0, 12).map(L)))
    kind = draw(st.sampled_from(["arith", "arith", "pow", "g", "const", "int2nat"]))
    if kind == "arith":
        op = draw(st.sampled_from(["+", "-", "*", "/", "%"]))
        return Arith(op, draw(nat_term(depth - 1, bound)), draw(nat_term(depth - 1, bound)), NAT)
    if kind == "pow":
        return Arith("^", draw(nat_term(depth - 1, bound)), draw(nat_term(depth - 1, bound)), NAT)
    if kind == "g":
        return App(G, (draw(nat_term(depth - 1, bound)),), NAT)
    if kind == "const":
        name = draw(st.sampled_from(sorted(NAT_FNS)))
        doms = NAT_FNS[name]
        return App(Const(name, arrow(*doms, NAT)), tuple(draw(nat_term(depth - 1, bound)) for _ in doms), NAT)
    name = draw(st.sampled_from(sorted(INT_TO_NAT)))
    doms = INT_TO_NAT[name]
    return App(Const(name, arrow(*doms, NAT)), tuple(draw(int_term(depth - 1, False, bound)) for _ in doms), NAT)


@st.composite
def int_term(draw, depth: int, definite: bool, bound: tuple[str, ...] = (), ibound: tuple[str, ...] = ()) -> Term:
    """A ℤ term; `definite`: its tree holds a leaf whose ℤ type is its own."""
    ivars = [x, y, *(Var(b, INT) for b in ibound)]
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        if definite:
            return draw(st.sampled_from(ivars))
        return draw(st.one_of(
            st.sampled_from(ivars), st.integers(0, 12).map(lambda v: L(v, INT)),
            nat_term(0, bound).map(Cast)))
    kind = draw(st.sampled_from(["arith", "arith", "neg", "pow", "f", "abs", "cast"]))
    if kind == "cast" and definite:
        kind = "f"
    if kind == "arith":
        op = draw(st.sampled_from(["+", "-", "*", "/", "%"]))
        first = draw(st.booleans())
        a = draw(int_term(depth - 1, definite and first, bound, ibound))
        b = draw(int_term(depth - 1, definite and not first, bound, ibound))
        return Arith(op, a, b, INT)
    if kind == "neg":
        return Neg(draw(int_term(depth - 1, definite, bound, ibound)))
    if kind == "pow":
        return Arith("^", draw(int_term(depth - 1, definite, bound, ibound)), draw(nat_term(depth - 1, bound)), INT)
    if kind == "f":
        return App(F, (draw(int_term(depth - 1, False, bound, ibound)),), INT)
    if kind == "abs":
        return App(ABS, (draw(int_term(depth - 1, True, bound, ibound)),), INT)
    return Cast(draw(nat_term(depth - 1, bound)))


@st.composite
def prop_term(draw, depth: int, bound: tuple[str, ...] = (), ibound: tuple[str, ...] = ()) -> Term:
    names = ("a", "b", "c")
    if depth <= 0 or draw(st.integers(0, 4)) == 0:
        kind = draw(st.sampled_from(["nrel", "irel", "atom", "pred"]))
    else:
        kind = draw(st.sampled_from(
            ["nrel", "irel", "not", "and", "or", "imp", "iff", "forall", "exists", "pred", "modeq"]))
    sub = depth - 1
    if kind == "nrel":
        op = draw(st.sampled_from(["=", "≠", "<", "≤", ">", "≥", "∣"]))
        return Rel(op, draw(nat_term(sub, bound)), draw(nat_term(sub, bound)))
    if kind == "irel":
        op = draw(st.sampled_from(["=", "≠", "<", "≤", ">", "≥", "∣"]))
        first = draw(st.booleans())
        return Rel(op, draw(int_term(sub, first, bound, ibound)), draw(int_term(sub, not first, bound, ibound)))
    if kind == "atom":
        return draw(st.sampled_from([p, q, TRUE, FALSE]))
    if kind == "pred":
        which = draw(st.sampled_from(["P", "Prime", "EvenN", "OddZ"]))
        if which == "P":
            return App(PRED, (draw(nat_term(sub, bound)),), PROP)
        if which == "Prime":
            return App(const("Nat.Prime", NAT, PROP), (draw(nat_term(sub, bound)),), PROP)
        if which == "EvenN":
            return App(const("Even", NAT, PROP), (draw(nat_term(sub, bound)),), PROP)
        return App(const("Odd", INT, PROP), (draw(int_term(sub, True, bound, ibound)),), PROP)
    if kind == "modeq":
        if draw(st.booleans()):
            args = tuple(draw(nat_term(sub, bound)) for _ in range(3))
            return App(const("Nat.ModEq", NAT, NAT, NAT, PROP), args, PROP)
        args = tuple(draw(int_term(sub, False, bound, ibound)) for _ in range(3))
        return App(const("Int.ModEq", INT, INT, INT, PROP), args, PROP)
    if kind == "not":
        return Not(draw(prop_term(sub, bound, ibound)))
    if kind in ("and", "or", "imp", "iff"):
        cls = {"and": And, "or": Or, "imp": Imp, "iff": Iff}[kind]
        return cls(draw(prop_term(sub, bound, ibound)), draw(prop_term(sub, bound, ibound)))
    v = draw(st.sampled_from(names))
    nb = tuple(b for b in bound if b != v)
    ib = tuple(b for b in ibound if b != v)
    if kind == "forall" and draw(st.booleans()):
        body = draw(prop_term(sub, nb, (*ib, v)))
        # `∀ v > e, P` hides the type; over ℤ it would come back as ℕ
        assume(not (isinstance(body, Imp) and isinstance(body.lhs, Rel) and body.lhs.lhs == Var(v, INT)))
        return Forall(v, INT, body)
    body = draw(prop_term(sub, (*nb, v), ib))
    return (Forall if kind == "forall" else Exists)(v, NAT, body)


def _reparse(t: Term, expected=None) -> Term:
    return elaborate_term(parse_term_text(pp_term(t)), SCOPE, expected)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(prop_term(4))
def test_round_trip_props(t: Term) -> None:
    back = _reparse(t, PROP)
    assert alpha_eq(back, t), f"{pp_term(t)}\n{back}\n{t}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(int_term(4, True), nat_term(4)))
def test_round_trip_numbers(t: Term) -> None:
    back = _reparse(t)
    assert back == t and type_of(back) == type_of(t), pp_term(t)
    assert _reparse(t, type_of(t)) == t


@settings(max_examples=100, deadline=None)
@given(int_term(3, False))
def test_round_trip_with_expected_type(t: Term) -> None:
    assert _reparse(t, INT) == t, pp_term(t)


def test_statement_print_parse_fixpoint() -> None:
    text = ("theorem t (x : ℕ → ℤ) (n : ℕ) (h₆ : ∀ n ≥ 5, x n = x (n - 1) - x (n - 2)) "
            "(h : ∃ k : ℕ, k > 0 ∧ (k : ℤ) ^ 2 = x n) (h₂ : ∃ k > 0, (k : ℤ) = x 0) "
            ": ∀ a b : ℤ, a + n = b → (-a) ^ 2 = |b| ∨ ¬a < -1")
    _, goal = parse_statement(text)
    shown = pp_goal(goal)
    assert shown == (
        "x : ℕ → ℤ\nn : ℕ\nh₆ : ∀ n ≥ 5, x n = x (n - 1) - x (n - 2)\n"
        "h : ∃ k > 0, ↑k ^ 2 = x n\nh₂ : ∃ k > 0, k = x 0\n"
        "⊢ ∀ (a b : ℤ), a + ↑n = b → (-a) ^ 2 = |b| ∨ ¬a < -1"
    )
    # feed the printed hypotheses back as a statement: same goal
    binders = " ".join(f"({line})" for line in shown.split("\n")[:-1])
    _, again = parse_statement(f"theorem t {binders} : {shown.split('⊢ ')[1]}")
    assert pp_goal(again) == shown
    goal, again = named(goal), named(again)  # elaborated apart: compare locals by user name
    assert all(alpha_eq(a.type, b.type) if not a.is_var else a == b for a, b in zip(goal.locals, again.locals))
    assert re.search(r"↑k", shown)
