"""Lean 4 + Mathlib pretty printing of `mini` terms and goals, character for character.

The network reads this text whatever the backend, so it must be what Lean prints: minimal
parentheses by Lean's precedences, `¬x = y`, `↑(x + 1)`, `n !`, `|x|`, `a ≡ b [MOD n]`,
`∀ (a b : ℤ) (n : ℕ), P`, `∀ n ≥ 5, P`, `∃ x y, P`, and goals with same-typed locals grouped.

Constants applied to arguments print by their full name (`Nat.gcd a b`), as written in
statements; Mathlib's generalized field notation (`a.gcd b`) is not reproduced.
"""

from __future__ import annotations

from .terms import (
    And, App, Arith, Arrow, Base, Cast, Const, Exists, FalseP, Forall, Goal, Iff, Imp, Lit, Neg,
    Not, Or, Rel, Term, TrueP, Ty, Var, alpha_eq, free_vars,
)

MAX = 1024  # atoms, and what application arguments must be
APP = 1023  # an application; also the leading precedence of binders
NOT_ARG = 40
NEG = 75

# op -> (precedence, left operand precedence, right operand precedence)
BINARY: dict[str, tuple[int, int, int]] = {
    "+": (65, 65, 66), "-": (65, 65, 66),
    "*": (70, 70, 71), "/": (70, 70, 71), "%": (70, 70, 71),
    "^": (75, 76, 75),
    **{op: (50, 51, 51) for op in ("=", "≠", "<", "≤", ">", "≥", "∣")},
    "∧": (35, 36, 35), "∨": (30, 31, 30), "→": (25, 26, 25), "↔": (20, 21, 21),
}
_CONNECTIVE = {And: "∧", Or: "∨", Imp: "→", Iff: "↔"}
BINDER_PRED_OPS = (">", "≥", "<", "≤", "≠")


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
    return _pp(t, 0, True)


def _pp(t: Term, prec: int, last: bool) -> str:
    """`t` in a context needing precedence `prec`; `last` = nothing follows it there."""
    if _prec(t, last) < prec:
        return f"({_body(t, True)})"
    return _body(t, last)


def _prec(t: Term, last: bool) -> int:
    match t:
        case Var() | Const() | Lit() | TrueP() | FalseP() | Cast():
            return MAX
        case App(fn=Const(name="Nat.factorial")) | App(fn=Const(name="abs")):
            return MAX
        case App(fn=Const(name="Nat.ModEq")) | App(fn=Const(name="Int.ModEq")):
            return 50
        case App():
            return APP
        case Arith(op=op) | Rel(op=op):
            return BINARY[op][0]
        case Neg():
            return NEG
        case Not():
            return MAX if last else NOT_ARG
        case And() | Or() | Imp() | Iff():
            return BINARY[_CONNECTIVE[type(t)]][0]
        case Forall(name=n, body=b) if n not in free_vars(b) and _pred(t) is None:
            return BINARY["→"][0]
        case Forall() | Exists():
            return APP if last else -1
    raise TypeError(f"cannot print {t!r}")


def _body(t: Term, last: bool) -> str:
    match t:
        case Var(name=n) | Const(name=n):
            return n
        case Lit(value=v):
            return str(v)
        case TrueP():
            return "True"
        case FalseP():
            return "False"
        case Cast(arg=a):
            return "↑" + _pp(a, MAX, last)
        case Neg(arg=a):
            inner = _pp(a, NEG, last)
            return f"- {inner}" if inner.startswith("-") else f"-{inner}"
        case Not(arg=a):
            return "¬" + _pp(a, NOT_ARG, last)
        case Arith(op=op, lhs=a, rhs=b) | Rel(op=op, lhs=a, rhs=b):
            return _binary(op, a, b, last)
        case And() | Or() | Imp() | Iff():
            return _binary(_CONNECTIVE[type(t)], t.lhs, t.rhs, last)
        case App():
            return _app(t, last)
        case Forall() | Exists():
            return _binder(t, last)
    raise TypeError(f"cannot print {t!r}")


def _binary(op: str, a: Term, b: Term, last: bool) -> str:
    _, lp, rp = BINARY[op]
    return f"{_pp(a, lp, False)} {op} {_pp(b, rp, last)}"


def _app(t: App, last: bool) -> str:
    fn, args = t.fn, t.args
    if isinstance(fn, Const):
        if fn.name == "Nat.factorial" and len(args) == 1:
            inner = _pp(args[0], MAX, False)
            # `n!` would read as the identifier `n!`; Lean separates it
            return f"{inner} !" if isinstance(args[0], (Var, Const)) else f"{inner}!"
        if fn.name == "abs" and len(args) == 1:
            return f"|{_pp(args[0], 0, True)}|"
        if fn.name in ("Nat.ModEq", "Int.ModEq") and len(args) == 3:
            n, a, b = args
            kind = "MOD" if fn.name == "Nat.ModEq" else "ZMOD"
            return f"{_pp(a, 51, False)} ≡ {_pp(b, 51, False)} [{kind} {_pp(n, 0, True)}]"
    parts = [_pp(fn, MAX, False)] + [_pp(a, MAX, False) for a in args]
    return " ".join(parts)


def _pred(t: Term) -> tuple[str, Term, Term] | None:
    """`(op, bound, rest)` when `t` reads as `∀ x op e, rest` / `∃ x op e, rest`."""
    match t:
        case Forall(name=n, body=Imp(lhs=Rel(op=op, lhs=Var(name=v), rhs=e), rhs=rest)) \
                | Exists(name=n, body=And(lhs=Rel(op=op, lhs=Var(name=v), rhs=e), rhs=rest)):
            if v == n and op in BINDER_PRED_OPS and n not in free_vars(e):
                return op, e, rest
    return None


def _binder(t: Forall | Exists, last: bool) -> str:
    pred = _pred(t)
    sym = "∀" if isinstance(t, Forall) else "∃"
    if pred is not None:
        op, e, rest = pred
        return f"{sym} {t.name} {op} {_pp(e, 51, False)}, {_pp(rest, 0, True)}"
    if isinstance(t, Forall) and t.name not in free_vars(t.body):
        dom = pp_type(t.ty)
        if isinstance(t.ty, Arrow):
            dom = f"({dom})"
        return f"{dom} → {_pp(t.body, 25, last)}"
    binders = [(t.name, t.ty)]
    body = t.body
    while (
        type(body) is type(t) and _pred(body) is None
        and (isinstance(body, Exists) or body.name in free_vars(body.body))
    ):
        binders.append((body.name, body.ty))
        body = body.body
    if isinstance(t, Exists):
        return f"∃ {' '.join(name for name, _ in binders)}, {_pp(body, 0, True)}"
    # `∀ (a b : ℤ) (n : ℕ), P`: one bracket per run of the same type
    groups: list[tuple[list[str], Ty]] = []
    for name, ty in binders:
        if groups and groups[-1][1] == ty:
            groups[-1][0].append(name)
        else:
            groups.append(([name], ty))
    brackets = " ".join(f"({' '.join(names)} : {pp_type(ty)})" for names, ty in groups)
    return f"∀ {brackets}, {_pp(body, 0, True)}"


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
