"""Elaboration: surface syntax -> typed core terms, as Lean's elaborator does on the fragment.

The part that matters most is Lean's `binop%`/`binrel%` rule for arithmetic: the leaves of a
tree of `+ - * / %` (with unary `-`, `⁻¹`, the base of `^`, and both sides of a relation) are
elaborated first, the "maximal" type among them (ℕ < ℤ < ℚ < ℝ; the expected type counts too)
is chosen, numerals take that type and lower-typed leaves get an explicit `↑` (`Cast`). So
`(n : ℕ) (x : ℤ) ⊢ x + n = 0` becomes `x + ↑n = 0`, and `(n + 1 : ℝ)` becomes `↑n + 1`.
Exponents are elaborated on their own (`rightact%`): a ℕ exponent is `Monoid.npow`, a ℝ
exponent on a ℝ base is `Real.rpow`, a ℤ exponent on ℚ/ℝ is `zpow`.

Binder variables without a type (`∀ x, ...`, `∃ n > 0, ...`, `fun x => ...`) get theirs from
how the body uses them, like a Lean metavariable: a first pass over the body records the first
concrete type each one meets (defaulting to ℕ), a second pass elaborates with those types.

Applications of library constants, finsets, sets, λs and big operators live in
`elaborate_apps.py`; signatures and type names in `elaborate_library.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .elaborate_apps import Applications, Meta, Scope, is_bigop_syntax
from .elaborate_apps import fail as _fail
from .elaborate_check import check_goal, check_types
from .elaborate_library import (
    ALL_NUM,
    FIELD_TYS,
    KNOWN_CONSTANTS,
    NUM_RANK,
    TYPE_NAMES,
    constant_name,
    elaborate_type,
    looks_like_type,
    rank,
    result_slot,
    type_named,
)
from .errors import ParseError
from .parser import parse_theorem
from .syntax import (
    SAnon,
    SApp,
    SAscribe,
    SBinder,
    SBinderGroup,
    SBinOp,
    SBy,
    SHole,
    SIdent,
    SModEq,
    SNum,
    SProj,
    STuple,
    SUnOp,
    Syn,
    TheoremSyn,
)
from .terms import (
    FALSE,
    INT,
    NAT,
    PROP,
    REAL,
    TRUE,
    And,
    App,
    Arith,
    Arrow,
    Base,
    Cast,
    Const,
    Exists,
    Forall,
    Goal,
    Iff,
    Imp,
    Lit,
    Local,
    Neg,
    Not,
    Or,
    Rel,
    Term,
    Ty,
    Var,
    arrow,
    arrow_parts,
    fresh_id,
    type_of,
)

__all__ = [
    "Scope", "check_goal", "check_types", "elaborate_binder_group", "elaborate_term",
    "elaborate_theorem", "elaborate_type", "looks_like_type", "parse_statement",
]

_ARITH = ("+", "-", "*", "/", "%")
_RELS = ("=", "≠", "<", "≤", ">", "≥", "∣")
_LOGIC: dict[str, type[And | Or | Iff]] = {"∧": And, "∨": Or, "↔": Iff}
ANON_BINDER = "a✝"


@dataclass(slots=True)
class _Pending:
    """A leaf whose type comes from its tree: a numeral, `↑e`, or an untyped binder variable."""

    syn: Syn


@dataclass(slots=True)
class _Node:
    op: str  # one of _ARITH, "^", "neg", "inv"
    kids: list[_Tree]
    exp: Term | None = None  # the separately elaborated exponent of `^`
    syn: Syn | None = None


_Tree = _Node | Term | _Pending


class _Elaborator(Applications):
    # ------------------------------------------------ propositions

    def prop(self, syn: Syn, scope: Scope) -> Term:
        syn = self.field_notation(syn, scope)
        match syn:
            case SIdent(name=name) if name in scope:  # first: a local named `False` shadows False
                entry = scope.get(name)
                if isinstance(entry, Meta):
                    if entry.ty is None and self.discovering:
                        entry.ty = PROP
                    if entry.ty in (None, PROP):
                        return Var(scope.ref(name), PROP)
                    raise _fail(f"type mismatch: '{name}' has type {entry.ty} but is expected to have type Prop", syn)
                if entry == PROP:
                    return Var(scope.ref(name), PROP)
                if isinstance(entry, (Base, Arrow)):
                    raise _fail(f"type mismatch: '{name}' has type {entry} but is expected to have type Prop", syn)
                raise _fail(f"type mismatch: '{name}' is a proof, not a proposition", syn)
            case SIdent(name="True"):
                return TRUE
            case SIdent(name="False"):
                return FALSE
            case SUnOp(op="¬", arg=a):
                return Not(self.prop(a, scope))
            case SBinOp(op=op, lhs=a, rhs=b) if op in _LOGIC:
                return _LOGIC[op](self.prop(a, scope), self.prop(b, scope))
            case SBinOp(op="→", lhs=a, rhs=b):
                if looks_like_type(a):
                    ty = elaborate_type(a)
                    return Forall(ANON_BINDER, ty, self.prop(b, scope.bind(ANON_BINDER, ty)))
                return Imp(self.prop(a, scope), self.prop(b, scope))
            case SBinOp(op="∈", lhs=a, rhs=b):
                return self.membership(a, b, scope, syn)
            case SBinOp(op="=" | "≠" as op, lhs=a, rhs=b) if (
                self.is_collection(a, scope) or self.is_collection(b, scope)
            ):
                lhs, rhs = self.value(a, scope), self.value(b, scope)
                if type_of(lhs) != type_of(rhs):
                    raise _fail(f"type mismatch: {type_of(lhs)} {op} {type_of(rhs)}", syn)
                return Rel(op, lhs, rhs)
            case SBinOp(op="=" | "≠" as op, lhs=a, rhs=b) if _is_prop_syntax(a, scope) or _is_prop_syntax(b, scope):
                return Rel(op, self.prop(a, scope), self.prop(b, scope))  # equality of propositions
            case SBinOp(op=op, lhs=a, rhs=b) if op in _RELS:
                lhs, rhs = self.trees([a, b], scope, None, syn)
                return Rel(op, lhs, rhs)
            case SModEq(lhs=a, rhs=b, modulus=m, kind=kind):
                ty = NAT if kind == "MOD" else INT
                name = "Nat.ModEq" if kind == "MOD" else "Int.ModEq"
                args = tuple(self.num(x, scope, ty) for x in (m, a, b))
                return App(Const(name, arrow(ty, ty, ty, PROP)), args, PROP)
            case SApp():
                t = self.app(syn, scope, None)
                if type_of(t) != PROP:
                    raise _fail(f"type mismatch: expected a proposition, got a term of type {type_of(t)}", syn)
                return t
            case SBinder(kind="fun"):
                raise _fail("type mismatch: a function (fun) where a proposition is expected", syn)
            case SBinder():
                return self.binder(syn, scope)
            case SAscribe(expr=e, type=ty):
                if elaborate_type(ty) != PROP:
                    raise _fail("type mismatch: expected a proposition", syn)
                return self.prop(e, scope)
            case SIdent(name=name):
                if constant_name(name) is not None or name in TYPE_NAMES:
                    raise _fail(f"type mismatch: '{name}' is not a proposition", syn)
                raise _fail(f"unknown identifier '{name}'", syn)
            case _:
                raise self._other(syn, "a proposition")

    def binder(self, syn: SBinder, scope: Scope) -> Term:
        """`∀`/`∃` over groups; binder predicates desugar as Lean's do (`∀ x > 0, P` = `∀ x, x > 0 → P`)."""
        body = syn.body
        steps: list[tuple[str, Syn | None, tuple[str, Syn] | None]] = []
        for g in syn.groups:
            if not g.names:
                raise _fail("unsupported instance binder in quantifier", syn)
            for n in g.names:
                if type_named(n):
                    raise _fail(f"mini: a binder named like a type ('{n}') is not supported", syn)
                steps.append((n, g.type, g.pred))
        metas: dict[str, Meta] = {}
        tys: list[Ty | Meta | None] = []  # None: `∀ (h : P), Q`, which is `P → Q`
        for n, tsyn, _ in steps:
            if tsyn is None:
                metas[n] = Meta()
                tys.append(metas[n])
            elif syn.kind == "∀" and not looks_like_type(tsyn):
                tys.append(None)
            else:
                tys.append(elaborate_type(tsyn))

        def build(sc: Scope, resolved: list[Ty | Meta | None]) -> Term:
            # left to right as Lean does: each predicate sees the binders up to its own,
            # and is elaborated before what follows it (the first use fixes an untyped binder)
            preds: list[Term | None] = []
            inner_scope = sc
            for (n, tsyn, pred), ty in zip(steps, resolved):
                if ty is None:  # a hypothesis binder: its proposition is the premise
                    assert tsyn is not None
                    hyp = self.prop(tsyn, inner_scope)
                    inner_scope = inner_scope.bind(n, hyp)
                    preds.append(hyp)
                    continue
                inner_scope = inner_scope.bind(n, ty)
                if pred is None:
                    preds.append(None)
                    continue
                op, rhs = pred
                preds.append(self.prop(SBinOp(op, SIdent(n, pos=syn.pos), rhs, pos=syn.pos), inner_scope))
            result = self.prop(body, inner_scope)
            for k in range(len(steps) - 1, -1, -1):
                n, ty, prel = steps[k][0], resolved[k], preds[k]
                if prel is not None:
                    result = Imp(prel, result) if syn.kind == "∀" else And(prel, result)
                if ty is None:
                    continue
                concrete = ty if not isinstance(ty, Meta) else (ty.ty or NAT)
                result = (Forall if syn.kind == "∀" else Exists)(n, concrete, result)
            return result

        if metas:
            saved = self.discovering
            self.discovering = True
            try:
                build(scope, tys)
            except ParseError:
                pass
            finally:
                self.discovering = saved
            tys = [t.ty or NAT if isinstance(t, Meta) else t for t in tys]
            if self.discovering:  # an enclosing first pass: keep Metas solvable
                tys = [metas[n] if n in metas and metas[n].ty is None else t for (n, _, _), t in zip(steps, tys)]
        return build(scope, tys)

    # ------------------------------------------------ numbers

    def num(self, syn: Syn, scope: Scope, expected: Ty | None) -> Term:
        """A numeric term; `expected` takes part in the max-type choice as in Lean."""
        if expected in NUM_RANK and is_bigop_syntax(syn):
            # not a `binop%` tree: the expected type reaches the body (`(∑ k ∈ s, k : ℝ)`)
            return self.app(syn, scope, expected)
        return self.trees([syn], scope, expected, syn)[0]

    def trees(
        self, roots: list[Syn], scope: Scope, expected: Ty | None, where: Syn, *, default_metas: bool = False
    ) -> list[Term]:
        """Elaborate several `binop%` trees sharing one max type (both sides of a relation).
        `default_metas`: untyped binders met only here take the default type even in a first pass."""
        if expected is not None and expected not in NUM_RANK:
            raise _fail(f"type mismatch: expected {expected}, got a number", where)
        trees = [self.tree(r, scope) for r in roots]
        max_ty: Ty | None = expected
        pending_metas: list[Meta] = []
        for leaf in (x for t in trees for x in _leaves(t)):
            if isinstance(leaf, _Pending):
                if isinstance(leaf.syn, SIdent):
                    m = scope.get(leaf.syn.name)
                    if isinstance(m, Meta):
                        pending_metas.append(m)
                continue
            ty = type_of(leaf)
            if ty not in NUM_RANK:
                raise _fail(f"type mismatch: expected a number, got a term of type {ty}", where)
            if max_ty is None or rank(ty) > rank(max_ty):
                max_ty = ty
        solved = max_ty is not None
        if max_ty is None:
            max_ty = NAT
        if solved or default_metas or not self.discovering:
            for m in pending_metas:
                if m.ty is None:
                    m.ty = max_ty
        if expected is not None and max_ty != expected:
            raise _fail(f"type mismatch: term has type {max_ty} but is expected to have type {expected}", where)
        return [self.build(t, scope, max_ty, solved, where) for t in trees]

    def tree(self, syn: Syn, scope: Scope) -> _Tree:
        match syn:
            case SBinOp(op=op, lhs=a, rhs=b) if op in _ARITH:
                return _Node(op, [self.tree(a, scope), self.tree(b, scope)], syn=syn)
            case SBinOp(op="^", lhs=a, rhs=b):
                exp = self.trees([b], scope, None, b, default_metas=True)[0]
                return _Node("^", [self.tree(a, scope)], exp=exp, syn=syn)
            case SUnOp(op="-", arg=a):
                return _Node("neg", [self.tree(a, scope)], syn=syn)
            case SApp(fn=SIdent(name="Inv.inv"), args=(a,)) if "Inv.inv" not in scope:
                return _Node("inv", [self.tree(a, scope)], syn=syn)
            case SNum() | SUnOp(op="↑"):
                return _Pending(syn)
            case SIdent(name=name) if isinstance(scope.get(name), Meta):
                m = scope.get(name)
                assert isinstance(m, Meta)
                if m.ty is None:
                    return _Pending(syn)
                if m.ty not in NUM_RANK:
                    raise _fail(f"type mismatch: '{name}' has type {m.ty} but is expected to have a numeric type", syn)
                return Var(scope.ref(name), m.ty)
            case _:
                return self.leaf(syn, scope)

    def build(self, t: _Tree, scope: Scope, ty: Ty, solved: bool, where: Syn) -> Term:
        if isinstance(t, _Pending):
            return self.pending(t.syn, scope, ty)
        if isinstance(t, _Node):
            kids = [self.build(k, scope, ty, solved, where) for k in t.kids]
            strict = solved or not self.discovering
            match t.op:
                case "neg":
                    if ty == NAT and strict:
                        raise _fail("failed to synthesize Neg ℕ", t.syn)
                    return Neg(kids[0], ty)
                case "inv":
                    if ty not in FIELD_TYS and strict:
                        raise _fail(f"failed to synthesize Inv {ty}", t.syn)
                    return App(Const("Inv.inv", Arrow(ty, ty)), (kids[0],), ty)
                case "^":
                    assert t.exp is not None
                    ety = type_of(t.exp)
                    ok = ety == NAT or (ety == INT and ty in FIELD_TYS) or ety == ty == REAL
                    if not ok and strict:
                        raise _fail(f"failed to synthesize HPow {ty} {ety} {ty}", t.syn)
                    return Arith("^", kids[0], t.exp, ty)
                case "%" if ty in FIELD_TYS and strict:
                    raise _fail(f"failed to synthesize HMod {ty} {ty} {ty}", t.syn)
            return Arith(t.op, kids[0], kids[1], ty)
        return _coerce(t, ty, where)

    def pending(self, syn: Syn, scope: Scope, ty: Ty) -> Term:
        match syn:
            case SNum(value=v):
                return Lit(v, ty)
            case SIdent(name=name):
                return Var(scope.ref(name), ty)
            case SUnOp(op="↑", arg=a):
                inner = self.num(a, scope, None)
                if rank(type_of(inner)) > rank(ty):
                    raise _fail(f"type mismatch: cannot coerce {type_of(inner)} to {ty}", syn)
                return _coerce(inner, ty, syn)
        raise _fail("internal: unexpected pending leaf", syn)

    def leaf(self, syn: Syn, scope: Scope) -> Term:
        """A numeric leaf elaborated without expected type (its own type is known)."""
        syn = self.field_notation(syn, scope)
        match syn:
            case SIdent(name=name):
                entry = scope.get(name)
                if entry is None:
                    cname = constant_name(name)
                    if cname is not None:
                        sig = KNOWN_CONSTANTS.get(cname)
                        if sig is not None and not sig.args and isinstance(sig.result, (Base, Arrow)):
                            return Const(cname, sig.result)
                        raise _fail(f"function '{cname}' expects arguments", syn)
                    if name in ("True", "False") or name in TYPE_NAMES:
                        raise _fail(f"type mismatch: '{name}' is not a number", syn)
                    raise _fail(f"unknown identifier '{name}'", syn)
                if isinstance(entry, (Base, Arrow)):
                    if entry in NUM_RANK:
                        return Var(scope.ref(name), entry)
                    raise _fail(f"type mismatch: '{name}' has type {entry} but is expected to be a number", syn)
                raise _fail(f"type mismatch: '{name}' is a proof, not a number", syn)
            case SApp():
                return self.app(syn, scope, None)
            case SUnOp(op="!", arg=a):
                fact = Const("Nat.factorial", Arrow(NAT, NAT))
                return App(fact, (self.num(a, scope, NAT),), NAT)
            case SAscribe(expr=e, type=tsyn):
                ty = elaborate_type(tsyn)
                if ty == PROP:
                    return self.prop(e, scope)
                if ty in NUM_RANK:
                    return self.num(e, scope, ty)
                return self.value(syn, scope)
            case SHole():
                raise _fail("don't know how to synthesize placeholder", syn)
            case SBinOp(op=op) if op in _RELS or op in _LOGIC or op in ("→", "∈"):
                raise _fail(f"type mismatch: a proposition ('{op}') where a number is expected", syn)
            case SUnOp(op="¬") | SModEq() | SBinder(kind="∀") | SBinder(kind="∃"):
                raise _fail("type mismatch: a proposition where a number is expected", syn)
            case _:
                raise self._other(syn, "a number")

    def _other(self, syn: Syn, what: str) -> ParseError:
        match syn:
            case SBinder(kind="fun"):
                return _fail(f"type mismatch: a function (fun) where {what} is expected", syn)
            case SAnon():
                return _fail("unsupported construct '⟨⟩' (anonymous constructor)", syn)
            case STuple():
                return _fail("unsupported construct '(a, b)' (tuple)", syn)
            case SBy():
                return _fail("unsupported construct 'by' inside a statement", syn)
            case SProj(field=f):
                return _fail(f"unsupported construct '.{f}' (projection)", syn)
            case _:
                return _fail(f"type mismatch: expected {what}", syn)

    def is_prop_syntax(self, syn: Syn, scope: Scope) -> bool:
        return _is_prop_syntax(syn, scope, self)


def _coerce(t: Term, ty: Ty, where: Syn) -> Term:
    """`t` at type `ty`: itself, or `↑t` up the chain ℕ < ℤ < ℚ < ℝ (one `Cast`, as Lean's
    `Nat.cast`/`Int.cast`/`Rat.cast`)."""
    leaf_ty = type_of(t)
    if leaf_ty == ty:
        return t
    if leaf_ty in NUM_RANK and ty in NUM_RANK and rank(leaf_ty) < rank(ty):
        return Cast(t, ty)
    raise _fail(f"type mismatch: term has type {leaf_ty} but is expected to have type {ty}", where)


def _leaves(t: _Tree) -> list[Term | _Pending]:
    if isinstance(t, _Node):
        return [x for k in t.kids for x in _leaves(k)]
    return [t]


# ---------------------------------------------------------------- entry points


def elaborate_term(syn: Syn, scope: Scope, expected: Ty | None = None) -> Term:
    """A proposition (expected Prop, or a logical/relational form), a number, or a finset/set."""
    el = _Elaborator()
    if expected == PROP or (expected is None and _is_prop_syntax(syn, scope, el)):
        return el.prop(syn, scope)
    if expected is None:
        return el.value(syn, scope)
    if expected in ALL_NUM:
        return el.num(syn, scope, expected)
    t = el.value(syn, scope)
    if type_of(t) != expected:
        raise _fail(f"type mismatch: term has type {type_of(t)} but is expected to have type {expected}", syn)
    return t


def _is_prop_syntax(syn: Syn, scope: Scope, el: _Elaborator | None = None) -> bool:
    """Whether `syn` can only be a proposition (a connective, a relation, a quantifier, a Prop
    local, an application of a Prop-valued function), after field notation (resolved by `el`)."""
    syn = (el or _Elaborator()).field_notation(syn, scope)
    match syn:
        case SBinOp(op=op) if op in _RELS or op in _LOGIC or op in ("→", "∈"):
            return True
        case SUnOp(op="¬") | SModEq() | SBinder(kind="∀") | SBinder(kind="∃"):
            return True
        case SIdent(name=name) if name in scope:  # a local shadows `True`/`False` (as in Lean)
            return scope.get(name) == PROP
        case SIdent(name="True") | SIdent(name="False"):
            return True
        case SApp(fn=SIdent(name=name)):
            entry = scope.get(name)
            if isinstance(entry, Arrow):
                return arrow_parts(entry)[1] == PROP
            cname = constant_name(name)
            return cname == "Function.Injective" or (cname is not None and result_slot(cname) == PROP)
        case SAscribe(type=SIdent(name="Prop")):
            return True
        case _:
            return False


def elaborate_binder_group(group: SBinderGroup, scope: Scope) -> tuple[list[Local], Scope]:
    """Locals for one theorem binder group: variables (`x y : ℕ`) or hypotheses (`h : P`).
    Each local gets a fresh id: a later binder of the same name shadows an earlier one, whose
    mentions keep meaning the earlier one (`(x : ℕ) (h : x = 1) (x : ℕ)`)."""
    if not group.names:
        raise _fail("unsupported construct '[...]' (instance binder)", group.type)
    if group.type is None:
        raise _fail(f"unsupported binder '{group.names[0]}' without a type")
    for n in group.names:
        if type_named(n):
            raise _fail(f"mini: a binder named like a type ('{n}') is not supported", group.type)
    locals_: list[Local] = []
    if looks_like_type(group.type):
        ty = elaborate_type(group.type)
        for n in group.names:
            loc = Local(fresh_id(n), n, ty)
            locals_.append(loc)
            scope = scope.bind(n, ty, loc.fid)
        return locals_, scope
    prop = _Elaborator().prop(group.type, scope)
    for n in group.names:
        loc = Local(fresh_id(n), n, prop)
        locals_.append(loc)
        scope = scope.bind(n, prop, loc.fid)
    return locals_, scope


def elaborate_theorem(thm: TheoremSyn) -> tuple[str, Goal]:
    """The theorem's name and its root goal (locals from the binders, in order)."""
    scope = Scope()
    locals_: list[Local] = []
    for group in thm.binders:
        new, scope = elaborate_binder_group(group, scope)
        locals_.extend(new)
    target = _Elaborator().prop(thm.statement, scope)
    return thm.name, Goal(tuple(locals_), target, None)


def parse_statement(text: str) -> tuple[str, Goal]:
    """`theorem NAME BINDERS : PROP [:= ...]` -> (name, goal); ParseError with line/col."""
    return elaborate_theorem(parse_theorem(text))

