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
"""

from __future__ import annotations

from .terms import (
    And, App, Arith, Arrow, Base, BigOp, Cast, Const, Exists, FalseP, Forall, Goal, Iff, Imp, Lam,
    Lit, Neg, Not, Or, Rel, Term, TrueP, Ty, Var, alpha_eq, free_vars,
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


def pp_term(t: Term) -> str:
    """A term as Lean prints it."""
    return _pp(t, 0, NOTHING)


def _pp(t: Term, prec: int, follow: int) -> str:
    """`t` where precedence `prec` is required and an operator of precedence `follow` follows."""
    node, trail = _shape(t)
    if node < prec or (trail is not None and trail <= follow):
        return f"({_body(t, NOTHING)})"
    return _body(t, follow)


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


def _body(t: Term, follow: int) -> str:
    match t:
        case Const(name=n):
            return _CONST_NOTATION.get(n, n)
        case Var(name=n):
            return n
        case Lit(value=v):
            return str(v)
        case TrueP():
            return "True"
        case FalseP():
            return "False"
        case Cast(arg=a):
            return "↑" + _pp(a, MAX, follow)
        case Neg(arg=a):
            inner = _pp(a, NEG, follow)
            return f"- {inner}" if inner.startswith("-") else f"-{inner}"
        case Not(arg=App(fn=Const(name="Membership.mem"), args=(a, s))):
            return _binary("∉", a, s, follow)
        case Not(arg=a):
            return "¬" + _pp(a, NOT_ARG, follow)
        case Arith(op=op, lhs=a, rhs=b) | Rel(op=op, lhs=a, rhs=b):
            return _binary(op, a, b, follow)
        case And() | Or() | Imp() | Iff():
            return _binary(_CONNECTIVE[type(t)], t.lhs, t.rhs, follow)
        case App():
            return _app(t, follow)
        case Forall() | Exists():
            return _binder(t, follow)
        case Lam(name=n, body=b):
            return f"fun {n} => {_pp(b, 0, NOTHING)}"
        case BigOp(op=op, name=n, finset=s, body=b):
            return f"{op} {n} ∈ {_pp(s, 0, NOTHING)}, {_pp(b, BIGOP_BODY, follow)}"
    raise TypeError(f"cannot print {t!r}")


def _binary(op: str, a: Term, b: Term, follow: int) -> str:
    prec, lp, rp = BINARY[op]
    return f"{_pp(a, lp, prec)} {op} {_pp(b, rp, follow)}"


def _app(t: App, follow: int) -> str:
    fn, args = t.fn, t.args
    if isinstance(fn, Const) and len(args) == 1:
        (a,) = args
        name = fn.name
        if name == "Nat.factorial":
            inner = _pp(a, MAX, MAX)
            # `n!` would read as the identifier `n!`; Lean separates it
            return f"{inner} !" if isinstance(a, (Var, Const)) and not inner.startswith("(") else f"{inner}!"
        if name in _BRACKETS:
            left, right = _BRACKETS[name]
            return f"{left}{_pp(a, 0, NOTHING)}{right}"
        if name == "Real.sqrt":
            return "√" + _pp(a, MAX, follow)
        if name == "Inv.inv":
            return _pp(a, MAX, MAX) + "⁻¹"
        if name in _FIELDS:
            return f"{_pp(a, MAX, MAX)}.{_FIELDS[name]}"
        if name == "setOf" and isinstance(a, Lam):
            return f"{{{a.name} | {_pp(a.body, 0, NOTHING)}}}"
        if name == "ExistsUnique" and isinstance(a, Lam):
            names, body = [a.name], a.body
            while _app_name(body) == "ExistsUnique" and isinstance(body.args[0], Lam):  # type: ignore[union-attr]
                names.append(body.args[0].name)  # type: ignore[union-attr]
                body = body.args[0].body  # type: ignore[union-attr]
            return f"∃! {' '.join(names)}, {_pp(body, 0, NOTHING)}"
    if isinstance(fn, Const) and len(args) == 3 and fn.name in ("Nat.ModEq", "Int.ModEq"):
        n, a, b = args
        kind = "MOD" if fn.name == "Nat.ModEq" else "ZMOD"
        return f"{_pp(a, 51, 50)} ≡ {_pp(b, 51, NOTHING)} [{kind} {_pp(n, 0, NOTHING)}]"
    if isinstance(fn, Const) and len(args) == 2 and fn.name == MEMBERSHIP:
        return _binary("∈", args[0], args[1], follow)
    parts = [_pp(fn, MAX, APP)] + [_pp(a, MAX, APP) for a in args]
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


def _binder(t: Forall | Exists, follow: int) -> str:
    pred = _pred(t)
    sym = "∀" if isinstance(t, Forall) else "∃"
    if pred is not None:
        op, e, rest = pred
        return f"{sym} {t.name} {op} {_pp(e, 51, NOTHING)}, {_pp(rest, 0, NOTHING)}"
    if isinstance(t, Forall) and t.name not in free_vars(t.body):
        dom = pp_type(t.ty)
        if isinstance(t.ty, Arrow):
            dom = f"({dom})"
        return f"{dom} → {_pp(t.body, 25, follow)}"
    binders = [(t.name, t.ty)]
    body = t.body
    while (
        type(body) is type(t) and _pred(body) is None
        and (isinstance(body, Exists) or body.name in free_vars(body.body))
    ):
        binders.append((body.name, body.ty))
        body = body.body
    if isinstance(t, Exists):
        return f"∃ {' '.join(name for name, _ in binders)}, {_pp(body, 0, NOTHING)}"
    # `∀ (a b : ℤ) (n : ℕ), P`: one bracket per run of the same type
    groups: list[tuple[list[str], Ty]] = []
    for name, ty in binders:
        if groups and groups[-1][1] == ty:
            groups[-1][0].append(name)
        else:
            groups.append(([name], ty))
    brackets = " ".join(f"({' '.join(names)} : {pp_type(ty)})" for names, ty in groups)
    return f"∀ {brackets}, {_pp(body, 0, NOTHING)}"


def _same_type(a: Ty | Term, b: Ty | Term) -> bool:
    if isinstance(a, (Base, Arrow)) or isinstance(b, (Base, Arrow)):
        return a == b
    return alpha_eq(a, b)


def pp_local_type(ty: Ty | Term) -> str:
    return pp_type(ty) if isinstance(ty, (Base, Arrow)) else pp_term(ty)


def pp_hyps(goal: Goal) -> list[str]:
    """The locals of a goal, consecutive same-typed ones grouped (`x y : ℕ`)."""
    lines: list[str] = []
    i, locs = 0, goal.locals
    while i < len(locs):
        j = i + 1
        while j < len(locs) and _same_type(locs[j].type, locs[i].type):
            j += 1
        names = " ".join(loc.name for loc in locs[i:j])
        lines.append(f"{names} : {pp_local_type(locs[i].type)}")
        i = j
    return lines


def pp_goal(goal: Goal) -> str:
    """Lean's goal display: `case tag`, locals one per line, then `⊢ target`."""
    lines = [f"case {goal.case}"] if goal.case else []
    lines.extend(pp_hyps(goal))
    lines.append(f"⊢ {pp_term(goal.target)}")
    return "\n".join(lines)
