"""Case analysis and rewriting tactics of `mini`: rcases/obtain, cases, induction, subst, rw.

Case tags and introduced names follow Lean 4: `cases` on `∨` gives `inl`/`inr` with
inaccessible `h✝`; `induction n` gives `zero`/`succ` with `n✝ : ℕ` and the induction
hypothesis `a✝` (as recorded from a real Mathlib REPL session), and `n✝ + 1` in the goal.
Every local comes from the context API (`context.py`): a new variable is a new identity, so a
pattern or alternative name equal to an existing one shadows it and captures nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lean_env.mini import bigop
from lean_env.mini.context import (
    add_hyp,
    add_local,
    clear,
    dependents,
    find_instance,
    generalize,
    replace_all,
    replace_type,
    subst_var,
    with_target,
)
from lean_env.mini.errors import TacticFailure
from lean_env.mini.printer import pp_goal, pp_in
from lean_env.mini.proofterm import prop_of, whnf_prop
from lean_env.mini.syntax import SIdent
from lean_env.mini.tactic_parser import (
    EVERYWHERE,
    GOAL,
    Alt,
    Cases,
    Induction,
    Location,
    PAlt,
    Pat,
    PName,
    PRfl,
    PTuple,
    Rcases,
    Rw,
    Subst,
)
from lean_env.mini.terms import (
    NAT,
    TRUE,
    And,
    Arith,
    Exists,
    Forall,
    Goal,
    Iff,
    Imp,
    Lit,
    Or,
    Rel,
    Term,
    Var,
    alpha_eq,
    free_vars,
    fresh_mvar,
    instantiate,
    is_mvar,
    subst,
    subst_many,
    subterms,
)

if TYPE_CHECKING:
    from lean_env.mini.tactics import Engine


def run(engine: Engine, goal: Goal, tac) -> list[Goal]:
    match tac:
        case Rcases(term=t, pattern=pat, prop=p):
            return rcases(engine, goal, t, pat, p)
        case Cases():
            return cases(engine, goal, tac)
        case Induction(var=v, alts=alts, names=names):
            return induction(engine, goal, v, alts, names=names)
        case Subst(names=names):
            for n in names:
                goal = subst_tac(goal, n)
            return [goal]
        case Rw(rules=rules, at=at):
            return rewrite(engine, goal, rules, at)
    raise TacticFailure(f"mini: unsupported tactic {tac!r}")


def _user(name: str) -> str | None:
    """A written name, or None for `_` (an inaccessible local)."""
    return None if name == "_" else name


# ---------------------------------------------------------------- rcases


def rcases(engine: Engine, goal: Goal, term, pat: Pat, prop_syn) -> list[Goal]:

    if term is None:  # `obtain pat : P` — prove P first, then destructure it
        prop = prop_of(prop_syn, goal)
        return [with_target(goal, prop)] + _rc(engine, goal, [(prop, pat)])
    ck = engine.checker(goal)
    if prop_syn is not None:
        prop = prop_of(prop_syn, goal)
        ck.check(term, prop)
    else:
        prop = ck.infer(term)
    if isinstance(term, SIdent) and (loc := goal.lookup(term.name)) is not None and not loc.is_var:
        goal = clear(goal, loc.fid)
    return _rc(engine, goal, [(prop, pat)])


def _rc(engine: Engine, goal: Goal, pending: list[tuple[Term, Pat]]) -> list[Goal]:
    engine.deadline.check()
    if not pending:
        return [goal]
    (prop, pat), rest = pending[0], pending[1:]
    w = whnf_prop(prop)
    match pat:
        case PName(name="-"):
            return _rc(engine, goal, rest)
        case PName(name=n):  # a plain name does not destructure (an `∃` stays whole)
            return _rc(engine, add_hyp(goal, _user(n), prop), rest)
        case PRfl():
            if not (isinstance(w, Rel) and w.op == "="):
                raise TacticFailure(f"rcases: rfl pattern expects an equation, got\n  {pp_in(goal, prop)}")
            return _rc(engine, _subst_eq(goal, w), rest)
        case PTuple(items=items):
            if len(items) == 1:
                return _rc(engine, goal, [(prop, items[0])] + rest)
            tail = items[1] if len(items) == 2 else PTuple(items[1:])
            match w:
                case And(lhs=a, rhs=b):
                    return _rc(engine, goal, [(a, items[0]), (b, tail)] + rest)
                case Iff(lhs=a, rhs=b):
                    return _rc(engine, goal, [(Imp(a, b), items[0]), (Imp(b, a), tail)] + rest)
                case Exists(name=x, ty=ty):
                    head = items[0]
                    name = head.name if isinstance(head, PName) and head.name not in ("_", "-") else None
                    g, loc = add_local(goal, name, ty, hint=x)
                    return _rc(engine, g, [(instantiate(w, loc.var), tail)] + rest)
                case _:
                    # Lean: extra tuple components on a non-structure are ignored
                    return _rc(engine, goal, [(prop, items[0])] + rest)
        case PAlt(alts=alts):
            if not isinstance(w, Or):
                return _rc(engine, goal, [(prop, alts[0])] + rest)
            tail = alts[1] if len(alts) == 2 else PAlt(alts[1:])
            left = _rc(engine, with_target(goal, goal.target, "inl"), [(w.lhs, alts[0])] + rest)
            right = _rc(engine, with_target(goal, goal.target, "inr"), [(w.rhs, tail)] + rest)
            return left + right
    raise TacticFailure("rcases: unsupported pattern")


# ---------------------------------------------------------------- cases


def cases(engine: Engine, goal: Goal, tac: Cases) -> list[Goal]:
    syn = tac.term
    if isinstance(syn, SIdent):
        loc = goal.lookup(syn.name)
        if loc is not None and loc.is_var:  # `cases' n with k` names the successor's variable
            return induction(engine, goal, syn.name, tac.alts, with_ih=False, names=tac.names)
    prop = engine.checker(goal).infer(syn)
    if isinstance(syn, SIdent) and (loc := goal.lookup(syn.name)) is not None:
        goal = clear(goal, loc.fid)
    w = whnf_prop(prop)
    names = list(tac.names)
    alt_names = {a.tag: a.names for a in tac.alts}

    def nm(tag: str, i: int) -> str | None:
        """The name given to constructor argument `i` of `tag` (None: inaccessible)."""
        if tag in alt_names:
            given = alt_names[tag]
            return _user(given[i]) if i < len(given) else None
        return _user(names.pop(0)) if names else None

    def intro(g: Goal, tag: str, args: list[tuple[str, Term, bool]]) -> Goal:
        """Goal `g` tagged `tag` with the constructor's arguments (hint, type, is a variable)."""
        g = with_target(g, g.target, tag)
        for i, (hint, ty, _) in enumerate(args):
            g = add_local(g, nm(tag, i), ty, hint=hint)[0]
        return g

    match w:
        case Or(lhs=a, rhs=b):
            out = [intro(goal, "inl", [("h", a, False)]), intro(goal, "inr", [("h", b, False)])]
        case And(lhs=a, rhs=b):
            out = [intro(goal, "intro", [("left", a, False), ("right", b, False)])]
        case Exists(ty=ty):
            g = with_target(goal, goal.target, "intro")
            g, v = add_local(g, nm("intro", 0), ty, hint="w")
            out = [add_hyp(g, nm("intro", 1), instantiate(w, v.var))]
        case Iff(lhs=a, rhs=b):
            out = [intro(goal, "intro", [("mp", Imp(a, b), False), ("mpr", Imp(b, a), False)])]
        case _:
            raise TacticFailure(
                f"tactic 'cases' failed, major premise type is not an inductive type\n  {pp_in(goal, prop)}"
            )
    return _run_alts(engine, out, tac.alts)


def _run_alts(engine: Engine, goals: list[Goal], alts: tuple[Alt, ...]) -> list[Goal]:
    """Structured `with | tag names => tacs`: each alternative must close its goal."""
    if not alts:
        return goals
    by_tag = {a.tag: a for a in alts}
    for g in goals:
        alt = by_tag.get(g.case or "")
        if alt is None:
            raise TacticFailure(f"alternative '{g.case}' has not been provided")
        engine.close_with(g, alt.body)
    return []


# ---------------------------------------------------------------- induction


def induction(engine: Engine, goal: Goal, var: str, alts: tuple[Alt, ...], with_ih: bool = True,
              names: tuple[str, ...] = ()) -> list[Goal]:
    """Induction (or `cases`) on a ℕ variable: the hypotheses that mention it are reverted and
    reintroduced in each case; the successor case's new variable and hypothesis are new
    locals (named by the `succ` alternative, else inaccessible `n✝`, `a✝`)."""
    loc = goal.lookup(var)
    if loc is None:
        raise TacticFailure(f"unknown identifier '{var}'")
    if loc.type != NAT:
        raise TacticFailure(f"mini: induction is supported on ℕ variables only, '{var}' : {loc.type}")
    deps = dependents(goal, loc.fid)
    base = goal
    for h in deps:
        base = clear(base, h.fid)
    base = generalize(base, loc.fid)
    by_tag = {a.tag: a for a in alts}

    def instantiate_case(g: Goal, value: Term) -> Goal:
        for h in deps:
            g = add_hyp(g, None if h.inaccessible else h.name, subst(h.prop, loc.fid, value), hint=h.name)
        return with_target(g, subst(goal.target, loc.fid, value))

    zero = instantiate_case(with_target(base, goal.target, "zero"), Lit(0, NAT))
    succ_names = by_tag["succ"].names if "succ" in by_tag else names
    k_name = _user(succ_names[0]) if succ_names else None
    g, k = add_local(with_target(base, goal.target, "succ"), k_name, NAT, hint="n")
    if with_ih:
        ih: Term = subst(goal.target, loc.fid, k.var)
        for h in reversed(deps):
            ih = Imp(subst(h.prop, loc.fid, k.var), ih)
        ih_name = _user(succ_names[1]) if len(succ_names) > 1 else None
        g = add_hyp(g, ih_name, ih, hint="a")
    succ = instantiate_case(g, Arith("+", k.var, Lit(1, NAT), NAT))
    return _run_alts(engine, [zero, succ], alts)


# ---------------------------------------------------------------- subst


def _subst_eq(goal: Goal, eq: Rel, hyp: str | None = None) -> Goal:
    """Eliminate a variable by the equation `eq` (clearing the hypothesis `hyp` first)."""
    a, b = eq.lhs, eq.rhs
    if hyp is not None:
        goal = clear(goal, hyp)
    for v, e in ((b, a), (a, b)):
        if isinstance(v, Var) and goal.get(v.name) is not None and v.name not in free_vars(e):
            return subst_var(goal, v.name, e)
    raise TacticFailure(
        "tactic 'subst' failed, invalid equality proof, it is not of the form (x = t) or (t = x)\n"
        f"  {pp_in(goal, eq)}"
    )


def subst_tac(goal: Goal, name: str) -> Goal:
    loc = goal.lookup(name)
    if loc is None:
        raise TacticFailure(f"unknown identifier '{name}'")
    if not loc.is_var:
        w = loc.prop
        if not (isinstance(w, Rel) and w.op == "="):
            raise TacticFailure(
                "tactic 'subst' failed, invalid equality proof, it is not of the form (x = t) or (t = x)\n"
                f"  {pp_in(goal, w)}"
            )
        return _subst_eq(goal, w, loc.fid)
    v = loc.var
    for h in reversed(goal.hyps()):
        t = h.type
        if isinstance(t, Rel) and t.op == "=" and (t.lhs == v or t.rhs == v):
            other = t.rhs if t.lhs == v else t.lhs
            if loc.fid not in free_vars(other):
                return subst_var(clear(goal, h.fid), loc.fid, other)
    raise TacticFailure(f"tactic 'subst' failed, did not find equation for eliminating '{name}'")


# ---------------------------------------------------------------- rw


def rewrite(engine: Engine, goal: Goal, rules, at: Location) -> list[Goal]:
    """`rw [rules] at loc`: each rule in turn at each place of the location (every place must
    take it; with `at *`, at least one), then `rfl` on the target."""
    for rev, syn in rules:
        engine.deadline.check()
        if at == EVERYWHERE:
            done = False
            for loc in [*goal.hyps(), None]:
                if loc is not None and isinstance(syn, SIdent) and syn.name == loc.name:
                    continue
                try:
                    goal = _rewrite_at(engine, goal, rev, syn, None if loc is None else loc.fid)
                    done = True
                except TacticFailure:
                    continue
            if not done:
                raise TacticFailure("tactic 'rewrite' failed, did not find instance of the pattern in the current goal")
            continue
        for name in (GOAL,) if at is None else at:
            if name == GOAL:
                goal = _rewrite_at(engine, goal, rev, syn, None)
                continue
            loc = goal.lookup(name)
            if loc is None or loc.is_var:
                raise TacticFailure(f"unknown hypothesis '{name}'")
            if isinstance(syn, SIdent) and syn.name == name:
                raise TacticFailure("motive is not type correct: cannot rewrite a hypothesis with itself")
            goal = _rewrite_at(engine, goal, rev, syn, loc.fid)
    # `rw` tries `rfl` afterwards (with reducible transparency: syntactic equality here)
    t = goal.target
    if isinstance(t, Rel) and t.op in ("=", "≤", "≥") and alpha_eq(t.lhs, t.rhs):
        return []
    if isinstance(t, Iff) and alpha_eq(t.lhs, t.rhs):
        return []
    return [goal]


def _rewrite_at(engine: Engine, goal: Goal, rev: bool, syn, fid: str | None) -> Goal:
    """One rule at one place: the target (`fid` None) or the hypothesis `fid`."""
    if isinstance(syn, SIdent) and syn.name in bigop.SUCC_RULES and goal.lookup(syn.name) is None:
        return _rewrite_range_succ(goal, syn.name, rev, fid)
    prop = engine.checker(goal).infer(syn)
    holes: dict = {}
    while isinstance(prop, Forall):
        hole = fresh_mvar(prop.name)
        holes[hole] = prop.ty
        prop = instantiate(prop, Var(hole, prop.ty))
    if isinstance(prop, Rel) and prop.op == "=" or isinstance(prop, Iff):
        lhs, rhs = (prop.rhs, prop.lhs) if rev else (prop.lhs, prop.rhs)
    elif not rev:  # a proposition p rewrites p to True (Lean: `p = True` via propext)
        lhs, rhs = prop, TRUE
    else:
        raise TacticFailure(f"equality or iff proof expected\n  {pp_in(goal, prop)}")
    hyp = goal.get(fid) if fid is not None else None
    where = goal.target if hyp is None else hyp.prop
    binding = find_instance(lhs, where, holes)
    if binding is None:
        place = "the target expression" if hyp is None else f"the hypothesis {hyp.name}"
        raise TacticFailure(
            f"tactic 'rewrite' failed, did not find instance of the pattern in {place}\n"
            f"  {pp_in(goal, lhs)}\n{pp_goal(goal)}"
        )
    old, new = subst_many(lhs, binding), subst_many(rhs, binding)
    if any(is_mvar(v) for v in free_vars(new)):
        raise TacticFailure("mini: rewrite would leave a metavariable")
    changed = replace_all(where, old, new)
    return with_target(goal, changed) if hyp is None else replace_type(goal, hyp.fid, changed)


def _rewrite_range_succ(goal: Goal, name: str, rev: bool, fid: str | None) -> Goal:
    """`rw [Finset.sum_range_succ]`: the first big operator over `range (n + 1)` (or a numeral),
    and every copy of it, split off its last term."""
    if rev:
        raise TacticFailure(f"mini: rw [← {name}] is not supported")
    hyp = goal.get(fid) if fid is not None else None
    where = goal.target if hyp is None else hyp.prop
    op = bigop.SUCC_RULES[name]
    for sub in subterms(where):
        new = bigop.range_succ(sub, op)
        if new is not None:
            changed = replace_all(where, sub, new)
            return with_target(goal, changed) if hyp is None else replace_type(goal, hyp.fid, changed)
    raise TacticFailure(f"tactic 'rewrite' failed, did not find instance of the pattern {name}\n{pp_goal(goal)}")
