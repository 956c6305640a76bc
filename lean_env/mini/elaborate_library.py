"""The part of Lean/Mathlib's library the elaborator knows: type names and constant signatures.

A `Signature` lists argument types and the result; it may be generic over one type `α`
(`ALPHA`), which is fixed the way Lean's unifier would fix it on these constants: by a
`Finset α`/`Set α` argument (elaborated first), else by the numeric `α` arguments taken as one
`binop%` tree, else by the binder of a predicate argument (`fun x => P`, `{x | P}`).

Types beyond ℕ/ℤ/Prop (ℚ, ℝ, `Finset α`, `Set α`) are parsed, printed and handled by
structural tactics only; `terms.in_fragment` keeps them from the decision procedures.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ParseError
from .syntax import SApp, SBinOp, SIdent, Syn
from .terms import INT, NAT, PROP, RAT, REAL, Arrow, Base, Ty, finset_of

# ---------------------------------------------------------------- types

TYPE_NAMES: dict[str, Ty] = {
    "ℕ": NAT, "Nat": NAT, "ℤ": INT, "Int": INT, "ℚ": RAT, "Rat": RAT, "ℝ": REAL, "Real": REAL,
    "Prop": PROP,
}
# ℕ < ℤ < ℚ < ℝ: `binop%` elaborates a tree at its maximal leaf type, casting the others up.
NUM_RANK: dict[Ty, int] = {NAT: 0, INT: 1, RAT: 2, REAL: 3}
ALL_NUM = (NAT, INT, RAT, REAL)
FIELD_TYS = (RAT, REAL)
# Names that denote types we cannot hold: binders with them are variables, not hypotheses.
OTHER_TYPE_NAMES = frozenset(
    "ℂ Complex Type Bool String Finset Set Fin ZMod Polynomial List Multiset "
    "EReal NNReal ENNReal PNat ℕ+ Matrix Equiv Function".split()
)
CONTAINERS = ("Finset", "Set")


def type_named(name: str) -> bool:
    """Whether a local named `name` would read as a type in mini (`ℕ`, `Nat`, `Finset`, ...):
    Lean lets a local shadow one, mini's elaborator reads types without a scope, so it refuses
    such a name rather than mean two things by it."""
    return name in TYPE_NAMES or name in OTHER_TYPE_NAMES


def set_of(elem: Ty) -> Base:
    """`Set α`, a base type by name like `finset_of`."""
    return Base(f"Set {elem}")


def container(ty: Ty) -> tuple[str, Ty] | None:
    """`("Finset", α)` / `("Set", α)` for `Finset α` / `Set α`, else None."""
    if isinstance(ty, Base):
        head, _, rest = ty.name.partition(" ")
        if head in CONTAINERS and rest in TYPE_NAMES:
            return head, TYPE_NAMES[rest]
    return None


def rank(ty: Ty) -> int:
    return NUM_RANK[ty]


def _fail(msg: str, syn: Syn | None = None) -> ParseError:
    line, col = getattr(syn, "pos", (0, 0)) if syn is not None else (0, 0)
    return ParseError(msg, line, col)


def elaborate_type(syn: Syn) -> Ty:
    """`ℕ ℤ ℚ ℝ Prop` (and their long names), `Finset α`, `Set α`, and arrows between them."""
    match syn:
        case SIdent(name=name) if name in TYPE_NAMES:
            return TYPE_NAMES[name]
        case SBinOp(op="→", lhs=a, rhs=b):
            return Arrow(elaborate_type(a), elaborate_type(b))
        case SApp(fn=SIdent(name=name), args=(arg,)) if name in CONTAINERS:
            elem = elaborate_type(arg)
            if elem not in NUM_RANK:
                raise _fail(f"unsupported type '{name} {elem}'", syn)
            return finset_of(elem) if name == "Finset" else set_of(elem)
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


# ---------------------------------------------------------------- signatures

ALPHA = "α"  # a type parameter, fixed by the arguments or the expected type
FINSET_A = "Finset α"
SET_A = "Set α"
PRED_A = "α → Prop"
Slot = Ty | str


@dataclass(frozen=True, slots=True)
class Signature:
    """A library constant: argument types and result, possibly over one `α` in `alpha_ok`."""

    args: tuple[Slot, ...]
    result: Slot
    alpha_ok: tuple[Ty, ...] = (NAT, INT)

    def instantiate(self, alpha: Ty) -> tuple[list[Ty], Ty]:
        return [_inst(a, alpha) for a in self.args], _inst(self.result, alpha)

    @property
    def generic(self) -> bool:
        return any(isinstance(s, str) for s in (*self.args, self.result))


def _inst(slot: Slot, alpha: Ty) -> Ty:
    match slot:
        case "α":
            return alpha
        case "Finset α":
            return finset_of(alpha)
        case "Set α":
            return set_of(alpha)
        case "α → Prop":
            return Arrow(alpha, PROP)
    assert not isinstance(slot, str), slot
    return slot


def _real_fn(arity: int = 1) -> Signature:
    return Signature((REAL,) * arity, REAL)


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
    "abs": Signature((ALPHA,), ALPHA, alpha_ok=(INT, RAT, REAL)),
    "Even": Signature((ALPHA,), PROP),
    "Odd": Signature((ALPHA,), PROP),
    "min": Signature((ALPHA, ALPHA), ALPHA, alpha_ok=ALL_NUM),
    "max": Signature((ALPHA, ALPHA), ALPHA, alpha_ok=ALL_NUM),
    # ℚ and ℝ
    "Rat.num": Signature((RAT,), INT),
    "Rat.den": Signature((RAT,), NAT),
    "Real.sqrt": _real_fn(),
    "Real.log": _real_fn(),
    "Real.logb": _real_fn(2),  # base first
    "Real.exp": _real_fn(),
    "Real.sin": _real_fn(),
    "Real.cos": _real_fn(),
    "Real.tan": _real_fn(),
    "Real.pi": Signature((), REAL),
    "Irrational": Signature((REAL,), PROP),
    "Int.floor": Signature((ALPHA,), INT, alpha_ok=FIELD_TYS),
    "Int.ceil": Signature((ALPHA,), INT, alpha_ok=FIELD_TYS),
    "Int.fract": Signature((ALPHA,), ALPHA, alpha_ok=FIELD_TYS),
    "Nat.floor": Signature((ALPHA,), NAT, alpha_ok=FIELD_TYS),
    "Nat.ceil": Signature((ALPHA,), NAT, alpha_ok=FIELD_TYS),
    "Inv.inv": Signature((ALPHA,), ALPHA, alpha_ok=FIELD_TYS),  # `x⁻¹`
    # finsets and sets
    "Finset.range": Signature((NAT,), finset_of(NAT)),
    "Finset.Icc": Signature((ALPHA, ALPHA), FINSET_A),
    "Finset.Ico": Signature((ALPHA, ALPHA), FINSET_A),
    "Finset.Ioc": Signature((ALPHA, ALPHA), FINSET_A),
    "Finset.Ioo": Signature((ALPHA, ALPHA), FINSET_A),
    "Nat.divisors": Signature((NAT,), finset_of(NAT)),
    "Nat.properDivisors": Signature((NAT,), finset_of(NAT)),
    "Nat.primeFactors": Signature((NAT,), finset_of(NAT)),
    "Finset.card": Signature((FINSET_A,), NAT, alpha_ok=ALL_NUM),
    "Finset.filter": Signature((PRED_A, FINSET_A), FINSET_A, alpha_ok=ALL_NUM),
    "setOf": Signature((PRED_A,), SET_A, alpha_ok=ALL_NUM),
    "IsLeast": Signature((SET_A, ALPHA), PROP, alpha_ok=ALL_NUM),
    "IsGreatest": Signature((SET_A, ALPHA), PROP, alpha_ok=ALL_NUM),
    "ExistsUnique": Signature((PRED_A,), PROP, alpha_ok=ALL_NUM),
}
# Constants whose arguments need their own treatment (see `_Elaborator.library_app`).
SPECIAL_CONSTANTS = frozenset(("Finset.sum", "Finset.prod", "Function.Injective"))
BIG_OPS = {"Finset.sum": "∑", "Finset.prod": "∏"}
MEMBERSHIP = "Membership.mem"  # `a ∈ s` is App(Const(MEMBERSHIP, α → S → Prop), (a, s))

# Other spellings of the same constants (Mathlib's `open Nat Real`).
ALIASES: dict[str, str] = {
    "factorial": "Nat.factorial",
    "choose": "Nat.choose",
    "Prime": "Nat.Prime",
    "succ": "Nat.succ",
    "ModEq": "Nat.ModEq",
    "π": "Real.pi",
    "Set.setOf": "setOf",
}
# The namespace field notation looks in, by the receiver's type (`n.succ`, `s.card`, `q.den`).
NAMESPACES: dict[Ty, str] = {NAT: "Nat", INT: "Int", RAT: "Rat", REAL: "Real"}


def constant_name(name: str) -> str | None:
    """The canonical constant a name refers to, or None."""
    if name in KNOWN_CONSTANTS or name in SPECIAL_CONSTANTS:
        return name
    return ALIASES.get(name)


def field_constant(receiver: Ty, fld: str) -> str | None:
    """The constant `x.fld` denotes for `x : receiver`, as Lean's generalized field notation."""
    cont = container(receiver)
    ns = cont[0] if cont else NAMESPACES.get(receiver)
    if ns is None:
        return None
    return constant_name(f"{ns}.{fld}")


def result_slot(cname: str) -> Slot | None:
    """The declared result of a constant (None for the special ones)."""
    sig = KNOWN_CONSTANTS.get(cname)
    return sig.result if sig else None
