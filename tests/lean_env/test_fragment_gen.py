"""The soundness test's generator and oracle, checked on their own.

The oracle must be right (Lean 4 semantics, certain counterexamples only) and the printed
text must mean the AST it came from: a small Pratt parser with Lean's precedences reads the
text back, once with prefix `-` at precedence 75 and once at max, and both must agree.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    from . import fragment_gen as fg
except ImportError:
    import fragment_gen as fg

N, Z, Q, R = fg.NAT, fg.INT, fg.RAT, fg.REAL
x, y = fg.Var("x", N), fg.Var("y", N)
z = fg.Var("z", Z)
n_nat, n_int = fg.Var("n", N), fg.Var("n", Z)
p, q = fg.PVar("p"), fg.PVar("q")


def lit(v: int, ty: str = N) -> fg.Num:
    return fg.Lit(v, ty) if v >= 0 else fg.Neg(fg.Lit(-v, ty))


# ---------------------------------------------------------------- arithmetic semantics


def test_int_division_examples() -> None:
    assert fg.int_ediv(-7, 2) == -4 and fg.int_emod(-7, 2) == 1
    assert fg.int_ediv(7, -2) == -3 and fg.int_emod(7, -2) == 1
    assert fg.int_ediv(-7, -2) == 4 and fg.int_emod(-7, -2) == 1
    assert fg.int_ediv(7, 2) == 3 and fg.int_emod(7, 2) == 1
    assert fg.int_ediv(-6, 3) == -2 and fg.int_emod(-6, 3) == 0
    assert fg.int_ediv(5, 0) == 0 and fg.int_emod(5, 0) == 5
    assert fg.int_ediv(-5, 0) == 0 and fg.int_emod(-5, 0) == -5


def test_int_division_table() -> None:
    for a in range(-12, 13):
        for b in range(-6, 7):
            q_, r = fg.int_ediv(a, b), fg.int_emod(a, b)
            if b == 0:
                assert (q_, r) == (0, a)
            else:
                assert a == b * q_ + r and 0 <= r < abs(b)


def test_nat_operations() -> None:
    assert fg.nat_sub(3, 5) == 0 and fg.nat_sub(5, 3) == 2
    assert fg.nat_div(7, 2) == 3 and fg.nat_div(7, 0) == 0 and fg.nat_div(0, 0) == 0
    assert fg.nat_mod(7, 3) == 1 and fg.nat_mod(7, 0) == 7
    for a in range(12):
        for b in range(1, 6):
            assert a == b * fg.nat_div(a, b) + fg.nat_mod(a, b)


def test_divides() -> None:
    assert fg.divides(0, 0) and not fg.divides(0, 3)
    assert fg.divides(3, 0) and fg.divides(-2, 4) and fg.divides(2, -4) and fg.divides(1, 7)
    assert not fg.divides(2, 3) and not fg.divides(-3, 4)


def test_evaluator_arithmetic() -> None:
    env = {"x": 3, "y": 5, "z": -7}
    sub = fg.Bin("-", x, y, N)
    assert fg.eval_num(sub, env) == 0
    assert fg.eval_num(fg.Cast(sub), env) == 0  # `(↑(x - y) : ℤ)` casts the truncated value
    assert fg.eval_num(fg.Bin("-", fg.Cast(x), fg.Cast(y), Z), env) == -2
    assert fg.eval_num(fg.Bin("/", z, lit(2, Z), Z), env) == -4
    assert fg.eval_num(fg.Bin("%", z, lit(2, Z), Z), env) == 1
    assert fg.eval_num(fg.Bin("/", x, lit(0), N), env) == 0
    assert fg.eval_num(fg.Bin("%", x, lit(0), N), env) == 3
    assert fg.eval_num(fg.Pow(fg.Neg(z), 2, Z), env) == 49
    assert fg.eval_num(fg.Pow(lit(0), 0, N), env) == 1
    assert fg.evaluate(fg.Rel("∣", lit(0), x), env) is False
    assert fg.evaluate(fg.Rel("∣", fg.Neg(lit(2, Z)), lit(4, Z)), env) is True


def test_field_arithmetic_is_exact_with_lean_division() -> None:
    a = fg.Var("a", R)
    half = {"a": fg.Fraction(1, 2), "x": 7}
    assert fg.eval_num(fg.Bin("/", fg.Lit(7, R), fg.Lit(2, R), R), {}) == fg.Fraction(7, 2)
    assert fg.eval_num(fg.Bin("/", a, fg.Lit(0, R), R), half) == 0  # x / 0 = 0
    assert fg.eval_num(fg.Inv(fg.Lit(0, Q), Q), {}) == 0  # 0⁻¹ = 0
    assert fg.eval_num(fg.Inv(a, R), half) == 2
    # a cast reads the value its source type computed: ℕ division truncates before the cast
    assert fg.eval_num(fg.Cast(fg.Bin("/", x, fg.Lit(2, N), N), R), half) == 3
    assert fg.eval_num(fg.Bin("/", fg.Cast(x, R), fg.Lit(2, R), R), half) == fg.Fraction(7, 2)
    # facts of ℤ that fail on a field, refuted at 1/2
    stmt = fg.Statement((("a", R),), (), fg.Rel("≥", fg.Pow(a, 2, R), a))
    assert fg.counterexample(stmt) == {"a": fg.Fraction(1, 2)}
    stmt = fg.Statement((("a", Q),), (("h₀", fg.Rel("=", fg.Bin("*", fg.Lit(2, Q), fg.Var("a", Q), Q), fg.Lit(1, Q))),),
                        fg.Const(False))
    assert fg.counterexample(stmt) == {"a": fg.Fraction(1, 2)}
    # a ∀ over a field is never certified true, only refuted
    assert fg.evaluate(fg.Quant("∀", "n", R, fg.Rel("≥", fg.Pow(fg.Var("n", R), 2, R), fg.Lit(0, R))), {}) is None
    assert fg.evaluate(fg.Quant("∀", "n", R, fg.Rel("≥", fg.Var("n", R), fg.Lit(0, R))), {}) is False


# ---------------------------------------------------------------- three-valued logic


def test_kleene_connectives() -> None:
    unknown = fg.Quant("∀", "n", N, fg.Rel("<", n_nat, lit(100)))  # true, not certifiable
    assert fg.evaluate(unknown, {}) is None
    assert fg.evaluate(fg.Not(unknown), {}) is None
    assert fg.evaluate(fg.Conn("∧", fg.Const(False), unknown), {}) is False
    assert fg.evaluate(fg.Conn("∧", fg.Const(True), unknown), {}) is None
    assert fg.evaluate(fg.Conn("∨", unknown, fg.Const(True)), {}) is True
    assert fg.evaluate(fg.Conn("∨", unknown, fg.Const(False)), {}) is None
    assert fg.evaluate(fg.Conn("→", unknown, fg.Const(True)), {}) is True
    assert fg.evaluate(fg.Conn("→", fg.Const(False), unknown), {}) is True
    assert fg.evaluate(fg.Conn("→", fg.Const(True), unknown), {}) is None
    assert fg.evaluate(fg.Conn("↔", unknown, fg.Const(True)), {}) is None


def test_quantifiers_are_three_valued() -> None:
    ev = lambda t: fg.evaluate(t, {})
    assert ev(fg.Quant("∀", "n", N, fg.Rel("<", n_nat, lit(3)))) is False  # n = 3 fails
    assert ev(fg.Quant("∀", "n", N, fg.Rel("<", n_nat, lit(10)))) is None  # no small failure
    assert ev(fg.Quant("∃", "n", N, fg.Rel("=", n_nat, lit(2)))) is True
    assert ev(fg.Quant("∃", "n", N, fg.Rel("=", n_nat, lit(7)))) is None  # maybe further out
    assert ev(fg.Quant("∃", "n", Z, fg.Rel("=", n_int, lit(-3, Z)))) is True
    assert ev(fg.Quant("∃", "n", Z, fg.Rel("=", fg.Bin("*", n_int, n_int, Z), lit(2, Z)))) is None
    # bounded ℕ quantifiers (`∀ n < 4`, `∃ n ≤ 2`) are enumerated completely
    assert ev(fg.Quant("∀", "n", N, fg.Rel("<", n_nat, lit(4)), ("<", 4))) is True
    assert ev(fg.Quant("∃", "n", N, fg.Rel("=", n_nat, lit(5)), ("≤", 2))) is False
    assert ev(fg.Quant("∀", "n", N, fg.Rel("≥", n_nat, lit(2)), ("≥", 2))) is None
    assert ev(fg.Quant("∀", "n", N, fg.Rel(">", fg.Pow(n_nat, 2, N), n_nat), ("≥", 2))) is None
    assert ev(fg.Quant("∀", "n", N, fg.Rel(">", fg.Pow(n_nat, 2, N), fg.Bin("+", n_nat, lit(2), N)), ("≥", 2))) is False
    assert ev(fg.Quant("∀", "n", N, fg.Const(False), ("<", 0))) is True  # empty range
    # ℤ bounds never make the range finite
    assert ev(fg.Quant("∀", "n", Z, fg.Rel("<", n_int, lit(4, Z)), ("<", 4))) is None
    assert ev(fg.Quant("∃", "n", Z, fg.Rel("=", n_int, lit(9, Z)), ("≤", 4))) is None
    # an unknown inside a ∀ with no failing instance stays unknown
    inner = fg.Quant("∃", "m", N, fg.Rel("=", fg.Var("m", N), fg.Bin("+", n_nat, lit(7), N)))
    assert ev(fg.Quant("∀", "n", N, inner, ("<", 2))) is None


def test_counterexample_requires_certainty() -> None:
    stmt = lambda hyps, target, vs=(): fg.Statement(tuple(vs), tuple(hyps), target)
    unknown_true = fg.Quant("∀", "n", N, fg.Rel("<", n_nat, lit(10)))
    assert fg.counterexample(stmt([], unknown_true)) is None
    assert fg.counterexample(stmt([("h", unknown_true)], fg.Const(False))) is None
    witness = fg.Quant("∃", "n", N, fg.Rel("=", n_nat, lit(2)))
    assert fg.counterexample(stmt([("h", witness)], fg.Const(False))) == {}
    sub = stmt([], fg.Rel("=", fg.Bin("+", fg.Bin("-", x, y, N), y, N), x), [("x", N), ("y", N)])
    cex = fg.counterexample(sub)
    assert cex is not None and cex["x"] < cex["y"]
    guarded = fg.Statement(sub.variables, (("h₀", fg.Rel("≤", y, x)),), sub.target)
    assert fg.counterexample(guarded) is None
    props = stmt([], fg.Conn("→", fg.Conn("→", p, q), fg.Conn("→", q, p)), [("p", fg.PROP), ("q", fg.PROP)])
    assert fg.counterexample(props) == {"p": False, "q": True}


# ---------------------------------------------------------------- printing


def test_printing_examples() -> None:
    s = fg.Statement(
        (("x", N), ("y", N), ("z", Z), ("p", fg.PROP), ("q", fg.PROP)),
        (("h₀", fg.Rel("<", x, y)), ("h₁", fg.Conn("∨", p, q))),
        fg.Conn("∧", fg.Rel("≤", fg.Bin("+", x, lit(1), N), y), fg.Conn("∨", p, q)),
    )
    assert s.text == "theorem t (x y : ℕ) (z : ℤ) (p q : Prop) (h₀ : x < y) (h₁ : p ∨ q) : x + 1 ≤ y ∧ (p ∨ q)"
    assert fg.prop_text(fg.Rel("=", fg.Bin("/", lit(-7, Z), lit(2, Z), Z), lit(-4, Z))) == "-(7 : ℤ) / 2 = -(4 : ℤ)"
    assert fg.prop_text(fg.Rel("<", lit(2, Z), lit(3, Z))) == "(2 : ℤ) < 3"
    assert fg.prop_text(fg.Rel("=", fg.Cast(fg.Bin("-", x, y, N)), fg.Bin("-", fg.Cast(x), fg.Cast(y), Z))) \
        == "(↑(x - y) : ℤ) = (↑x : ℤ) - (↑y : ℤ)"
    assert fg.num_text(fg.Pow(fg.Neg(z), 2, Z)) == "(-z) ^ 2"
    assert fg.num_text(fg.Neg(fg.Pow(z, 2, Z))) == "-(z ^ 2)"
    assert fg.num_text(fg.Bin("-", x, fg.Bin("-", y, x, N), N)) == "x - (y - x)"
    assert fg.num_text(fg.Pow(fg.Pow(x, 2, N), 3, N)) == "(x ^ 2) ^ 3"
    assert fg.prop_text(fg.Not(fg.Rel("=", x, y))) == "¬x = y"
    assert fg.prop_text(fg.Not(fg.Conn("∧", p, q))) == "¬(p ∧ q)"
    assert fg.prop_text(fg.Conn("→", fg.Conn("→", p, q), p)) == "(p → q) → p"
    body = fg.Rel(">", fg.Pow(n_nat, 2, N), n_nat)
    assert fg.prop_text(fg.Quant("∀", "n", N, body, ("≥", 2))) == "∀ n ≥ 2, n ^ 2 > n"
    assert fg.prop_text(fg.Quant("∃", "n", Z, fg.Rel("<", n_int, z), (">", 1))) == "∃ n > (1 : ℤ), n < z"
    assert fg.prop_text(fg.Conn("∧", fg.Quant("∀", "n", N, body), p)) == "(∀ n : ℕ, n ^ 2 > n) ∧ p"
    a = fg.Var("a", R)
    assert fg.prop_text(fg.Rel("<", fg.Lit(2, R), fg.Inv(fg.Lit(3, R), R))) == "2 < (3 : ℝ)⁻¹"
    assert fg.num_text(fg.Neg(fg.Inv(a, R), R)) == "-a⁻¹"
    assert fg.num_text(fg.Inv(fg.Bin("+", a, fg.Lit(1, R), R), R)) == "(a + 1)⁻¹"
    assert fg.num_text(fg.Cast(fg.Bin("/", z, fg.Lit(2, Z), Z), Q)) == "(↑(z / 2) : ℚ)"
    assert fg.num_text(fg.Cast(fg.Lit(2, N), R)) == "(↑(2 : ℕ) : ℝ)"


_TOKEN = re.compile(r"\s*(\d+|[A-Za-z_][A-Za-z_0-9₀-₉']*|⁻¹|[()\[\]:,↑¬+\-*/%^=≠<≤>≥∣∧∨→↔∀∃ℕℤℚℝ])")
_INFIX = {  # op: (precedence, associativity)
    "↔": (20, "none"), "→": (25, "right"), "∨": (30, "right"), "∧": (35, "right"),
    "=": (50, "none"), "≠": (50, "none"), "<": (50, "none"), "≤": (50, "none"),
    ">": (50, "none"), "≥": (50, "none"), "∣": (50, "none"),
    "+": (65, "left"), "-": (65, "left"), "*": (70, "left"), "/": (70, "left"), "%": (70, "left"),
    "^": (75, "right"),
}
MAX = 1024


class _Reader:
    """Reads our statements back with Lean's precedences into untyped trees."""

    def __init__(self, text: str, neg_arg_prec: int) -> None:
        self.toks: list[str] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            assert m, f"cannot tokenize at {text[pos:]!r}"
            self.toks.append(m.group(1))
            pos = m.end()
        self.i = 0
        self.neg = neg_arg_prec

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expect: str | None = None) -> str:
        tok = self.toks[self.i]
        assert expect is None or tok == expect, f"expected {expect!r}, got {tok!r} at {self.i}"
        self.i += 1
        return tok

    def statement(self) -> tuple[list[tuple[str, object]], object]:
        self.take("theorem")
        self.take()
        binders: list[tuple[str, object]] = []
        while self.peek() == "(":
            self.take("(")
            names = []
            while self.peek() != ":":
                names.append(self.take())
            self.take(":")
            ty = self.expr(0)
            self.take(")")
            binders += [(nm, ty) for nm in names]
        self.take(":")
        target = self.expr(0)
        assert self.peek() is None, f"trailing tokens {self.toks[self.i:]}"
        return binders, target

    def expr(self, min_prec: int) -> object:
        lhs, level = self.leading()
        while self.peek() == "⁻¹":  # postfix at max precedence: binds before any infix or prefix
            assert level >= MAX, f"⁻¹ after level {level}"
            self.take()
            lhs = ("inv", lhs)
        while (op := self.peek()) in _INFIX:
            prec, assoc = _INFIX[op]
            if prec < min_prec:
                break
            assert level >= (prec if assoc == "left" else prec + 1), f"{op} after level {level}"
            self.take()
            rhs = self.expr(prec if assoc == "right" else prec + 1)
            lhs, level = (op, lhs, rhs), prec
        return lhs

    def leading(self) -> tuple[object, int]:
        tok = self.take()
        if tok == "¬":
            return ("¬", self.expr(40)), MAX
        if tok == "-":
            return ("neg", self.expr(self.neg)), self.neg
        if tok == "↑":
            return ("cast", self.expr(MAX)), MAX
        if tok in ("∀", "∃"):
            name = self.take()
            if self.peek() == ":":
                self.take(":")
                ty, bound = self.take(), None
            else:
                op = self.take()
                ty = N
                if self.peek() == "(":  # other bounds are written `(k : ℤ)`
                    ty = self.toks[self.i + 3]
                value = self.expr(51)
                bound = (op, value)
            self.take(",")
            return (tok, name, ty, bound, self.expr(0)), 0
        if tok == "(":
            inner = self.expr(0)
            if self.peek() == ":":
                self.take(":")
                ty = self.take()
                self.take(")")
                return (inner if inner[0] != "cast" else ("cast", inner[1])), MAX
            self.take(")")
            return inner, MAX
        if tok.isdigit():
            return ("n", int(tok)), MAX
        return ("v", tok), MAX


def _shape(t: object) -> object:
    """The untyped tree `_Reader` should read for an AST node."""
    match t:
        case fg.Var(name=nm) | fg.PVar(name=nm):
            return ("v", nm)
        case fg.Lit(value=v):
            return ("n", v)
        case fg.Const(value=v):
            return ("v", "True" if v else "False")
        case fg.Bin(op=op, lhs=a, rhs=b) | fg.Rel(op=op, lhs=a, rhs=b) | fg.Conn(op=op, lhs=a, rhs=b):
            return (op, _shape(a), _shape(b))
        case fg.Pow(base=b, exp=e):
            return ("^", _shape(b), ("n", e))
        case fg.Neg(arg=a):
            return ("neg", _shape(a))
        case fg.Cast(arg=a):
            return ("cast", _shape(a))
        case fg.Inv(arg=a):
            return ("inv", _shape(a))
        case fg.ZPow(base=b, exp=e):
            return ("^", _shape(b), _shape(e))
        case fg.Not(arg=a):
            return ("¬", _shape(a))
        case fg.Quant(kind=k, name=nm, ty=ty, body=b, bound=bound):
            sb = None if bound is None else (bound[0], ("n", bound[1]))
            return (k, nm, ty, sb, _shape(b))
    raise TypeError(t)


def _well_typed(t: object, scope: dict[str, str]) -> str:
    """The type of an AST node, asserting operands agree and every variable is in scope."""
    match t:
        case fg.Var(name=nm, ty=ty):
            assert scope.get(nm) == ty, f"{nm} : {ty} not in scope {scope}"
            return ty
        case fg.PVar(name=nm):
            assert scope.get(nm) == fg.PROP, nm
            return fg.PROP
        case fg.Lit(value=v, ty=ty):
            assert 0 <= v
            return ty
        case fg.Bin(op=op, lhs=a, rhs=b, ty=ty):
            assert _well_typed(a, scope) == ty == _well_typed(b, scope)
            assert not (op == "%" and ty in fg.FIELDS)
            return ty
        case fg.Pow(base=b, exp=e, ty=ty):
            assert _well_typed(b, scope) == ty and 0 <= e <= 4
            return ty
        case fg.Neg(arg=a, ty=ty):
            assert _well_typed(a, scope) == ty != N
            return ty
        case fg.Inv(arg=a, ty=ty):
            assert _well_typed(a, scope) == ty in fg.FIELDS
            return ty
        case fg.ZPow(base=b, exp=e, ty=ty):
            assert _well_typed(b, scope) == ty in fg.FIELDS and _well_typed(e, scope) == Z
            return ty
        case fg.Cast(arg=a, ty=ty):
            assert fg.TOWER.index(_well_typed(a, scope)) < fg.TOWER.index(ty)
            return ty
        case fg.Rel(op=op, lhs=a, rhs=b):
            assert _well_typed(a, scope) == _well_typed(b, scope) != fg.PROP
            assert not (op == "∣" and _well_typed(a, scope) in fg.FIELDS)
        case fg.Not(arg=a):
            assert _well_typed(a, scope) == fg.PROP
        case fg.Conn(lhs=a, rhs=b):
            assert _well_typed(a, scope) == fg.PROP == _well_typed(b, scope)
        case fg.Quant(name=nm, ty=ty, body=b):
            assert nm not in scope, f"bound {nm} shadows"
            assert _well_typed(b, {**scope, nm: ty}) == fg.PROP
    return fg.PROP


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fg.statements())
def test_generated_texts_are_well_formed(stmt: fg.Statement) -> None:
    names = [nm for nm, _ in stmt.variables] + [nm for nm, _ in stmt.hyps]
    assert len(names) == len(set(names))
    scope = dict(stmt.variables)
    for _, h in stmt.hyps:
        _well_typed(h, scope)
    _well_typed(stmt.target, scope)
    text = stmt.text
    assert "--" not in text and ":=" not in text
    expected = [(nm, ("v", ty)) for nm, ty in stmt.variables] + [(nm, _shape(h)) for nm, h in stmt.hyps]
    for neg_prec in (75, MAX):  # the meaning must not depend on the precedence of prefix `-`
        binders, target = _Reader(text, neg_prec).statement()
        assert binders == expected, text
        assert target == _shape(stmt.target), text


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fg.statements())
def test_counterexamples_are_genuine(stmt: fg.Statement) -> None:
    cex = fg.counterexample(stmt)
    if cex is None:
        return
    assert set(cex) == {nm for nm, _ in stmt.variables}
    assert all(fg.evaluate(h, cex) is True for _, h in stmt.hyps)
    assert fg.evaluate(stmt.target, cex) is False


@pytest.mark.parametrize("strategy", [fg.near_miss_statements(), fg.random_statements()])
def test_generators_produce_refutable_and_other_statements(strategy: st.SearchStrategy) -> None:
    seen = {"cex": 0, "none": 0}

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def collect(stmt: fg.Statement) -> None:
        seen["cex" if fg.counterexample(stmt) is not None else "none"] += 1

    collect()
    assert seen["cex"] >= 40 and seen["none"] >= 20, seen
