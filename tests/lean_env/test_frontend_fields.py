"""Front end beyond ℕ/ℤ: ℚ, ℝ, big operators, finsets, sets, ∃!, and the type checker.

Each construct: how it parses (Lean/Mathlib grouping), what it elaborates to (casts at the
leaves of the max type ℕ < ℤ < ℚ < ℝ), how it prints (Mathlib's notation), and that
parse(print(t)) == t on generated terms whose types survive printing.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lean_env.mini.elaborate import Scope, check_goal, check_types, elaborate_term, parse_statement
from lean_env.mini.errors import ParseError
from lean_env.mini.parser import parse_term_text
from lean_env.mini.printer import pp_goal, pp_term
from lean_env.mini.syntax import SApp, SBinder, SBinOp, SIdent, SNum, SUnOp
from lean_env.mini.terms import (
    INT,
    NAT,
    PROP,
    RAT,
    REAL,
    TRUE,
    And,
    App,
    Arith,
    Arrow,
    Base,
    BigOp,
    Cast,
    Const,
    Forall,
    Goal,
    Imp,
    Lam,
    Lit,
    Neg,
    Not,
    Rel,
    Term,
    Var,
    alpha_eq,
    arrow,
    finset_of,
    named,
    type_of,
)

from .term_builders import local

n, m = Var("n", NAT), Var("m", NAT)
x, y = Var("x", INT), Var("y", INT)
a, b = Var("a", REAL), Var("b", REAL)
q = Var("q", RAT)
G = Var("g", Arrow(NAT, NAT))
R = Var("r", Arrow(NAT, REAL))
SET_N = Base("Set ℕ")
SCOPE_GOAL = Goal(
    (local("n", NAT), local("m", NAT), local("x", INT), local("y", INT), local("a", REAL),
     local("b", REAL), local("q", RAT), local("g", Arrow(NAT, NAT)), local("r", Arrow(NAT, REAL)),
     local("s", finset_of(NAT))),
    TRUE,
)
SCOPE = Scope.from_goal(SCOPE_GOAL)


def L(v: int, ty=NAT) -> Lit:
    return Lit(v, ty)


def C(name: str, *tys) -> Const:
    return Const(name, arrow(*tys))


def fn1(name: str, arg: Term, dom=REAL, cod=REAL) -> App:
    return App(C(name, dom, cod), (arg,), cod)


def el(text: str, expected=None) -> Term:
    t = elaborate_term(parse_term_text(text), SCOPE, expected)
    check_types(t, {loc.name: loc.type for loc in SCOPE_GOAL.locals})
    return t


def target(text: str) -> Term:
    """The checked target, with the locals it mentions by user name (`Var("x")`), not by id."""
    goal = parse_statement(text)[1]
    check_goal(goal)
    return named(goal).target


def shape(s) -> str:
    match s:
        case SIdent(name=name):
            return name
        case SNum(value=v):
            return str(v)
        case SBinOp(op=op, lhs=lhs, rhs=rhs):
            return f"({shape(lhs)} {op} {shape(rhs)})"
        case SUnOp(op=op, arg=arg):
            return f"({op}{shape(arg)})"
        case SApp(fn=fn, args=args):
            return "[" + " ".join(shape(z) for z in (fn, *args)) + "]"
        case SBinder(kind=k, groups=gs, body=body):
            return f"{k} {' '.join(nm for g in gs for nm in g.names)}. {shape(body)}"
    return repr(s)


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text, expected",
    [
        # Mathlib: the body of a big operator is parsed at 67 (between `+` and `*`)
        ("∑ i ∈ s, f i + 1", "([Finset.sum s fun i. [f i]] + 1)"),
        ("∑ i ∈ s, f i * 2", "[Finset.sum s fun i. ([f i] * 2)]"),
        ("∑ i in s, f i ^ 2 = 3", "([Finset.sum s fun i. ([f i] ^ 2)] = 3)"),
        ("a - ∑ i ∈ s, f i", "(a - [Finset.sum s fun i. [f i]])"),
        ("2 * ∏ i ∈ Finset.range n, i + 1", "((2 * [Finset.prod [Finset.range n] fun i. i]) + 1)"),
        ("5 ∣ ∑ k ∈ s, k - x", "(5 ∣ ([Finset.sum s fun k. k] - x))"),
        ("∑ i ∈ s with i > 2, i", "[Finset.sum [Finset.filter fun i. (i > 2) s] fun i. i]"),
        ("√x⁻¹ + √(x + 1) * √2", "([Real.sqrt [Inv.inv x]] + ([Real.sqrt (x + 1)] * [Real.sqrt 2]))"),
        ("f √x y", "[f [Real.sqrt x] y]"),
        ("⌊x / 2⌋ + ⌈y⌉₊", "([Int.floor (x / 2)] + [Nat.ceil y])"),
        ("(x + 1)⁻¹ * y⁻¹", "([Inv.inv (x + 1)] * [Inv.inv y])"),
        ("{x : ℕ | x > 0}", "[setOf fun x. (x > 0)]"),
        ("{x | 0 < x}", "[setOf fun x. (0 < x)]"),
        ("{x ∈ s | 0 < x}", "[Finset.filter fun x. (0 < x) s]"),
        ("∃! k : ℕ, k = 1", "[ExistsUnique fun k. (k = 1)]"),
        ("∃! a b, a = b", "[ExistsUnique fun a. [ExistsUnique fun b. (a = b)]]"),
        ("x ∈ s ∧ y ∉ s", "((x ∈ s) ∧ (¬(y ∈ s)))"),
        ("IsLeast {t | P t} 18", "[IsLeast [setOf fun t. [P t]] 18]"),
        ("π / 7", "(π / 7)"),
    ],
)
def test_parse_notations(text: str, expected: str) -> None:
    assert shape(parse_term_text(text)) == expected


def test_binder_membership_predicate() -> None:
    t = parse_term_text("∀ x ∈ s, x > 0")
    assert isinstance(t, SBinder) and t.groups[0].pred is not None and t.groups[0].pred[0] == "∈"


# ---------------------------------------------------------------- elaboration


def test_field_types_and_casts() -> None:
    # ℕ and ℤ leaves of a ℝ tree get one cast each (Lean's Nat.cast / Int.cast)
    assert el("a + n = x") == Rel("=", Arith("+", a, Cast(n, REAL), REAL), Cast(x, REAL))
    assert el("(n : ℝ) / m") == Arith("/", Cast(n, REAL), Cast(m, REAL), REAL)
    assert el("(n + 1 : ℝ)") == Arith("+", Cast(n, REAL), L(1, REAL), REAL)
    assert el("((n : ℤ) : ℝ)") == Cast(Cast(n, INT), REAL)
    assert el("q + x") == Arith("+", q, Cast(x, RAT), RAT)
    assert el("q + a") == Arith("+", Cast(q, REAL), a, REAL)
    assert el("(5 : ℚ) / 3") == Arith("/", L(5, RAT), L(3, RAT), RAT)
    assert el("↑n / ↑m = (3 : ℝ) / 4") == Rel(
        "=", Arith("/", Cast(n, REAL), Cast(m, REAL), REAL), Arith("/", L(3, REAL), L(4, REAL), REAL))
    assert el("-a") == Neg(a, REAL) and el("-(q : ℚ)") == Neg(q, RAT)
    assert el("r n + 1") == Arith("+", App(R, (n,), REAL), L(1, REAL), REAL)
    # a ℕ-valued application inside a ℝ tree is cast as a whole
    assert el("a * g n") == Arith("*", a, Cast(App(G, (n,), NAT), REAL), REAL)


def test_powers() -> None:
    assert el("a ^ 2") == Arith("^", a, L(2), REAL)  # Monoid.npow: the exponent stays ℕ
    assert el("a ^ n") == Arith("^", a, n, REAL)
    assert el("a ^ (1 / 3)") == Arith("^", a, Arith("/", L(1), L(3), NAT), REAL)
    assert el("a ^ (1 / 3 : ℝ)") == Arith("^", a, Arith("/", L(1, REAL), L(3, REAL), REAL), REAL)  # rpow
    assert el("a ^ b") == Arith("^", a, b, REAL)
    assert el("q ^ x") == Arith("^", q, x, RAT)  # zpow
    assert el("(2 : ℝ) ^ (n + 1)") == Arith("^", L(2, REAL), Arith("+", n, L(1), NAT), REAL)
    for bad, msg in (
        ("x ^ x", "HPow ℤ ℤ"), ("n ^ a", "HPow ℕ ℝ"), ("q ^ a", "HPow ℚ ℝ"), ("a ^ -b", "unexpected token '-'")
    ):
        with pytest.raises(ParseError, match=msg):
            el(bad)


def test_real_functions() -> None:
    assert el("Real.sqrt n") == fn1("Real.sqrt", Cast(n, REAL))
    assert el("√2 + π") == Arith("+", fn1("Real.sqrt", L(2, REAL)), Const("Real.pi", REAL), REAL)
    assert el("Real.logb 2 n") == App(C("Real.logb", REAL, REAL, REAL), (L(2, REAL), Cast(n, REAL)), REAL)
    for f in ("Real.log", "Real.exp", "Real.sin", "Real.cos", "Real.tan"):
        assert el(f"{f} (a + 1)") == fn1(f, Arith("+", a, L(1, REAL), REAL))
    assert el("Real.pi") == Const("Real.pi", REAL)
    assert el("⌊a⌋ + 1") == Arith("+", fn1("Int.floor", a, REAL, INT), L(1, INT), INT)
    assert el("Int.ceil (Real.sqrt 27)") == fn1("Int.ceil", fn1("Real.sqrt", L(27, REAL)), REAL, INT)
    assert el("⌊a⌋₊ = n") == Rel("=", fn1("Nat.floor", a, REAL, NAT), n)
    assert el("Int.fract q") == fn1("Int.fract", q, RAT, RAT)
    assert el("|a - 1|") == fn1("abs", Arith("-", a, L(1, REAL), REAL))
    assert el("Irrational (√2)") == App(C("Irrational", REAL, PROP), (fn1("Real.sqrt", L(2, REAL)),), PROP)
    assert el("a⁻¹ * 2⁻¹") == Arith("*", fn1("Inv.inv", a), fn1("Inv.inv", L(2, REAL)), REAL)
    assert el("(1 / 2 + n : ℚ).den") == App(
        C("Rat.den", RAT, NAT), (Arith("+", Arith("/", L(1, RAT), L(2, RAT), RAT), Cast(n, RAT), RAT),), NAT)
    with pytest.raises(ParseError, match="Inv ℕ"):
        el("n⁻¹ = 1")
    with pytest.raises(ParseError, match="HMod ℝ"):
        el("a % 2 = 0")
    with pytest.raises(ParseError, match="'abs' at type ℕ"):
        el("|n| = 1")


def test_untyped_binders_take_field_types() -> None:
    t = target("theorem t : ∀ x > 0, 2 - Real.sqrt 2 ≥ 2 - x - 1 / (2 * x)")
    assert isinstance(t, Forall) and t.ty == REAL
    t = target("theorem t : ∃ a b, Irrational a ∧ Irrational b ∧ ¬ Irrational (a ^ b)")
    assert t.ty == REAL and t.body.ty == REAL  # type: ignore[union-attr]
    t = target("theorem t (a b : ℤ) (h : ∀ x : ℝ, 10 * x ^ 2 = a * x) : True")
    assert t == TRUE
    # a hypothesis binder in ∀ is an implication
    t = target("theorem t (f : ℝ → ℝ) : ∀ x, ∀ (y) (_ : y ≠ 0), f x = y")
    assert isinstance(t, Forall) and isinstance(t.body, Forall) and isinstance(t.body.body, Imp)


def test_big_operators() -> None:
    rng = App(C("Finset.range", NAT, finset_of(NAT)), (n,), finset_of(NAT))
    k = Var("k", NAT)
    assert el("∑ k ∈ Finset.range n, k") == BigOp("∑", "k", NAT, rng, k, NAT)
    assert el("∑ k in Finset.range n, (2 * k + 1)") == BigOp(
        "∑", "k", NAT, rng, Arith("+", Arith("*", L(2), k, NAT), L(1), NAT), NAT)
    # the body's type decides the sum's; a ℕ sum inside a ℝ tree is cast as a whole
    assert el("∑ k ∈ Finset.range n, (1 : ℝ) / k") == BigOp(
        "∑", "k", NAT, rng, Arith("/", L(1, REAL), Cast(k, REAL), REAL), REAL)
    assert el("(∑ k ∈ Finset.range n, k) + a") == Arith("+", Cast(BigOp("∑", "k", NAT, rng, k, NAT), REAL), a, REAL)
    # an expected type reaches the body (the notation is not a `binop%` tree)
    assert el("(∑ k ∈ Finset.range n, k : ℝ)") == BigOp("∑", "k", NAT, rng, Cast(k, REAL), REAL)
    assert el("Real.sqrt (∑ k ∈ Finset.range n, k)") == fn1("Real.sqrt", BigOp("∑", "k", NAT, rng, Cast(k, REAL), REAL))
    icc = App(C("Finset.Icc", INT, INT, finset_of(INT)), (L(1, INT), x), finset_of(INT))
    assert el("∏ i ∈ Finset.Icc 1 x, i") == BigOp("∏", "i", INT, icc, Var("i", INT), INT)
    # Finset.sum / Finset.prod with a λ, a function name, or `id`
    assert el("Finset.sum (Finset.range n) (fun i => g i)") == BigOp(
        "∑", "i", NAT, rng, App(G, (Var("i", NAT),), NAT), NAT)
    assert alpha_eq(el("Finset.sum (Finset.range n) g"), BigOp("∑", "z", NAT, rng, App(G, (Var("z", NAT),), NAT), NAT))
    assert alpha_eq(el("Finset.prod (Finset.range n) (id : ℕ → ℕ)"), BigOp("∏", "z", NAT, rng, Var("z", NAT), NAT))
    assert el("∑ i ∈ s, i") == BigOp("∑", "i", NAT, Var("s", finset_of(NAT)), Var("i", NAT), NAT)


def test_finsets_and_sets() -> None:
    fs = finset_of(NAT)
    rng = App(C("Finset.range", NAT, fs), (L(60),), fs)
    pred = Lam("z", NAT, Rel(
        "∣", L(6, INT), Arith("-", Arith("*", L(4, INT), Cast(Var("z", NAT)), INT), L(2, INT), INT)
    ))
    filt = App(C("Finset.filter", Arrow(NAT, PROP), fs, fs), (pred, rng), fs)
    card = App(C("Finset.card", fs, NAT), (filt,), NAT)
    got = el("Finset.card (Finset.filter (fun z => 6 ∣ 4 * ↑z - (2 : ℤ)) (Finset.range 60)) = 20")
    assert got == Rel("=", card, L(20))
    assert el("(Finset.filter (fun z => 6 ∣ 4 * ↑z - (2 : ℤ)) (Finset.range 60)).card = 20") == got
    assert el("s.card") == App(C("Finset.card", fs, NAT), (Var("s", fs),), NAT)
    assert el("(Nat.divisors n).card") == App(
        C("Finset.card", fs, NAT), (App(C("Nat.divisors", NAT, fs), (n,), fs),), NAT)
    assert el("n.divisors.card") == el("(Nat.divisors n).card")
    setof = App(C("setOf", Arrow(NAT, PROP), SET_N), (Lam("t", NAT, Rel("<", L(0), Var("t", NAT))),), SET_N)
    assert el("IsLeast {t : ℕ | 0 < t} 18") == App(C("IsLeast", SET_N, NAT, PROP), (setof, L(18)), PROP)
    assert el("IsGreatest {t | 0 < t} 18") == App(C("IsGreatest", SET_N, NAT, PROP), (setof, L(18)), PROP)
    real_set = el("{t | (0 : ℝ) < t}")
    assert type_of(real_set) == Base("Set ℝ")
    mem = C("Membership.mem", NAT, fs, PROP)
    assert el("n ∈ s ∧ 3 ∉ s") == And(App(mem, (n, Var("s", fs)), PROP), Not(App(mem, (L(3), Var("s", fs)), PROP)))
    assert el("∀ k ∈ s, k > 0") == Forall(
        "k", NAT, Imp(App(mem, (Var("k", NAT), Var("s", fs)), PROP), Rel(">", Var("k", NAT), L(0))))
    eu = el("∃! k : ℕ, g k = 1")
    assert eu == App(
        C("ExistsUnique", Arrow(NAT, PROP), PROP), (Lam("k", NAT, Rel("=", App(G, (Var("k", NAT),), NAT), L(1))),), PROP
    )
    assert el("s = Finset.range 3") == Rel("=", Var("s", fs), App(C("Finset.range", NAT, fs), (L(3),), fs))
    with pytest.raises(ParseError, match="expects a Finset"):
        el("Finset.card n")


def test_function_injective() -> None:
    t = target("theorem t (f : ℕ → ℕ) (h : Function.Injective f) : True")
    assert t == TRUE
    goal = named(parse_statement("theorem t (f : ℕ → ℕ) (h : Function.Injective f) : True")[1])
    assert goal.locals[1].type == App(
        C("Function.Injective", Arrow(NAT, NAT), PROP), (Var("f", Arrow(NAT, NAT)),), PROP
    )


# ---------------------------------------------------------------- the type checker


@pytest.mark.parametrize(
    "term",
    [
        Arith("+", a, n, REAL),  # a ℕ operand of a ℝ sum without its cast
        Cast(a, NAT),  # casts only go up the chain
        Cast(n, NAT),
        Arith("^", x, x, INT),  # no HPow ℤ ℤ
        Arith("^", n, a, NAT),
        Arith("%", a, b, REAL),
        Neg(n, NAT),
        App(C("Real.sqrt", REAL, REAL), (n,), REAL),
        App(C("Real.sqrt", NAT, NAT), (n,), NAT),  # a known constant at a type it does not have
        Rel("<", a, n),
        Rel("=", TRUE, TRUE),
        BigOp("∑", "k", INT, App(C("Finset.range", NAT, finset_of(NAT)), (n,), finset_of(NAT)), Var("k", INT), INT),
        Forall("k", NAT, Rel("=", Var("k", INT), x)),  # a bound variable used at another type
        Lit(-1, INT),
    ],
)
def test_check_types_rejects(term: Term) -> None:
    with pytest.raises(TypeError):
        check_types(term)


def test_check_types_accepts() -> None:
    assert check_types(el("∑ k ∈ Finset.range n, (1 : ℝ) / k = a")) == PROP
    assert check_types(Arith("^", a, b, REAL)) == REAL
    assert check_types(Lam("k", NAT, Cast(Var("k", NAT), REAL))) == Arrow(NAT, REAL)


# ---------------------------------------------------------------- printing


@pytest.mark.parametrize(
    "text, printed",
    [
        ("a + n = x", "a + ↑n = ↑x"),
        ("(∑ k ∈ Finset.range n, k) + 1 = m", "∑ k ∈ Finset.range n, k + 1 = m"),
        ("(∑ k ∈ Finset.range n, k) * 2 = m", "(∑ k ∈ Finset.range n, k) * 2 = m"),
        ("(∑ k ∈ Finset.range n, k) ^ 2 = m", "(∑ k ∈ Finset.range n, k) ^ 2 = m"),
        ("2 * ∑ k ∈ Finset.range n, k + 1 = m", "2 * ∑ k ∈ Finset.range n, k + 1 = m"),
        ("2 * (∑ k ∈ Finset.range n, k) * 3 = m", "2 * (∑ k ∈ Finset.range n, k) * 3 = m"),
        ("∑ k ∈ Finset.range n, (k + 1) = m", "∑ k ∈ Finset.range n, (k + 1) = m"),
        ("(∑ k ∈ Finset.range n, k : ℝ) = a", "∑ k ∈ Finset.range n, ↑k = a"),
        ("↑(∑ k ∈ Finset.range n, k) = a", "↑(∑ k ∈ Finset.range n, k) = a"),
        ("Real.sqrt (a + 1) = Real.sqrt a ^ 2", "√(a + 1) = √a ^ 2"),
        ("Real.sqrt n = 2", "√↑n = 2"),
        ("(Real.sqrt a)⁻¹ = (a + 1)⁻¹", "(√a)⁻¹ = (a + 1)⁻¹"),
        ("((n : ℝ))⁻¹ = Real.sqrt a⁻¹", "(↑n)⁻¹ = √a⁻¹"),
        ("Real.log (Real.sqrt a) = Real.pi", "Real.log √a = π"),
        ("Int.floor a = Int.ceil b", "⌊a⌋ = ⌈b⌉"),
        ("Nat.floor a = Nat.ceil b", "⌊a⌋₊ = ⌈b⌉₊"),
        ("(Int.floor a : ℝ) = a", "↑⌊a⌋ = a"),
        ("|a - 1| < 2", "|a - 1| < 2"),
        ("Finset.card (Finset.range n) = 2", "(Finset.range n).card = 2"),
        ("s.card = 2 ∧ n ∈ s ∧ m ∉ s", "s.card = 2 ∧ n ∈ s ∧ m ∉ s"),
        ("(Finset.filter (fun z => z % 2 = 1) s).card = 1", "(Finset.filter (fun z => z % 2 = 1) s).card = 1"),
        ("IsLeast {t : ℕ | 0 < t ∧ t ∣ 6} 1", "IsLeast {t | 0 < t ∧ t ∣ 6} 1"),
        ("∃! k : ℕ, ∃! j : ℕ, k = j", "∃! k j, k = j"),
        ("(∃! k : ℕ, k = 1) ∧ True", "(∃! k, k = 1) ∧ True"),
        ("∀ k ∈ s, ∃ j ∈ s, k < j", "∀ k ∈ s, ∃ j ∈ s, k < j"),
        ("(q : ℚ).den = 1", "q.den = 1"),
        ("a ^ (1 / 3 : ℝ) = -a", "a ^ (1 / 3) = -a"),
        ("¬ (2 : ℝ) ∣ a", "¬2 ∣ a"),
        # Lean core: `^` is infixr:80, unary `-` prefix:75, so a negated exponent is bracketed
        ("q ^ (-3 : ℤ) = q", "q ^ (-3) = q"),
        ("-a ^ 2 = (-a) ^ 2", "-a ^ 2 = (-a) ^ 2"),
    ],
)
def test_printing(text: str, printed: str) -> None:
    assert pp_term(el(text, PROP)) == printed


def test_goal_with_field_locals() -> None:
    text = "theorem t (n : ℕ) (x : ℝ) (s : Finset ℕ) (h : ∑ k ∈ s, (k : ℝ) = x) : x ≥ 0"
    goal = parse_statement(text)[1]
    check_goal(goal)
    assert pp_goal(goal) == "n : ℕ\nx : ℝ\ns : Finset ℕ\nh : ∑ k ∈ s, ↑k = x\n⊢ x ≥ 0"


# ---------------------------------------------------------------- round trip
# ℝ trees must hold a "definite" leaf (a ℝ variable, `π`, a ℝ-valued function) whose type
# survives printing, as in test_printer.py: Lean's own text of `(5 : ℝ) / 3` is `5 / 3`.

NAT_LEAVES = [n, m]
REAL_FNS = ("Real.sqrt", "Real.log", "Real.exp", "Real.sin", "Real.cos")


@st.composite
def nat_term(draw, depth: int, bound: tuple[str, ...] = ()) -> Term:
    leaves = [*NAT_LEAVES, *(Var(v, NAT) for v in bound)]
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.one_of(st.sampled_from(leaves), st.integers(0, 9).map(L)))
    kind = draw(st.sampled_from(["+", "*", "g"]))
    if kind == "g":
        return App(G, (draw(nat_term(depth - 1, bound)),), NAT)
    return Arith(kind, draw(nat_term(depth - 1, bound)), draw(nat_term(depth - 1, bound)), NAT)


@st.composite
def real_term(draw, depth: int, definite: bool, bound: tuple[str, ...] = ()) -> Term:
    """A ℝ term; `definite`: its tree holds a leaf whose ℝ type is its own."""
    definite_leaves = [a, b, Const("Real.pi", REAL)]
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        if definite:
            return draw(st.sampled_from(definite_leaves))
        return draw(st.one_of(
            st.sampled_from(definite_leaves),
            st.integers(0, 9).map(lambda v: L(v, REAL)),
            nat_term(0, bound).map(lambda t: Cast(t, REAL)),
            st.sampled_from([Cast(x, REAL), Cast(q, REAL)])))
    kind = draw(st.sampled_from(["arith", "arith", "neg", "npow", "rpow", "fn", "r", "inv", "abs", "floor", "sum"]))
    sub = depth - 1
    if kind == "arith":
        op = draw(st.sampled_from(["+", "-", "*", "/"]))
        first = draw(st.booleans())
        return Arith(op, draw(real_term(sub, definite and first, bound)),
                     draw(real_term(sub, definite and not first, bound)), REAL)
    if kind == "neg":
        return Neg(draw(real_term(sub, definite, bound)), REAL)
    if kind == "npow":
        return Arith("^", draw(real_term(sub, definite, bound)), draw(nat_term(1, bound)), REAL)
    if kind == "rpow":
        return Arith("^", draw(real_term(sub, definite, bound)), draw(real_term(sub, True, bound)), REAL)
    if kind == "fn":
        return fn1(draw(st.sampled_from(REAL_FNS)), draw(real_term(sub, False, bound)))
    if kind == "r":
        return App(R, (draw(nat_term(1, bound)),), REAL)
    if kind == "inv":
        return fn1("Inv.inv", draw(real_term(sub, definite, bound)))
    if kind == "abs":
        return fn1("abs", draw(real_term(sub, True, bound)))
    if kind == "floor":
        inner = fn1(draw(st.sampled_from(["Int.floor", "Int.ceil"])), draw(real_term(sub, True, bound)), REAL, INT)
        return Arith("+", draw(real_term(0, True, bound)), Cast(inner, REAL), REAL)
    v = draw(st.sampled_from(["i", "j"]))
    rng = App(C("Finset.range", NAT, finset_of(NAT)), (draw(nat_term(1, bound)),), finset_of(NAT))
    body = draw(real_term(sub, True, (*bound, v)))
    op = draw(st.sampled_from(["∑", "∏"]))
    return BigOp(op, v, NAT, rng, body, REAL)


@st.composite
def real_prop(draw, depth: int) -> Term:
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        op = draw(st.sampled_from(["=", "≠", "<", "≤", ">", "≥"]))
        first = draw(st.booleans())
        return Rel(op, draw(real_term(3, first)), draw(real_term(3, not first)))
    kind = draw(st.sampled_from(["and", "not", "forall", "irr"]))
    if kind == "and":
        return And(draw(real_prop(depth - 1)), draw(real_prop(depth - 1)))
    if kind == "not":
        return Not(draw(real_prop(depth - 1)))
    if kind == "irr":
        return App(C("Irrational", REAL, PROP), (draw(real_term(2, False)),), PROP)
    return Forall("a", REAL, draw(real_prop(depth - 1)))


ENV = {loc.name: loc.type for loc in SCOPE_GOAL.locals}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_prop(2))
def test_round_trip_real_props(t: Term) -> None:
    assert check_types(t, ENV) == PROP
    back = elaborate_term(parse_term_text(pp_term(t)), SCOPE, PROP)
    assert alpha_eq(back, t), f"{pp_term(t)}\n{back}\n{t}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_term(4, True))
def test_round_trip_real_terms(t: Term) -> None:
    back = elaborate_term(parse_term_text(pp_term(t)), SCOPE, REAL)
    assert alpha_eq(back, t), f"{pp_term(t)}\n{back}\n{t}"
