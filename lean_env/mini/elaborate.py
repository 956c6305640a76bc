"""Elaboration: surface syntax -> typed core terms, as Lean's elaborator does on the fragment.

The part that matters most is Lean's `binop%`/`binrel%` rule for arithmetic: the leaves of a
tree of `+ - * / %` (with unary `-`, the base of `^`, and both sides of a relation) are
elaborated first, the "maximal" type among them (ℤ beats ℕ; the expected type counts too) is
chosen, numerals take that type and ℕ-typed leaves get an explicit `↑` (`Cast`). So
`(n : ℕ) (x : ℤ) ⊢ x + n = 0` becomes `x + ↑n = 0`, and `(n + 1 : ℤ)` becomes `↑n + 1`.
Exponents are elaborated on their own, at ℕ.

Binder variables without a type (`∀ x, ...`, `∃ n > 0, ...`) get theirs from how the body
uses them, like a Lean metavariable: a first pass over the body records the first concrete
type each one meets (defaulting to ℕ), a second pass elaborates with those types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ParseError
from .parser import parse_theorem
from .syntax import (
    SAnon, SApp, SAscribe, SBinder, SBinderGroup, SBinOp, SBy, SHole, SIdent, SModEq, SNum,
    SProj, STuple, SUnOp, Syn, TheoremSyn,
)
from .terms import (
    FALSE, INT, NAT, PROP, TRUE, And, App, Arith, Arrow, Base, Cast, Const, Exists, Forall, Goal,
    Iff, Imp, Lit, Local, Neg, Not, Or, Rel, Term, Ty, Var, arrow, type_of,
)

# ---------------------------------------------------------------- types

TYPE_NAMES: dict[str, Ty] = {"ℕ": NAT, "Nat": NAT, "ℤ": INT, "Int": INT, "Prop": PROP}
# Names that denote types outside the fragment: binders with them are variables we cannot hold.
OTHER_TYPE_NAMES = frozenset(
    "ℝ Real ℚ Rat ℂ Complex Type Bool String Finset Set Fin ZMod Polynomial List Multiset "
    "EReal NNReal ENNReal PNat ℕ+ Matrix Equiv Function".split()
)


def _pos(syn: Syn) -> tuple[int, int]:
    return getattr(syn, "pos", (0, 0)) or (0, 0)


def _fail(msg: str, syn: Syn | None = None) -> ParseError:
    line, col = _pos(syn) if syn is not None else (0, 0)
    return ParseError(msg, line, col)


def elaborate_type(syn: Syn) -> Ty:
    """`ℕ`, `Nat`, `ℤ`, `Int`, `Prop` and arrows between them."""
    match syn:
        case SIdent(name=name) if name in TYPE_NAMES:
            return TYPE_NAMES[name]
        case SBinOp(op="→", lhs=a, rhs=b):
            return Arrow(elaborate_type(a), elaborate_type(b))
        case SIdent(name=name):
            raise _fail(f"unknown type '{name}'", syn)
        case SApp(fn=SIdent(name=name)):
            raise _fail(f"unknown type '{name}'", syn)
        case _:
            raise _fail("type expected", syn)


def looks_like_type(syn: Syn) -> bool:
    """Whether a binder's annotation denotes a type (a variable) rather than a proposition."""
    match syn:
        case SIdent(name=name):
            return name in TYPE_NAMES or name in OTHER_TYPE_NAMES
        case SApp(fn=SIdent(name=name)):
            return name in OTHER_TYPE_NAMES
        case SBinOp(op="→", lhs=a, rhs=b):
            return looks_like_type(a) and looks_like_type(b)
        case _:
            return False


# ---------------------------------------------------------------- scope


class Meta:
    """The unknown type of an untyped binder; mutable on purpose, it is solved in place."""

    __slots__ = ("ty",)

    def __init__(self) -> None:
        self.ty: Ty | None = None


Entry = Ty | Meta | Term  # a variable's type, an unsolved binder type, or a hypothesis


@dataclass(frozen=True)
class Scope:
    """Names visible to elaboration: variables (a `Ty`) and hypotheses (a Prop term)."""

    entries: Mapping[str, Entry] = field(default_factory=dict)

    @staticmethod
    def from_goal(goal: Goal) -> Scope:
        entries: dict[str, Entry] = {}
        for loc in goal.locals:
            entries[loc.name] = loc.type
        return Scope(entries)

    def bind(self, name: str, ty: Entry) -> Scope:
        return Scope({**self.entries, name: ty})

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.entries


# ---------------------------------------------------------------- constants

ALPHA = "α"  # a numeric type parameter (ℕ or ℤ), fixed by the arguments or the expected type


@dataclass(frozen=True, slots=True)
class Signature:
    """A library constant: argument types and result, possibly over one numeric `α`."""

    args: tuple[Ty | str, ...]
    result: Ty | str
    alpha_ok: tuple[Ty, ...] = (NAT, INT)

    def instantiate(self, alpha: Ty) -> tuple[list[Ty], Ty]:
        inst = [alpha if a == ALPHA else a for a in self.args]
        res = alpha if self.result == ALPHA else self.result
        return inst, res  # type: ignore[return-value]


KNOWN_CONSTANTS: dict[str, Signature] = {
    "Nat.gcd": Signature((NAT, NAT), NAT),
    "Nat.lcm": Signature((NAT, NAT), NAT),
    "Nat.factorial": Signature((NAT,), NAT),
    "Nat.choose": Signature((NAT, NAT), NAT),
    "Nat.Prime": Signature((NAT,), PROP),
    "Nat.sqrt": Signature((NAT,), NAT),
    "Nat.succ": Signature((NAT,), NAT),
    "Nat.ModEq": Signature((NAT, NAT, NAT), PROP),
    "Int.gcd": Signature((INT, INT), NAT),
    "Int.natAbs": Signature((INT,), NAT),
    "Int.toNat": Signature((INT,), NAT),
    "Int.ModEq": Signature((INT, INT, INT), PROP),
    "abs": Signature((ALPHA,), ALPHA, alpha_ok=(INT,)),
    "Even": Signature((ALPHA,), PROP),
    "Odd": Signature((ALPHA,), PROP),
    "min": Signature((ALPHA, ALPHA), ALPHA),
    "max": Signature((ALPHA, ALPHA), ALPHA),
}
# Other spellings (with Mathlib's `open Nat`) of the same constants.
ALIASES: dict[str, str] = {
    "factorial": "Nat.factorial",
    "choose": "Nat.choose",
    "Prime": "Nat.Prime",
    "succ": "Nat.succ",
    "ModEq": "Nat.ModEq",
}


def constant_name(name: str) -> str | None:
    """The canonical constant a name refers to, or None."""
    if name in KNOWN_CONSTANTS:
        return name
    return ALIASES.get(name)


# ---------------------------------------------------------------- elaborator

_ARITH = ("+", "-", "*", "/", "%")
_RELS = ("=", "≠", "<", "≤", ">", "≥", "∣")
_LOGIC = {"∧": And, "∨": Or, "↔": Iff}
ANON_BINDER = "a✝"


@dataclass(slots=True)
class _Pending:
    """A leaf whose type comes from its tree: a numeral, `↑e`, or an untyped binder variable."""

    syn: Syn


@dataclass(slots=True)
class _Node:
    op: str  # one of _ARITH, "^", "neg"
    kids: list[_Tree]
    exp: Term | None = None  # the separately elaborated exponent of `^`
    syn: Syn | None = None


_Tree = _Node | Term | _Pending


class _Elaborator:
    def __init__(self) -> None:
        self.discovering = False  # first pass over a binder body: only solve Metas, never fail

    # ------------------------------------------------ propositions

    def prop(self, syn: Syn, scope: Scope) -> Term:
        syn = self.field_notation(syn, scope)
        match syn:
            case SIdent(name="True"):
                return TRUE
            case SIdent(name="False"):
                return FALSE
            case SIdent(name=name) if name in scope:
                entry = scope.get(name)
                if isinstance(entry, Meta):
                    if entry.ty is None and self.discovering:
                        entry.ty = PROP
                    if entry.ty in (None, PROP):
                        return Var(name, PROP)
                    raise _fail(f"type mismatch: '{name}' has type {entry.ty} but is expected to have type Prop", syn)
                if entry == PROP:
                    return Var(name, PROP)
                if isinstance(entry, (Base, Arrow)):
                    raise _fail(f"type mismatch: '{name}' has type {entry} but is expected to have type Prop", syn)
                raise _fail(f"type mismatch: '{name}' is a proof, not a proposition", syn)
            case SUnOp(op="¬", arg=a):
                return Not(self.prop(a, scope))
            case SBinOp(op=op, lhs=a, rhs=b) if op in _LOGIC:
                return _LOGIC[op](self.prop(a, scope), self.prop(b, scope))
            case SBinOp(op="→", lhs=a, rhs=b):
                if looks_like_type(a):
                    return Forall(ANON_BINDER, elaborate_type(a), self.prop(b, scope.bind(ANON_BINDER, elaborate_type(a))))
                return Imp(self.prop(a, scope), self.prop(b, scope))
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
                raise _fail("unsupported construct 'fun' (lambda)", syn)
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
                steps.append((n, g.type, g.pred))
        metas: dict[str, Meta] = {}
        tys: list[Ty | Meta] = []
        for n, tsyn, _ in steps:
            if tsyn is None:
                metas[n] = Meta()
                tys.append(metas[n])
            else:
                tys.append(elaborate_type(tsyn))

        def build(sc: Scope, resolved: list[Ty | Meta]) -> Term:
            # left to right as Lean does: each predicate sees the binders up to its own,
            # and is elaborated before what follows it (the first use fixes an untyped binder)
            preds: list[Term | None] = []
            inner_scope = sc
            for (n, _, pred), ty in zip(steps, resolved):
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
        """A numeric term; `expected` (ℕ/ℤ) takes part in the max-type choice as in Lean."""
        return self.trees([syn], scope, expected, syn)[0]

    def trees(self, roots: list[Syn], scope: Scope, expected: Ty | None, where: Syn) -> list[Term]:
        """Elaborate several `binop%` trees sharing one max type (both sides of a relation)."""
        trees = [self.tree(r, scope) for r in roots]
        max_ty: Ty | None = expected if expected in (NAT, INT) else None
        if expected is not None and expected not in (NAT, INT):
            raise _fail(f"type mismatch: expected {expected}, got a number", where)
        pending_metas: list[Meta] = []
        for leaf in (x for t in trees for x in _leaves(t)):
            if isinstance(leaf, _Pending):
                if isinstance(leaf.syn, SIdent):
                    m = scope.get(leaf.syn.name)
                    if isinstance(m, Meta):
                        pending_metas.append(m)
                continue
            ty = type_of(leaf)
            if ty not in (NAT, INT):
                raise _fail(f"type mismatch: expected a number, got a term of type {ty}", where)
            if ty == INT or max_ty is None:
                max_ty = INT if INT in (ty, max_ty) else NAT
        solved = max_ty is not None
        if max_ty is None:
            max_ty = NAT
        if solved or not self.discovering:
            for m in pending_metas:
                if m.ty is None:
                    m.ty = max_ty
        if expected == NAT and max_ty == INT:
            raise _fail("type mismatch: term has type ℤ but is expected to have type ℕ", where)
        return [self.build(t, scope, max_ty, solved, where) for t in trees]

    def tree(self, syn: Syn, scope: Scope) -> _Tree:
        match syn:
            case SBinOp(op=op, lhs=a, rhs=b) if op in _ARITH:
                return _Node(op, [self.tree(a, scope), self.tree(b, scope)], syn=syn)
            case SBinOp(op="^", lhs=a, rhs=b):
                return _Node("^", [self.tree(a, scope)], exp=self.num(b, scope, NAT), syn=syn)
            case SUnOp(op="-", arg=a):
                return _Node("neg", [self.tree(a, scope)], syn=syn)
            case SNum() | SUnOp(op="↑"):
                return _Pending(syn)
            case SIdent(name=name) if isinstance(scope.get(name), Meta):
                m = scope.get(name)
                assert isinstance(m, Meta)
                if m.ty is None:
                    return _Pending(syn)
                if m.ty not in (NAT, INT):
                    raise _fail(f"type mismatch: '{name}' has type {m.ty} but is expected to have a numeric type", syn)
                return Var(name, m.ty)
            case _:
                return self.leaf(syn, scope)

    def build(self, t: _Tree, scope: Scope, ty: Ty, solved: bool, where: Syn) -> Term:
        if isinstance(t, _Pending):
            return self.pending(t.syn, scope, ty)
        if isinstance(t, _Node):
            kids = [self.build(k, scope, ty, solved, where) for k in t.kids]
            if t.op == "neg":
                if ty == NAT and (solved or not self.discovering):
                    raise _fail("failed to synthesize Neg ℕ", t.syn)
                return Neg(kids[0], ty)
            if t.op == "^":
                assert t.exp is not None
                return Arith("^", kids[0], t.exp, ty)
            return Arith(t.op, kids[0], kids[1], ty)
        leaf_ty = type_of(t)
        if leaf_ty == ty:
            return t
        if leaf_ty == NAT and ty == INT:
            return Cast(t)
        raise _fail(f"type mismatch: term has type {leaf_ty} but is expected to have type {ty}", where)

    def pending(self, syn: Syn, scope: Scope, ty: Ty) -> Term:
        match syn:
            case SNum(value=v):
                return Lit(v, ty)
            case SIdent(name=name):
                return Var(name, ty)
            case SUnOp(op="↑", arg=a):
                inner = self.num(a, scope, None)
                inner_ty = type_of(inner)
                if inner_ty == ty:
                    return inner
                if inner_ty == NAT and ty == INT:
                    return Cast(inner)
                raise _fail(f"type mismatch: cannot coerce {inner_ty} to {ty}", syn)
        raise _fail("internal: unexpected pending leaf", syn)

    def field_notation(self, syn: Syn, scope: Scope) -> Syn:
        """`n.succ`, `a.gcd b`, `(x - 1).natAbs`: Lean's generalized field notation, resolved
        to `Nat.f`/`Int.f` by the receiver's type, the receiver becoming the first argument."""
        head, args = (syn.fn, syn.args) if isinstance(syn, SApp) else (syn, ())
        receiver: Syn
        match head:
            case SIdent(name=name) if "." in name and name not in scope and constant_name(name) is None:
                base, _, fld = name.partition(".")
                if base not in scope or "." in fld:
                    return syn
                receiver = SIdent(base, pos=head.pos)
            case SProj(expr=e, field=fld):
                receiver = e
            case _:
                return syn
        try:
            rty = type_of(self.num(receiver, scope, None))
        except ParseError:
            return syn
        cname = f"{'Nat' if rty == NAT else 'Int'}.{fld}"
        if cname not in KNOWN_CONSTANTS:
            return syn
        return SApp(SIdent(cname, pos=head.pos), (receiver, *args), pos=_pos(syn))

    def leaf(self, syn: Syn, scope: Scope) -> Term:
        """A numeric leaf elaborated without expected type (its own type is known)."""
        syn = self.field_notation(syn, scope)
        match syn:
            case SIdent(name=name):
                entry = scope.get(name)
                if entry is None:
                    cname = constant_name(name)
                    if cname is not None:
                        raise _fail(f"function '{cname}' expects arguments", syn)
                    if name in ("True", "False") or name in TYPE_NAMES:
                        raise _fail(f"type mismatch: '{name}' is not a number", syn)
                    raise _fail(f"unknown identifier '{name}'", syn)
                if isinstance(entry, (Base, Arrow)):
                    if entry in (NAT, INT):
                        return Var(name, entry)
                    raise _fail(f"type mismatch: '{name}' has type {entry} but is expected to be a number", syn)
                raise _fail(f"type mismatch: '{name}' is a proof, not a number", syn)
            case SApp():
                return self.app(syn, scope, None)
            case SUnOp(op="!", arg=a):
                sig = KNOWN_CONSTANTS["Nat.factorial"]
                return App(Const("Nat.factorial", arrow(*sig.args, sig.result)), (self.num(a, scope, NAT),), NAT)  # type: ignore[arg-type]
            case SAscribe(expr=e, type=tsyn):
                ty = elaborate_type(tsyn)
                if ty == PROP:
                    return self.prop(e, scope)
                if ty not in (NAT, INT):
                    raise _fail(f"unsupported ascription to {ty}", syn)
                return self.num(e, scope, ty)
            case SHole():
                raise _fail("don't know how to synthesize placeholder", syn)
            case SBinOp(op=op) if op in _RELS or op in _LOGIC or op == "→":
                raise _fail(f"type mismatch: a proposition ('{op}') where a number is expected", syn)
            case SUnOp(op="¬") | SModEq() | SBinder(kind="∀") | SBinder(kind="∃"):
                raise _fail("type mismatch: a proposition where a number is expected", syn)
            case _:
                raise self._other(syn, "a number")

    def _other(self, syn: Syn, what: str) -> ParseError:
        match syn:
            case SBinder(kind="fun"):
                return _fail("unsupported construct 'fun' (lambda)", syn)
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

    def app(self, syn: SApp, scope: Scope, expected: Ty | None) -> Term:
        """`f a b` for a local function or a known constant; arguments at the domain types."""
        fn = syn.fn
        if not isinstance(fn, SIdent):
            raise _fail("function expected: cannot apply a non-identifier", syn)
        entry = scope.get(fn.name)
        if isinstance(entry, Arrow):
            doms, cod = _arrow_parts(entry)
            if len(syn.args) > len(doms):
                raise _fail(f"function expected: '{fn.name}' takes {len(doms)} argument(s)", syn)
            if len(syn.args) < len(doms):
                raise _fail(f"unsupported partial application of '{fn.name}'", syn)
            args = tuple(self.arg(a, scope, d) for a, d in zip(syn.args, doms))
            return App(Var(fn.name, entry), args, cod)
        if entry is not None:
            raise _fail(f"function expected: '{fn.name}' is not a function", syn)
        cname = constant_name(fn.name)
        if cname is None:
            raise _fail(f"unknown identifier '{fn.name}'", fn)
        sig = KNOWN_CONSTANTS[cname]
        if len(syn.args) != len(sig.args):
            raise _fail(f"'{cname}' expects {len(sig.args)} argument(s), got {len(syn.args)}", syn)
        alpha = NAT
        poly_terms: list[Term] = []
        if ALPHA in sig.args:
            # the α-arguments form one tree, like the two sides of a relation
            poly = [a for a, s in zip(syn.args, sig.args) if s == ALPHA]
            exp = expected if sig.result == ALPHA and expected in (NAT, INT) else None
            poly_terms = self.trees(poly, scope, exp, syn)
            alpha = type_of(poly_terms[0])
            if alpha not in sig.alpha_ok:
                raise _fail(f"failed to synthesize an instance for '{cname}' at type {alpha}", syn)
        doms, res = sig.instantiate(alpha)
        args = tuple(
            poly_terms.pop(0) if s == ALPHA else self.arg(a, scope, d)
            for a, s, d in zip(syn.args, sig.args, doms)
        )
        return App(Const(cname, arrow(*doms, res)), args, res)

    def arg(self, syn: Syn, scope: Scope, dom: Ty) -> Term:
        if dom == PROP:
            return self.prop(syn, scope)
        if dom in (NAT, INT):
            return self.num(syn, scope, dom)
        raise _fail(f"unsupported higher-order argument of type {dom}", syn)


def _leaves(t: _Tree) -> list[Term | _Pending]:
    if isinstance(t, _Node):
        return [x for k in t.kids for x in _leaves(k)]
    return [t]


def _arrow_parts(ty: Ty) -> tuple[list[Ty], Ty]:
    doms: list[Ty] = []
    while isinstance(ty, Arrow):
        doms.append(ty.dom)
        ty = ty.cod
    return doms, ty


# ---------------------------------------------------------------- entry points


def elaborate_term(syn: Syn, scope: Scope, expected: Ty | None = None) -> Term:
    """A proposition (expected Prop, or a logical/relational form) or a numeric term."""
    el = _Elaborator()
    if expected == PROP or (expected is None and _is_prop_syntax(syn, scope)):
        return el.prop(syn, scope)
    return el.num(syn, scope, expected)


def _is_prop_syntax(syn: Syn, scope: Scope) -> bool:
    syn = _Elaborator().field_notation(syn, scope)
    match syn:
        case SBinOp(op=op) if op in _RELS or op in _LOGIC or op == "→":
            return True
        case SUnOp(op="¬") | SModEq() | SBinder(kind="∀") | SBinder(kind="∃"):
            return True
        case SIdent(name="True") | SIdent(name="False"):
            return True
        case SIdent(name=name):
            return scope.get(name) == PROP
        case SApp(fn=SIdent(name=name)):
            entry = scope.get(name)
            if isinstance(entry, Arrow):
                return _arrow_parts(entry)[1] == PROP
            cname = constant_name(name)
            return cname is not None and KNOWN_CONSTANTS[cname].result == PROP
        case SAscribe(type=SIdent(name="Prop")):
            return True
        case _:
            return False


def elaborate_binder_group(group: SBinderGroup, scope: Scope) -> tuple[list[Local], Scope]:
    """Locals for one theorem binder group: variables (`x y : ℕ`) or hypotheses (`h : P`)."""
    if not group.names:
        raise _fail("unsupported construct '[...]' (instance binder)", group.type)
    if group.type is None:
        raise _fail(f"unsupported binder '{group.names[0]}' without a type")
    locals_: list[Local] = []
    if looks_like_type(group.type):
        ty = elaborate_type(group.type)
        for n in group.names:
            locals_.append(Local(n, ty))
            scope = scope.bind(n, ty)
        return locals_, scope
    prop = _Elaborator().prop(group.type, scope)
    for n in group.names:
        locals_.append(Local(n, prop))
        scope = scope.bind(n, prop)
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
