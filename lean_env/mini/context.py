"""Operations on a goal's local context shared by the tactics: adding locals with Lean's
shadowing, replacing and clearing hypotheses, substituting variables, matching patterns."""

from __future__ import annotations

from lean_env.mini.terms import (
    BINDERS, Arrow, Base, BigOp, Exists, Forall, Goal, Lam, Local, Term, Ty, Var, alpha_eq,
    children, free_vars, map_children, subst, subst_many,
)

INACCESSIBLE = "✝"


def _rename_local(goal: Goal, old: str, new: str) -> Goal:
    """Rename the latest local `old` to `new`, updating every later mention."""
    idx = max(i for i, loc in enumerate(goal.locals) if loc.name == old)
    loc = goal.locals[idx]
    locals_ = list(goal.locals)
    locals_[idx] = Local(new, loc.type)
    target = goal.target
    if loc.is_var:
        v = Var(new, loc.type)  # type: ignore[arg-type]
        for j in range(idx + 1, len(locals_)):
            lj = locals_[j]
            if not lj.is_var:
                locals_[j] = Local(lj.name, subst(lj.type, old, v))  # type: ignore[arg-type]
        target = subst(target, old, v)
    return Goal(tuple(locals_), target, goal.case)


def add_local(goal: Goal, name: str, type_: Ty | Term) -> Goal:
    """Append a local; an existing local of the same name becomes inaccessible (`x✝`)."""
    if goal.lookup(name) is not None and INACCESSIBLE not in name:
        goal = _rename_local(goal, name, inaccessible(name, goal))
    return Goal((*goal.locals, Local(name, type_)), goal.target, goal.case)


def inaccessible(base: str, goal: Goal) -> str:
    """Lean's display name for an inaccessible local: `x✝`, then `x✝¹`, `x✝²`, ..."""
    taken = goal.names()
    name = base + INACCESSIBLE
    sup = "¹²³⁴⁵⁶⁷⁸⁹"
    i = 0
    while name in taken:
        i += 1
        name = base + INACCESSIBLE + (sup[i - 1] if i <= 9 else str(i))
    return name


def hyp_index(locals_, name: str, tactic: str) -> int:
    """Position of the latest hypothesis `name` (entries may be None for cleared slots);
    `tactic` names who asks, for Lean's error message."""
    from lean_env.mini.errors import TacticFailure

    for i in range(len(locals_) - 1, -1, -1):
        loc = locals_[i]
        if loc is not None and loc.name == name:
            if loc.is_var:
                raise TacticFailure(f"{tactic} failed, '{name}' is not a hypothesis")
            return i
    raise TacticFailure(f"unknown identifier '{name}'")


def replace_hyp(goal: Goal, name: str, prop: Term) -> Goal:
    """Replace hypothesis `name` in place (as `rw at h`, `norm_num at h` do)."""
    locals_ = tuple(Local(loc.name, prop) if loc.name == name else loc for loc in goal.locals)
    return Goal(locals_, goal.target, goal.case)


def clear(goal: Goal, name: str) -> Goal:
    """Remove the latest local named `name`."""
    idx = max(i for i, loc in enumerate(goal.locals) if loc.name == name)
    return Goal(goal.locals[:idx] + goal.locals[idx + 1 :], goal.target, goal.case)


def with_target(goal: Goal, target: Term, case: str | None | bool = False) -> Goal:
    return Goal(goal.locals, target, goal.case if case is False else case)  # type: ignore[arg-type]


def substitute_var(goal: Goal, var: str, value: Term) -> Goal:
    """Eliminate variable `var` by `value` everywhere (`subst`, `rfl` patterns)."""
    locals_ = []
    for loc in goal.locals:
        if loc.name == var and loc.is_var:
            continue
        if loc.is_var:
            locals_.append(loc)
        else:
            locals_.append(Local(loc.name, subst(loc.type, var, value)))  # type: ignore[arg-type]
    return Goal(tuple(locals_), subst(goal.target, var, value), goal.case)


def is_type(x: object) -> bool:
    return isinstance(x, (Base, Arrow))


# ---------------------------------------------------------------- pattern matching


def match(pattern: Term, term: Term, pvars: dict[str, Ty], binding: dict[str, Term]) -> bool:
    """First-order matching of `pattern` (whose variables in `pvars` are holes) against
    `term`; extends `binding` in place and reports success."""
    if isinstance(pattern, Var) and pattern.name in pvars:
        if pvars[pattern.name] != _ty(term):
            return False
        bound = binding.get(pattern.name)
        if bound is None:
            binding[pattern.name] = term
            return True
        return alpha_eq(bound, term)
    if type(pattern) is not type(term):
        return False
    if isinstance(pattern, BINDERS):
        return alpha_eq(subst_many(pattern, binding), term)
    pc, tc = list(children(pattern)), list(children(term))
    if len(pc) != len(tc):
        return False
    if not pc:
        return pattern == term
    # compare non-term fields (op names, types)
    if map_children(pattern, lambda c: _HOLE) != map_children(term, lambda c: _HOLE):
        return False
    saved = dict(binding)
    for p, t in zip(pc, tc):
        if not match(p, t, pvars, binding):
            binding.clear()
            binding.update(saved)
            return False
    return True


_HOLE = Var("?", Base("?"))


def _ty(t: Term):
    from lean_env.mini.terms import type_of

    return type_of(t)


def find_instance(pattern: Term, term: Term, pvars: dict[str, Ty], bound: frozenset[str] = frozenset()) -> dict[str, Term] | None:
    """The first subterm of `term` (pre-order, skipping subterms that mention variables
    bound inside `term`) matching `pattern`; returns the binding."""
    if not (free_vars(term) & bound):
        b: dict[str, Term] = {}
        if match(pattern, term, pvars, b) and all(v in b for v in pvars):
            return b
    if isinstance(term, (Forall, Exists, Lam)):
        return find_instance(pattern, term.body, pvars, bound | {term.name})
    if isinstance(term, BigOp):
        found = find_instance(pattern, term.finset, pvars, bound)
        return found if found is not None else find_instance(pattern, term.body, pvars, bound | {term.name})
    for c in children(term):
        found = find_instance(pattern, c, pvars, bound)
        if found is not None:
            return found
    return None


def replace_all(term: Term, old: Term, new: Term, bound: frozenset[str] = frozenset()) -> Term:
    """Replace every occurrence of `old` (up to bound names) by `new`, not under binders
    that capture `old`'s variables."""
    if alpha_eq(term, old) and not (free_vars(old) & bound):
        return new
    if isinstance(term, BINDERS):
        inner = term.body
        if term.name not in free_vars(old) and term.name not in free_vars(new):
            inner = replace_all(term.body, old, new, bound | {term.name})
        if isinstance(term, BigOp):
            fs = replace_all(term.finset, old, new, bound)
            return BigOp(term.op, term.name, term.elem, fs, inner, term.ty)
        return type(term)(term.name, term.ty, inner)
    return map_children(term, lambda c: replace_all(c, old, new, bound))
