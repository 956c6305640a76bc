"""Families that need algebra: induction-style identities and sequences, nonlinear facts."""

from __future__ import annotations

import random
from collections.abc import Sequence

from lean_env.mini.terms import INT, NAT, Arrow
from selfplay.gen_draft import Binders, Difficulty, Draft, clamp, coef_max, flip, num_bound
from selfplay.gen_terms import (
    Bin,
    Call,
    Expr,
    Num,
    Prop,
    Quant,
    Rel,
    Var,
    plus,
    scaled,
    sum_of,
    summands,
)

# ------------------------------------------------------------------ induction-style

Poly = dict[tuple[int, ...], int]  # exponent vector -> coefficient


def _pmul(p: Poly, q: Poly) -> Poly:
    out: Poly = {}
    for e1, c1 in p.items():
        for e2, c2 in q.items():
            e = tuple(a + b for a, b in zip(e1, e2))
            out[e] = out.get(e, 0) + c1 * c2
    return {e: c for e, c in out.items() if c}


def _pexpr(p: Poly, names: Sequence[str]) -> Expr:
    """Nonnegative coefficients only (an ℕ-safe sum), highest degree first."""
    terms: list[Expr] = []
    for e, c in sorted(p.items(), key=lambda ec: (-sum(ec[0]), [-k for k in ec[0]])):
        factors: list[Expr] = [Var(v) if k == 1 else Bin("^", Var(v), Num(k)) for v, k in zip(names, e) if k]
        mono = factors[0] if factors else Num(c)
        for f in factors[1:]:
            mono = Bin("*", mono, f)
        terms.append(scaled(c, mono) if factors else mono)
    return sum_of(terms) if terms else Num(0)


def induction(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    b = num_bound(d) // 2
    shape = rng.choices(["identity", "truncation", "sequence"], [4, 1, 2 * (d.hypotheses >= 1)])[0]
    if shape == "truncation":  # ℕ subtraction: n - a + a = n needs a ≤ n
        a = rng.randint(1, b)
        n = Var("n")
        eq = Rel("=", Bin("+", Bin("-", n, Num(a)), Num(a)), n)
        hyps = (Rel("≤", Num(a), n),) if truth else ()
        return Draft("induction", truth, ((("n",), NAT),), hyps, eq, {"n": a if truth else 0})
    if shape == "sequence":
        return _sequence(rng, d, truth)
    names = ("n", "m", "k")[: clamp(d.variables, 1, 3)]
    dim = len(names)

    def linear_factor() -> Poly:
        chosen = rng.sample(range(dim), rng.randint(1, dim))
        top = 2 if d.arithmetic_size < 3 else 3
        p: Poly = {tuple(int(i == j) for i in range(dim)): rng.randint(1, top) for j in chosen}
        c = rng.randint(0, max(1, b // 2))
        if c:
            p[(0,) * dim] = c
        return p

    factors = [linear_factor() for _ in range(rng.randint(1, clamp(d.logic_depth, 1, 3)))]
    if len(factors) == 1 and len(factors[0]) == 1:  # `n = n` says nothing: add a constant
        factors[0][(0,) * dim] = rng.randint(1, max(1, b))
    prod: Poly = {(0,) * dim: 1}
    for f in factors:
        prod = _pmul(prod, f)
    lhs: Expr = _pexpr(factors[0], names)
    for f in factors[1:]:
        lhs = Bin("*", lhs, _pexpr(f, names))
    if len(factors) == 1:  # a lone factor: state it reordered, `a + n = n + a` style
        lhs = sum_of(list(reversed(summands(_pexpr(factors[0], names)))))
    rhs_poly = dict(prod)
    if not truth:  # perturb one coefficient: then `all ones` is a counterexample
        e = rng.choice(list(rhs_poly))
        rhs_poly[e] += 1 if rhs_poly[e] <= 1 or rng.random() < 0.5 else -1
    eq = Rel("=", lhs, _pexpr(rhs_poly, names))
    used = tuple(v for i, v in enumerate(names) if any(e[i] for e in prod))
    point = {v: 1 for v in names}
    if rng.random() < 0.5:  # `∀ n, ...` (needs `intro`) or binders
        return Draft("induction", truth, (), (), Quant("∀", used, NAT, eq), point)
    return Draft("induction", truth, ((used, NAT),), (), eq, point)


def _sequence(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    """Recursively specified s : ℕ → ℕ (arithmetic, triangular or geometric) and a claim about it."""
    s, n = "s", Var("n")
    kind = rng.choice(["arith", "sum", "geom"])
    c = rng.randint(0, num_bound(d) // 4)
    if kind == "arith":
        step = rng.randint(1, coef_max(d))
        rec: Expr = plus(Call(s, n), step, NAT)
        closed = lambda k: c + step * k
        formula: Expr = plus(scaled(step, n), c, NAT)
        lhs_all: Expr = Call(s, n)
    elif kind == "sum":
        rec = Bin("+", Call(s, n), Bin("+", n, Num(1)))
        closed = lambda k: c + k * (k + 1) // 2
        formula = plus(Bin("*", n, Bin("+", n, Num(1))), 2 * c, NAT)
        lhs_all = Bin("*", Num(2), Call(s, n))
    else:
        c = max(c, 1)
        ratio = rng.randint(2, 3)
        rec = Bin("*", Num(ratio), Call(s, n))
        closed = lambda k: c * ratio**k
        formula = scaled(c, Bin("^", Num(ratio), n))
        lhs_all = Call(s, n)
    hyps = (Rel("=", Call(s, Num(0)), Num(c)),
            Quant("∀", ("n",), NAT, Rel("=", Call(s, Bin("+", n, Num(1))), rec)))
    if d.logic_depth >= 2 and rng.random() < 0.5:  # the general closed form (needs induction)
        rhs = formula if truth else plus(formula, 1, NAT)
        target: Prop = Quant("∀", ("n",), NAT, Rel("=", lhs_all, rhs))
    else:  # one value: unfold a few steps
        k = rng.randint(1, 3 + d.arithmetic_size)
        target = Rel("=", Call(s, Num(k)), Num(closed(k) + (0 if truth else rng.choice([1, 2]))))
    return Draft("induction", truth, (((s,), Arrow(NAT, NAT)),), hyps, target, {s: closed})


# ------------------------------------------------------------------ nonlinear


def nonlinear(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    ty = INT if rng.random() < 0.8 else NAT
    a, b, c = Var("a"), Var("b"), Var("c")
    p, q = rng.randint(1, coef_max(d)), rng.randint(1, coef_max(d))
    k = rng.randint(0, num_bound(d) // 2)
    sq = lambda e: Bin("^", e, Num(2))
    shapes = ["square", "sos", "expand", "amgm"]
    if ty == INT:
        shapes += ["product", "monotone"]
    if d.variables >= 3:
        shapes.append("three")
    shape = rng.choice(shapes)
    binders: Binders = ((("a", "b"), ty),)
    hyps: tuple[Prop, ...] = ()
    if shape == "square":  # 0 ≤ (p a - q b)^2 + k ; false: 0 < (p a - q b)^2 at a = b = 0
        e = sq(Bin("-", scaled(p, a), scaled(q, b)))
        target: Prop = Rel("≤", Num(0), plus(e, k, NAT)) if truth else Rel("<", Num(0), e)
        point = {"a": 0, "b": 0}
    elif shape == "sos":  # 0 ≤ a^2 + b^2 + k ; false: a^2 + b^2 ≥ k + 1 at 0
        e = Bin("+", scaled(p, sq(a)), scaled(q, sq(b)))
        target = Rel("≤", Num(0), plus(e, k, NAT)) if truth else Rel("≥", e, Num(k + 1))
        point = {"a": 0, "b": 0}
    elif shape == "expand":  # (a + p b)^2 = a^2 + 2p ab + p^2 b^2, false with one coefficient off
        cross = 2 * p + (0 if truth else rng.choice([1, -1]))
        rhs = sum_of([sq(a), scaled(cross, Bin("*", a, b)), scaled(p * p, sq(b))])
        target = Rel("=", sq(Bin("+", a, scaled(p, b))), rhs)
        point = {"a": 1, "b": 1}
    elif shape == "amgm":  # p²a² + q²b² ≥ 2pq·ab ; false: (p + q)² · ab, at a = b = 1
        lhs = Bin("+", scaled(p * p, sq(a)), scaled(q * q, sq(b)))
        m = 2 * p * q if truth else 2 * p * q + p * p + q * q
        target = flip(rng, Rel("≤", scaled(m, Bin("*", a, b)), lhs))
        point = {"a": 1, "b": 1} if not truth else {"a": 0, "b": 0}
    elif shape == "product":  # 0 ≤ a, 0 ≤ b ⊢ 0 ≤ a * b + k ; false: no 0 ≤ b, at (1, -(k + 1))
        hyps = (Rel("≤", Num(0), a), Rel("≤", Num(0), b)) if truth else (Rel("≤", Num(0), a),)
        target = Rel("≤", Num(0), plus(Bin("*", a, b), k, INT))
        point = {"a": 1, "b": 0 if truth else -(k + 1)}
    elif shape == "monotone":  # 0 < a < b ⊢ a^2 < b^2 ; false without 0 < a, at a = -2, b = 1
        hyps = (Rel("<", Num(0), a), Rel("<", a, b)) if truth else (Rel("<", a, b),)
        target = Rel("<", sq(a), sq(b))
        point = {"a": 1, "b": 2} if truth else {"a": -2, "b": 1}
    else:  # a² + b² + c² ≥ ab + bc + ca ; false: ab + bc + ca ≥ 0 at (1, -1, 0)
        ab_ = Bin("*", a, b)
        cyc = sum_of([ab_, Bin("*", b, c), Bin("*", c, a)])
        target = Rel("≥", sum_of([sq(a), sq(b), sq(c)]), cyc) if truth else Rel("≥", cyc, Num(0))
        binders = ((("a", "b", "c"), ty),)
        point = {"a": 1, "b": -1, "c": 0} if ty == INT else {"a": 0, "b": 0, "c": 0}
        if ty == NAT and not truth:  # over ℕ that is true; use the strict version, false at 0
            target = Rel(">", cyc, Num(0))
    if not hyps and d.hypotheses and rng.random() < 0.4:
        hyps = (Rel("≤", Num(0), a),)  # an irrelevant but harmless hypothesis
        point = {**point, "a": abs(point["a"])}
    return Draft("nonlinear", truth, binders, hyps, target, point, ty)
