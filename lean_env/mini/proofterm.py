"""Proof terms in `mini`: what `exact`, `apply`, `have`, `specialize` and hint lists accept.

A proof term is checked against the goal's locals and yields the proposition it proves.
Supported: hypothesis names, projections (`h.1`, `h.2`, `h.left`, `h.right`, `h.mp`,
`h.mpr`), application to terms (∀-instantiation) and to proofs (modus ponens), anonymous
constructors `⟨a, b⟩` for ∧, ↔ and ∃, `fun x => ...`, `by tactics`, `(e : P)`, `rfl`,
`trivial`, `absurd`, `False.elim`, `Or.inl`/`Or.inr`, `And.intro`, and the small lemma table
of `lemmas.py`. Propositions are compared up to Lean's reducible unfolding of `>`, `≥`, `≠`
and `¬` (what `exact` sees through), never up to arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable

from lean_env.mini.context import add_hyp, add_local, with_target
from lean_env.mini.elaborate import (
    Scope,
    elaborate_term,
    elaborate_type,
    looks_like_type,
)
from lean_env.mini.errors import UNBOUNDED, Deadline, ParseError, TacticFailure
from lean_env.mini.evaluate import NotEvaluable, evaluate
from lean_env.mini.printer import pp_in, pp_term, pp_type
from lean_env.mini.syntax import (
    SAnon,
    SApp,
    SAscribe,
    SBinder,
    SBy,
    SHole,
    SIdent,
    SNum,
    SProj,
    Syn,
)
from lean_env.mini.terms import (
    FALSE,
    PROP,
    TRUE,
    And,
    Exists,
    Forall,
    Goal,
    Iff,
    Imp,
    Not,
    Or,
    Rel,
    Term,
    TrueP,
    Ty,
    alpha_eq,
    free_vars,
    in_fragment,
    instantiate,
    integral,
    is_prop,
    map_children,
    subst,
)

# A callback that runs a nested `by` block on a goal and fails unless it closes it.
RunBy = Callable[[Goal, str], None]

_FLIP = {">": "<", "≥": "≤"}


def unfold(t: Term) -> Term:
    """Lean's reducible view: `a > b` is `b < a`, `a ≥ b` is `b ≤ a`, `a ≠ b` is `¬a = b`,
    `¬p` is `p → False`."""
    match t:
        case Rel(op=op, lhs=a, rhs=b) if op in _FLIP:
            return Rel(_FLIP[op], unfold(b), unfold(a))
        case Rel(op="≠", lhs=a, rhs=b):
            return Imp(Rel("=", unfold(a), unfold(b)), FALSE)
        case Not(arg=p):
            return Imp(unfold(p), FALSE)
        case _:
            return map_children(t, unfold)


def defeq(a: Term, b: Term) -> bool:
    """Equality as `exact` sees it (bound names and reducible notations ignored)."""
    return alpha_eq(a, b) or alpha_eq(unfold(a), unfold(b))


def whnf_prop(t: Term) -> Term:
    """Expose the head connective: `¬p` as `p → False`, `a ≠ b` as `a = b → False`."""
    match t:
        case Not(arg=p):
            return Imp(p, FALSE)
        case Rel(op="≠", lhs=a, rhs=b):
            return Imp(Rel("=", a, b), FALSE)
        case _:
            return t


def scope_of(goal: Goal) -> Scope:
    return Scope.from_goal(goal)


def term_of(syn: Syn, goal: Goal, ty: Ty | None) -> Term:
    """Elaborate a numeric term or proposition in the goal's context."""
    try:
        return elaborate_term(syn, scope_of(goal), ty)
    except ParseError as e:
        raise TacticFailure(e.message) from None


def prop_of(syn: Syn, goal: Goal) -> Term:
    t = term_of(syn, goal, PROP)

    if not is_prop(t):
        raise TacticFailure(f"type expected, got {pp_in(goal, t)}")
    return t


class Checker:
    """Infers and checks proof terms in one goal's context."""

    def __init__(self, goal: Goal, run_by: RunBy) -> None:
        self.goal = goal
        self.run_by = run_by

    # ------------------------------------------------------------ check against expected

    def check(self, syn: Syn, expected: Term) -> None:
        """Fail unless `syn` proves `expected`."""
        match syn:
            case SBy(tactics=text):
                self.run_by(Goal(self.goal.locals, expected, None), text)
                return
            case SAnon(items=items):
                self._anon(items, expected)
                return
            case SBinder(kind="fun", groups=groups, body=body):
                if any(g.pred is not None for g in groups):
                    raise TacticFailure("mini: binder predicates in `fun` are not supported")
                self._fun([(n, g.type) for g in groups for n in g.names], body, expected)
                return
            case SIdent(name="rfl") if self.goal.lookup("rfl") is None:  # a local would shadow it
                if refl_holds(expected):
                    return
                raise TacticFailure(f"The rfl term failed: the sides are not equal in\n  {pp_in(self.goal, expected)}")
            case SIdent(name="trivial" | "True.intro" as name) if self.goal.lookup(name) is None:
                if isinstance(expected, TrueP):
                    return
            case SApp(fn=SIdent(name=name), args=args) if name in ("Or.inl", "Or.inr") and len(args) == 1 \
                    and self.goal.lookup(name) is None:
                if isinstance(expected, Or):
                    self.check(args[0], expected.lhs if name == "Or.inl" else expected.rhs)
                    return
            case SApp(fn=SIdent(name="absurd"), args=(a, b)) if self.goal.lookup("absurd") is None:
                p = self.infer(a)
                self.check(b, Not(p))
                return
            case SApp(fn=SIdent(name="False.elim" | "absurd'" as name), args=(a,)) if self.goal.lookup(name) is None:
                self.check(a, FALSE)
                return
            case SApp(fn=SIdent(name="And.intro"), args=(a, b)) if isinstance(expected, And) \
                    and self.goal.lookup("And.intro") is None:
                self.check(a, expected.lhs)
                self.check(b, expected.rhs)
                return
            case SHole():
                raise TacticFailure(
                    f"don't know how to synthesize placeholder\ncontext:\n⊢ {pp_in(self.goal, expected)}"
                )
        got = self.infer(syn)
        if not defeq(got, expected):
            raise TacticFailure(
                f"type mismatch\n  {_show(syn)}\nhas type\n  {pp_in(self.goal, got)} : Prop\n"
                f"but is expected to have type\n  {pp_in(self.goal, expected)} : Prop"
            )

    def _anon(self, items: tuple[Syn, ...], expected: Term) -> None:
        exp = whnf_prop(expected)
        match exp:
            case And(lhs=a, rhs=b) | Iff(lhs=a, rhs=b):
                if len(items) < 2:
                    raise TacticFailure("invalid constructor ⟨...⟩, insufficient number of arguments")
                if isinstance(exp, Iff):
                    a, b = Imp(a, b), Imp(b, a)
                self.check(items[0], a)
                rest = items[1:]
                if len(rest) == 1:
                    self.check(rest[0], b)
                else:
                    self._anon(rest, b)
            case Exists(ty=ty):
                if len(items) < 2:
                    raise TacticFailure("invalid constructor ⟨...⟩, insufficient number of arguments")
                w = term_of(items[0], self.goal, ty)
                inst = instantiate(exp, w)
                if len(items) == 2:
                    self.check(items[1], inst)
                else:
                    self._anon(items[1:], inst)
            case TrueP() if not items:
                return
            case _:
                raise TacticFailure(
                    "invalid constructor ⟨...⟩, expected type must be an inductive type \n"
                    f"  {pp_in(self.goal, expected)}"
                )

    def _fun(self, binders: list[tuple[str, Syn | None]], body: Syn, expected: Term) -> None:
        """`fun x (h : P) => body` against `∀ x, P → ...`: each binder becomes a new local of
        the expected type; an annotation must state that very type, as Lean checks it."""
        exp = whnf_prop(expected)
        if not binders:
            self.check(body, expected)
            return
        (name, annotation), rest = binders[0], binders[1:]
        user = None if name == "_" else name
        match exp:
            case Forall(name=x, ty=ty):
                if annotation is not None:
                    written = elaborate_type(annotation) if looks_like_type(annotation) else None
                    if written != ty:
                        raise TacticFailure(
                            f"type mismatch: binder '{name}' is annotated with a type other than "
                            f"the expected {pp_type(ty)}")
                goal, loc = add_local(self.goal, user, ty, hint=x)
                inner = instantiate(exp, loc.var)
            case Imp(lhs=a, rhs=inner):
                if annotation is not None and not defeq(prop_of(annotation, self.goal), a):
                    raise TacticFailure(
                        f"type mismatch: binder '{name}' is annotated with a proposition other than\n"
                        f"  {pp_in(self.goal, a)}")
                goal = add_hyp(self.goal, user, a)
            case _:
                raise TacticFailure(f"type mismatch: fun expected to have type\n  {pp_in(self.goal, expected)}")
        Checker(with_target(goal, inner, None), self.run_by)._fun(rest, body, inner)

    # ------------------------------------------------------------ inference

    def infer(self, syn: Syn) -> Term:
        """The proposition proved by `syn` (no expected type available)."""
        match syn:
            case SIdent(name=name):
                return self._ident(name, syn)
            case SProj(expr=e, field=f):
                return project(self.infer(e), f)
            case SAscribe(expr=e, type=t):
                p = prop_of(t, self.goal)
                self.check(e, p)
                return p
            case SApp(fn=fn, args=args):
                from lean_env.mini.lemmas import LEMMAS

                if isinstance(fn, SIdent) and self.goal.lookup(fn.name) is None and fn.name in LEMMAS:
                    return LEMMAS[fn.name](self, list(args))
                return self.apply_args(self.infer(fn), list(args))
            case SNum():
                raise TacticFailure(f"type mismatch: numeral {syn.value} is not a proof")
            case _:
                raise TacticFailure(f"mini cannot infer the type of {_show(syn)}")

    def _ident(self, name: str, syn: Syn) -> Term:
        from lean_env.mini.lemmas import LEMMAS

        loc = self.goal.lookup(name)
        if loc is not None:
            if loc.is_var:
                raise TacticFailure(f"type mismatch: '{name}' is a term of type {loc.type}, not a proof")
            return loc.prop
        if name in LEMMAS:
            return LEMMAS[name](self, [])
        if name == "trivial":
            return TRUE
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            base = ".".join(parts[:cut])
            loc = self.goal.lookup(base)
            if loc is not None and not loc.is_var:
                prop = loc.prop
                for f in parts[cut:]:
                    prop = project(prop, f)
                return prop
        raise TacticFailure(f"unknown identifier '{name}'")

    def apply_args(self, prop: Term, args: list[Syn]) -> Term:
        """Instantiate ∀s with terms and discharge →s with proofs, left to right."""
        for arg in args:
            p = whnf_prop(prop)
            match p:
                case Forall(name=x, ty=ty, body=b):
                    prop = subst(b, x, term_of(arg, self.goal, ty))
                case Imp(lhs=a, rhs=b):
                    self.check(arg, a)
                    prop = b
                case Iff():
                    raise TacticFailure("function expected: use .mp or .mpr on an ↔")
                case _:
                    raise TacticFailure(f"function expected\n  {pp_in(self.goal, prop)}")
        return prop


def project(prop: Term, field: str) -> Term:
    """`.1/.2/.left/.right` of ∧, `.1/.2/.mp/.mpr` of ↔."""
    match prop, field:
        case And(lhs=a), ("1" | "left"):
            return a
        case And(rhs=b), ("2" | "right"):
            return b
        case Iff(lhs=a, rhs=b), ("1" | "mp"):
            return Imp(a, b)
        case Iff(lhs=a, rhs=b), ("2" | "mpr"):
            return Imp(b, a)
        case _, "symm" if isinstance(prop, Rel) and prop.op in ("=", "≠"):
            return Rel(prop.op, prop.rhs, prop.lhs)
        case _, "le" if isinstance(prop, Rel) and prop.op in ("<", ">"):
            return Rel("≤" if prop.op == "<" else "≥", prop.lhs, prop.rhs)
        case _, "ne" if isinstance(prop, Rel) and prop.op == "<":
            return Rel("≠", prop.lhs, prop.rhs)
        case _, "ne'" if isinstance(prop, Rel) and prop.op == "<":
            return Rel("≠", prop.rhs, prop.lhs)
        case _:
            raise TacticFailure(f"invalid field '{field}' of a proof of\n  {pp_term(prop)}")


def refl_holds(t: Term, deadline: Deadline = UNBOUNDED) -> bool:
    """Whether `rfl` proves `t`: both sides equal up to bound names, or a closed ℕ/ℤ equation
    of the arithmetic fragment whose sides evaluate equal (Lean's kernel reduces literal
    arithmetic by definitional unfolding, so `4 + 3 = 7` is `rfl`; not so on ℝ, and mini
    does not claim it on ℚ)."""
    match t:
        case Rel(op="=" | "≤" | "≥", lhs=a, rhs=b) | Iff(lhs=a, rhs=b):
            if alpha_eq(a, b):
                return True
            if isinstance(t, Rel) and t.op == "=" and not free_vars(t) and in_fragment(t) and integral(t):

                try:  # kernel reduction: the finite-set cap of `decide` applies
                    return bool(evaluate(t, None, deadline, decide=True))
                except NotEvaluable:
                    return False
    return False


def _show(syn: Syn) -> str:
    match syn:
        case SIdent(name=n):
            return n
        case _:
            return "term"


__all__ = ["Checker", "defeq", "unfold", "whnf_prop", "term_of", "prop_of", "project", "free_vars"]
