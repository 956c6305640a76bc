"""Families about values: closed arithmetic, function values, case splits on residues."""

from __future__ import annotations

import random

from lean_env.mini.semantics import dvd
from lean_env.mini.terms import INT, NAT, Arrow, Base
from selfplay.gen_draft import Binders, Difficulty, Draft, coef_max, draw_value, flip, int_or_nat, num_bound
from selfplay.gen_terms import (
    Bin,
    Call,
    Conn,
    Expr,
    Not,
    Num,
    Prop,
    Quant,
    Rel,
    Typed,
    Value,
    Var,
    conj,
    evaluate,
    plus,
    scaled,
)

# ------------------------------------------------------------------ closed arithmetic


def _closed_expr(rng: random.Random, ty: Base, ops: int, b: int) -> Expr:
    if ops == 0:
        return Num(draw_value(rng, ty, b))
    op = rng.choices("+-*/%^", [3, 3, 3, 2, 2, 1])[0]
    if op == "^":
        return Bin("^", Num(rng.randint(0 if ty == NAT else -5, 5)), Num(rng.randint(0, 4)))
    left = ops - 1 - (split := rng.randint(0, ops - 1))
    right = _closed_expr(rng, ty, split, b)
    if op in "/%" and split == 0:
        right = Num(rng.randint(1, 9) * (rng.choice([1, -1]) if ty == INT else 1))
    return Bin(op, _closed_expr(rng, ty, left, b), right)


def _typed_leftmost(e: Expr) -> Expr:
    """Ascribe ℤ to the leftmost numeral: `(-7 : ℤ) / 2 = -4`."""
    if isinstance(e, Bin):
        return Bin(e.op, _typed_leftmost(e.left), e.right)
    return Typed(e, INT)


def _closed_fact(rng: random.Random, d: Difficulty, truth: bool, ty: Base) -> Rel:
    b = num_bound(d)
    for _ in range(50):
        e = _closed_expr(rng, ty, rng.randint(1, 1 + d.arithmetic_size), b)
        v = evaluate(e, {}, ty)
        if abs(v) <= 10**6:
            break
    if ty == INT:
        e = _typed_leftmost(e)
    delta = rng.randint(1, 3)
    op = rng.choice("=≠<≤∣")
    if op == "∣":
        divisors = [k for k in range(1, 13) if dvd(k, v) == truth]
        if divisors:
            return Rel("∣", Num(rng.choice(divisors)), e)
        op = "="
    if op == "=":
        wrong = v - delta if (ty == INT or v >= delta) and rng.random() < 0.5 else v + delta
        return flip(rng, Rel("=", e, Num(v if truth else wrong)))
    if op == "≠":
        return Rel("≠", e, Num(v + delta if truth else v))
    if truth:  # v < v + δ, v ≤ v + δ - 1
        bound_ = v + delta - (op == "≤")
    else:  # v < v - δ + 1 and v ≤ v - δ both fail
        bound_ = v - delta + (op == "<")
        if ty == NAT and bound_ < 0:
            op, bound_ = "<", 0
    return flip(rng, Rel(op, e, Num(bound_)))


def closed(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    ty = int_or_nat(rng, 0.35)
    shape = rng.choices(["fact", "both", "not"], [3, d.logic_depth >= 2, d.logic_depth >= 2])[0]
    if shape == "both":
        bad = rng.randrange(2) if not truth else -1
        target: Prop = Conn("∧", *(_closed_fact(rng, d, i != bad, ty) for i in range(2)))
    elif shape == "not":  # ¬(false fact) is true; ¬(true fact) is false
        target = Not(_closed_fact(rng, d, not truth, ty))
    else:
        target = _closed_fact(rng, d, truth, ty)
    return Draft("closed", truth, (), (), target, {}, ty)


# ------------------------------------------------------------------ function values


def _body(rng: random.Random, d: Difficulty, ty: Base, x: Expr) -> Expr:
    cmax, b = coef_max(d), num_bound(d) // 2
    kind = rng.choices(["lin", "sq", "mul"], [3, 1 + d.arithmetic_size // 2, 1])[0]
    c = draw_value(rng, ty, b)
    if kind == "lin":
        return plus(scaled(rng.randint(1, cmax), x), c, ty)
    if kind == "sq":
        return plus(Bin("^", x, Num(2)), c, ty)
    return Bin("-" if ty == INT or rng.random() < 0.3 else "+", Bin("*", x, x), Num(abs(c)))


def function(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    ty = int_or_nat(rng, 0.4)
    fn = "f"
    arr = Arrow(ty, ty)
    b = num_bound(d) // 2
    if d.hypotheses >= 2 and rng.random() < 0.3:  # pointwise facts only: f a = va, f b' = vb
        a1, a2 = rng.sample(range(0, b + 2), 2)
        v1, v2 = draw_value(rng, ty, b), draw_value(rng, ty, b)
        table = {a1: v1, a2: v2}
        f_of = lambda n: table.get(n, 0)
        hyps: tuple[Prop, ...] = (Rel("=", Call(fn, Num(a1)), Num(v1)), Rel("=", Call(fn, Num(a2)), Num(v2)))
        k = rng.randint(1, 3)
        lhs: Expr = Bin("+", scaled(k, Call(fn, Num(a1))), Call(fn, Num(a2)))
        value = k * v1 + v2 + (0 if truth else rng.choice([1, 2]))
        return Draft("function", truth, ((("f",), arr),), hyps, flip(rng, Rel("=", lhs, Num(value))),
                     {"f": f_of}, ty)
    body = _body(rng, d, ty, Var("x"))
    f_of = lambda n: evaluate(body, {"x": n}, ty)
    hyps = (Quant("∀", ("x",), ty, Rel("=", Call(fn, Var("x")), body)),)
    binders: Binders = ((("f",), arr),)
    point: dict[str, Value] = {"f": f_of}
    arg: Expr = Num(draw_value(rng, ty, min(b, 9)))
    shape = rng.choices(["value", "twice", "sum", "second"],
                        [3, d.logic_depth >= 2, d.logic_depth >= 2, d.variables >= 3 or d.hypotheses >= 3])[0]
    if shape == "twice":
        lhs = Call(fn, Call(fn, arg))
    elif shape == "sum":
        lhs = Bin("+", Call(fn, arg), Call(fn, Num(draw_value(rng, ty, min(b, 9)))))
    elif shape == "second":
        gbody = _body(rng, d, ty, Var("x"))
        hyps += (Quant("∀", ("x",), ty, Rel("=", Call("g", Var("x")), gbody)),)
        binders = ((("f", "g"), arr),)
        point["g"] = lambda n: evaluate(gbody, {"x": n}, ty)
        lhs = Call("g", Call(fn, arg))
    else:
        lhs = Call(fn, arg)
    value = evaluate(lhs, point, ty)
    if not truth:
        value += rng.choice([1, 2]) if ty == NAT or rng.random() < 0.5 else -rng.choice([1, 2])
    return Draft("function", truth, binders, hyps, flip(rng, Rel("=", lhs, Num(value))), point, ty)


# ------------------------------------------------------------------ case splits


def cases(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    ty = int_or_nat(rng, 0.4)
    x = Var("x")
    m = rng.randint(2, 3 + d.arithmetic_size)
    shape = rng.choice(["residues", "shift", "range", "choice", "squares"]
                       + (["pair"] if d.variables >= 2 else []))
    binders: Binders = ((("x",), ty),)
    hyps: tuple[Prop, ...] = ()
    if shape == "residues":  # x % m ∈ {0..m-1}; false: one residue missing, at x = it
        values = list(range(m))
        miss = rng.choice(values)
        if not truth:
            values.remove(miss)
        rng.shuffle(values)
        target = conj([Rel("=", Bin("%", x, Num(m)), Num(r)) for r in values], "∨")
        point = {"x": 0 if truth else miss}
    elif shape == "shift":  # x % m = r ⊢ (x + k) % m = (r + k) % m
        r, k = rng.randrange(m), rng.randint(1, num_bound(d))
        hyps = (Rel("=", Bin("%", x, Num(m)), Num(r)),)
        target = Rel("=", Bin("%", Bin("+", x, Num(k)), Num(m)), Num((r + k + (0 if truth else 1)) % m))
        point = {"x": r}
    elif shape == "range":  # x ≤ k ⊢ x = 0 ∨ ... ∨ x = k (ℕ); false: one value missing
        k = rng.randint(1, 2 + d.arithmetic_size)
        values = list(range(k + 1))
        miss = rng.choice(values)
        if not truth:
            values.remove(miss)
        binders, hyps = ((("x",), NAT),), (Rel("≤", x, Num(k)),)
        target = conj([Rel("=", x, Num(v)) for v in values], "∨")
        point, ty = {"x": miss}, NAT
    elif shape == "choice":  # x = a ∨ x = b ⊢ x * x ≤ M
        u, v = rng.sample(range(-num_bound(d) // 2 if ty == INT else 0, num_bound(d) // 2 + 1), 2)
        top = max(u * u, v * v)
        hyps = (Conn("∨", Rel("=", x, Num(u)), Rel("=", x, Num(v))),)
        bound_ = top + rng.randint(0, 3) if truth else top - rng.randint(1, 3 if ty == INT else 1)
        target = Rel("≤", Bin("*", x, x), Num(bound_))
        point = {"x": u if u * u == top else v}
    elif shape == "squares":  # x^2 % m takes exactly the quadratic residues
        residues = sorted({r * r % m for r in range(m)})
        if not truth:
            drop = rng.choice(residues)
            residues.remove(drop)
            point = {"x": next(r for r in range(m) if r * r % m == drop)}
        else:
            point = {"x": 0}
        target = conj([Rel("=", Bin("%", Bin("^", x, Num(2)), Num(m)), Num(r)) for r in residues], "∨")
    else:  # x % m = r, y % m = s ⊢ (x + y) % m = (r + s) % m
        r, s = rng.randrange(m), rng.randrange(m)
        y = Var("y")
        binders = ((("x", "y"), ty),)
        hyps = (Rel("=", Bin("%", x, Num(m)), Num(r)), Rel("=", Bin("%", y, Num(m)), Num(s)))
        target = Rel("=", Bin("%", Bin("+", x, y), Num(m)), Num((r + s + (0 if truth else 1)) % m))
        point = {"x": r, "y": s}
    return Draft("cases", truth, binders, hyps, target, point, ty)
