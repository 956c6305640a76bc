"""Lean 4 + Mathlib pretty printing of `mini` terms and goals, character for character.

The network reads this text whatever the backend, so it must be what Lean prints: minimal
parentheses by Lean's precedences, `¬x = y`, `↑(x + 1)`, `n !`, `|x|`, `a ≡ b [MOD n]`,
`∀ (a b : ℤ) (n : ℕ), P`, `∀ n ≥ 5, P`, `∃ x y, P`, and goals with same-typed locals grouped.
Mathlib notations: `∑ x ∈ s, f x` (body at 67), `√x`, `π`, `⌊x⌋`, `⌈x⌉₊`, `x⁻¹`, `{x | P}`,
`∃! x, P`, `a ∈ s`, `a ∉ s`, `fun x => P`.

Parenthesization follows Lean's parenthesizer: a term needs parentheses when its own
precedence is below what its position requires, or when its trailing part (the body of `¬`,
`∀`, `∑`, the operand of `↑`, ...) would swallow the operator that follows it (`follow`, the
precedence of that operator; -1 when nothing follows).

Constants applied to arguments print by their full name (`Nat.gcd a b`, `Real.log x`), as
written in statements; Mathlib's generalized field notation is reproduced only for
`Finset.card s` (`s.card`; the newest Mathlib prints `#s`) and `Rat.num`/`Rat.den`. Big
operators print `∑ x ∈ s, f x` whatever `s` is (the newest Mathlib shows a filter as
`∑ x ∈ s with p x, f x`) and `Finset.filter p s` prints as an application.

Names are computed here, as Lean's delaborator does, never stored in terms: a local prints by
its user name, or as `x✝`, `x✝¹`, ... when it is inaccessible or shadowed by a later local of
the same name (`display_names`, Lean's `LocalContext.sanitizeNames`); a binder prints by its
own name unless its body mentions a variable already shown under that name, when it becomes
`x_1`, `x_2`, ... (Lean's `getUnusedName` with `pp.safeShadowing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .terms import (
    And,
    App,
    Arith,
    Arrow,
    Base,
    BigOp,
    Cast,
    Const,
    Exists,
    FalseP,
    Forall,
    Goal,
    Iff,
    Imp,
    Lam,
    Lit,
    Neg,
    Not,
    Or,
    Rel,
    Term,
    TrueP,
    Ty,
    Var,
    alpha_eq,
    free_vars,
    hint_of,
    is_mvar,
)

MAX = 1024  # atoms, and what application arguments must be
APP = 1023  # an application; also the leading precedence of binders
NOT_ARG = 40
NEG = 75
BIGOP_BODY = 67
NOTHING = -1  # `follow` when nothing follows

# op -> (precedence, left operand precedence, right operand precedence)
BINARY: dict[str, tuple[int, int, int]] = {
    "+": (65, 65, 66), "-": (65, 65, 66),
    "*": (70, 70, 71), "/": (70, 70, 71), "%": (70, 70, 71),
    "^": (80, 81, 80),
    **{op: (50, 51, 51) for op in ("=", "≠", "<", "≤", ">", "≥", "∣", "∈", "∉")},
    "∧": (35, 36, 35), "∨": (30, 31, 30), "→": (25, 26, 25), "↔": (20, 21, 21),
}
_CONNECTIVE = {And: "∧", Or: "∨", Imp: "→", Iff: "↔"}
BINDER_PRED_OPS = (">", "≥", "<", "≤", "≠")
MEMBERSHIP = "Membership.mem"
# Constants with their own notation: name -> (opening, closing) around the one argument.
_BRACKETS = {
    "abs": ("|", "|"), "Int.floor": ("⌊", "⌋"), "Int.ceil": ("⌈", "⌉"),
    "Nat.floor": ("⌊", "⌋₊"), "Nat.ceil": ("⌈", "⌉₊"),
}
_FIELDS = {"Finset.card": "card", "Rat.num": "num", "Rat.den": "den"}  # printed `s.card`
_CONST_NOTATION = {"Real.pi": "π"}


def pp_type(ty: Ty) -> str:
    """`ℕ`, `ℤ`, `Prop`, `ℤ → ℤ`, `(ℕ → ℕ) → ℕ`."""
    if isinstance(ty, Arrow):
        dom = pp_type(ty.dom)
        if isinstance(ty.dom, Arrow):
            dom = f"({dom})"
        return f"{dom} → {pp_type(ty.cod)}"
    return ty.name


# ---------------------------------------------------------------- names

INACCESSIBLE = "✝"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True, slots=True)
class Names:
    """How variables print in one scope: the display name of each local id and entered
    binder, and the display names taken (a binder must not reuse one its body needs)."""

    show: Mapping[str, str]
    used: frozenset[str]

    def of(self, name: str) -> str:
        shown = self.show.get(name)
        if shown is not None:
            return shown
        return f"?{hint_of(name)}" if is_mvar(name) else hint_of(name)

    def enter(self, bound: str, body: Term) -> tuple[str, Names]:
        """The display name of a binder `bound` over `body`, and the scope of the body."""
        hint = bound
        if hint in self.used and any(self.of(v) == hint for v in free_vars(body) - {bound}):
            i = 1
            while f"{hint}_{i}" in self.used:
                i += 1
            hint = f"{hint}_{i}"
        return hint, Names({**self.show, bound: hint}, self.used | {hint})


def display_names(goal: Goal) -> Names:
    """Lean's sanitizer: from the last local back, an inaccessible local, or one whose name a
    later accessible local already took, prints as `name✝` (then `name✝¹`, `name✝²`, ...)."""
    seen: set[str] = set()
    counters: dict[str, int] = {}
    show: dict[str, str] = {}
    for loc in reversed(goal.locals):
        if loc.inaccessible or loc.name in seen:
            i = counters.get(loc.name, 0)
            counters[loc.name] = i + 1
            show[loc.fid] = loc.name + INACCESSIBLE + (str(i).translate(_SUPERSCRIPT) if i else "")
        else:
            show[loc.fid] = loc.name
            seen.add(loc.name)
    return Names(show, frozenset(show.values()))


def pp_term(t: Term, names: Names | None = None) -> str:
    """A term as Lean prints it, in the scope `names` (`display_names(goal)`); without one, a
    local prints by its user name, and binders avoid those names as Lean's would."""
    if names is None:
        names = Names({}, frozenset(hint_of(v) for v in free_vars(t)))
    return _pp(t, 0, NOTHING, names)


def pp_in(goal: Goal, t: Term) -> str:
    """A term as Lean prints it in `goal`'s context (for error messages)."""
    return pp_term(t, display_names(goal))


def _pp(t: Term, prec: int, follow: int, nm: Names) -> str:
    """`t` where precedence `prec` is required and an operator of precedence `follow` follows."""
    node, trail = _shape(t)
    if node < prec or (trail is not None and trail <= follow):
        return f"({_body(t, NOTHING, nm)})"
    return _body(t, follow, nm)


def _app_name(t: Term) -> str | None:
    return t.fn.name if isinstance(t, App) and isinstance(t.fn, Const) else None


def _shape(t: Term) -> tuple[int, int | None]:
    """(precedence of `t`'s notation, precedence its trailing part is parsed at, if any)."""
    name = _app_name(t)
    match t:
        case Const(name="Real.pi") | Var() | Const() | Lit() | TrueP() | FalseP():
            return MAX, None
        case Cast():
            return MAX, MAX  # `↑x⁻¹` is `↑(x⁻¹)`
        case App() if name == "Real.sqrt" and len(t.args) == 1:
            return MAX, MAX  # `√x⁻¹` is `√(x⁻¹)`
        case App() if name in _BRACKETS or name in _FIELDS or name in ("Nat.factorial", "Inv.inv", "setOf"):
            return MAX, None
        case App() if name in ("Nat.ModEq", "Int.ModEq", MEMBERSHIP):
            return 50, None
        case App() if name == "ExistsUnique":
            return APP, 0
        case App():
            return APP, None
        case Arith(op=op) | Rel(op=op):
            return BINARY[op][0], None
        case Neg():
            return NEG, None
        case Not(arg=a) if _app_name(a) == MEMBERSHIP:
            return 50, None  # `a ∉ s`
        case Not():
            return MAX, NOT_ARG
        case And() | Or() | Imp() | Iff():
            return BINARY[_CONNECTIVE[type(t)]][0], None
        case Forall(name=n, body=b) if n not in free_vars(b) and _pred(t) is None:
            return BINARY["→"][0], None
        case Forall() | Exists():
            return APP, 0
        case Lam():
            return MAX, 0
        case BigOp():
            return APP, BIGOP_BODY
    raise TypeError(f"cannot print {t!r}")


def _body(t: Term, follow: int, nm: Names) -> str:
    match t:
        case Const(name=n):
            return _CONST_NOTATION.get(n, n)
        case Var(name=n):
            return nm.of(n)
        case Lit(value=v):
            return str(v)
        case TrueP():
            return "True"
        case FalseP():
            return "False"
        case Cast(arg=a):
            return "↑" + _pp(a, MAX, follow, nm)
        case Neg(arg=a):
            inner = _pp(a, NEG, follow, nm)
            return f"- {inner}" if inner.startswith("-") else f"-{inner}"
        case Not(arg=App(fn=Const(name="Membership.mem"), args=(a, s))):
            return _binary("∉", a, s, follow, nm)
        case Not(arg=a):
            return "¬" + _pp(a, NOT_ARG, follow, nm)
        case Arith(op=op, lhs=a, rhs=b) | Rel(op=op, lhs=a, rhs=b):
            return _binary(op, a, b, follow, nm)
        case And() | Or() | Imp() | Iff():
            return _binary(_CONNECTIVE[type(t)], t.lhs, t.rhs, follow, nm)
        case App():
            return _app(t, follow, nm)
        case Forall() | Exists():
            return _binder(t, follow, nm)
        case Lam(name=n, body=b):
            shown, scope = nm.enter(n, b)
            return f"fun {shown} => {_pp(b, 0, NOTHING, scope)}"
        case BigOp(op=op, name=n, finset=s, body=b):
            shown, scope = nm.enter(n, b)
            return f"{op} {shown} ∈ {_pp(s, 0, NOTHING, nm)}, {_pp(b, BIGOP_BODY, follow, scope)}"
    raise TypeError(f"cannot print {t!r}")


def _binary(op: str, a: Term, b: Term, follow: int, nm: Names) -> str:
    prec, lp, rp = BINARY[op]
    return f"{_pp(a, lp, prec, nm)} {op} {_pp(b, rp, follow, nm)}"


def _app(t: App, follow: int, nm: Names) -> str:
    fn, args = t.fn, t.args
    if isinstance(fn, Const) and len(args) == 1:
        (a,) = args
        name = fn.name
        if name == "Nat.factorial":
            inner = _pp(a, MAX, MAX, nm)
            # `n!` would read as the identifier `n!`; Lean separates it
            return f"{inner} !" if isinstance(a, (Var, Const)) and not inner.startswith("(") else f"{inner}!"
        if name in _BRACKETS:
            left, right = _BRACKETS[name]
            return f"{left}{_pp(a, 0, NOTHING, nm)}{right}"
        if name == "Real.sqrt":
            return "√" + _pp(a, MAX, follow, nm)
        if name == "Inv.inv":
            return _pp(a, MAX, MAX, nm) + "⁻¹"
        if name in _FIELDS:
            return f"{_pp(a, MAX, MAX, nm)}.{_FIELDS[name]}"
        if name == "setOf" and isinstance(a, Lam):
            shown, scope = nm.enter(a.name, a.body)
            return f"{{{shown} | {_pp(a.body, 0, NOTHING, scope)}}}"
        if name == "ExistsUnique" and isinstance(a, Lam):
            shown, scope = nm.enter(a.name, a.body)
            names, body = [shown], a.body
            while isinstance(body, App) and _app_name(body) == "ExistsUnique" and isinstance(body.args[0], Lam):
                lam = body.args[0]
                shown, scope = scope.enter(lam.name, lam.body)
                names.append(shown)
                body = lam.body
            return f"∃! {' '.join(names)}, {_pp(body, 0, NOTHING, scope)}"
    if isinstance(fn, Const) and len(args) == 3 and fn.name in ("Nat.ModEq", "Int.ModEq"):
        n, a, b = args
        kind = "MOD" if fn.name == "Nat.ModEq" else "ZMOD"
        return f"{_pp(a, 51, 50, nm)} ≡ {_pp(b, 51, NOTHING, nm)} [{kind} {_pp(n, 0, NOTHING, nm)}]"
    if isinstance(fn, Const) and len(args) == 2 and fn.name == MEMBERSHIP:
        return _binary("∈", args[0], args[1], follow, nm)
    parts = [_pp(fn, MAX, APP, nm)] + [_pp(a, MAX, APP, nm) for a in args]
    return " ".join(parts)


def _pred(t: Term) -> tuple[str, Term, Term] | None:
    """`(op, bound, rest)` when `t` reads as `∀ x op e, rest` / `∃ x op e, rest`."""
    match t:
        case Forall(name=n, body=Imp(lhs=Rel(op=op, lhs=Var(name=v), rhs=e), rhs=rest)) \
                | Exists(name=n, body=And(lhs=Rel(op=op, lhs=Var(name=v), rhs=e), rhs=rest)):
            if v == n and op in BINDER_PRED_OPS and n not in free_vars(e):
                return op, e, rest
        case Forall(name=n, body=Imp(lhs=App(fn=Const(name="Membership.mem"), args=(Var(name=v), e)), rhs=rest)) \
                | Exists(name=n, body=And(lhs=App(fn=Const(name="Membership.mem"), args=(Var(name=v), e)), rhs=rest)):
            if v == n and n not in free_vars(e):
                return "∈", e, rest
    return None


def _binder(t: Forall | Exists, follow: int, nm: Names) -> str:
    pred = _pred(t)
    sym = "∀" if isinstance(t, Forall) else "∃"
    if pred is not None:
        op, e, rest = pred
        shown, inner = nm.enter(t.name, t.body)
        return f"{sym} {shown} {op} {_pp(e, 51, NOTHING, nm)}, {_pp(rest, 0, NOTHING, inner)}"
    if isinstance(t, Forall) and t.name not in free_vars(t.body):
        dom = pp_type(t.ty)
        if isinstance(t.ty, Arrow):
            dom = f"({dom})"
        return f"{dom} → {_pp(t.body, 25, follow, nm)}"
    shown, inner = nm.enter(t.name, t.body)
    binders = [(shown, t.ty)]
    body = t.body
    while (
        type(body) is type(t) and _pred(body) is None
        and (isinstance(body, Exists) or body.name in free_vars(body.body))
    ):
        shown, inner = inner.enter(body.name, body.body)
        binders.append((shown, body.ty))
        body = body.body
    if isinstance(t, Exists):
        return f"∃ {' '.join(name for name, _ in binders)}, {_pp(body, 0, NOTHING, inner)}"
    # `∀ (a b : ℤ) (n : ℕ), P`: one bracket per run of the same type
    groups: list[tuple[list[str], Ty]] = []
    for name, ty in binders:
        if groups and groups[-1][1] == ty:
            groups[-1][0].append(name)
        else:
            groups.append(([name], ty))
    brackets = " ".join(f"({' '.join(names)} : {pp_type(ty)})" for names, ty in groups)
    return f"∀ {brackets}, {_pp(body, 0, NOTHING, inner)}"


def _same_type(a: Ty | Term, b: Ty | Term) -> bool:
    if isinstance(a, (Base, Arrow)) or isinstance(b, (Base, Arrow)):
        return a == b
    return alpha_eq(a, b)


def pp_local_type(ty: Ty | Term, names: Names | None = None) -> str:
    return pp_type(ty) if isinstance(ty, (Base, Arrow)) else pp_term(ty, names)


def pp_hyps(goal: Goal, names: Names | None = None) -> list[str]:
    """The locals of a goal, consecutive same-typed ones grouped (`x y : ℕ`)."""
    nm = display_names(goal) if names is None else names
    lines: list[str] = []
    i, locs = 0, goal.locals
    while i < len(locs):
        j = i + 1
        while j < len(locs) and _same_type(locs[j].type, locs[i].type):
            j += 1
        shown = " ".join(nm.of(loc.fid) for loc in locs[i:j])
        lines.append(f"{shown} : {pp_local_type(locs[i].type, nm)}")
        i = j
    return lines


def pp_goal(goal: Goal) -> str:
    """Lean's goal display: `case tag`, locals one per line, then `⊢ target`."""
    nm = display_names(goal)
    lines = [f"case {goal.case}"] if goal.case else []
    lines.extend(pp_hyps(goal, nm))
    lines.append(f"⊢ {pp_term(goal.target, nm)}")
    return "\n".join(lines)
