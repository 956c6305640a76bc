"""The tactic action space: candidate tactics read off a goal's printed text.

With no imitation data the network cannot copy human tactics; it scores candidates that this
generator proposes from the goal itself: hypothesis names and types, variables, the target's
shape, numerals in sight. Every candidate is a well-formed tactic; whether it means anything
is for the backend to say. The families (`Family`) can be switched on and off in
`ActionConfig`; the list is capped, so candidates come in priority tiers: structural steps the
target or a matching hypothesis asks for, then closers that fit the target, then rewriting
and hinted `nlinarith`, then structural steps nothing in particular asks for. Deterministic: same
goal text and config, same list.

Names Lean prints with `✝` are inaccessible and never appear in a candidate; closers and
`simp [*]` still use such hypotheses (an induction hypothesis `a✝`, say).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from functools import lru_cache

from lean_env.contract import GoalView
from lean_env.text.goals import Hypothesis
from lean_env.text.lexical import balanced
from prover.actions import goaltext as gt
from prover.actions import splits
from prover.actions.squares import completed_squares


class Family(Enum):
    STRUCTURAL = "structural"  # intro, constructor, cases, use, exact/apply h, induction, ...
    CLOSERS = "closers"  # omega, decide, norm_num, linarith, nlinarith, ring, simp, ...
    REWRITING = "rewriting"  # rw [h], simp [h], simp at h, subst
    HINTS = "hints"  # nlinarith [sq_nonneg (a - b), mul_pos ha hb]
    SQUARES = "squares"  # nlinarith [sq_nonneg (2 * b - a - 1)]: the quadratics' completed squares
    DEFINITIONS = "definitions"  # simp only [h₀] at h₁ h₂ ⊢ for `h₀ : ∀ x, f x = ...`
    CASES = "cases"  # interval_cases (and the bound it needs), residue and abs splits
    DENOMINATORS = "denominators"  # field_simp, and the nonzero facts it needs
    LIBRARY = "library"  # rw [Finset.sum_range_succ, ih], norm_num [Finset.sum_range_succ], rw [pow_succ x n]
    CASTS = "casts"  # exact_mod_cast h, norm_cast, have h : (a : ℚ) = 42 := by linarith


DEFAULT_FAMILIES = frozenset(Family)


class Tier(IntEnum):
    """Priority under the cap (lower first); the order within a tier is the generation order."""

    GOAL = 0  # structural steps the target or a matching hypothesis asks for
    CLOSE = 1  # closers that fit the target's shape
    REWRITE = 2  # rewriting with hypotheses, then hinted nlinarith
    OTHER = 3  # structural steps nothing in particular asks for


@dataclass(frozen=True, slots=True)
class ActionConfig:
    """Which families to propose and how many candidates per goal at most."""

    families: frozenset[Family] = DEFAULT_FAMILIES
    limit: int = 40
    max_witnesses: int = 3  # `use` candidates found by evaluating an `∃` body
    witness_budget: int = 4000  # value tuples tried when looking for `∃` witnesses
    max_fallback_uses: int = 4  # `use k` with numerals/terms in sight when evaluation cannot judge
    max_hint_vars: int = 3  # variables whose pairwise squares go into nlinarith hints
    max_per_hypothesis: int = 3  # specializations / rewrites at one hypothesis

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"limit must be positive, got {self.limit}")
        if not all(isinstance(f, Family) for f in self.families):
            raise TypeError("families must be Family members")


DEFAULT = ActionConfig()

CLOSER_ORDER = ("norm_num", "omega", "linarith", "simp", "rfl", "decide", "ring", "positivity",
                "nlinarith")
_NUMERIC = frozenset({"ℕ", "ℤ", "ℚ", "ℝ", "Nat", "Int", "Rat", "Real"})
_TYPE_WORDS = _NUMERIC | frozenset({
    "ℂ", "Complex", "Prop", "Type", "Sort", "Bool", "Finset", "Set", "Fin", "ZMod", "List", "Multiset",
    "Polynomial", "PNat", "ℕ+", "NNReal", "ENNReal", "EReal", "Matrix", "Unit", "String", "Option",
})
_REL = re.compile(r"[<>≤≥≠∣]|(?<![:=<>≤≥≠])=(?![>=])")
_CLOSED_ARITH = re.compile(r"(?<![\w.])\d+ [-+*/%^] \d+(?![\w.])")


@dataclass(frozen=True, slots=True)
class Context:
    """The goal read once: variables by type, propositional hypotheses, target, names in use."""

    target: str
    variables: tuple[Hypothesis, ...]  # accessible `x : ℕ`, `f : ℕ → ℕ`, `p : Prop`
    facts: tuple[Hypothesis, ...]  # accessible hypotheses (propositions)
    hidden_facts: int  # inaccessible propositional hypotheses (closers still see them)
    used: frozenset[str]
    all_vars: frozenset[str]  # variable names, accessible or not
    text: str = field(repr=False)

    def vars_of(self, *types: str) -> list[str]:
        return [v.name for v in self.variables if v.type in types]

    @property
    def arithmetic(self) -> bool:
        """Whether the target or some hypothesis is an arithmetic fact."""
        return bool(_REL.search(self.target)) or any(_REL.search(h.type) for h in self.facts) or (
            self.hidden_facts > 0 and bool(_REL.search(self.text.split("⊢")[0]))
        )


def read(goal_text: str) -> Context:
    parsed = gt.parse_goal(goal_text)
    variables: list[Hypothesis] = []
    facts: list[Hypothesis] = []
    hidden = 0
    all_vars: set[str] = set()
    type_vars: set[str] = set()
    for h in parsed.hypotheses:
        if _is_type(h.type, type_vars):
            all_vars.add(h.name)
            if h.type.split()[:1] in (["Type"], ["Sort"], ["Type*"]):
                type_vars.add(h.name)
            if h.accessible and _nameable(h.name):
                variables.append(h)
        elif ":=" in h.type:
            continue  # a let-bound value: neither a fact nor worth naming
        elif h.accessible and _nameable(h.name):
            facts.append(h)
        else:
            hidden += 1
    return Context(parsed.target, tuple(variables), tuple(facts), hidden,
                   frozenset(h.name for h in parsed.hypotheses), frozenset(all_vars), goal_text)


def _nameable(name: str) -> bool:
    return "✝" not in name and bool(gt.IDENT.fullmatch(name))


def _is_type(text: str, type_vars: set[str]) -> bool:
    toks = [t.text for t in gt.tokens(text)]
    if not toks or toks[0] in ("Type", "Sort"):
        return bool(toks)
    return all(t in _TYPE_WORDS or t in type_vars or t in "→×()*" or t.isdigit() for t in toks)


# ---------------------------------------------------------------- families


def _structural_goal(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """Steps the target's shape or a hypothesis matching the target asks for."""
    t, shape = c.target, gt.head(c.target)
    if shape in ("∀", "→", "¬"):
        steps = _intro_steps(t, set(c.used))
        yield "intro " + " ".join(name for step in steps for name in step)
        yield "intro " + " ".join(steps[0])
    if shape == "∧" and (proofs := _proofs_of(gt.chain(t, "∧"), c)):
        yield f"exact ⟨{', '.join(proofs)}⟩"
    if shape in ("∧", "↔"):
        yield "constructor"
    if shape == "∨":
        yield from ("left", "right")
    for h in c.facts:
        if _same(h.type, t):
            yield f"exact {h.name}"
    for h in c.facts:
        yield from _matching_parts(h, c)
    for h in c.facts:
        yield from _apply_matching(h, c)
    if _contradictory(c):
        yield "contradiction"
    if shape == "∃":
        yield from _witness_list(t, cfg)
    for h in c.facts:
        if gt.head(h.type) in ("∨", "∃"):
            yield _rcases(h, c)


def _intro_steps(target: str, used: set[str]) -> list[list[str]]:
    """Fresh names for each introduction step of `target`: binders (plus a binder predicate's
    hypothesis) of a `∀`, one name per `→` premise, one for a `¬`."""
    steps: list[list[str]] = []
    text = target
    while True:
        shape = gt.head(text)
        if shape == "∀" and (body := gt.binder_body(text)) is not None:
            names, pred = gt.binder_names(text)
            step = [gt.fresh(n, used) for n in names if n] or [gt.fresh("x", used)]
            steps.append(step + ([gt.fresh("h", used)] if pred else []))
            text = body
        elif shape == "→" and (pair := gt.split_head(text, "→")) is not None:
            steps.append([gt.fresh("h", used)])
            text = pair[1]
        elif shape == "¬":
            steps.append([gt.fresh("h", used)])
            return steps
        else:
            return steps or [[gt.fresh("h", used)]]


def _proofs_of(props: list[str], c: Context) -> list[str] | None:
    """A hypothesis name for each of `props`, or None when one has none."""
    names = [next((h.name for h in c.facts if _same(h.type, p)), None) for p in props]
    return None if None in names else names  # type: ignore[return-value]


def _matching_parts(h: Hypothesis, c: Context) -> Iterator[str]:
    """`exact h.2.1` for a conjunct equal to the target; `exact h.1 h'` through an `↔`."""
    shape = gt.head(h.type)
    if shape == "∧":
        parts = gt.chain(h.type, "∧")
        for i, part in enumerate(parts):
            if _same(part, c.target):
                path = ".2" * i + (".1" if i < len(parts) - 1 else "")
                yield f"exact {h.name}{path}"
    elif shape == "↔" and (pair := gt.split_head(h.type, "↔")) is not None:
        left, right = pair
        for side, proj, other in ((right, "1", left), (left, "2", right)):
            if _same(side, c.target):
                yield from (f"exact {h.name}.{proj} {g.name}" for g in c.facts if _same(g.type, other))
                yield f"apply {h.name}.{proj}"


def _apply_matching(h: Hypothesis, c: Context) -> Iterator[str]:
    """`exact h a b` / `exact h h'` / `apply h` when the conclusion of `h` matches the target."""
    if gt.head(h.type) == "¬":
        if c.target == "False":
            negated = h.type[1:].strip()
            yield from (f"exact {h.name} {g.name}" for g in c.facts if _same(g.type, negated))
            yield f"apply {h.name}"
        return
    shape = gt.shape_of(h.type)
    if not shape.bound and not shape.premises:
        return
    fits = gt.instances(shape.conclusion, shape.bound, c.target, whole=True) if shape.bound else (
        [{}] if _same(shape.conclusion, c.target) else []
    )
    for binding in fits[:1]:
        if shape.premises:
            if len(shape.premises) == 1 and not shape.bound:
                yield from (f"exact {h.name} {g.name}" for g in c.facts if _same(g.type, shape.premises[0]))
            yield f"apply {h.name}"
        elif all(name in binding for name in shape.bound):
            yield f"exact {h.name} " + " ".join(_arg(binding[n]) for n in shape.bound)
        else:
            yield f"apply {h.name}"


def _same(a: str, b: str) -> bool:
    return _unparen(a) == _unparen(b)


def _unparen(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _arg(term: str) -> str:
    """`term` as an application argument: atoms as they are, anything else in parentheses."""
    term = term.strip()
    if gt.IDENT.fullmatch(term) or term.isdigit() or (term[:1] in "(⟨" and _unparen(term) != term):
        return term
    return f"({term})"


def _contradictory(c: Context) -> bool:
    types = {_unparen(h.type) for h in c.facts}
    return "False" in types or any(t.startswith("¬") and _unparen(t[1:]) in types for t in types)


def _rcases(h: Hypothesis, c: Context) -> str:
    used = set(c.used)
    shape = gt.head(h.type)
    if shape == "∨":
        alts = gt.chain(h.type, "∨")
        return f"rcases {h.name} with " + " | ".join(gt.fresh("h" + chr(ord("a") + i), used) if i < 26 else "_"
                                                       for i in range(len(alts)))
    if shape == "∃":
        bound, pred = gt.binder_names(h.type)
        parts = [gt.fresh(n, used) for n in bound]
        parts += [gt.fresh("h", used) for _ in range(1 + pred)]
    elif shape == "↔":
        parts = [gt.fresh("hab", used), gt.fresh("hba", used)]
    else:  # ∧, flattened: `a ∧ b ∧ c` -> ⟨ha, hb, hc⟩
        parts = [gt.fresh("h" + chr(ord("a") + i), used) for i in range(min(len(gt.chain(h.type, "∧")), 26))]
    return f"rcases {h.name} with ⟨{', '.join(parts)}⟩"


@lru_cache(maxsize=1024)
def _witness_list(target: str, cfg: ActionConfig) -> tuple[str, ...]:
    """`use` values that make the `∃` body true when read as integer arithmetic (smallest first)."""
    names, pred = gt.binder_names(target)
    body = gt.binder_body(target)
    if not names or body is None or any(not _nameable(n) for n in names) or (pred and len(names) > 1):
        return ()
    header = target[1 : len(target) - len(body)].rstrip().rstrip(",").strip()
    run = gt.arithmetic(f"({header}) ∧ ({body})" if pred else body, names)
    if run is None:
        return ()
    values = _domain(gt.numerals(target), nonneg="ℕ" in header, size=_per_var(cfg.witness_budget, len(names)))
    tuples = sorted(itertools.product(values, repeat=len(names)), key=lambda vs: max(abs(v) for v in vs))
    found: list[str] = []
    for vs in tuples:
        if run(dict(zip(names, vs))):
            found.append("use " + ", ".join(str(v) for v in vs))
            if len(found) >= cfg.max_witnesses:
                break
    return tuple(found)


def _per_var(budget: int, k: int) -> int:
    return max(2, int(budget ** (1.0 / k)))


def _domain(sight: list[int], *, nonneg: bool, size: int) -> list[int]:
    """Candidate values by size, 0 1 -1 2 -2 ... (no negatives for ℕ), then the numerals in sight."""
    by_size = [v for k in range(size) for v in ((k,) if nonneg or k == 0 else (k, -k))][:size]
    return list(dict.fromkeys(by_size + sight[:8]))


def _fallback_uses(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """`use k` with numerals and terms in sight when evaluation found no witness (the body is
    not closed arithmetic, or ℕ's cut-off subtraction reads differently from ℤ's)."""
    if gt.head(c.target) != "∃" or _witness_list(c.target, cfg):
        return
    terms = [str(n) for n in [0, 1, *gt.numerals(c.text)]] + [
        v for v in c.vars_of(*_NUMERIC) if gt.occurs(v, c.text)
    ]
    yield from (f"use {t}" for t in list(dict.fromkeys(terms))[: cfg.max_fallback_uses])


def _closers(c: Context) -> Iterator[str]:
    """The closers whose target shape they can possibly close, in CLOSER_ORDER."""
    t = c.target
    rel = gt.relation(t)
    op = rel[1] if rel else None
    arith = c.arithmetic
    words = gt.words(t)
    nonlinear = _nonlinear(t) or any(_nonlinear(h.type) for h in c.facts)
    fits = {
        "norm_num": True,
        "simp": True,
        "omega": arith and not (words & set(c.vars_of("ℝ", "ℚ", "Real", "Rat"))),
        "linarith": arith and op not in ("∣", "∈", "∉", "⊆", "⊂"),
        "rfl": gt.head(t) in ("=", "↔") or op in ("≤", "≥"),
        "decide": not (words & c.all_vars) and "∃" not in t and "∀" not in t and "ℝ" not in t,
        "ring": gt.head(t) == "=",
        "positivity": rel is not None and _positivity_shape(rel),
        "nlinarith": arith and nonlinear and op not in ("∣", "∈", "∉", "⊆", "⊂"),
    }
    yield from (name for name in CLOSER_ORDER if fits[name])


def _positivity_shape(rel: tuple[str, str, str]) -> bool:
    lhs, op, rhs = rel
    return (op in ("<", "≤") and lhs == "0") or (op in (">", "≥", "≠") and rhs == "0")


def _nonlinear(text: str) -> bool:
    """A `^` or a product of two non-numerals."""
    if "^" in text:
        return True
    toks = [t.text for t in gt.tokens(text)]
    return any(
        toks[i] == "*" and not toks[i - 1].isdigit() and not toks[i + 1].isdigit() and toks[i + 1] != "-"
        for i in range(1, len(toks) - 1)
    )


def _rewriting(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """Rewrites with the equations (also `∀`-quantified ones) and `↔`s in context whose side
    occurs in the target, `subst`, and simp with all of them."""
    t = c.target
    rules: list[str] = []
    for h in c.facts:
        eq = _equation(h.type)
        shape = gt.shape_of(h.type)
        if eq is not None:
            lhs, rhs = eq
            rules.append(h.name)
            forward, backward = _findable(lhs, t), _findable(rhs, t) and lhs != rhs
            if forward:
                yield f"rw [{h.name}]"
            if backward:
                yield f"rw [← {h.name}]"
            if forward or backward:
                yield f"simp [{h.name}]"
            if gt.head(h.type) != "↔" and (_is_var(lhs, rhs, c) or _is_var(rhs, lhs, c)):
                yield f"subst {h.name}"
        elif shape.bound and (concl := _equation(shape.conclusion)) is not None:
            rules.append(h.name)
            if gt.instances(concl[0], shape.bound, t):
                if not shape.premises:
                    yield f"rw [{h.name}]"
                yield f"simp [{h.name}]"

    if len(rules) > 1:
        yield f"simp [{', '.join(rules)}]"
    if rules:
        yield f"norm_num [{', '.join(rules)}]"
    if c.facts or c.hidden_facts:
        yield from ("simp [*]", "simp_all")
    for h in c.facts:
        yield from _rewrite_at(h, c, cfg)


def _definitions(c: Context) -> Iterator[str]:
    """A definition `h : ∀ x, f x = ...` unfolded everywhere it is used, in one step."""
    for h in c.facts:
        shape = gt.shape_of(h.type)
        if not shape.bound or shape.premises or (concl := _equation(shape.conclusion)) is None:
            continue
        places = [g.name for g in c.facts if g.name != h.name and gt.instances(concl[0], shape.bound, g.type)]
        if places:
            here = " ⊢" if gt.instances(concl[0], shape.bound, c.target) else ""
            yield f"simp only [{h.name}] at {' '.join(places)}{here}"


_POW_SUCC = re.compile(r"(?<![\w.])(\w+) \^ \((\w+) \+ 1\)")


def _library(c: Context) -> Iterator[str]:
    """The library facts in sight: big-operator rules (with an induction hypothesis after
    them), `Nat.factorial_succ` on `(n + 1)!`, `pow_succ` on `x ^ (n + 1)`."""
    for op, name in (("∑", "Finset.sum_range_succ"), ("∏", "Finset.prod_range_succ")):
        if op in c.target:
            if re.search(r"Finset\.range \(\w+ \+ \d+\)", c.target):
                yield f"rw [{name}]"
                yield from (f"rw [{name}, {h.name}]" for h in c.facts if op in h.type)
            yield f"norm_num [{name}]"
            yield f"simp [{name}]"
        yield from (f"norm_num [{name}] at {h.name}" for h in c.facts if op in h.type)
    if re.search(r"\(\w+ \+ 1\)!", c.text):
        yield "rw [Nat.factorial_succ]"
    for base, n in dict.fromkeys(_POW_SUCC.findall(c.target)):
        yield f"rw [pow_succ {base} {n}]"


def _findable(side: str, text: str) -> bool:
    """Whether rewriting `side` in `text` is worth a try: it occurs and is no bare numeral."""
    return not side.strip().isdigit() and gt.occurs(side, text)


def _equation(prop: str) -> tuple[str, str] | None:
    """The two sides of an `=` or `↔` proposition."""
    if gt.head(prop) == "↔":
        return gt.split_head(prop, "↔")
    rel = gt.relation(prop)
    return (rel[0], rel[2]) if rel is not None and rel[1] == "=" else None


def _is_var(side: str, other: str, c: Context) -> bool:
    return side in {v.name for v in c.variables} and not gt.occurs(side, other)


def _rewrite_at(h: Hypothesis, c: Context, cfg: ActionConfig) -> Iterator[str]:
    """`rw [h] at h'` where one side of the equation `h` occurs in another hypothesis `h'`."""
    eq = _equation(h.type)
    if eq is None:
        return
    n = 0
    for other in c.facts:
        if other.name == h.name or n >= cfg.max_per_hypothesis:
            continue
        if _findable(eq[0], other.type):
            yield f"rw [{h.name}] at {other.name}"
            n += 1
        elif _findable(eq[1], other.type) and eq[0] != eq[1]:
            yield f"rw [← {h.name}] at {other.name}"
            n += 1


def _simplify_at(c: Context) -> Iterator[str]:
    """`norm_num at h` where `h` holds closed arithmetic, `simp at h` for implications and
    negations, whose premises may simplify away."""
    for h in c.facts:
        if _CLOSED_ARITH.search(h.type):
            yield f"norm_num at {h.name}"
        if gt.head(h.type) in ("→", "¬"):
            yield f"simp at {h.name}"


def _hints(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """`nlinarith` with square and product facts built from the variables and hypotheses."""
    rel = gt.relation(c.target)
    if not ((rel and rel[1] in "<>≤≥=") or c.target == "False") or not (
        _nonlinear(c.target) or any(_nonlinear(h.type) for h in c.facts)
    ):
        return
    scope = c.target + "\n" + "\n".join(h.type for h in c.facts)
    names = [v for v in c.vars_of(*_NUMERIC) if gt.occurs(v, scope)][: cfg.max_hint_vars]
    pairs = list(itertools.combinations(names, 2))
    nat = set(c.vars_of("ℕ", "Nat"))

    scaled = []
    for a, b in pairs:
        ra, rb = _square_root_coefficient(a, scope), _square_root_coefficient(b, scope)
        if ra and rb and (ra, rb) != (1, 1):
            x, y = _times(ra, a), _times(rb, b)
            scaled += [f"sq_nonneg {_difference(x, y, a in nat)}", f"sq_nonneg ({x} + {y})"]
    squares = [f"sq_nonneg {_difference(a, b, a in nat)}" for a, b in pairs]
    squares += [f"sq_nonneg ({a} + {b})" for a, b in pairs]
    products = _products(c)
    for hints in (scaled, squares, products, squares[: len(pairs)] + products if products else []):
        if hints:
            yield f"nlinarith [{', '.join(hints)}]"
    if len(names) == 1:
        yield f"nlinarith [sq_nonneg {names[0]}, sq_nonneg ({names[0]} - 1), sq_nonneg ({names[0]} + 1)]"


def _square_root_coefficient(name: str, text: str) -> int | None:
    """`r` when `r² * name ^ 2` (or `name ^ 2`, r = 1) occurs in `text`."""
    m = re.search(rf"(?:(?<![\w.])(\d+) \* )?(?<![\w.']){re.escape(name)} \^ 2(?![\d])", text)
    if m is None:
        return None
    k = int(m.group(1) or 1)
    r = math.isqrt(k)
    return r if r * r == k else None


def _difference(x: str, y: str, natural: bool) -> str:
    """`(x - y)`, computed in ℤ when the variables are natural numbers (ℕ subtraction stops at 0)."""
    return f"(({x} : ℤ) - {y})" if natural else f"({x} - {y})"


def _times(r: int, name: str) -> str:
    return name if r == 1 else f"{r} * {name}"


def _squares(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """`nlinarith` with the completed squares of the quadratics in sight (`squares.py`)."""
    rel = gt.relation(c.target)
    if not ((rel and rel[1] in "<>≤≥=") or c.target == "False"):
        return
    nat = frozenset(c.vars_of("ℕ", "Nat"))
    completed = list(dict.fromkeys(  # the target's completed squares first, then the hypotheses'
        form for prop in (c.target, *(h.type for h in c.facts))
        for form in completed_squares(prop, c.vars_of(*_NUMERIC), nat)
    ))
    if completed:
        yield f"nlinarith [{', '.join(f'sq_nonneg {form}' for form in completed[: cfg.max_hint_vars])}]"


def _products(c: Context) -> list[str]:
    """`mul_pos p q` for pairs of positivity facts `0 < a`, `0 < b` in context (also inside `∧`)."""
    facts: list[str] = []
    for h in c.facts:
        parts = gt.chain(h.type, "∧")
        for i, part in enumerate(parts):
            rel = gt.relation(part)
            if rel and ((rel[1] == "<" and rel[0] == "0") or (rel[1] == ">" and rel[2] == "0")):
                path = "" if len(parts) == 1 else ".2" * i + (".1" if i < len(parts) - 1 else "")
                facts.append(h.name + path)
    return [f"mul_pos {a} {b}" for a, b in itertools.combinations(facts[:3], 2)]


def _specializations(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """`specialize h a b` with arguments read off the target where the conclusion of a
    `∀`-hypothesis (or one side of it) occurs; failing that, a single binder gets the
    numerals and variables in the target."""
    t = c.target
    in_sight = [str(n) for n in gt.numerals(t)] + [v for v in c.vars_of(*_NUMERIC) if gt.occurs(v, t)]
    for h in c.facts:
        shape = gt.shape_of(h.type)
        if not shape.bound or "inst" in shape.bound:
            continue
        patterns = [shape.conclusion]
        if (rel := gt.relation(shape.conclusion)) is not None:
            patterns = [rel[0], rel[2]]
        args: list[str] = []
        for pattern in patterns:
            for binding in gt.instances(pattern, shape.bound, t):
                if all(n in binding for n in shape.bound):
                    args.append(" ".join(_arg(binding[n]) for n in shape.bound))
        if not args and len(shape.bound) == 1:  # the numerals in sight, then the hypothesis's own
            args = in_sight + [str(n) for n in gt.numerals(h.type)]
        for a in list(dict.fromkeys(args))[: cfg.max_per_hypothesis]:
            yield f"specialize {h.name} {a}"


def _structural_other(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """Steps worth a try that nothing in the target asks for."""
    yield from _fallback_uses(c, cfg)
    for h in c.facts:
        if gt.head(h.type) in ("∧", "↔"):
            yield _rcases(h, c)
    yield from _specializations(c, cfg)
    for v in c.vars_of("ℕ", "Nat"):
        if gt.occurs(v, c.target):  # Mathlib's `induction'` names the successor case's locals
            yield f"induction' {v} with {v} {gt.fresh('ih', set(c.used))}"
    for p in c.vars_of("Prop"):
        if gt.occurs(p, c.text.split("⊢")[-1]) or any(gt.occurs(p, h.type) for h in c.facts):
            yield f"by_cases {gt.fresh('h', set(c.used))} : {p}"
    if gt.head(c.target) == "≠":
        yield f"intro {gt.fresh('h', set(c.used))}"
    if c.target != "False" and (c.facts or c.hidden_facts):
        yield "exfalso"
    if c.facts or c.hidden_facts:
        yield "assumption"


# ---------------------------------------------------------------- assembly


def ranked(goal_text: str, config: ActionConfig = DEFAULT) -> list[tuple[Tier, Family, str]]:
    """Every candidate with its tier and family, before selection and the cap."""
    c = read(goal_text)
    fam = config.families
    out: list[tuple[Tier, Family, str]] = []

    def add(tier: Tier, family: Family, tactics: Iterator[str]) -> None:
        if family in fam:  # the generators are lazy: families left out cost nothing
            out.extend((tier, family, t) for t in tactics if "✝" not in t)

    add(Tier.GOAL, Family.STRUCTURAL, _structural_goal(c, config))
    add(Tier.CLOSE, Family.CLOSERS, _closers(c))
    add(Tier.REWRITE, Family.CASES, splits.enumerations(c, config))
    add(Tier.REWRITE, Family.DENOMINATORS, splits.clearing(c))
    add(Tier.REWRITE, Family.DEFINITIONS, _definitions(c))
    add(Tier.REWRITE, Family.LIBRARY, _library(c))
    add(Tier.REWRITE, Family.CASTS, splits.casts(c))
    add(Tier.REWRITE, Family.REWRITING, _rewriting(c, config))
    add(Tier.REWRITE, Family.SQUARES, _squares(c, config))
    add(Tier.REWRITE, Family.HINTS, _hints(c, config))
    add(Tier.REWRITE, Family.CASES, splits.residue_splits(c, config))
    add(Tier.REWRITE, Family.CASES, splits.abs_splits(c))
    add(Tier.REWRITE, Family.CASES, splits.subtraction_splits(c))
    add(Tier.REWRITE, Family.CLOSERS, iter(["ring_nf"] if any(ch in c.target for ch in "+-*^/") else []))
    add(Tier.OTHER, Family.REWRITING, _simplify_at(c))
    add(Tier.OTHER, Family.STRUCTURAL, _structural_other(c, config))
    return sorted(out, key=lambda item: item[0])  # stable: generation order within a tier


@lru_cache(maxsize=8192)
def _cached(goal_text: str, config: ActionConfig) -> tuple[str, ...]:
    tactics = dict.fromkeys(t for _, _, t in ranked(goal_text, config))
    return tuple(itertools.islice(tactics, config.limit))


def candidates(goal: GoalView, config: ActionConfig = DEFAULT) -> list[str]:
    """At most `config.limit` distinct tactics for `goal`, best tier first, deterministic."""
    return list(_cached(goal.text, config))


@dataclass(frozen=True, slots=True)
class ActionSpace:
    """`candidates` with a fixed config, callable as `search.evaluator.Candidates`."""

    config: ActionConfig = DEFAULT

    def __call__(self, goal: GoalView) -> list[str]:
        return candidates(goal, self.config)
