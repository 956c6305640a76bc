"""Parser and elaborator of `mini`: Lean's grouping, coercions and error positions."""

from __future__ import annotations

import pytest

import lean_env
from lean_env.contract import TacticError
from lean_env.mini.elaborate import Scope, elaborate_term, elaborate_type, parse_statement
from lean_env.mini.errors import ParseError
from lean_env.mini.parser import Parser, parse_term_text, parse_theorem, tokenize
from lean_env.mini.syntax import (
    SAnon,
    SApp,
    SAscribe,
    SBinder,
    SBinOp,
    SBy,
    SIdent,
    SModEq,
    SNum,
    STuple,
    SUnOp,
)
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
    Imp,
    Lit,
    Neg,
    Not,
    Or,
    Rel,
    Var,
    alpha_eq,
    arrow,
    named,
)

from .term_builders import local

# ---------------------------------------------------------------- tokens


def texts(s: str) -> list[str]:
    return [t.text for t in tokenize(s)][:-1]


def test_tokenize_identifiers_and_symbols() -> None:
    assert texts("h₀.2.1 Nat.gcd h.mp x' ℕ") == ["h₀.2.1", "Nat.gcd", "h.mp", "x'", "ℕ"]
    assert texts("n✝") == ["n", "✝"]  # an inaccessible name is not an identifier: no script can write it
    assert texts("a /\\ b \\/ c -> d <-> e <= f >= g != h ~p") == [
        "a", "∧", "b", "∨", "c", "→", "d", "↔", "e", "≤", "f", "≥", "g", "≠", "h", "¬", "p"]
    assert texts("rw [h] <;> simp := fun x => x ← ·") == [
        "rw", "[", "h", "]", "<;>", "simp", ":=", "fun", "x", "=>", "x", "←", "·"]
    assert texts("20! n ! (n+1)!") == ["20", "!", "n", "!", "(", "n", "+", "1", ")", "!"]
    assert texts("x∣y ≡ z ⟨a, b⟩ ∀ ∃ λ ↑") == ["x", "∣", "y", "≡", "z", "⟨", "a", ",", "b", "⟩", "∀", "∃", "λ", "↑"]
    assert texts("_ _x") == ["_", "_x"]


@pytest.mark.parametrize("text", ["use ₄", "use ²", "use 4²", "exact h.₁", "x ^ ³"])
def test_unicode_digits_are_no_numerals(text: str) -> None:
    """`str.isdigit` takes superscripts and subscripts; Lean's numerals are ASCII digits. (The
    tactic decoder wrote `use ₄`, and mini crashed on int('₄') instead of refusing the tactic.)"""
    nums = [t.text for t in tokenize(text) if t.kind == "num"]
    assert all(n.isascii() for n in nums), nums
    env = lean_env.open_env("mini")
    state = env.start("theorem t (h : 1 = 1 ∧ 2 = 2) : ∃ n : ℕ, n = 4")
    assert isinstance(env.apply(state, text), TacticError)


@pytest.mark.parametrize("name", ["x²", "xª", "x٣", "é", "хx"])
def test_identifiers_follow_lean_not_unicode(name: str) -> None:
    """Lean's identifier characters are ASCII letters and digits, `_`, `'`, `?`, letter-like
    symbols and subscripts; `str.isalnum` takes more (found by an adversarial review)."""
    env = lean_env.open_env("mini")
    assert not env.verify("theorem t : ∀ x : ℕ, x = x", f"intro {name}\nrfl").ok
    assert env.verify("theorem t : ∀ x : ℕ, x = x", "intro x₁'\nrfl").ok
    assert env.verify("theorem t : ∀ x : ℕ, x = x", "intro α\nrfl").ok


def test_tokenize_comments_and_positions() -> None:
    toks = tokenize("/-- doc /- nested -/ -/\ntheorem -- line\n  foo")
    assert [(t.text, t.line, t.col) for t in toks[:2]] == [("theorem", 2, 1), ("foo", 3, 3)]
    assert toks[-1].kind == "eof"
    t = tokenize("ab  ≤ c")[1]
    assert (t.offset, t.end, t.col) == (4, 5, 5)
    raw = tokenize("a <= b")[1]
    assert (raw.text, raw.offset, raw.end) == ("≤", 2, 4)


# ---------------------------------------------------------------- terms


def shape(s) -> str:
    """Fully parenthesized rendering of syntax, to check grouping."""
    match s:
        case SIdent(name=n):
            return n
        case SNum(value=v):
            return str(v)
        case SBinOp(op=op, lhs=a, rhs=b):
            return f"({shape(a)} {op} {shape(b)})"
        case SUnOp(op="!", arg=a):
            return f"({shape(a)})!"
        case SUnOp(op=op, arg=a):
            return f"({op}{shape(a)})"
        case SApp(fn=f, args=args):
            return "[" + " ".join(shape(x) for x in (f, *args)) + "]"
        case SModEq(lhs=a, rhs=b, modulus=m, kind=k):
            return f"({shape(a)} ≡ {shape(b)} [{k} {shape(m)}])"
        case SAscribe(expr=e, type=t):
            return f"({shape(e)} : {shape(t)})"
        case SBinder(kind=k, groups=gs, body=b):
            return f"{k}{len(gs)}.{shape(b)}"
    return repr(s)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a + b + c", "((a + b) + c)"),
        ("a + (b + c)", "(a + (b + c))"),
        ("a - b * c", "(a - (b * c))"),
        ("a * b % c", "((a * b) % c)"),
        ("a ^ b ^ c", "(a ^ (b ^ c))"),
        ("-x ^ 2", "(-(x ^ 2))"),
        ("-a * b", "((-a) * b)"),
        ("a * -b", "(a * (-b))"),
        ("a - -1", "(a - (-1))"),
        ("f (x - 1) y", "[f (x - 1) y]"),
        ("Nat.gcd 180 168 = 12", "([Nat.gcd 180 168] = 12)"),
        ("¬a = b", "(¬(a = b))"),
        ("¬p ∧ q", "((¬p) ∧ q)"),
        ("p ∧ q ∧ r", "(p ∧ (q ∧ r))"),
        ("p ∨ q ∧ r", "(p ∨ (q ∧ r))"),
        ("p → q → r", "(p → (q → r))"),
        ("p ∧ q → r ∨ s ↔ t", "(((p ∧ q) → (r ∨ s)) ↔ t)"),
        ("a ≤ b ∧ b < c", "((a ≤ b) ∧ (b < c))"),
        ("a ∣ b + c", "(a ∣ (b + c))"),
        ("↑x + 1", "((↑x) + 1)"),
        ("↑(x + 1)", "(↑(x + 1))"),
        ("n ! + 20!", "((n)! + (20)!)"),
        ("2 * n !", "(2 * (n)!)"),
        ("(n + 1)!", "((n + 1))!"),
        ("a ≡ b [MOD n]", "(a ≡ b [MOD n])"),
        ("a + 1 ≡ b [ZMOD 7] ∧ p", "(((a + 1) ≡ b [ZMOD 7]) ∧ p)"),
        ("|x - 1| < 2", "([abs (x - 1)] < 2)"),
        ("|a| + |b|", "([abs a] + [abs b])"),
        ("(3 - 5 : ℤ)", "((3 - 5) : ℤ)"),
        ("a /\\ b -> c", "((a ∧ b) → c)"),
        ("ℕ → ℤ", "(ℕ → ℤ)"),
    ],
)
def test_precedence(text: str, expected: str) -> None:
    assert shape(parse_term_text(text)) == expected


def test_binders() -> None:
    t = parse_term_text("∀ x y, x = y ∧ y = x")
    assert isinstance(t, SBinder) and t.kind == "∀" and t.groups[0].names == ("x", "y")
    assert shape(t.body) == "((x = y) ∧ (y = x))"
    t = parse_term_text("∀ (x : ℤ) (y : ℤ), P")
    assert [g.names for g in t.groups] == [("x",), ("y",)] and shape(t.groups[1].type) == "ℤ"
    t = parse_term_text("∃ x : ℕ, x > 0")
    assert shape(t.groups[0].type) == "ℕ" and shape(t.body) == "(x > 0)"
    t = parse_term_text("∀ n ≥ 5, P n")
    assert t.groups[0].pred is not None and t.groups[0].pred[0] == "≥" and shape(t.groups[0].pred[1]) == "5"
    t = parse_term_text("∃ x > 0, x < 3")
    assert t.groups[0].pred[0] == ">"
    t = parse_term_text("fun (x : ℕ) => x + 1")
    assert t.kind == "fun" and shape(t.body) == "(x + 1)"
    assert parse_term_text("λ x => x").kind == "fun"
    # binders extend as far right as possible
    assert shape(parse_term_text("p ∧ ∀ x, q x ∨ r")) == "(p ∧ ∀1.([q x] ∨ r))"
    assert shape(parse_term_text("¬∀ x, p x")) == "(¬∀1.[p x])"


def test_brackets_tuples_and_by() -> None:
    assert isinstance(parse_term_text("⟨a, b, c⟩"), SAnon)
    assert isinstance(parse_term_text("(a, b)"), STuple)
    anon = parse_term_text("⟨by simp, fun x => by ring⟩")
    assert isinstance(anon.items[0], SBy) and anon.items[0].tactics == "simp"
    by = parse_term_text("by rw [h, g] at h2; simp")
    assert isinstance(by, SBy) and by.tactics == "rw [h, g] at h2; simp"


def test_parse_term_stops_for_tactics() -> None:
    p = Parser("rw [h₁, ← h₂ x] at h₃")
    p.next()
    p.expect("[")
    assert shape(p.parse_term()) == "h₁"
    p.expect(",")
    p.expect("←")
    assert shape(p.parse_term()) == "[h₂ x]"
    p.expect("]")
    assert p.peek().text == "at"
    p.next()
    assert shape(p.parse_term()) == "h₃" and p.at_end()
    for stop in ("with", "using", "generalizing", ":=", "|", "=>", ";", "<;>", "then", "else", ":", ")"):
        q = Parser(f"a + b {stop} c")
        assert shape(q.parse_term()) == "(a + b)" and q.peek().text == stop
    q = Parser("h x y with a b")
    assert shape(q.parse_term()) == "[h x y]" and q.remaining_text() == "with a b"


def test_parse_term_at_max_prec_reads_one_argument() -> None:
    p = Parser("f x (y + 1) !")
    assert shape(p.parse_term(1024)) == "f" and p.peek().text == "x"
    p = Parser("(y + 1) ! z")
    assert shape(p.parse_term(1024)) == "((y + 1))!" and p.peek().text == "z"


def test_binder_groups() -> None:
    p = Parser("(x y : ℕ) (h₀ : 0 < x) {n : ℕ} [Fact p] : rest")
    groups = p.parse_binder_groups()
    assert [g.names for g in groups] == [("x", "y"), ("h₀",), ("n",), ()]
    assert groups[2].implicit and not groups[0].implicit
    assert p.peek().text == ":"


# ---------------------------------------------------------------- theorems


def test_parse_theorem_forms() -> None:
    thm = parse_theorem("theorem foo (x : ℕ) (h : x = 1) : x + 1 = 2 := by sorry")
    assert thm.name == "foo" and thm.proof == "by sorry" and len(thm.binders) == 2
    thm = parse_theorem("/-- doc -/\nlemma bar : True")
    assert thm.name == "bar" and thm.proof is None
    thm = parse_theorem("example (p : Prop) : p → p := by\n  intro h\n  exact h")
    assert thm.name == "example" and thm.proof == "by\n  intro h\n  exact h"
    thm = parse_theorem("theorem t : ∀ n ≥ 5, n > 4 := fun n h => by omega")
    assert thm.proof == "fun n h => by omega"


@pytest.mark.parametrize(
    "text, line, col, fragment",
    [
        ("theorem foo (x : ℕ) x = 1", 1, 21, "expected ':'"),
        ("theorem foo (x : ℕ) : x = := by sorry", 1, 27, "expected term"),
        ("theorem foo : 1 + 1 = 2 )", 1, 25, "expected ':='"),
        ("theorem foo : 1 + 1 = 2 2", 1, 23, "function expected"),
        ("theorem foo :\n  (1 + 1 = 2", 2, 13, "expected ')'"),
        ("theorem foo (x : ℕ) :\n  ∑ i, i = x", 2, 6, "unsupported construct '∑ x, ...'"),
        ("theorem foo (x : ℕ) :\n  ∑ i in s, i = x", 2, 10, "unknown identifier 's'"),
        ("theorem foo : {1, 2} = s", 1, 15, "unsupported construct '{'"),
        ("theorem foo (x : ℕ) : x ∈ s", 1, 27, "unknown identifier 's'"),
        ("theorem foo (x : ℕ) : x ⊆ s", 1, 25, "unsupported construct '⊆'"),
        ("theorem foo (x : ℕ) : (x : ℝ) % 2 = 1", 1, 23, "failed to synthesize HMod ℝ"),
        ("theorem foo (x : ℕ) : (Real.sqrt x : ℤ) = 2", 1, 24, "type mismatch"),
        ("theorem foo : x = 1", 1, 15, "unknown identifier 'x'"),
        ("theorem foo (x : ℂ) : x = 1", 1, 18, "unknown type 'ℂ'"),
        ("theorem foo (x : ℕ) : -x = 1", 1, 23, "failed to synthesize Neg ℕ"),
        ("theorem foo (x : ℤ) (h : x) : True", 1, 26, "type mismatch"),
        ("foo : True", 1, 1, "expected 'theorem'"),
        ("theorem foo (x : ℕ) : Nat.gcd x = 1", 1, 23, "expects 2 argument"),
    ],
)
def test_statement_errors(text: str, line: int, col: int, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_statement(text)
    err = info.value
    assert fragment in err.message, err.message
    assert (err.line, err.col) == (line, col), str(err)
    assert str(err).startswith(f"{line}:{col}: ")


# ---------------------------------------------------------------- elaboration

n, m, x, y = Var("n", NAT), Var("m", NAT), Var("x", INT), Var("y", INT)


def lit(v: int, ty=NAT) -> Lit:
    return Lit(v, ty)


def target(text: str):
    """The target, with the locals it mentions by user name (`Var("x")`), not by id."""
    return named(parse_statement(text)[1]).target


def test_statement_locals() -> None:
    name, goal = parse_statement("theorem t (x y : ℕ) {f : ℕ → ℤ} (h₀ h₁ : 0 < x) (p : Prop) : p")
    goal = named(goal)
    assert name == "t" and goal.case is None
    assert [loc.name for loc in goal.locals] == ["x", "y", "f", "h₀", "h₁", "p"]
    assert goal.locals[2].type == Arrow(NAT, INT)
    assert goal.locals[3].type == Rel("<", lit(0), Var("x", NAT)) == goal.locals[4].type
    assert goal.target == Var("p", PROP)


def test_coercions() -> None:
    assert target("theorem t (n : ℕ) (x : ℤ) : x + n = 0") == Rel("=", Arith("+", x, Cast(n), INT), lit(0, INT))
    assert target("theorem t (n : ℕ) (x : ℤ) : n = x") == Rel("=", Cast(n), x)
    # the expected type counts: `(n + 1 : ℤ)` is `↑n + 1`
    assert target("theorem t (n : ℕ) : (n + 1 : ℤ) = 0") == Rel("=", Arith("+", Cast(n), lit(1, INT), INT), lit(0, INT))
    # but a ℕ ascription stays ℕ inside a ℤ tree
    assert target("theorem t (n : ℕ) (x : ℤ) : x = (n + 1 : ℕ)") == Rel("=", x, Cast(Arith("+", n, lit(1), NAT)))
    assert target("theorem t : ((3 - 5 : ℤ)) = -2") == Rel(
        "=", Arith("-", lit(3, INT), lit(5, INT), INT), Neg(lit(2, INT))
    )
    assert target("theorem t : 3 - 5 = 0") == Rel("=", Arith("-", lit(3), lit(5), NAT), lit(0))
    assert target("theorem t (n : ℕ) : (↑n : ℤ) = 1") == Rel("=", Cast(n), lit(1, INT))
    assert target("theorem t (n : ℕ) (x : ℤ) : ↑n + x = 1") == Rel("=", Arith("+", Cast(n), x, INT), lit(1, INT))
    # exponents are ℕ on their own, the base follows the tree
    assert target("theorem t (n : ℕ) (x : ℤ) : x ^ n = 2 ^ (n + 1)") == Rel(
        "=", Arith("^", x, n, INT), Arith("^", lit(2, INT), Arith("+", n, lit(1), NAT), INT))
    assert target("theorem t (x : ℤ) (n : ℕ) : -n = x") == Rel("=", Neg(Cast(n)), x)


def test_functions_and_constants() -> None:
    f = Var("f", Arrow(INT, INT))
    assert target("theorem t (f : ℤ → ℤ) (n : ℕ) : f (n - 1) = f 2") == Rel(
        "=", App(f, (Arith("-", Cast(n), lit(1, INT), INT),), INT), App(f, (lit(2, INT),), INT))
    gcd = Const("Nat.gcd", arrow(NAT, NAT, NAT))
    assert target("theorem t : Nat.gcd 180 168 = 12") == Rel("=", App(gcd, (lit(180), lit(168)), NAT), lit(12))
    fact = Const("Nat.factorial", Arrow(NAT, NAT))
    for s in ("n ! = 1", "Nat.factorial n = 1", "factorial n = 1"):
        assert target(f"theorem t (n : ℕ) : {s}") == Rel("=", App(fact, (n,), NAT), lit(1))
    prime = Const("Nat.Prime", Arrow(NAT, PROP))
    assert target("theorem t (p : ℕ) : Prime p") == App(prime, (Var("p", NAT),), PROP)
    assert target("theorem t (x : ℤ) : Even x") == App(Const("Even", Arrow(INT, PROP)), (x,), PROP)
    assert target("theorem t : Odd 3") == App(Const("Odd", Arrow(NAT, PROP)), (lit(3),), PROP)
    assert target("theorem t (x : ℤ) : |x| = Int.natAbs x") == Rel(
        "=", App(Const("abs", Arrow(INT, INT)), (x,), INT), Cast(App(Const("Int.natAbs", Arrow(INT, NAT)), (x,), NAT)))
    assert target("theorem t (a b : ℕ) : a ≡ b [MOD 3]") == App(
        Const("Nat.ModEq", arrow(NAT, NAT, NAT, PROP)), (lit(3), Var("a", NAT), Var("b", NAT)), PROP)
    assert target("theorem t (a : ℕ) (b : ℤ) : a ≡ b [ZMOD 3]") == App(
        Const("Int.ModEq", arrow(INT, INT, INT, PROP)), (lit(3, INT), Cast(Var("a", NAT)), Var("b", INT)), PROP)
    assert target("theorem t (a : ℕ) (b : ℤ) : max a b = 1") == Rel(
        "=", App(Const("max", arrow(INT, INT, INT)), (Cast(Var("a", NAT)), Var("b", INT)), INT), lit(1, INT))
    pr = Var("P", Arrow(NAT, PROP))
    assert target("theorem t (P : ℕ → Prop) : P 1 ∧ True ∨ ¬False") == Or(
        And(App(pr, (lit(1),), PROP), TRUE), Not(FALSE))


def test_binder_elaboration() -> None:
    # ∀ n ≥ 5, P  =  ∀ n, n ≥ 5 → P
    fx = Var("x", Arrow(NAT, INT))
    t = target("theorem t (x : ℕ → ℤ) : ∀ n ≥ 5, x n = 0")
    nn = Var("n", NAT)
    assert t == Forall("n", NAT, Imp(Rel("≥", nn, lit(5)), Rel("=", App(fx, (nn,), INT), lit(0, INT))))
    t = target("theorem t : ∃ x > 0, x < 3")
    xv = Var("x", NAT)
    assert t == Exists("x", NAT, And(Rel(">", xv, lit(0)), Rel("<", xv, lit(3))))
    # untyped binders take their type from how the body uses them
    t = target("theorem t (f : ℤ → ℤ) : ∀ n, 1000 ≤ n → f n = n - 3")
    assert isinstance(t, Forall) and t.ty == INT
    t = target("theorem t (f : ℤ → ℤ) : ∀ n, Odd n → f n = n ^ 2")
    assert isinstance(t, Forall) and t.ty == INT
    t = target("theorem t (z : ℤ) : ∃ a b, a + b = z")
    assert t.ty == INT and t.body.ty == INT
    # the predicate comes first, as in Lean's expansion `∃ x, x > 0 ∧ ...`
    t = target("theorem t (n : ℕ) : ∃ x > (0 : ℤ), x + n = 5")
    assert t.ty == INT and t.body.rhs == Rel("=", Arith("+", Var("x", INT), Cast(n), INT), lit(5, INT))
    t = target("theorem t : ∀ a, a = a")
    assert t.ty == NAT
    t = target("theorem t : ∀ p, p ∨ ¬p")
    assert t == Forall("p", PROP, t.body) and t.body.lhs == Var("p", PROP)
    t = target("theorem t : ∀ (x : ℤ) (y : ℕ), x = y")
    assert t == Forall("x", INT, Forall("y", NAT, Rel("=", x, Cast(Var("y", NAT)))))
    t = target("theorem t : ∀ x y : ℤ, x = y")
    assert t == Forall("x", INT, Forall("y", INT, Rel("=", x, y)))
    t = target("theorem t : True ∧ ¬False")
    assert t == And(TRUE, Not(FALSE))


def test_elaborate_term_in_goal_scope() -> None:
    goal = Goal((local("n", NAT), local("x", INT), local("h", Rel("=", x, lit(1, INT)))), TRUE)
    scope = Scope.from_goal(goal)
    assert elaborate_term(parse_term_text("x + n"), scope) == Arith("+", x, Cast(n), INT)
    assert elaborate_term(parse_term_text("n + 1"), scope) == Arith("+", n, lit(1), NAT)
    assert elaborate_term(parse_term_text("n + 1"), scope, INT) == Arith("+", Cast(n), lit(1, INT), INT)
    assert elaborate_term(parse_term_text("n = 1"), scope) == Rel("=", n, lit(1))
    assert elaborate_term(parse_term_text("2"), scope) == lit(2)
    s2 = scope.bind("k", INT)
    assert elaborate_term(parse_term_text("k + n"), s2) == Arith("+", Var("k", INT), Cast(n), INT)
    with pytest.raises(ParseError, match="type mismatch"):
        elaborate_term(parse_term_text("x"), scope, NAT)
    with pytest.raises(ParseError, match="proof"):
        elaborate_term(parse_term_text("h + 1"), scope)
    assert elaborate_type(parse_term_text("ℕ → ℤ → Prop")) == arrow(NAT, INT, PROP)
    assert alpha_eq(elaborate_term(parse_term_text("∀ a, a = x"), scope), Forall("b", INT, Rel("=", Var("b", INT), x)))
