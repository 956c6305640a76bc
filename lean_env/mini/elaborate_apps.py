"""Elaboration of applications: local functions, library constants, λs, finsets, sets and big
operators, plus the scope they are elaborated in and Lean's generalized field notation.

`Applications` is the half of the elaborator that `elaborate._Elaborator` extends; it calls
back `num`/`prop`/`trees` there. Elaboration order follows Lean's where it decides types: a
`Finset α`/`Set α` argument first, then the numeric `α` arguments as one tree, then λs
(Lean postpones a `fun` whose binder type is unknown), so `Finset.filter (fun x => ...) s`
types `x` from `s`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeGuard

from .elaborate_library import (
    ALPHA,
    BIG_OPS,
    FINSET_A,
    KNOWN_CONSTANTS,
    MEMBERSHIP,
    NUM_RANK,
    PRED_A,
    SET_A,
    Signature,
    constant_name,
    container,
    elaborate_type,
    field_constant,
    result_slot,
    type_named,
)
from .errors import ParseError
from .syntax import SApp, SAscribe, SBinder, SBinderGroup, SIdent, SProj, Syn
from .terms import (
    NAT,
    PROP,
    App,
    Arrow,
    Base,
    BigOp,
    Const,
    Goal,
    Lam,
    Term,
    Ty,
    Var,
    arrow,
    arrow_parts,
    fresh_name,
    type_of,
)


def fail(msg: str, syn: Syn | None = None) -> ParseError:
    line, col = getattr(syn, "pos", (0, 0)) if syn is not None else (0, 0)
    return ParseError(msg, line, col)


# ---------------------------------------------------------------- scope


class Meta:
    """The unknown type of an untyped binder; mutable on purpose, it is solved in place."""

    __slots__ = ("ty",)

    def __init__(self) -> None:
        self.ty: Ty | None = None


Entry = Ty | Meta | Term  # a variable's type, an unsolved binder type, or a hypothesis


@dataclass(frozen=True)
class Scope:
    """Names a script or statement can write, with what they denote: variables (a `Ty`) and
    hypotheses (a Prop term). `refs` maps a name to the variable a term mentions: a local's id
    (`x` written in a tactic means the local `x#17`), or the name itself for a binder."""

    entries: Mapping[str, Entry] = field(default_factory=dict)
    refs: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def from_goal(goal: Goal) -> Scope:
        """The accessible locals of `goal`, the latest of each name winning (Lean's shadowing)."""
        entries: dict[str, Entry] = {}
        refs: dict[str, str] = {}
        for loc in goal.locals:
            if not loc.inaccessible:
                entries[loc.name] = loc.type
                refs[loc.name] = loc.fid
        return Scope(entries, refs)

    def bind(self, name: str, ty: Entry, ref: str | None = None) -> Scope:
        """`name` now denotes `ty`, as the variable `ref` (a binder's own name by default)."""
        return Scope({**self.entries, name: ty}, {**self.refs, name: ref or name})

    def ref(self, name: str) -> str:
        return self.refs.get(name, name)

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.entries


def is_bigop_syntax(syn: Syn) -> TypeGuard[SApp]:
    """`∑ x ∈ s, f` / `Finset.sum s f` (the parser desugars the notation to the application)."""
    return isinstance(syn, SApp) and isinstance(syn.fn, SIdent) and syn.fn.name in BIG_OPS


# ---------------------------------------------------------------- applications


class Applications:
    """Applications and non-numeric values; `num`, `prop`, `trees` come from the subclass."""

    num: Callable[..., Term]
    prop: Callable[..., Term]
    trees: Callable[..., list[Term]]
    is_prop_syntax: Callable[..., bool]

    def __init__(self) -> None:
        self.discovering = False  # first pass over a binder body: only solve Metas, never fail

    # ------------------------------------------------ values of any type

    def any(self, syn: Syn, scope: Scope) -> Term:
        """Whatever `syn` is: a proposition, a number, a finset or a set."""
        if self.is_prop_syntax(syn, scope):
            return self.prop(syn, scope)
        return self.value(syn, scope)

    def value(self, syn: Syn, scope: Scope) -> Term:
        """A finset or set (or a number): what `∈`, `Finset.card`, `IsLeast` take."""
        syn = self.field_notation(syn, scope)
        match syn:
            case SIdent(name=name) if isinstance(entry := scope.get(name), Base) and container(entry):
                return Var(scope.ref(name), entry)
            case SApp(fn=SIdent(name=name)) if self._yields_container(name, scope):
                return self.app(syn, scope, None)
            case SAscribe(expr=e, type=tsyn):
                ty = elaborate_type(tsyn)
                if container(ty):
                    t = self.value(e, scope)
                    if type_of(t) != ty:
                        raise fail(f"type mismatch: term has type {type_of(t)} but is expected to have type {ty}", syn)
                    return t
        return self.num(syn, scope, None)

    def is_collection(self, syn: Syn, scope: Scope) -> bool:
        """Whether `syn` plainly denotes a finset or set (a variable, or an application)."""
        match syn:
            case SIdent(name=name):
                entry = scope.get(name)
                return isinstance(entry, Base) and container(entry) is not None
            case SApp(fn=SIdent(name=name)):
                return self._yields_container(name, scope)
        return False

    def _yields_container(self, name: str, scope: Scope) -> bool:
        entry = scope.get(name)
        if isinstance(entry, Arrow):
            return container(arrow_parts(entry)[1]) is not None
        cname = constant_name(name)
        slot = result_slot(cname) if cname else None
        return slot in (FINSET_A, SET_A) or (isinstance(slot, Base) and container(slot) is not None)

    def field_notation(self, syn: Syn, scope: Scope) -> Syn:
        """`n.succ`, `a.gcd b`, `s.card`, `x.divisors.card`, `(q : ℚ).den`: Lean's generalized
        field notation, resolved by the receiver's type (`Nat.f`, `Int.f`, `Rat.f`, `Finset.f`),
        the receiver becoming the first argument."""
        head, args = (syn.fn, syn.args) if isinstance(syn, SApp) else (syn, ())
        receiver: Syn
        match head:
            case SIdent(name=name) if "." in name and name not in scope and constant_name(name) is None:
                base, *fields = name.split(".")
                if base not in scope:
                    return syn
                receiver = SIdent(base, pos=head.pos)
            case SProj(expr=e, field=fld):
                receiver, fields = e, [fld]
            case _:
                return syn
        for k, fld in enumerate(fields):
            try:
                rty = type_of(self.any(receiver, scope))
            except ParseError:
                return syn
            cname = field_constant(rty, fld)
            if cname is None:
                return syn
            extra = args if k == len(fields) - 1 else ()
            receiver = SApp(SIdent(cname, pos=head.pos), (receiver, *extra), pos=getattr(syn, "pos", (0, 0)))
        return receiver

    # ------------------------------------------------ applications

    def app(self, syn: SApp, scope: Scope, expected: Ty | None) -> Term:
        """`f a b` for a local function or a known constant; arguments at the domain types."""
        fn = syn.fn
        if not isinstance(fn, SIdent):
            raise fail("function expected: cannot apply a non-identifier", syn)
        entry = scope.get(fn.name)
        if isinstance(entry, Arrow):
            doms, cod = arrow_parts(entry)
            if len(syn.args) > len(doms):
                raise fail(f"function expected: '{fn.name}' takes {len(doms)} argument(s)", syn)
            if len(syn.args) < len(doms):
                raise fail(f"unsupported partial application of '{fn.name}'", syn)
            args = tuple(self.arg(a, scope, d) for a, d in zip(syn.args, doms))
            return App(Var(scope.ref(fn.name), entry), args, cod)
        if entry is not None:
            raise fail(f"function expected: '{fn.name}' is not a function", syn)
        cname = constant_name(fn.name)
        if cname is None:
            raise fail(f"unknown identifier '{fn.name}'", fn)
        if cname in BIG_OPS:
            if len(syn.args) != 2:
                raise fail(f"'{cname}' expects 2 argument(s), got {len(syn.args)}", syn)
            return self.bigop(cname, syn.args[0], syn.args[1], scope, expected)
        if cname == "Function.Injective":
            if len(syn.args) != 1:
                raise fail(f"'{cname}' expects 1 argument(s), got {len(syn.args)}", syn)
            f = self.function(syn.args[0], scope)
            return App(Const(cname, Arrow(f.ty, PROP)), (f,), PROP)
        return self.constant_app(cname, KNOWN_CONSTANTS[cname], syn, scope, expected)

    def constant_app(self, cname: str, sig: Signature, syn: SApp, scope: Scope, expected: Ty | None) -> Term:
        if len(syn.args) != len(sig.args):
            raise fail(f"'{cname}' expects {len(sig.args)} argument(s), got {len(syn.args)}", syn)
        pre: dict[int, Term] = {}
        alpha: Ty | None = None
        for i, (a, s) in enumerate(zip(syn.args, sig.args)):  # 1. a finset/set fixes α
            if s in (FINSET_A, SET_A):
                t = self.value(a, scope)
                want = "Finset" if s == FINSET_A else "Set"
                cont = container(type_of(t))
                if cont is None or cont[0] != want or (alpha is not None and cont[1] != alpha):
                    raise fail(f"type mismatch: '{cname}' expects a {want}, got a term of type {type_of(t)}", a)
                alpha, pre[i] = cont[1], t
        poly = [i for i, s in enumerate(sig.args) if s == ALPHA]
        if poly:  # 2. the numeric α-arguments form one tree, like the two sides of a relation
            exp = alpha
            if exp is None and sig.result == ALPHA and expected in NUM_RANK:
                exp = expected
            terms = self.trees([syn.args[i] for i in poly], scope, exp, syn)
            alpha = type_of(terms[0])
            pre.update(zip(poly, terms))
        for i, s in enumerate(sig.args):  # 3. predicates, their binder typed by α if known
            if s == PRED_A:
                lam = self.lam(syn.args[i], scope, alpha, PROP)
                alpha, pre[i] = lam.ty, lam
        if sig.generic:
            if alpha is None:
                alpha = NAT
            if alpha not in sig.alpha_ok:
                raise fail(f"failed to synthesize an instance for '{cname}' at type {alpha}", syn)
        doms, res = sig.instantiate(alpha or NAT)
        args = tuple(pre[i] if i in pre else self.arg(a, scope, d) for i, (a, d) in enumerate(zip(syn.args, doms)))
        return App(Const(cname, arrow(*doms, res)), args, res)

    def arg(self, syn: Syn, scope: Scope, dom: Ty) -> Term:
        if dom == PROP:
            return self.prop(syn, scope)
        if dom in NUM_RANK:
            return self.num(syn, scope, dom)
        if isinstance(dom, Arrow):
            if isinstance(syn, SBinder) and syn.kind == "fun" and not isinstance(dom.cod, Arrow):
                return self.lam(syn, scope, dom.dom, dom.cod)
            f = self.function(syn, scope)
            if f.ty != dom:
                raise fail(f"type mismatch: '{f.name}' has type {f.ty} but is expected to have type {dom}", syn)
            return f
        t = self.value(syn, scope)
        if type_of(t) != dom:
            raise fail(f"type mismatch: term has type {type_of(t)} but is expected to have type {dom}", syn)
        return t

    def function(self, syn: Syn, scope: Scope) -> Var:
        """A local function passed whole (`Function.Injective a`)."""
        if isinstance(syn, SIdent) and isinstance(ty := scope.get(syn.name), Arrow):
            return Var(scope.ref(syn.name), ty)
        raise fail("unsupported higher-order argument (only a local function name)", syn)

    # ------------------------------------------------ λ, big operators, membership

    def lam(self, syn: Syn, scope: Scope, dom: Ty | None, cod: Ty | None) -> Lam:
        """`fun x => body` at `dom → cod` (either may be unknown: the binder's annotation, or
        its uses in the body, fix `dom`; the body's own type is `cod` when None)."""
        if not (isinstance(syn, SBinder) and syn.kind == "fun"):
            raise fail("type mismatch: expected a function `fun x => ...`", syn)
        binders = [(n, g) for g in syn.groups for n in g.names]
        if len(binders) != 1 or binders[0][1].pred is not None:
            raise fail("unsupported construct 'fun' with several binders", syn)
        name, group = binders[0]
        if type_named(name):
            raise fail(f"mini: a binder named like a type ('{name}') is not supported", syn)
        if group.type is not None:
            ty = elaborate_type(group.type)
            if dom is not None and ty != dom:
                raise fail(f"type mismatch: binder '{name}' has type {ty} but is expected to have type {dom}", syn)
            dom = ty

        def body(sc: Scope) -> Term:
            return self.prop(syn.body, sc) if cod == PROP else self.num(syn.body, sc, cod)

        if dom is None:
            dom = self.solve_binder(name, scope, body)
        return Lam(name, dom, body(scope.bind(name, dom)))

    def solve_binder(self, name: str, scope: Scope, body: Callable[[Scope], Term]) -> Ty:
        """The type the body's first pass gives an untyped binder (ℕ by default)."""
        meta = Meta()
        saved, self.discovering = self.discovering, True
        try:
            body(scope.bind(name, meta))
        except ParseError:
            pass
        finally:
            self.discovering = saved
        return meta.ty or NAT

    def bigop(self, cname: str, s_syn: Syn, f_syn: Syn, scope: Scope, expected: Ty | None) -> BigOp:
        """`Finset.sum s f` (= `∑ x ∈ s, f x`); `f` a λ, a local function or `id`."""
        fs = self.value(s_syn, scope)
        cont = container(type_of(fs))
        if cont is None or cont[0] != "Finset":
            raise fail(f"type mismatch: '{cname}' expects a Finset, got a term of type {type_of(fs)}", s_syn)
        elem = cont[1]
        cod = expected if expected in NUM_RANK else None
        lam = self.lam(_eta(f_syn, scope), scope, elem, cod)
        ty = type_of(lam.body)
        if ty not in NUM_RANK:
            raise fail(f"type mismatch: the body of '{BIG_OPS[cname]}' has type {ty}, not a number", f_syn)
        return BigOp(BIG_OPS[cname], lam.name, elem, fs, lam.body, ty)

    def membership(self, a: Syn, s: Syn, scope: Scope, where: Syn) -> Term:
        """`a ∈ s` for a finset or set `s` (elaborated first: it types `a`)."""
        coll = self.value(s, scope)
        cont = container(type_of(coll))
        if cont is None:
            raise fail(f"type mismatch: '∈' expects a Finset or a Set, got a term of type {type_of(coll)}", where)
        elem = self.num(a, scope, cont[1])
        return App(Const(MEMBERSHIP, arrow(cont[1], type_of(coll), PROP)), (elem, coll), PROP)


def _eta(f: Syn, scope: Scope) -> Syn:
    """`f` as a λ: `fun x => f x` for a function name, `fun x => x` for `id` / `(id : α → α)`."""
    if isinstance(f, SBinder):
        return f
    inner = f.expr if isinstance(f, SAscribe) else f
    if not isinstance(inner, SIdent):
        raise fail("unsupported big operator body (expected `fun x => ...` or a function name)", f)
    pos = getattr(f, "pos", (0, 0))
    x = fresh_name("x", {inner.name})
    if inner.name == "id" and "id" not in scope:  # the ascription `(id : α → α)` only fixes α
        return SBinder("fun", (SBinderGroup((x,)),), SIdent(x, pos=pos), pos=pos)
    return SBinder("fun", (SBinderGroup((x,)),), SApp(inner, (SIdent(x, pos=pos),), pos=pos), pos=pos)
