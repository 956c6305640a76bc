"""The tactic interpreter of `mini`: one tactic on one goal gives its new goals.

Tactics behave as their Lean 4 / Mathlib namesakes on the fragment, including the goals'
case tags and the names of introduced locals. Structural tactics live here; case analysis
and rewriting in `destruct.py`; arithmetic closers call `arith.py`, `evaluate.py`,
`ring.py` and `simp.py`. Every failure is a `TacticFailure` with a Lean-like message.
"""

from __future__ import annotations

import logging

from lean_env.mini import casts, destruct, interval
from lean_env.mini.closers import run_closer
from lean_env.mini.context import add_hyp, add_local, clear, match, with_target
from lean_env.mini.elaborate_check import check_goal
from lean_env.mini.errors import Deadline, ParseError, TacticFailure
from lean_env.mini.evaluate import NotEvaluable, evaluate
from lean_env.mini.printer import pp_goal, pp_in
from lean_env.mini.proofterm import (
    Checker,
    defeq,
    prop_of,
    refl_holds,
    term_of,
    whnf_prop,
)
from lean_env.mini.syntax import SApp, SIdent
from lean_env.mini.tactic_parser import (
    ApplyT,
    Block,
    Bullet,
    ByCases,
    ByContra,
    CaseBlock,
    Cases,
    Closer,
    Exact,
    ExactModCast,
    Have,
    Induction,
    IntervalCases,
    Intro,
    Rcases,
    Rw,
    Simple,
    Specialize,
    Step,
    Subst,
    Tactic,
    Then,
    Try,
    Use,
    parse_script,
    parse_tactic,
)
from lean_env.mini.terms import (
    FALSE,
    And,
    Exists,
    FalseP,
    Forall,
    Goal,
    Iff,
    Imp,
    Lit,
    Not,
    Or,
    Rel,
    Term,
    TrueP,
    Ty,
    Var,
    alpha_eq,
    free_vars,
    fresh_mvar,
    in_fragment,
    instantiate,
    integral,
    subst_many,
)

log = logging.getLogger(__name__)
FAULT = "mini internal fault"


class TransitionFault(Exception):
    """A tactic produced a goal the transition checker refuses: a bug in that tactic, caught.
    Not a `TacticFailure`, so no `try`, `<;>` or `at *` can swallow it: the backend reports
    it as the tactic's error (never a new state), counts it and logs it loudly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Engine:
    """Runs tactics under one deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    # ------------------------------------------------------------ scripts

    def run_text(self, goal: Goal, text: str) -> list[Goal]:
        """Parse and run one tactic; every goal it leaves passes the transition check."""
        try:
            tac = parse_tactic(text)
        except ParseError as e:
            raise TacticFailure(f"<input>:{e.line}:{e.col}: {e.message}") from None
        return self.run(goal, tac, text)

    def run_script(self, goals: list[Goal], block: Block) -> list[Goal]:
        """Run a tactic block on a goal list, as Lean does: each step works on the main goal."""
        for item in block:
            self.deadline.check()
            if not goals:
                if isinstance(item, Step) and _is_try(item.text):
                    continue  # `try t` with no goal left: `t` fails, `try` succeeds (Lean)
                raise TacticFailure(f"line {item.line}: no goals to be proved")
            match item:
                case Step(text=text):
                    goals = self.run_text(goals[0], text) + goals[1:]
                case Bullet(block=inner):
                    rest = self.run_script([goals[0]], inner)
                    if rest:
                        raise TacticFailure(_unsolved(rest))
                    goals = goals[1:]
                case CaseBlock(tag=tag, block=inner):
                    idx = 0 if tag is None else next((i for i, g in enumerate(goals) if g.case == tag), -1)
                    if idx < 0:
                        raise TacticFailure(f"Case tag '{tag}' not found.")
                    rest = self.run_script([goals[idx]], inner)
                    if rest:
                        raise TacticFailure(_unsolved(rest))
                    goals = goals[:idx] + goals[idx + 1 :]
        return goals

    def close_with(self, goal: Goal, text: str) -> None:
        """Run a nested `by` block (or a `cases` alternative); it must close its goal."""
        checked([goal], text)
        rest = self.run_script([goal], parse_script(text))
        if rest:
            raise TacticFailure(_unsolved(rest))

    # ------------------------------------------------------------ dispatch

    def run(self, goal: Goal, tac: Tactic, text: str | None = None) -> list[Goal]:
        """Run one tactic; every goal it leaves passes the transition check, also inside
        combinators (`t <;> t'`, `try`), so no later step ever sees an ill-formed goal."""
        return checked(self._run(goal, tac), text or type(tac).__name__)

    def _run(self, goal: Goal, tac: Tactic) -> list[Goal]:
        self.deadline.check()
        match tac:
            case Intro(names=names, all=all_):
                return [self.intro(goal, names, all_)]
            case Exact(term=t):
                self.checker(goal).check(t, goal.target)
                return []
            case ApplyT(term=t):
                return self.apply(goal, t)
            case Simple(name=name):
                return self.simple(goal, name)
            case Rcases() | Cases() | Induction() | Subst() | Rw():
                return destruct.run(self, goal, tac)
            case IntervalCases(var=name):
                return interval.interval_cases(goal, name)
            case ExactModCast(term=t):
                if not casts.mod_cast_equal(self.checker(goal).infer(t), goal.target):
                    raise TacticFailure("exact_mod_cast failed: the term's type and the goal differ after norm_cast")
                return []
            case ByContra(name=name):
                return [self.by_contra(goal, name)]
            case ByCases(name=name, prop=p):
                prop = prop_of(p, goal)  # unnamed: Lean's macro names it a hygienic `h✝`
                return [add_hyp(with_target(goal, goal.target, "pos"), name, prop),
                        add_hyp(with_target(goal, goal.target, "neg"), name, Not(prop))]
            case Use(terms=terms):
                return self.use(goal, list(terms))
            case Specialize(term=t):
                return [self.specialize(goal, t)]
            case Have(name=name, prop=p, proof=proof):
                return self.have(goal, name or "this", p, proof)
            case Closer():

                return run_closer(self, goal, tac)
            case Then(first=a, then=b):
                out: list[Goal] = []
                for g in self.run(goal, a):
                    out.extend(self.run(g, b))
                return out
            case Try(tactic=t):
                try:
                    return self.run(goal, t)
                except TacticFailure:
                    return [goal]
        raise TacticFailure(f"mini: unsupported tactic {tac!r}")

    def checker(self, goal: Goal) -> Checker:
        return Checker(goal, self.close_with)

    # ------------------------------------------------------------ structural tactics

    def intro(self, goal: Goal, names: tuple[str, ...], all_: bool) -> Goal:
        if all_:
            while isinstance(goal.target, (Forall, Imp)):
                goal = self._intro1(goal, None)
            return goal
        for name in names:
            goal = self._intro1(goal, None if name in ("_anon", "_") else name)
        return goal

    def _intro1(self, goal: Goal, name: str | None) -> Goal:
        """One binder of the target becomes a local (inaccessible, after the binder's name, when
        no name is given): the body mentions the new local's id, so nothing can capture it."""
        t = whnf_prop(goal.target)
        match t:
            case Forall(name=x, ty=ty):
                g, loc = add_local(goal, name, ty, hint=x)
                return with_target(g, instantiate(t, loc.var))
            case Imp(lhs=a, rhs=b):
                return with_target(add_hyp(goal, name, a, hint="a"), b)
            case _:
                raise TacticFailure(f"no additional binders or let bindings to introduce\n{pp_goal(goal)}")

    def apply(self, goal: Goal, syn) -> list[Goal]:
        special = {"And.intro": "constructor", "Iff.intro": "constructor", "Or.inl": "left",
                   "Or.inr": "right", "False.elim": "exfalso", "absurd": None}
        if isinstance(syn, SIdent) and goal.lookup(syn.name) is None and syn.name in special:
            name = special[syn.name]
            if name is not None:
                return self.simple(goal, name)
        prop = self.checker(goal).infer(syn)
        premises: list[Term] = []
        holes: dict[str, Ty] = {}
        cur = prop
        while True:
            if not holes and defeq(cur, goal.target):
                return [with_target(goal, p) for p in premises]
            if holes:
                binding: dict[str, Term] = {}
                if match(cur, goal.target, holes, binding) and all(v in binding for v in holes):
                    return [with_target(goal, subst_many(p, binding)) for p in premises]
            w = whnf_prop(cur)
            match w:
                case Forall(name=x, ty=ty):
                    hole = fresh_mvar(x)
                    holes[hole] = ty
                    cur = instantiate(w, Var(hole, ty))
                case Imp(lhs=a, rhs=b):
                    premises.append(a)
                    cur = b
                case _:
                    raise TacticFailure(
                        f"tactic 'apply' failed, could not unify the conclusion of\n  {pp_in(goal, prop)}\n"
                        f"with the goal\n  {pp_in(goal, goal.target)}"
                    )

    def simple(self, goal: Goal, name: str) -> list[Goal]:
        t = goal.target
        match name:
            case "constructor":
                w = whnf_prop(t)
                match w:
                    case And(lhs=a, rhs=b):
                        return [with_target(goal, a, "left"), with_target(goal, b, "right")]
                    case Iff(lhs=a, rhs=b):
                        return [with_target(goal, Imp(a, b), "mp"), with_target(goal, Imp(b, a), "mpr")]
                    case TrueP():
                        return []
                    case Exists():
                        raise TacticFailure("mini: constructor on ∃ would leave a metavariable goal; use `use`")
                raise TacticFailure(
                    f"tactic 'constructor' failed, target is not an inductive datatype\n{pp_goal(goal)}"
                )
            case "left" | "right":
                if isinstance(t, Or):
                    return [with_target(goal, t.lhs if name == "left" else t.rhs, "h")]
                raise TacticFailure(
                    f"tactic '{name}' failed, target is not an inductive datatype with two constructors"
                )
            case "exfalso":
                return [with_target(goal, FALSE)]
            case "assumption":
                if self._assumption(goal):
                    return []
                raise TacticFailure(f"tactic 'assumption' failed\n{pp_goal(goal)}")
            case "contradiction":
                if self._contradiction(goal):
                    return []
                raise TacticFailure(f"tactic 'contradiction' failed\n{pp_goal(goal)}")
            case "rfl":
                if self._refl(goal.target):
                    return []
                raise TacticFailure(
                    "The rfl tactic failed. Possible reasons:\n"
                    "- The goal is not a reflexive relation (neither `=` nor a relation with a @[refl] lemma).\n"
                    "- The arguments of the relation are not equal.\n"
                    "Try using the reflexivity lemma for your relation explicitly, e.g. `exact Eq.refl _` or\n"
                    f"`exact HEq.rfl` etc.\n{pp_goal(goal)}"
                )
            case "trivial":
                return self._trivial(goal)
        raise TacticFailure(f"unknown tactic '{name}'")

    def _assumption(self, goal: Goal) -> bool:
        return any(defeq(h.prop, goal.target) for h in goal.hyps())

    def _contradiction(self, goal: Goal) -> bool:
        hyps = [h.prop for h in goal.hyps()]
        for h in hyps:
            if isinstance(h, FalseP):
                return True
            if isinstance(h, Rel) and h.op == "≠" and alpha_eq(h.lhs, h.rhs):
                return True
            if isinstance(h, Not) and isinstance(h.arg, Rel) and h.arg.op == "=" and alpha_eq(h.arg.lhs, h.arg.rhs):
                return True
            if isinstance(h, Not) and isinstance(h.arg, TrueP):
                return True
            if isinstance(h, Rel) and h.op in ("=", "≠") and _closed_literal_mismatch(h):
                return True
        for h in hyps:
            neg = h.arg if isinstance(h, Not) else None
            for g in hyps:
                if neg is not None and defeq(neg, g):
                    return True
        return False

    def _refl(self, t: Term) -> bool:
        return refl_holds(t, self.deadline)

    def _trivial(self, goal: Goal) -> list[Goal]:
        t = goal.target
        if isinstance(t, TrueP) or self._refl(t) or self._assumption(goal):
            return []
        if isinstance(t, And):
            return self._trivial(with_target(goal, t.lhs)) + self._trivial(with_target(goal, t.rhs))
        if not free_vars(t) and in_fragment(t) and integral(t):

            try:
                if evaluate(t, None, self.deadline, decide=True) is True:  # `trivial` tries `decide`
                    return []
            except NotEvaluable:
                pass
        raise TacticFailure(f"tactic 'trivial' failed\n{pp_goal(goal)}")

    def by_contra(self, goal: Goal, name: str | None) -> Goal:
        t = goal.target
        hyp = t.arg if isinstance(t, Not) else Not(t)
        return with_target(add_hyp(goal, name or "this", hyp), FALSE)

    def use(self, goal: Goal, terms: list) -> list[Goal]:
        t = goal.target
        for syn in terms:
            w = whnf_prop(t)
            if not isinstance(w, Exists):
                raise TacticFailure(f"use: the goal is not an existential\n{pp_goal(goal)}")
            t = instantiate(w, term_of(syn, goal, w.ty))
        g = with_target(goal, t, "h")
        # Mathlib's use_discharger: rfl, trivial, assumption, And.intro on the rest.
        try:
            rest = self._trivial(g)
            if not rest:
                return []
        except TacticFailure:
            pass
        return [g]

    def specialize(self, goal: Goal, syn) -> Goal:
        if not (isinstance(syn, SApp) and isinstance(syn.fn, SIdent)):
            raise TacticFailure("specialize requires a term of the form `h x_1 .. x_n`")
        loc = goal.lookup(syn.fn.name)
        if loc is None or loc.is_var:
            raise TacticFailure(
                "'specialize' requires a term of the form `h x_1 .. x_n` where `h` appears in the local context"
            )
        prop = self.checker(goal).apply_args(loc.prop, list(syn.args))
        return add_hyp(clear(goal, loc.fid), loc.name, prop)

    def have(self, goal: Goal, name: str, p, proof) -> list[Goal]:
        ck = self.checker(goal)
        if p is not None:
            prop = prop_of(p, goal)
            if proof is None:
                return [with_target(goal, prop), add_hyp(goal, name, prop)]
            ck.check(proof, prop)
        else:
            prop = ck.infer(proof)
        return [add_hyp(goal, name, prop)]

    def hyp_prop(self, goal: Goal, name: str) -> Term:
        loc = goal.lookup(name)
        if loc is None or loc.is_var:
            raise TacticFailure(f"unknown hypothesis '{name}'")
        return loc.prop


def checked(goals: list[Goal], tactic: str) -> list[Goal]:
    """The transition check on every goal a tactic leaves (`elaborate_check.check_goal`)."""
    for g in goals:
        try:
            check_goal(g)
        except TypeError as e:
            log.error("%s: tactic %r produced an ill-formed goal: %s\n%r", FAULT, tactic, e, g)
            raise TransitionFault(f"{FAULT}: tactic {tactic!r} produced an ill-formed goal ({e})") from None
    return goals


def _is_try(text: str) -> bool:
    return text.lstrip().startswith("try") and (len(text.strip()) == 3 or not text.strip()[3].isalnum())


def _closed_literal_mismatch(h: Rel) -> bool:

    return h.op == "=" and isinstance(h.lhs, Lit) and isinstance(h.rhs, Lit) and h.lhs.value != h.rhs.value


def _unsolved(goals: list[Goal]) -> str:
    return "unsolved goals\n" + "\n\n".join(pp_goal(g) for g in goals)


__all__ = ["Engine", "TransitionFault", "checked"]
