"""Dispatch of the decision-procedure tactics to their implementations.

omega, linarith, nlinarith and positivity are in `arith.py` (z3); decide in `evaluate.py`;
ring and ring_nf in `ring.py` (sympy); simp and norm_num in `simp.py`. Hint terms
(`linarith [h₁, sq_nonneg x]`, `simp [h]`) are checked as proof terms first, so a hint can
only ever contribute a proposition that really holds in the goal's context. Locations
(`at h`, `at h₁ h₂ ⊢`, `at *`) are resolved to locals here, once; the procedures below act on
a hypothesis by its identity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from lean_env.mini import bigop, casts, evaluate, ring, simp
from lean_env.mini.context import settled
from lean_env.mini.errors import TacticFailure
from lean_env.mini.printer import display_names, pp_term
from lean_env.mini.syntax import SIdent
from lean_env.mini.tactic_parser import EVERYWHERE, GOAL, Closer, Location
from lean_env.mini.terms import (
    FALSE,
    FalseP,
    Goal,
    Local,
    Term,
    _fragment_ty,
    in_fragment,
)

if TYPE_CHECKING:
    from lean_env.mini.tactics import Engine

OUTSIDE = ("mini: {name} does not act on {what}: ℝ/ℚ, big operators, sets and λ are parsed "
           "but lie outside mini's arithmetic fragment")
NO_LOCATION = ("omega", "decide", "positivity", "ring", "linarith", "nlinarith")

# A step at one place: the goal and the hypothesis it acts on (its id; None for the target);
# it returns the new goal, or None when the goal is closed.
Step = Callable[[Goal, str | None], Goal | None]


def _local_in_fragment(loc: Local) -> bool:
    return _fragment_ty(loc.var.ty) if loc.is_var else in_fragment(loc.prop)


def places(goal: Goal, at: Location) -> list[str | None]:
    """The places a location names: hypothesis ids, None for the target."""
    if at is None:
        return [None]
    if at == EVERYWHERE:
        return [h.fid for h in goal.hyps()] + [None]
    out: list[str | None] = []
    for name in at:
        if name == GOAL:
            out.append(None)
            continue
        loc = goal.lookup(name)
        if loc is None:
            raise TacticFailure(f"unknown identifier '{name}'")
        if loc.is_var:
            raise TacticFailure(f"'{name}' is not a hypothesis")
        out.append(loc.fid)
    return out


def fragment_view(goal: Goal, name: str, at: Location = None) -> Goal:
    """The goal as a decision procedure may see it: locals outside the fragment dropped
    (sound: fewer facts), and a refusal when a named place is outside. An outside target
    acting elsewhere is replaced by `False`, which nothing closes except a contradiction among
    the hypotheses, which proves the real target too."""
    if at != EVERYWHERE:
        for fid in places(goal, at):
            if fid is None and not in_fragment(goal.target):
                raise TacticFailure(OUTSIDE.format(name=name, what="this goal"))
            loc = goal.get(fid) if fid is not None else None
            if loc is not None and not in_fragment(loc.prop):  # `places` names hypotheses only
                raise TacticFailure(OUTSIDE.format(name=name, what=f"hypothesis {loc.name}"))
    kept = tuple(loc for loc in goal.locals if _local_in_fragment(loc))
    return Goal(kept, goal.target if in_fragment(goal.target) else FALSE, goal.case)


def merge_back(original: Goal, view: Goal, result: Goal) -> Goal:
    """Put a transformed fragment view back into the full goal: the view's locals as the result
    has them (changed or cleared), the dropped locals untouched, new ones at the end, in the
    original order settled as `replace_type` settles it; the new target (if it was in view)."""
    by_id = {loc.fid: loc for loc in result.locals}
    seen = {loc.fid for loc in view.locals}
    locals_ = [by_id.get(loc.fid, loc) for loc in original.locals if loc.fid not in seen or loc.fid in by_id]
    locals_ += [loc for loc in result.locals if loc.fid not in seen]
    target = result.target if in_fragment(original.target) else original.target
    return Goal(settled(locals_), target, original.case)


def _hint_props(engine: Engine, goal: Goal, tac: Closer) -> list[Term]:
    return [p for p, _ in _hints(engine, goal, tac)]


def _hints(engine: Engine, goal: Goal, tac: Closer) -> list[tuple[Term, str | None]]:
    """Each hint's proposition, with the id of the hypothesis it names (None for a term)."""

    ck = engine.checker(goal)
    out = []
    for a in tac.args:
        loc = goal.lookup(a.name) if isinstance(a, SIdent) else None
        out.append((ck.infer(a), loc.fid if loc is not None and not loc.is_var else None))
    if not all(in_fragment(p) for p, _ in out):
        raise TacticFailure(OUTSIDE.format(name=tac.name, what="a hint outside the fragment"))
    return out


def _bigop_rule(arg, goal: Goal) -> bool:
    """A simp argument naming a big-operator rule (`Finset.sum_range_succ`, ...), not a local."""
    return isinstance(arg, SIdent) and arg.name in bigop.RULE_NAMES and goal.lookup(arg.name) is None


def _rules_for(hints: list[tuple[Term, str | None]], at: str | None) -> list[Term]:
    """The hint rules used at one place: never the hypothesis being simplified itself (Lean's
    simp erases it from the simp set there)."""
    return [p for p, source in hints if source is None or source != at]


def run_closer(engine: Engine, goal: Goal, tac: Closer) -> list[Goal]:
    """Run one closer; solver modules load on first use (z3 and sympy are slow to import)."""
    dl = engine.deadline
    name = tac.name
    full = goal
    if tac.args and name in ("omega", "decide", "positivity", "ring", "ring_nf"):
        raise TacticFailure(f"unexpected token '['; {name} takes no lemma list")
    if tac.at is not None and name in NO_LOCATION:
        raise TacticFailure(f"unexpected token 'at'; {name} acts on the goal")
    goal = fragment_view(full, name, tac.at)
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

        evaluate.decide(goal, dl, pp=lambda t: pp_term(t, display_names(goal)))
        return []
    if name in ("ring", "ring_nf"):

        if name == "ring":
            ring.ring(goal, dl)
            return []
        return _at_places(full, goal, tac.at, lambda g, at: ring.ring_nf(g, dl, at=at), "ring_nf failed",
                          each=True)
    if name in ("push_cast", "norm_cast"):
        if tac.args:
            raise TacticFailure(f"mini: {name} takes no lemma list")
        step = casts.push_cast if name == "push_cast" else casts.norm_cast
        return _at_places(full, goal, tac.at, lambda g, at: step(g, at), f"{name} made no progress", each=True)
    if name == "field_simp":
        from lean_env.mini import field_simp

        facts = tuple(_hint_props(engine, full, tac))
        return _at_places(full, goal, tac.at,
                          lambda g, at: field_simp.field_simp(g, dl, at=at, facts=facts),
                          field_simp.NO_PROGRESS, each=True)
    if name in ("norm_num", "simp"):
        lemmas = tuple(a.name for a in tac.args if isinstance(a, SIdent) and _bigop_rule(a, full))
        hints = _hints(engine, full, replace(tac, args=tuple(a for a in tac.args if not _bigop_rule(a, full))))
        if name == "norm_num":
            return _at_places(full, goal, tac.at,
                              lambda g, at: simp.norm_num(g, dl, rules=_rules_for(hints, at), at=at, lemmas=lemmas),
                              "norm_num failed to simplify", each=True)
        return _at_places(
            full, goal, tac.at,
            lambda g, at: simp.simp(g, dl, rules=_rules_for(hints, at), only=tac.only, at=at, use_hyps=tac.star,
                                    lemmas=lemmas),
            "simp made no progress",
        )
    raise TacticFailure(f"unknown tactic '{name}'")


def _at_places(full: Goal, view: Goal, at: Location, step: Step, failure: str, each: bool = False) -> list[Goal]:
    """Run a simp-like step at each place of `at` in order. `simp at h₁ h₂ ⊢` (and any `at *`)
    fails only when no place made progress, as Lean's `simp` does; with `each`, a named place
    that does not change fails the tactic (`norm_num`, `ring_nf`: the stricter reading of
    Mathlib's). The result is merged back into `full`."""
    if at is None:
        result = step(view, None)
        out = [] if result is None or _has_false_hyp(result) else [result]
        return [merge_back(full, view, g) for g in out]
    progressed = False
    goal = view
    for fid in places(view, at):
        if fid is not None and goal.get(fid) is None:
            continue  # outside the fragment (dropped from the view), or cleared by `at *`
        try:
            result = step(goal, fid)
        except TacticFailure:
            if each and at != EVERYWHERE:
                raise
            continue
        progressed = True
        if result is None or _has_false_hyp(result):
            return []
        goal = result
    if not progressed:
        raise TacticFailure(failure)
    return [merge_back(full, view, goal)]


def _has_false_hyp(goal: Goal) -> bool:
    """A hypothesis simplified to False closes the goal (as `simp at h` does)."""
    return any(isinstance(h.type, FalseP) for h in goal.hyps())
