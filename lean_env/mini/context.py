"""The one context API of `mini`, and its one matcher.

Every tactic creates, looks up, changes and removes locals here, by identity (fvar id):
- a new local gets a fresh id; an older local of the same name is shadowed, not renamed:
  it prints as `x✝` (the printer's sanitizer) and the terms that mention it still do;
- a name written in a script resolves to the latest accessible local of that name;
- eliminating a variable (`subst`, `rfl` patterns) keeps every hypothesis after the variables
  it mentions, as Lean's revert-and-reintroduce does.
No tactic renames anything by hand, so no tactic can capture a name.

`match` is the matcher of `apply`, `rw` and `simp`: first-order, with holes (metavariables).
It is capture-avoiding by construction: two binders are matched by opening both with one fresh
local (alpha-equivalence), and a hole is never bound to a term that mentions such a local,
i.e. a variable bound inside the matched term (Lean's unifier refuses that assignment too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from lean_env.mini.elaborate_library import type_named
from lean_env.mini.errors import TacticFailure
from lean_env.mini.terms import (
    BINDERS,
    NAT,
    Arith,
    BigOp,
    Goal,
    Lit,
    Local,
    Not,
    Rel,
    Term,
    Ty,
    Var,
    alpha_eq,
    children,
    free_vars,
    fresh_id,
    instantiate,
    map_children,
    subst,
    type_of,
)

INACCESSIBLE = "✝"

# ---------------------------------------------------------------- locals


def add_local(goal: Goal, name: str | None, type_: Ty | Term, *, hint: str = "x") -> tuple[Goal, Local]:
    """Append a local. `name=None` makes it inaccessible (Lean's `x✝`), named after `hint`."""
    user = name if name is not None else hint.replace(INACCESSIBLE, "") or "x"
    if type_named(user):
        raise TacticFailure(f"mini: a local named like a type ('{user}') is not supported")
    loc = Local(fresh_id(user), user, type_, inaccessible=name is None)
    return Goal((*goal.locals, loc), goal.target, goal.case), loc


def add_hyp(goal: Goal, name: str | None, prop: Term, *, hint: str = "h") -> Goal:
    return add_local(goal, name, prop, hint=hint)[0]


def resolve(goal: Goal, name: str) -> Local:
    """The local a script means by `name`."""
    loc = goal.lookup(name)
    if loc is None:
        raise TacticFailure(f"unknown identifier '{name}'")
    return loc


def resolve_hyp(goal: Goal, name: str, tactic: str) -> Local:
    loc = resolve(goal, name)
    if loc.is_var:
        raise TacticFailure(f"{tactic} failed, '{name}' is not a hypothesis")
    return loc


def replace_type(goal: Goal, fid: str, new: Term) -> Goal:
    """The hypothesis `fid` now states `new` (as `rw at h`, `simp at h` leave it), in place, or
    just after the last variable it now mentions when that comes later (Lean's
    `replaceLocalDecl` inserts the new declaration after the latest free variable of its type)."""
    locals_ = tuple(Local(loc.fid, loc.name, new, loc.inaccessible) if loc.fid == fid else loc
                    for loc in goal.locals)
    return Goal(settled(locals_), goal.target, goal.case)


def settled(locals_: tuple[Local, ...] | list[Local]) -> tuple[Local, ...]:
    """The locals in their order, except that a hypothesis mentioning a variable declared after
    it moves to just after that variable (keeping the order of the moved ones): every
    hypothesis then follows the variables it mentions, as Lean's contexts do."""
    out: list[Local] = []
    waiting: list[Local] = []
    declared: set[str] = set()
    for loc in locals_:
        if not loc.is_var:
            if free_vars(loc.prop) <= declared:
                out.append(loc)
            else:
                waiting.append(loc)
            continue
        out.append(loc)
        declared.add(loc.fid)
        ready = [h for h in waiting if free_vars(h.prop) <= declared]
        out.extend(ready)
        waiting = [h for h in waiting if h not in ready]
    out.extend(waiting)  # mentions a variable not in context: the transition check refuses it
    return tuple(out)


def dependents(goal: Goal, fid: str) -> list[Local]:
    """The hypotheses that mention the variable `fid`."""
    return [h for h in goal.hyps() if fid in free_vars(h.prop)]


def clear(goal: Goal, fid: str) -> Goal:
    """Remove a local; a variable something still mentions cannot be cleared (as in Lean)."""
    loc = goal.get(fid)
    if loc is None:
        return goal
    if loc.is_var and (dependents(goal, fid) or fid in free_vars(goal.target)):
        raise TacticFailure(f"cannot clear '{loc.name}': other hypotheses or the goal depend on it")
    return Goal(tuple(x for x in goal.locals if x.fid != fid), goal.target, goal.case)


def generalize(goal: Goal, fid: str) -> Goal:
    """Remove the variable `fid` from the context, its hypotheses already reverted: the target
    still mentions it, as the motive's variable (`induction` instantiates it per case)."""
    assert not dependents(goal, fid), "revert the hypotheses that mention it first"
    return Goal(tuple(x for x in goal.locals if x.fid != fid), goal.target, goal.case)


def with_target(goal: Goal, target: Term, case: str | None | Literal[False] = False) -> Goal:
    """`goal` with a new target, and the case tag `case` (False: keep the goal's own)."""
    return Goal(goal.locals, target, goal.case if case is False else case)


def subst_var(goal: Goal, fid: str, value: Term) -> Goal:
    """Eliminate the variable `fid` by `value` everywhere (`subst`, `rfl` patterns); a hypothesis
    that now mentions a variable declared after it moves after that variable (Lean reverts and
    reintroduces it)."""
    locals_ = [loc if loc.is_var else Local(loc.fid, loc.name, subst(loc.prop, fid, value), loc.inaccessible)
               for loc in goal.locals if loc.fid != fid]
    return Goal(settled(locals_), subst(goal.target, fid, value), goal.case)


# ---------------------------------------------------------------- matching


def canon_rel(t: Term) -> Term:
    """See through reducible notation as Lean's discrimination trees do: `>`, `≥`, `≠`."""
    match t:
        case Rel(op=">", lhs=a, rhs=b):
            return Rel("<", b, a)
        case Rel(op="≥", lhs=a, rhs=b):
            return Rel("≤", b, a)
        case Rel(op="≠", lhs=a, rhs=b):
            return Not(Rel("=", a, b))
    return t


_HOLE = Var("?", NAT)


def match(
    pattern: Term, term: Term, holes: Mapping[str, Ty], binding: dict[str, Term], *,
    simp: bool = False, opened: frozenset[str] = frozenset(),
) -> bool:
    """Match `pattern` (whose variables in `holes` are holes) against `term`, extending
    `binding` in place; on failure `binding` is left as it was. `opened` holds the locals
    standing for binders entered during this match: no hole may capture one. `simp` adds
    simp's matching up to `>`/`≥`/`≠` and ℕ offsets (`n + 1` against the numeral `5`)."""
    if isinstance(pattern, Var) and pattern.name in holes:
        if type_of(term) != holes[pattern.name] or free_vars(term) & opened:
            return False
        bound = binding.get(pattern.name)
        if bound is None:
            binding[pattern.name] = term
            return True
        return alpha_eq(bound, term)
    if simp:
        if (
            isinstance(pattern, Arith) and pattern.op == "+" and pattern.ty == NAT
            and isinstance(pattern.rhs, Lit) and not isinstance(pattern.lhs, Lit)
            and isinstance(term, Lit) and term.ty == NAT and term.value >= pattern.rhs.value
        ):
            return match(pattern.lhs, Lit(term.value - pattern.rhs.value, NAT), holes, binding,
                         simp=simp, opened=opened)
        pattern, term = canon_rel(pattern), canon_rel(term)
    if type(pattern) is not type(term):
        return False
    saved = dict(binding)
    if isinstance(pattern, BINDERS):
        assert isinstance(term, BINDERS)
        ok = _match_binder(pattern, term, holes, binding, simp, opened)
    else:
        pc, tc = list(children(pattern)), list(children(term))
        if not pc:
            return pattern == term
        ok = (len(pc) == len(tc)
              and map_children(pattern, lambda c: _HOLE) == map_children(term, lambda c: _HOLE)
              and all(match(p, t, holes, binding, simp=simp, opened=opened) for p, t in zip(pc, tc)))
    if not ok:
        binding.clear()
        binding.update(saved)
    return ok


def _match_binder(pattern, term, holes, binding, simp: bool, opened: frozenset[str]) -> bool:
    """Both binders opened with one fresh local: names do not matter, captures cannot happen."""
    if isinstance(pattern, BigOp):
        if (pattern.op, pattern.elem, pattern.ty) != (term.op, term.elem, term.ty):
            return False
        if not match(pattern.finset, term.finset, holes, binding, simp=simp, opened=opened):
            return False
        ty = pattern.elem
    else:
        if pattern.ty != term.ty:
            return False
        ty = pattern.ty
    v = Var(fresh_id(term.name), ty)
    return match(instantiate(pattern, v), instantiate(term, v), holes, binding, simp=simp,
                 opened=opened | {v.name})


def find_instance(pattern: Term, term: Term, holes: Mapping[str, Ty],
                  bound: frozenset[str] = frozenset()) -> dict[str, Term] | None:
    """The first subterm of `term` (pre-order) matching `pattern` with every hole bound;
    subterms that mention a variable bound inside `term` are skipped, as Lean's `kabstract`
    skips terms with loose bound variables."""
    if not (free_vars(term) & bound):
        b: dict[str, Term] = {}
        if match(pattern, term, holes, b) and all(v in b for v in holes):
            return b
    if isinstance(term, BigOp):
        found = find_instance(pattern, term.finset, holes, bound)
        return found if found is not None else find_instance(pattern, term.body, holes, bound | {term.name})
    if isinstance(term, BINDERS):
        return find_instance(pattern, term.body, holes, bound | {term.name})
    for c in children(term):
        found = find_instance(pattern, c, holes, bound)
        if found is not None:
            return found
    return None


def replace_all(term: Term, old: Term, new: Term, bound: frozenset[str] = frozenset()) -> Term:
    """Replace every occurrence of `old` (up to bound names) by `new`; occurrences that mention
    a variable bound inside `term` are not instances (see `find_instance`)."""
    if not (free_vars(old) & bound) and alpha_eq(term, old):
        return new
    if isinstance(term, BINDERS):
        inner = replace_all(term.body, old, new, bound | {term.name})
        if isinstance(term, BigOp):
            fs = replace_all(term.finset, old, new, bound)
            return BigOp(term.op, term.name, term.elem, fs, inner, term.ty)
        return type(term)(term.name, term.ty, inner)
    return map_children(term, lambda c: replace_all(c, old, new, bound))
