"""Case analysis and rewriting tactics of `mini`: rcases/obtain, cases, induction, subst, rw.

Case tags and introduced names follow Lean 4: `cases` on `∨` gives `inl`/`inr` with
inaccessible `h✝`; `induction n` gives `zero`/`succ` with `n✝ : ℕ` and the induction
hypothesis `a✝` (as recorded from a real Mathlib REPL session), and `n✝ + 1` in the goal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lean_env.mini.context import (
    add_local, clear, find_instance, inaccessible, replace_all, replace_hyp, substitute_var,
    with_target,
)
from lean_env.mini.errors import TacticFailure
from lean_env.mini.printer import pp_goal, pp_term
from lean_env.mini.proofterm import whnf_prop
from lean_env.mini.syntax import SIdent
from lean_env.mini.tactic_parser import (
    Alt, Cases, Induction, PAlt, Pat, PName, PRfl, PTuple, Rcases, Rw, Subst,
)
from lean_env.mini.terms import (
    NAT, And, Arith, Exists, Forall, Goal, Iff, Imp, Lit, Or, Rel, Term, Var, alpha_eq,
    free_vars, subst, subst_many,
)

if TYPE_CHECKING:
    from lean_env.mini.tactics import Engine


def run(engine: Engine, goal: Goal, tac) -> list[Goal]:
    match tac:
        case Rcases(term=t, pattern=pat, prop=p):
            return rcases(engine, goal, t, pat, p)
        case Cases():
            return cases(engine, goal, tac)
        case Induction(var=v, alts=alts):
            return induction(engine, goal, v, alts)
        case Subst(names=names):
            for n in names:
                goal = subst_tac(goal, n)
            return [goal]
        case Rw(rules=rules, at=at):
            return rewrite(engine, goal, rules, at)
    raise TacticFailure(f"mini: unsupported tactic {tac!r}")


# ---------------------------------------------------------------- rcases


def rcases(engine: Engine, goal: Goal, term, pat: Pat, prop_syn) -> list[Goal]:
    from lean_env.mini.proofterm import prop_of

    if term is None:  # `obtain pat : P` — prove P first, then destructure it
        prop = prop_of(prop_syn, goal)
        return [with_target(goal, prop)] + _rc(engine, goal, [(prop, pat)])
    ck = engine.checker(goal)
    if prop_syn is not None:
        prop = prop_of(prop_syn, goal)
        ck.check(term, prop)
    else:
        prop = ck.infer(term)
    if isinstance(term, SIdent) and goal.lookup(term.name) is not None:
        goal = clear(goal, term.name)
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
        case PName(name=n):
            if isinstance(w, Exists) and n != "_":
                # rcases with a plain name does not destructure
                return _rc(engine, add_local(goal, n, prop), rest)
            name = inaccessible("h", goal) if n == "_" else n
            return _rc(engine, add_local(goal, name, prop), rest)
        case PRfl():
            if not (isinstance(w, Rel) and w.op == "="):
                raise TacticFailure(f"rcases: rfl pattern expects an equation, got\n  {pp_term(prop)}")
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
                    vname = head.name if isinstance(head, PName) and head.name not in ("_", "-") else inaccessible(x, goal)
                    g = add_local(goal, vname, ty)
                    inst = subst(_renamed_body(g, goal, w), x, Var(vname, ty))
                    return _rc(engine, g, [(inst, tail)] + rest)
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


def _renamed_body(new_goal: Goal, old_goal: Goal, ex: Exists) -> Term:
    """The ∃ body, with any local shadowed by the new variable renamed as add_local did."""
    if len(new_goal.locals) == len(old_goal.locals) + 1 and new_goal.locals[:-1] == old_goal.locals:
        return ex.body
    for old, new in zip(old_goal.locals, new_goal.locals):
        if old.name != new.name and old.is_var:
            return subst(ex.body, old.name, Var(new.name, old.type))  # type: ignore[arg-type]
    return ex.body


# ---------------------------------------------------------------- cases


def cases(engine: Engine, goal: Goal, tac: Cases) -> list[Goal]:
    syn = tac.term
    if isinstance(syn, SIdent):
        loc = goal.lookup(syn.name)
        if loc is not None and loc.is_var:
            return _cases_nat(engine, goal, syn.name, tac)
    prop = engine.checker(goal).infer(syn)
    if isinstance(syn, SIdent) and goal.lookup(syn.name) is not None:
        goal = clear(goal, syn.name)
    w = whnf_prop(prop)
    names = list(tac.names)
    alt_names = {a.tag: a.names for a in tac.alts}

    def nm(tag: str, i: int, default: str) -> str:
        if tag in alt_names and i < len(alt_names[tag]):
            return alt_names[tag][i]
        if names and names[0] != "_":
            return names.pop(0)
        return inaccessible(default, goal)

    match w:
        case Or(lhs=a, rhs=b):
            out = [add_local(with_target(goal, goal.target, "inl"), nm("inl", 0, "h"), a),
                   add_local(with_target(goal, goal.target, "inr"), nm("inr", 0, "h"), b)]
        case And(lhs=a, rhs=b):
            g = add_local(with_target(goal, goal.target, "intro"), nm("intro", 0, "left"), a)
            out = [add_local(g, nm("intro", 1, "right"), b)]
        case Exists(name=x, ty=ty, body=body):
            v = nm("intro", 0, "w")
            g = add_local(with_target(goal, goal.target, "intro"), v, ty)
            out = [add_local(g, nm("intro", 1, "h"), subst(body, x, Var(v, ty)))]
        case Iff(lhs=a, rhs=b):
            g = add_local(with_target(goal, goal.target, "intro"), nm("intro", 0, "mp"), Imp(a, b))
            out = [add_local(g, nm("intro", 1, "mpr"), Imp(b, a))]
        case _:
            raise TacticFailure(f"tactic 'cases' failed, major premise type is not an inductive type\n  {pp_term(prop)}")
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


def _cases_nat(engine: Engine, goal: Goal, var: str, tac: Cases) -> list[Goal]:
    return induction(engine, goal, var, tac.alts, with_ih=False)


# ---------------------------------------------------------------- induction


def induction(engine: Engine, goal: Goal, var: str, alts: tuple[Alt, ...], with_ih: bool = True) -> list[Goal]:
    loc = goal.lookup(var)
    if loc is None:
        raise TacticFailure(f"unknown identifier '{var}'")
    if loc.type != NAT:
        raise TacticFailure(f"mini: induction is supported on ℕ variables only, '{var}' : {loc.type}")
    deps = [h for h in goal.hyps() if var in free_vars(h.type)]  # type: ignore[arg-type]
    keep = tuple(l for l in goal.locals if l.name != var and l not in deps)
    base = Goal(keep, goal.target, goal.case)
    by_tag = {a.tag: a for a in alts}

    def instantiate(g: Goal, value: Term) -> Goal:
        for h in deps:
            g = add_local(g, h.name, subst(h.type, var, value))  # type: ignore[arg-type]
        return with_target(g, subst(goal.target, var, value))

    zero = instantiate(with_target(base, goal.target, "zero"), Lit(0, NAT))
    succ_names = by_tag["succ"].names if "succ" in by_tag else ()
    k = succ_names[0] if succ_names and succ_names[0] != "_" else inaccessible("n", base)
    g = add_local(with_target(base, goal.target, "succ"), k, NAT)
    kv = Var(k, NAT)
    if with_ih:
        ih: Term = subst(goal.target, var, kv)
        for h in reversed(deps):
            ih = Imp(subst(h.type, var, kv), ih)  # type: ignore[arg-type]
        ih_name = succ_names[1] if len(succ_names) > 1 and succ_names[1] != "_" else inaccessible("a", g)
        g = add_local(g, ih_name, ih)
    succ = instantiate(g, Arith("+", kv, Lit(1, NAT), NAT))
    return _run_alts(engine, [zero, succ], alts)


# ---------------------------------------------------------------- subst


def _subst_eq(goal: Goal, eq: Rel, hyp: str | None = None) -> Goal:
    a, b = eq.lhs, eq.rhs
    if hyp is not None:
        goal = clear(goal, hyp)
    for v, e in ((b, a), (a, b)):
        if isinstance(v, Var) and goal.lookup(v.name) is not None and v.name not in free_vars(e):
            return substitute_var(goal, v.name, e)
    raise TacticFailure(f"tactic 'subst' failed, invalid equality proof, it is not of the form (x = t) or (t = x)\n  {pp_term(eq)}")


def subst_tac(goal: Goal, name: str) -> Goal:
    loc = goal.lookup(name)
    if loc is None:
        raise TacticFailure(f"unknown identifier '{name}'")
    if not loc.is_var:
        w = loc.type
        if not (isinstance(w, Rel) and w.op == "="):
            raise TacticFailure(f"tactic 'subst' failed, invalid equality proof, it is not of the form (x = t) or (t = x)\n  {pp_term(w)}")  # type: ignore[arg-type]
        return _subst_eq(goal, w, name)
    for h in reversed(goal.hyps()):
        t = h.type
        if isinstance(t, Rel) and t.op == "=" and (t.lhs == Var(name, loc.type) or t.rhs == Var(name, loc.type)):
            other = t.rhs if t.lhs == Var(name, loc.type) else t.lhs
            if name not in free_vars(other):
                return substitute_var(clear(goal, h.name), name, other)
    raise TacticFailure(f"tactic 'subst' failed, did not find equation for eliminating '{name}'")


# ---------------------------------------------------------------- rw


def rewrite(engine: Engine, goal: Goal, rules, at: str | None) -> list[Goal]:
    for rev, syn in rules:
        engine.deadline.check()
        prop = engine.checker(goal).infer(syn)
        pvars: dict = {}
        while isinstance(prop, Forall):
            fresh = f"?{prop.name}{len(pvars)}"
            pvars[fresh] = prop.ty
            prop = subst(prop.body, prop.name, Var(fresh, prop.ty))
        if isinstance(prop, Rel) and prop.op == "=" or isinstance(prop, Iff):
            lhs, rhs = (prop.rhs, prop.lhs) if rev else (prop.lhs, prop.rhs)
        elif not rev:  # a proposition p rewrites p to True (Lean: `p = True` via propext)
            from lean_env.mini.terms import TRUE

            lhs, rhs = prop, TRUE
        else:
            raise TacticFailure(f"equality or iff proof expected\n  {pp_term(prop)}")
        where = goal.target if at is None else engine.hyp_prop(goal, at)
        binding = find_instance(lhs, where, pvars)
        if binding is None:
            loc = "the target expression" if at is None else f"the hypothesis {at}"
            raise TacticFailure(
                f"tactic 'rewrite' failed, did not find instance of the pattern in {loc}\n  {pp_term(lhs)}\n{pp_goal(goal)}"
            )
        old, new = subst_many(lhs, binding), subst_many(rhs, binding)
        if pvars and any(v.startswith("?") for v in free_vars(new)):
            raise TacticFailure("mini: rewrite would leave a metavariable")
        changed = replace_all(where, old, new)
        if isinstance(syn, SIdent) and at == syn.name:
            raise TacticFailure("motive is not type correct: cannot rewrite a hypothesis with itself")
        goal = with_target(goal, changed) if at is None else replace_hyp(goal, at, changed)
    # `rw` tries `rfl` afterwards (with reducible transparency: syntactic equality here)
    t = goal.target
    if isinstance(t, Rel) and t.op in ("=", "≤", "≥") and alpha_eq(t.lhs, t.rhs):
        return []
    if isinstance(t, Iff) and alpha_eq(t.lhs, t.rhs):
        return []
    return [goal]
