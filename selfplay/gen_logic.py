"""Families where the logic is the point: propositional, linear arithmetic, ∃-witness goals."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lean_env.mini.terms import INT, NAT, PROP, Arrow, Base
from selfplay.gen_draft import (
    ATOMS,
    VARS,
    Difficulty,
    Draft,
    clamp,
    coef_max,
    draw_value,
    flip,
    int_or_nat,
    num_bound,
)
from selfplay.gen_terms import (
    Atom,
    Bin,
    Call,
    Conn,
    Expr,
    Not,
    Num,
    Prop,
    Quant,
    Rel,
    Var,
    conj,
    holds,
    plus,
    scaled,
    show_prop,
    sum_of,
)

# ------------------------------------------------------------------ propositional


def prop(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    """Hypotheses start from a fact and chain (→ ∧ ∨ ¬ ↔); the label is a full truth table."""
    atoms = ATOMS[: clamp(d.variables + 1, 2, 7)]
    rows = [{a: bool(m >> i & 1) for i, a in enumerate(atoms)} for m in range(1 << len(atoms))]

    def conn(op: str, left: Prop, right: Prop) -> Prop:
        return left if left == right and op in "∧∨" else Conn(op, left, right)

    def rand(depth: int) -> Prop:
        if depth <= 0 or rng.random() < 0.25:
            a = Atom(rng.choice(atoms))
            return Not(a) if rng.random() < 0.15 else a
        return conn(rng.choice("∧∨→↔"), rand(depth - 1), rand(depth - 1))

    models: list[dict[str, bool]] = []
    while not models:
        pair = rng.sample(atoms, 2)
        hyps: list[Prop] = [Atom(pair[0]) if rng.random() < 0.7 else Conn("∧", Atom(pair[0]), Atom(pair[1]))]
        for _ in range(20 * d.hypotheses):
            if len(hyps) >= max(1, d.hypotheses):
                break
            a, b = map(Atom, rng.sample(atoms, 2))
            kind = rng.choices("a∧→∨¬↔", [1, 1, 4, 1, 1, 1])[0]
            h = a if kind == "a" else Not(a) if kind == "¬" else Conn(kind, a, b)
            if h not in hyps:
                hyps.append(h)
        models = [row for row in rows if all(holds(h, row, NAT) for h in hyps)]
    literals: list[Prop] = [Atom(a) for a in atoms if all(m[a] for m in models)]
    literals += [Not(Atom(a)) for a in atoms if not any(m[a] for m in models)]
    weak: list[Prop] = [Atom(a) for a in atoms if not all(m[a] for m in models)]
    weak = weak or [Not(lit) for lit in literals]  # one model left: deny a derivable literal

    def provable(depth: int) -> Prop:
        """Valid by construction: each connective keeps a derivable side where it needs one."""
        if depth <= 0 or rng.random() < 0.2:
            return rng.choice(literals)
        op = rng.choice("∧∨→↔")
        if op == "∨":
            return conn("∨", *rng.sample([provable(depth - 1), rand(depth - 1)], 2))
        if op == "→":
            return conn("→", rand(depth - 1), provable(depth - 1))
        return conn(op, provable(depth - 1), provable(depth - 1))

    depth = max(0, d.logic_depth)
    for _ in range(30):
        if truth:
            target = provable(depth)
        elif rng.random() < 0.5:  # a near miss: a provable shape with one weak spot
            target = conn(rng.choice("∧→"), provable(depth - 1), rng.choice(weak))
        else:
            target = rand(max(depth, 1))
        counter = next((m for m in models if not holds(target, m, NAT)), None)
        if (counter is None) == truth:
            break
    else:  # the simplest target with the wanted label
        target = rng.choice(literals) if truth else rng.choice(weak)
        counter = next((m for m in models if not holds(target, m, NAT)), None)
    rng.shuffle(hyps)
    text = " ".join(map(show_prop, [*hyps, target]))
    used = tuple(a for a in atoms if re.search(rf"\b{a}\b", text))
    return Draft("prop", truth, ((used, PROP),), tuple(hyps), target, dict(counter or models[0]))


# ------------------------------------------------------------------ linear arithmetic


@dataclass(frozen=True, slots=True)
class _Lin:
    """sum(coef * var) + const REL 0, REL in = ≤ <."""

    coefs: tuple[tuple[str, int], ...]
    const: int
    rel: str

    def at(self, point: Mapping[str, int]) -> int:
        return sum(c * point[v] for v, c in self.coefs) + self.const


def _lin_prop(rng: random.Random, lin: _Lin, ty: Base) -> Rel:
    """Print without ℕ subtraction: negative terms move to the other side (ℤ may keep them)."""
    if ty == INT and rng.random() < 0.5:
        (v0, c0), rest = lin.coefs[0], lin.coefs[1:]
        acc: Expr = scaled(c0, Var(v0)) if c0 > 0 else Bin("*", Num(c0), Var(v0))
        for v, c in rest:
            acc = Bin("+" if c > 0 else "-", acc, scaled(abs(c), Var(v)))
        return flip(rng, Rel(lin.rel, acc, Num(-lin.const)))
    left = [scaled(c, Var(v)) for v, c in lin.coefs if c > 0]
    right = [scaled(-c, Var(v)) for v, c in lin.coefs if c < 0]
    lhs, rhs = sum_of(left), sum_of(right)
    if lin.const > 0:
        lhs = plus(lhs, lin.const, NAT) if left else Num(lin.const)
    elif lin.const < 0:
        rhs = plus(rhs, -lin.const, NAT) if right else Num(-lin.const)
    return flip(rng, Rel(lin.rel, lhs, rhs))


def linear(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    ty = int_or_nat(rng)
    names = VARS[: clamp(d.variables, 1, 6)]
    point = {v: draw_value(rng, ty, num_bound(d) // 2) for v in names}
    cmax = coef_max(d)
    hyps: list[_Lin] = []
    for _ in range(max(1, d.hypotheses)):
        chosen = rng.sample(names, rng.randint(1, min(2, len(names))))
        coefs = tuple((v, rng.choice([c for c in range(-cmax, cmax + 1) if c])) for v in chosen)
        rel = rng.choice("=≤≤<")
        value = sum(c * point[v] for v, c in coefs)
        slack = 0 if rel == "=" else rng.randint(0, 3)
        hyps.append(_Lin(coefs, -value - slack - (rel == "<"), rel))

    def combine() -> _Lin:
        """A nonnegative combination of inequalities plus any combination of equations."""
        for _ in range(20):
            used = rng.sample(hyps, rng.randint(1, min(len(hyps), d.logic_depth + 1)))
            total: dict[str, int] = {}
            const, rels = 0, set()
            for h in used:
                k = rng.choice([-2, -1, 1, 2] if h.rel == "=" else [1, 1, 2])
                for v, c in h.coefs:
                    total[v] = total.get(v, 0) + k * c
                const += k * h.const
                rels.add(h.rel)
            coefs = tuple((v, c) for v, c in total.items() if c)
            if coefs:
                rel = "<" if "<" in rels else "≤" if "≤" in rels else rng.choice("==≤")
                return _Lin(coefs, const, rel)
        return hyps[0]

    def weaken(lin: _Lin) -> _Lin:
        """Still implied: loosen an inequality's bound a little; never restate a hypothesis."""
        if lin.rel != "=":
            lin = _Lin(lin.coefs, lin.const - rng.randint(0, 2), lin.rel)
        if lin in hyps:
            k = rng.choice([-2, 2, 3]) if lin.rel == "=" else 1
            lin = _Lin(tuple((v, k * c) for v, c in lin.coefs), k * lin.const - (lin.rel != "="), lin.rel)
        return lin

    def falsify(lin: _Lin) -> _Lin:
        """Same shape, bound moved so that `point` violates it."""
        base = lin.const - lin.at(point)  # makes the form 0 at point
        loose = lin.rel == "≤"  # at the point: ≠ 0 for =, > 0 for ≤, ≥ 0 for <
        shift = rng.choice([-2, -1, 1, 2]) if lin.rel == "=" else rng.randint(loose, 2 + loose)
        return _Lin(lin.coefs, base + shift, lin.rel)

    goals = [weaken(combine()) for _ in range(2 if d.logic_depth >= 2 and rng.random() < 0.3 else 1)]
    if not truth:
        i = rng.randrange(len(goals))
        goals[i] = falsify(goals[i])
    hyp_props: list[Prop] = [_lin_prop(rng, h, ty) for h in hyps]
    if len(hyp_props) >= 2 and d.logic_depth >= 2 and rng.random() < 0.3:  # pack two as `A ∧ B`
        hyp_props = [Conn("∧", hyp_props[0], hyp_props[1]), *hyp_props[2:]]
    rng.shuffle(hyp_props)
    used = tuple(v for v in names if any(v == u for h in (*hyps, *goals) for u, _ in h.coefs))
    target = conj([_lin_prop(rng, g, ty) for g in goals])
    return Draft("linear", truth, ((used, ty),), tuple(hyp_props), target, point, ty)


# ------------------------------------------------------------------ ∃-witness goals


def exists(rng: random.Random, d: Difficulty, truth: bool) -> Draft:
    ty = int_or_nat(rng, 0.4)
    b, cmax = num_bound(d), coef_max(d)
    shape = rng.choices(["linear", "bounded", "pair", "forall", "params", "value"],
                        [3, d.logic_depth >= 2, d.logic_depth >= 2 and d.variables >= 2,
                         d.logic_depth >= 3, d.hypotheses >= 2, d.hypotheses >= 1])[0]
    x = Var("x")
    if shape == "value":  # f a = v ⊢ ∃ x, f x = v (+ k); false: a value f need not take
        args = rng.sample(range(b + 1), 2)
        vals = rng.sample(range(-b if ty == INT else 0, b + 1), 3)
        table = dict(zip(args, vals))
        facts = [Rel("=", Call("f", Num(a)), Num(v)) for a, v in table.items()]
        hyps = tuple(facts[: max(1, d.hypotheses)])
        k = rng.randint(0, 3)
        goal = vals[0] if truth else vals[2]  # f := the table, else vals[0], never takes vals[2]
        body: Prop = flip(rng, Rel("=", plus(Call("f", x), k, ty), Num(goal + k)))
        point = {"f": lambda n: table.get(n, vals[0])}
        target = Quant("∃", ("x",), ty, body)
        return Draft("exists", truth, ((("f",), Arrow(ty, ty)),), hyps, target, point, ty)
    if shape == "forall":  # ∀ n, ∃ m, n + k < m ; false: ∀ n, ∃ m, a * m = n + k (a ≥ 2, parity)
        k, n, m = rng.randint(0, b // 2), Var("n"), Var("m")
        if truth:
            body = flip(rng, Rel("<", plus(n, k, NAT), m))
        else:
            body = flip(rng, Rel("=", scaled(rng.randint(2, max(2, cmax)), m), plus(n, k, NAT)))
        target = Quant("∀", ("n",), ty, Quant("∃", ("m",), ty, body))
        return Draft("exists", truth, (), (), target, {}, ty)
    if shape == "pair":  # ∃ x y, x + y = s ∧ x = y + k: solvable iff s + k is even (and s ≥ k over ℕ)
        xv, yv = sorted((draw_value(rng, ty, b), draw_value(rng, ty, b)), reverse=True)
        s, k = xv + yv, xv - yv + (0 if truth else 1)
        body = Conn("∧", Rel("=", Bin("+", x, Var("y")), Num(s)), Rel("=", x, plus(Var("y"), k, ty)))
        return Draft("exists", truth, (), (), Quant("∃", ("x", "y"), ty, body), {}, ty)
    # a * x + c = rhs: solvable iff a divides rhs - c (over ℕ: with a nonnegative quotient)
    a, w, c = rng.randint(1, cmax), draw_value(rng, ty, b), draw_value(rng, ty, b)
    solvable = truth or shape == "bounded"
    if not solvable and a == 1:
        a = rng.randint(2, max(2, cmax))
    rhs = a * w + c + (0 if solvable else rng.randint(1, a - 1))
    if shape == "params":  # the numbers arrive through hypotheses about parameters
        pc, pr = Var("a"), Var("b")
        target = Quant("∃", ("x",), ty, Rel("=", Bin("+", scaled(a, x), pc), pr))
        hyps = (flip(rng, Rel("=", pc, Num(c))), flip(rng, Rel("=", pr, Num(rhs))))
        return Draft("exists", truth, ((("a", "b"), ty),), hyps, target, {"a": c, "b": rhs}, ty)
    body = flip(rng, Rel("=", plus(scaled(a, x), c, ty), Num(rhs)))
    if shape == "bounded":  # one more condition at the unique solution w
        k = rng.randint(0, 3)
        bound_ = w + 1 + k if truth else w - k
        body = Conn("∧", body, Rel("<", x, Num(max(bound_, 0) if ty == NAT else bound_)))
    return Draft("exists", truth, (), (), Quant("∃", ("x",), ty, body), {}, ty)

