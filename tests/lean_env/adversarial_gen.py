"""Statements and proof scripts aimed at the holes a verifier with names for identities has.

Each family builds a *false* statement together with scripts that would prove it if `mini`
confused two variables of one name, or let a matcher capture a bound variable: theorem
binders of the same name, `∃` hypotheses destructured with an existing name (`cases'`,
`obtain`, `rcases`, `cases ... with | intro`), `induction n with | succ k ih` beside an outer
`k`, `obtain ⟨k, hk⟩ : ∃ k, ...` shadowing, `have x : ... := h` then `intro x`, `fun x =>`
in proof terms, inaccessible names written in a script, locals named `True`/`False`, and simp
rules whose pattern variables could catch a bound variable of the goal. A "soup" family adds random statements
whose binders all draw on three names, with random name-reusing tactics.

Falsity is certified independently of `mini`: every case carries its binders as
`fragment_gen` terms (each theorem binder under a unique internal name, so shadowing is
explicit) and an assignment under which `fragment_gen.evaluate` finds every hypothesis
certainly true and the target certainly false. Nothing here imports `lean_env.mini`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

try:
    from . import fragment_gen as fg
except ImportError:
    import fragment_gen as fg

NAT, INT = fg.NAT, fg.INT
CLOSERS = ("omega", "linarith", "simp_all", "simp [*]", "norm_num [*]", "nlinarith", "assumption",
           "contradiction", "trivial", "decide", "simp")
_UID = re.compile(r"([A-Za-z][\w']*?)__\d+\b")


@dataclass(frozen=True)
class Case:
    """A false statement, scripts aimed at proving it, and the certificate that it is false."""

    family: str
    binders: tuple[tuple[str, str, object], ...]  # ("var", uid, type) or ("hyp", name, fg.Prop)
    target: object  # fg.Prop
    assignment: dict[str, object]  # uid -> value
    scripts: tuple[str, ...]
    true_statement: bool = False  # a fidelity case: true, but every script is one Lean rejects

    @property
    def statement(self) -> str:
        parts = ["theorem t"]
        for kind, name, payload in self.binders:
            if kind == "var":
                parts.append(f"({shown(name)} : {payload})")
            else:
                parts.append(f"({name} : {shown(fg.prop_text(payload))})")  # type: ignore[arg-type]
        return " ".join(parts) + f" : {shown(fg.prop_text(self.target))}"  # type: ignore[arg-type]

    def certified_false(self) -> bool:
        """Every hypothesis certainly true and the target certainly false under the assignment
        (three-valued evaluation: unknown never counts)."""
        env = dict(self.assignment)
        hyps = [p for kind, _, p in self.binders if kind == "hyp"]
        return all(fg.evaluate(h, env) is True for h in hyps) and fg.evaluate(self.target, env) is False  # type: ignore[arg-type]


def certify(binders: tuple[tuple[str, str, object], ...], target: object, rng: random.Random,
            tries: int = 300) -> dict[str, object] | None:
    """An assignment of the theorem's variables (small values, as `fragment_gen` ranges them)
    under which the statement is certainly false, or None."""
    variables = [(name, ty) for kind, name, ty in binders if kind == "var"]
    probe = Case("", binders, target, {}, ())
    for _ in range(tries):
        env = {name: rng.choice(fg.NAT_RANGE if ty == NAT else fg.INT_RANGE) for name, ty in variables}
        if Case("", probe.binders, target, env, ()).certified_false():
            return env
    return None


def shown(text: str) -> str:
    """Lean text: every internal name `x__3` written as the user name `x`."""
    return _UID.sub(r"\1", text)


class _Names:
    """Unique internal names for theorem binders (`x__1`, `x__2`: two binders named `x`)."""

    def __init__(self) -> None:
        self.n = 0

    def var(self, name: str, ty: str) -> fg.Var:
        self.n += 1
        return fg.Var(f"{name}__{self.n}", ty)


def lit(v: int, ty: str = NAT) -> fg.Num:
    return fg.Lit(v, ty) if v >= 0 else fg.Neg(fg.Lit(-v, ty))


def add(a: fg.Num, b: fg.Num) -> fg.Num:
    return fg.Bin("+", a, b, a.ty)


def rel(op: str, a: fg.Num, b: fg.Num) -> fg.Rel:
    return fg.Rel(op, a, b)


def _closer_scripts(rng: random.Random, prefix: str, k: int = 3) -> list[str]:
    return [f"{prefix}\n{c}" if prefix else c for c in rng.sample(CLOSERS, k)]


# ---------------------------------------------------------------- families


def duplicate_binders(rng: random.Random) -> Case:
    """`(x : T) (h : x R c) (x : T) : x R c`: `h` is about the first `x`, the goal the second."""
    names = _Names()
    ty = rng.choice((NAT, INT))
    x = rng.choice("xyna")
    op = rng.choice(("=", "≤", "≥", "<", ">"))
    c = rng.randrange(0, 6)
    x1, x2 = names.var(x, ty), names.var(x, ty)
    extra = names.var("z", ty) if rng.random() < 0.5 else None
    lhs1 = add(x1, extra) if extra is not None and rng.random() < 0.5 else x1
    lhs2 = add(x2, extra) if lhs1 is not x1 else x2
    binders = [("var", x1.name, ty)]
    if extra is not None:
        binders.append(("var", extra.name, ty))
    binders += [("hyp", "h", rel(op, lhs1, lit(c, ty))), ("var", x2.name, ty)]
    target = rel(op, lhs2, lit(c, ty))
    env = certify(tuple(binders), target, rng)
    if env is None:
        return duplicate_binders(rng)
    scripts = ["exact h", "assumption", "simp [h]", "rw [h]", "linarith [h]", "norm_num [h]", "exact h.symm.symm",
               "subst h\nrfl", "revert h\nintro h\nexact h", *_closer_scripts(rng, "", 4)]
    return Case("duplicate binders", tuple(binders), target, env, tuple(scripts))


def exists_patterns(rng: random.Random) -> Case:
    """`(x : T) (h : ∃ y, R y x) : False` with `R x x` impossible: destructuring `h` under the
    name `x` must make a new variable, not the old `x`."""
    names = _Names()
    ty = rng.choice((NAT, INT))
    x = rng.choice("xnk")
    xv = names.var(x, ty)
    c = rng.randrange(1, 3)
    y = fg.Var("y", ty)
    body = rng.choice((
        rel("=", y, add(xv, lit(c, ty))), rel(">", y, xv), rel("=", add(y, lit(c, ty)), xv), rel("≠", y, xv),
        fg.Conn("∧", rel("≥", y, add(xv, lit(c, ty))), rel("≤", y, add(xv, lit(c + 2, ty)))),
    ))
    h = rng.choice(("h", "hx"))
    target = fg.Const(False) if rng.random() < 0.7 else rel("=", xv, lit(rng.randrange(0, 4), ty))
    binders = (("var", xv.name, ty), ("hyp", h, fg.Quant("∃", "y", ty, body)))
    env = certify(binders, target, rng)
    if env is None:
        return exists_patterns(rng)
    new = x  # the pattern reuses the outer name
    hname = rng.choice(("hx", h, "h'"))
    scripts = []
    for intro in (f"cases' {h} with {new} {hname}", f"obtain ⟨{new}, {hname}⟩ := {h}",
                  f"rcases {h} with ⟨{new}, {hname}⟩", f"obtain ⟨{new}, rfl⟩ := {h}"):
        scripts += _closer_scripts(rng, intro, 2)
    scripts += [f"cases {h} with\n| intro {new} {hname} => {rng.choice(CLOSERS)}",
                f"obtain ⟨{new}, {hname}⟩ := {h}\nsubst {hname}\nomega",
                f"cases' {h} with {new} {hname}\nsimp at {hname}"]
    return Case("∃ patterns", binders, target, env, tuple(scripts))


_INDUCTION_TARGETS = (
    # (text builder, holds when n = k + 1) as fg props over n, k
    lambda n, k: fg.Conn("∨", rel("=", n, lit(0)), rel("=", n, add(k, lit(1)))),
    lambda n, k: fg.Conn("∨", rel("=", n, lit(0)), rel("<", k, n)),
    lambda n, k: rel("≤", n, add(k, lit(1))),
    lambda n, k: fg.Conn("∨", rel("=", n, lit(0)), rel("=", fg.Bin("-", n, lit(1), NAT), k)),
    lambda n, k: fg.Conn("→", rel(">", n, lit(0)), rel("=", n, add(k, lit(1)))),
)


def induction_capture(rng: random.Random) -> Case:
    """`(n k : ℕ) : P n k`, false, but true whenever `n = k + 1`: `| succ k ih` must not be the
    outer `k`."""
    names = _Names()
    n, k = names.var("n", NAT), names.var("k", NAT)
    target = rng.choice(_INDUCTION_TARGETS)(n, k)
    binders = (("var", n.name, NAT), ("var", k.name, NAT))
    env = certify(binders, target, rng)
    assert env is not None
    z, s = rng.choice(CLOSERS), rng.choice(CLOSERS)
    scripts = [
        f"induction n with\n| zero => {z}\n| succ k ih => {s}",
        f"induction n with | zero => simp | succ k ih => {s}",
        f"cases n with\n| zero => {z}\n| succ k => {s}",
        f"cases' n with k\n· {z}\n· {s}",
        f"induction n with\n  | zero => omega\n  | succ k ih =>\n    simp\n    {s}",
        "induction n with\n| zero => omega\n| succ k ih => omega",
    ]
    return Case("induction capture", binders, target, env, tuple(scripts))


def obtain_shadow(rng: random.Random) -> Case:
    """`(k : T) (h : k = c) : False`: `obtain ⟨k, hk⟩ : ∃ k, k = d := ...` makes a new `k`."""
    names = _Names()
    ty = rng.choice((NAT, INT))
    k = names.var(rng.choice(("k", "x", "m")), ty)
    c = rng.randrange(0, 6)
    d = rng.choice([v for v in range(0, 7) if v != c])
    kn = shown(k.name)
    intro = rng.choice((
        f"obtain ⟨{kn}, hk⟩ : ∃ {kn} : {ty}, {kn} = {d} := ⟨{d}, by omega⟩",
        f"obtain ⟨{kn}, hk⟩ : ∃ {kn} : {ty}, {kn} = {d} := ⟨{d}, rfl⟩",
        f"have hk' : ∃ {kn} : {ty}, {kn} = {d} := ⟨{d}, rfl⟩\nobtain ⟨{kn}, hk⟩ := hk'",
        f"rcases (⟨{d}, rfl⟩ : ∃ {kn} : {ty}, {kn} = {d}) with ⟨{kn}, hk⟩",
    ))
    scripts = _closer_scripts(rng, intro, 4) + [f"{intro}\nrw [hk] at h\nomega", f"{intro}\nsubst hk\nomega"]
    target = fg.Const(False)
    return Case("obtain shadow", (("var", k.name, ty), ("hyp", "h", rel("=", k, lit(c, ty)))), target,
                {k.name: c}, tuple(scripts))


def have_then_intro(rng: random.Random) -> Case:
    """`(x : T) (h : x = c) : ∀ x : T, x R c` (false): a `have` or `fun`/`intro` named `x` must not
    make `h` speak of the new `x`."""
    names = _Names()
    ty = rng.choice((NAT, INT))
    x = rng.choice("xy")
    xv = names.var(x, ty)
    c = rng.randrange(0, 5)
    op = rng.choice(("=", "≤"))
    body = rel(op, fg.Var(x, ty), lit(c, ty))
    target = fg.Quant("∀", x, ty, body)
    binders = (("var", xv.name, ty), ("hyp", "h", rel("=", xv, lit(c, ty))))
    env = certify(binders, target, rng)
    if env is None:
        return have_then_intro(rng)
    scripts = [
        f"have {x} : {x} = {c} := h\nintro {x}\nomega", f"intro {x}\nexact h", f"intro {x}\nassumption",
        f"intro {x}\nsimp [h]", f"intro {x}\nlinarith", f"exact fun {x} => h", f"exact fun ({x} : {ty}) => by omega",
        f"exact fun {x} => by simp [h]", f"intro {x}\nsubst h\nrfl", f"have {x} := h\nintro {x}\nlinarith",
        "intros\nomega", "intro\nsimp_all", f"intro {x}\nrw [h]", f"refine fun {x} => ?_\nexact h",
    ]
    return Case("have, fun and intro", binders, target, env, tuple(scripts))


def inaccessible_names(rng: random.Random) -> Case:
    """`∀ x, x = c → x = c` (true): Lean's `intro` without a name makes `x✝`, `a✝`, which no
    script can write, so every script here must be rejected (mini once let them through)."""
    names = _Names()
    ty = rng.choice((NAT, INT))
    c = rng.randrange(0, 5)
    p = names.var("p", NAT)
    x = fg.Var("x", ty)
    target = fg.Quant("∀", "x", ty, fg.Conn("→", rel("=", x, lit(c, ty)), rel("=", x, lit(c, ty))))
    scripts = ["intro\nintro\nexact a✝", "intro x✝\nintro h\nexact h", "intros\nsubst x✝\nrfl",
               "intro\nintro\nsimp at a✝\nexact a✝", "intro\nintro h\nrw [h]", "intro x\nintro\nexact a✝",
               "intro\nintro\nexact (a✝ : x✝ = " + str(c) + ")", "intro x\nintro h\nexact h✝"]
    scripts = [sc for sc in scripts if "✝" in sc]
    return Case("inaccessible names", (("var", p.name, NAT),), target, {p.name: 0}, tuple(scripts), True)


def simp_capture(rng: random.Random) -> Case:
    """`h : ∀ y < M, (∃ x < B, k*x + r = y) ↔ (y % k = r ∧ y < k*B + r)` (true) and a false
    target `∃ x < B, k*x + r = E x`: matching the rule against the target must not bind `y` to
    `E x`, which mentions the target's bound `x` (with `hx : x = c` the captured instance holds)."""
    names = _Names()
    xv = names.var("x", NAT)
    k, r, b = rng.randrange(2, 5), 0, rng.randrange(4, 9)
    r = rng.randrange(0, k)
    m_bound = k * b + r + 10
    bx = fg.Var("x", NAT)

    def lin(mul: int, off: int, v: fg.Num) -> fg.Num:
        t: fg.Num = v if mul == 1 else fg.Bin("*", v, lit(mul), NAT)
        return add(t, lit(off)) if off else t

    for _ in range(200):
        c = rng.randrange(0, b)
        m, s = rng.randrange(1, 5), rng.randrange(0, 9)
        e_c = m * c + s
        captured = e_c % k == r and e_c < k * b + r and e_c < m_bound
        unsolvable = all(k * v + r != m * v + s for v in range(b))
        if captured and unsolvable:
            break
    else:
        raise ValueError("no parameters")
    yv = fg.Var("y", NAT)
    inner = fg.Quant("∃", "x", NAT, rel("=", lin(k, r, bx), yv), ("<", b))
    rhs = fg.Conn("∧", rel("=", fg.Bin("%", yv, lit(k), NAT), lit(r)), rel("<", yv, lit(k * b + r)))
    h = fg.Quant("∀", "y", NAT, fg.Conn("↔", inner, rhs), ("<", m_bound))
    target = fg.Quant("∃", "x", NAT, rel("=", lin(k, r, bx), lin(m, s, bx)), ("<", b))
    scripts = ["simp [*]", "simp [hx, h]", "simp [h, hx]", "simp only [h, hx]", "simp [h]\nsimp [hx]", "simp_all",
               "norm_num [h, hx]", "simp [h] at *\nsimp [hx]", "rw [h]\nsimp [hx]", "simp [h]\nomega"]
    binders = (("var", xv.name, NAT), ("hyp", "hx", rel("=", xv, lit(c))), ("hyp", "h", h))
    return Case("simp capture", binders, target, {xv.name: c}, tuple(scripts))


def name_soup(rng: random.Random) -> Case:
    """Random false statements whose binders (theorem binders, `∀`/`∃` in hypotheses and target)
    all draw on three names, with random tactics that reuse those names."""
    for _ in range(100):
        binders, target = _soup_statement(rng)
        env = certify(binders, target, rng, tries=60)
        if env is not None:
            break
    else:
        raise ValueError("no false soup statement")
    tactics = ["intro x", "intro y", "intro h", "cases' h with x y", "obtain ⟨x, h⟩ := h", "rcases h with ⟨y, x⟩",
               "simp [*] at *", "simp at h", "induction x with | zero => simp | succ y h => simp", "subst h",
               "have x : True := trivial", "have h := h", "exact h", "omega", "simp_all", "linarith", "use 0", "use x",
               "constructor", "by_contra x", "norm_num at h ⊢", "exfalso", "intro x\nintro y", "rw [h] at h"]
    scripts = tuple("\n".join(rng.sample(tactics, rng.randrange(1, 4))) for _ in range(6))
    return Case("name soup", binders, target, env, scripts)


def _soup_statement(rng: random.Random) -> tuple[tuple[tuple[str, str, object], ...], object]:
    names = _Names()
    pool = ("x", "y")
    ty = rng.choice((NAT, INT))
    binders: list[tuple[str, str, object]] = []
    scope: dict[str, fg.Num] = {}

    def atom() -> fg.Num:
        vs = list(scope.values())
        return rng.choice(vs) if vs and rng.random() < 0.7 else lit(rng.randrange(0, 5), ty)

    def prop(depth: int) -> object:
        if depth > 0 and rng.random() < 0.5:
            name = rng.choice(pool)
            saved = dict(scope)
            scope[name] = fg.Var(name, ty)  # a bound variable shadows a binder of its name
            body = prop(depth - 1)
            scope.clear()
            scope.update(saved)
            bnd = ("<", rng.randrange(2, 6)) if ty == NAT and rng.random() < 0.6 else None
            return fg.Quant(rng.choice("∀∃"), name, ty, body, bnd)
        a, b = atom(), atom()
        if rng.random() < 0.4:
            a = add(a, atom())
        return rel(rng.choice(("=", "≤", "<", "≠")), a, b)

    for _ in range(rng.randrange(2, 5)):
        if rng.random() < 0.55 or not scope:
            v = names.var(rng.choice(pool), ty)
            scope[shown(v.name)] = v
            binders.append(("var", v.name, ty))
        else:
            binders.append(("hyp", rng.choice(("h", "x", "h")), prop(1)))
    return tuple(binders), prop(1)


def shadowed_constants(rng: random.Random) -> Case:
    """A local named `False` (or `True`) is not the constant: `(False : Prop) (h : False)`
    proves nothing, and `(True : Prop) (h : True → P)` is not `P`."""
    names = _Names()
    x = names.var("x", NAT)
    c = rng.randrange(0, 4)
    if rng.random() < 0.5:
        f = fg.PVar(f"False__{names.n + 1}")
        names.n += 1
        binders = (("var", x.name, NAT), ("var", f.name, "Prop"), ("hyp", "h", f))
        target = rel("=", x, lit(c))
        env = {x.name: c + 1, f.name: True}
        scripts = ["contradiction", "exfalso\nexact h", "exact False.elim h", "exact absurd h id", "simp at h",
                   "cases h", "exact h.elim", "trivial", "simp_all", "tauto"]
    else:
        t = fg.PVar(f"True__{names.n + 1}")
        names.n += 1
        binders = (("var", x.name, NAT), ("var", t.name, "Prop"), ("hyp", "h", fg.Conn("→", t, rel("=", x, lit(c)))))
        target = rel("=", x, lit(c))
        env = {x.name: c + 1, t.name: False}
        scripts = ["exact h trivial", "apply h\ntrivial", "simp at h\nexact h", "exact h True.intro", "simp_all",
                   "apply h\nsimp", "apply h\nexact trivial", "have := h trivial\nexact this"]
    return Case("shadowed constants", binders, target, env, tuple(scripts))


FAMILIES: tuple[Callable[[random.Random], Case], ...] = (
    duplicate_binders, exists_patterns, induction_capture, obtain_shadow, have_then_intro,
    inaccessible_names, simp_capture, name_soup, shadowed_constants,
)


def case(seed: int) -> Case:
    """The case of one seed (families in turn, parameters from the seed)."""
    rng = random.Random(seed)
    return FAMILIES[seed % len(FAMILIES)](rng)


@dataclass
class Tally:
    """What one run of cases did; `holes` lists every script `mini` accepted (or caught only at
    its cross-check: a fault) together with its case."""

    cases: int = 0
    scripts: int = 0
    uncertified: list[str] = field(default_factory=list)
    holes: list[str] = field(default_factory=list)
    faults: int = 0

    def add(self, other: Tally) -> None:
        self.cases += other.cases
        self.scripts += other.scripts
        self.uncertified += other.uncertified
        self.holes += other.holes
        self.faults += other.faults


def run_cases(seeds: range, timeout: float = 5.0) -> Tally:
    """Verify every script of every case of `seeds` on a fresh `mini`; no script may pass."""
    from lean_env.mini import MiniEnv  # here, not at the top: the generator stays independent

    env = MiniEnv()
    tally = Tally()
    for seed in seeds:
        c = case(seed)
        tally.cases += 1
        if not c.true_statement and not c.certified_false():
            tally.uncertified.append(f"seed {seed}: {c.statement}")
            continue
        for script in c.scripts:
            tally.scripts += 1
            v = env.verify(c.statement, script, timeout=timeout)
            if v.ok or v.fault is not None:
                tally.holes.append(f"[{c.family}] seed {seed}\n{c.statement}\ncounterexample {c.assignment}\n"
                                   f"script:\n{script}\nverdict: {v}")
    tally.faults = env.faults
    return tally
