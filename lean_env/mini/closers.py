"""Dispatch of the decision-procedure tactics to their implementations.

omega, linarith, nlinarith and positivity are in `arith.py` (z3); decide in `evaluate.py`;
ring and ring_nf in `ring.py` (sympy); simp and norm_num in `simp.py`. Hint terms
(`linarith [h₁, sq_nonneg x]`, `simp [h]`) are checked as proof terms first, so a hint can
only ever contribute a proposition that really holds in the goal's context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lean_env.mini.errors import TacticFailure
from lean_env.mini.tactic_parser import Closer
from lean_env.mini.terms import FALSE, FalseP, Goal, Local, Term, in_fragment

OUTSIDE = ("mini: {name} does not act on {what}: ℝ/ℚ, big operators, sets and λ are parsed "
           "but lie outside mini's arithmetic fragment")


def fragment_view(goal: Goal, name: str, at: str | None = None) -> Goal:
    """The goal as a decision procedure may see it: locals outside the fragment dropped
    (sound: fewer facts), and a refusal when the target (or hypothesis `at`) is outside.
    An outside target acting elsewhere is replaced by `False`, which nothing closes except
    a contradiction among the hypotheses, which proves the real target too."""
    if at is None or at == "*":
        if at is None and not in_fragment(goal.target):
            raise TacticFailure(OUTSIDE.format(name=name, what="this goal"))
    else:
        loc = goal.lookup(at)
        if loc is not None and not loc.is_var and not in_fragment(loc.type):  # type: ignore[arg-type]
            raise TacticFailure(OUTSIDE.format(name=name, what=f"hypothesis {at}"))
    kept = tuple(loc for loc in goal.locals if _local_in_fragment(loc))
    return Goal(kept, goal.target if in_fragment(goal.target) else FALSE, goal.case)


def _local_in_fragment(loc: Local) -> bool:
    from lean_env.mini.terms import _fragment_ty

    return _fragment_ty(loc.type) if loc.is_var else in_fragment(loc.type)  # type: ignore[arg-type]


def merge_back(original: Goal, view: Goal, result: Goal) -> Goal:
    """Put a transformed fragment view back into the full goal: changed hypotheses in place,
    the new target, the dropped locals untouched."""
    by_name = {loc.name: loc for loc in result.locals}
    seen = {loc.name for loc in view.locals}
    locals_ = [by_name.get(loc.name, loc) if loc.name in seen else loc for loc in original.locals
               if loc.name not in seen or loc.name in by_name]
    locals_ += [loc for loc in result.locals if loc.name not in seen]
    target = result.target if in_fragment(original.target) else original.target
    return Goal(tuple(locals_), target, original.case)

if TYPE_CHECKING:
    from lean_env.mini.tactics import Engine


def _hint_props(engine: Engine, goal: Goal, tac: Closer) -> list[Term]:
    ck = engine.checker(goal)
    props = [ck.infer(a) for a in tac.args]
    if not all(in_fragment(p) for p in props):
        raise TacticFailure(OUTSIDE.format(name=tac.name, what="a hint outside the fragment"))
    return props


def run_closer(engine: Engine, goal: Goal, tac: Closer) -> list[Goal]:
    """Run one closer; solver modules load on first use (z3 and sympy are slow to import)."""
    dl = engine.deadline
    name = tac.name
    full = goal
    goal = fragment_view(full, name, tac.at)
    if tac.args and name in ("omega", "decide", "positivity", "ring", "ring_nf"):
        raise TacticFailure(f"unexpected token '['; {name} takes no lemma list")
    if tac.at is not None and name in ("omega", "decide", "positivity", "ring", "linarith", "nlinarith"):
        raise TacticFailure(f"unexpected token 'at'; {name} acts on the goal")
    if name in ("omega", "linarith", "nlinarith", "positivity"):
        from lean_env.mini import arith

        match name:
            case "omega":
                arith.omega(goal, dl)
            case "linarith":
                arith.linarith(goal, dl, extra=_hint_props(engine, full, tac))
            case "nlinarith":
                arith.nlinarith(goal, dl, extra=_hint_props(engine, full, tac))
            case "positivity":
                arith.positivity(goal, dl)
        return []
    if name == "decide":
        from lean_env.mini import evaluate
        from lean_env.mini.printer import pp_term

        evaluate.decide(goal, dl, pp=pp_term)
        return []
    if name in ("ring", "ring_nf"):
        from lean_env.mini import ring

        if name == "ring":
            ring.ring(goal, dl)
            return []
        return _each_location(goal, tac.at, lambda g, at: ring.ring_nf(g, dl, at=at), "ring_nf failed", full)
    if name in ("norm_num", "simp"):
        from lean_env.mini import simp

        rules = _hint_props(engine, full, tac)
        if name == "norm_num":
            return _each_location(goal, tac.at, lambda g, at: simp.norm_num(g, dl, rules=rules, at=at),
                                  "norm_num failed to simplify", full)
        return _each_location(
            goal, tac.at,
            lambda g, at: simp.simp(g, dl, rules=rules, only=tac.only, at=at, use_hyps=tac.star),
            "simp made no progress", full,
        )
    raise TacticFailure(f"unknown tactic '{name}'")


def _each_location(goal: Goal, at: str | None, step, failure: str, full: Goal | None = None) -> list[Goal]:
    """Run a simp-like step at one location, or at every hypothesis and the goal (`at *`);
    the result is merged back into the `full` goal the fragment view came from."""
    if full is not None:
        view = goal
        out = _each_location(view, at, step, failure)
        return [merge_back(full, view, g) for g in out]
    if at != "*":
        result = step(goal, at)
        return [] if result is None or _has_false_hyp(result) else [result]
    progressed = False
    for h in [loc.name for loc in goal.hyps()]:
        try:
            result = step(goal, h)
        except TacticFailure:
            continue
        progressed = True
        if result is None:
            return []
        goal = result
    try:
        result = step(goal, None)
        progressed = True
        if result is None:
            return []
        goal = result
    except TacticFailure:
        pass
    if not progressed:
        raise TacticFailure(failure)
    return [goal]


def _has_false_hyp(goal: Goal) -> bool:
    """A hypothesis simplified to False closes the goal (as `simp at h` does)."""
    return any(isinstance(h.type, FalseP) for h in goal.hyps())
