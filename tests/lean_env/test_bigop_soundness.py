"""Soundness of `mini` on big operators and finite sets: nothing closes a false statement.

Random statements about `∑`/`∏`/`Finset.card` over `Finset.range`, `Finset.Icc/Ico/Ioc/Ioo`,
`Nat.divisors`, `Nat.properDivisors` and `Finset.filter`, closed or over a variable `n`, with
bodies that exercise Lean's ℕ semantics (truncated `-`, floor `/`, `%`). An oracle written here
(plain Python, nothing from `lean_env.mini`) decides them, by evaluation for closed ones and at
n = 0..7 for the others; every false one is attacked with the closers, the big-operator rules
(`Finset.sum_range_succ` in `rw`/`simp`/`norm_num`) and induction, up to two steps deep, and
neither a search step nor `verify` may close it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from lean_env.contract import TacticSuccess
from lean_env.mini import MiniEnv

STATEMENTS = 500
SEED = 14


@dataclass(frozen=True)
class Body:
    text: str  # over the bound variable `k`
    fn: Callable[[int], int]
    integer: bool = False  # needs ℤ elements (else ℕ semantics)


NAT_BODIES = [
    Body("k", lambda k: k), Body("k ^ 2", lambda k: k * k), Body("(2 * k + 1)", lambda k: 2 * k + 1),
    Body("k * (k + 1)", lambda k: k * (k + 1)), Body("(k - 2)", lambda k: max(k - 2, 0)),
    Body("k / 2", lambda k: k // 2), Body("k % 3", lambda k: k % 3), Body("3", lambda k: 3),
    Body("(k + 1)", lambda k: k + 1),
]
INT_BODIES = [Body("k", lambda k: k, True), Body("k ^ 2", lambda k: k * k, True),
              Body("(k - 1)", lambda k: k - 1, True), Body("(2 * k + 1)", lambda k: 2 * k + 1, True)]


def _divisors(n: int, proper: bool) -> list[int]:
    return [d for d in range(1, n + (0 if proper else 1)) if n % d == 0]


def finite_set(rng: random.Random, integer: bool) -> tuple[str, list[int]]:
    if integer:
        a, b = rng.randint(-4, 2), rng.randint(-1, 5)
        return f"Finset.Icc ({a} : ℤ) {b if b >= 0 else f'({b})'}", list(range(a, b + 1))
    kind = rng.randrange(7)
    a, b = rng.randint(0, 6), rng.randint(0, 14)
    match kind:
        case 0:
            return f"Finset.range {b}", list(range(b))
        case 1:
            return f"Finset.Icc {a} {b}", list(range(a, b + 1))
        case 2:
            return f"Finset.Ico {a} {b}", list(range(a, b))
        case 3:
            return f"Finset.Ioc {a} {b}", list(range(a + 1, b + 1))
        case 4:
            return f"Finset.Ioo {a} {b}", list(range(a + 1, b))
        case 5:
            n = rng.choice([0, 1, 6, 12, 28, 30, 36, 7])
            proper = rng.random() < 0.4
            return f"Nat.{'properDivisors' if proper else 'divisors'} {n}", _divisors(n, proper)
        case _:
            m, r = rng.randint(2, 4), rng.randint(0, 3)
            inner, elems = finite_set(rng, False)
            if inner.startswith("Finset.filter"):
                return inner, elems
            return f"Finset.filter (fun x => x % {m} = {r}) ({inner})", [x for x in elems if x % m == r]


def closed_statement(rng: random.Random) -> tuple[str, bool]:
    """`theorem t : <big operator fact>` and its truth."""
    integer = rng.random() < 0.2
    s, elems = finite_set(rng, integer)
    body = rng.choice(INT_BODIES if integer else NAT_BODIES)
    kind = rng.randrange(4)
    if kind == 0 and not integer:
        value, lhs = len(elems), f"Finset.card ({s})"
    elif kind == 1 and len(elems) <= 6:
        value, lhs = math.prod(body.fn(k) for k in elems), f"(∏ k ∈ {s}, {body.text})"
    else:
        value, lhs = sum(body.fn(k) for k in elems), f"(∑ k ∈ {s}, {body.text})"
    delta = rng.choice([0, 0, 1, -1, 2])
    claim = value + delta
    if rng.random() < 0.3 and not integer:
        m = rng.randint(2, 9)
        return f"theorem t : {lhs} % {m} = {claim % m}", (value % m) == (claim % m)
    if claim < 0 and not integer:
        claim = value + 1
    op = rng.choice(["=", "=", "≤", "<"])
    shown = str(claim) if claim >= 0 or not integer else f"({claim} : ℤ)"
    truth = {"=": value == claim, "≤": value <= claim, "<": value < claim}[op]
    return f"theorem t : {lhs} {op} {shown}", truth


# closed forms over `n`: (text of the sum, python value of the sum at n, the claimed rhs, its value)
FORMULAS: list[tuple[str, Callable[[int], int], str, Callable[[int], int]]] = [
    ("∑ k ∈ Finset.range n, (2 * k + 1)", lambda n: n * n, "n ^ 2", lambda n: n * n),
    ("2 * ∑ k ∈ Finset.range n, k", lambda n: n * (n - 1), "n * (n - 1)", lambda n: n * max(n - 1, 0)),
    ("∑ k ∈ Finset.range n, 2 ^ k", lambda n: 2**n - 1, "2 ^ n - 1", lambda n: 2**n - 1),
    ("∑ k ∈ Finset.range (n + 1), k", lambda n: n * (n + 1) // 2, "n * (n + 1) / 2", lambda n: n * (n + 1) // 2),
    ("∏ k ∈ Finset.range n, (k + 1)", lambda n: math.factorial(n), "n !", lambda n: math.factorial(n)),
    ("∑ k ∈ Finset.range n, (k - 1)", lambda n: sum(max(k - 1, 0) for k in range(n)), "(n - 1) * (n - 2) / 2",
     lambda n: max(n - 1, 0) * max(n - 2, 0) // 2),
]
EDITS = [("", lambda v, n: v), (" + 1", lambda v, n: v + 1), (" + n", lambda v, n: v + n)]


def open_statement(rng: random.Random) -> tuple[str, bool]:
    lhs, fl, rhs, fr = rng.choice(FORMULAS)
    edit, fe = rng.choice(EDITS)
    hyp = rng.choice(["", " (h : n ≤ 4)", " (h : 2 ≤ n)"])
    lo = 2 if "2 ≤" in hyp else 0
    hi = 4 if "≤ 4" in hyp else 7
    truth = all(fl(n) == fe(fr(n), n) for n in range(lo, hi + 1))
    return f"theorem t (n : ℕ){hyp} : {lhs} = {rhs}{edit}", truth


FIRST = ["decide", "rfl", "norm_num", "simp", "omega", "linarith", "nlinarith", "positivity", "ring_nf",
         "norm_num [Finset.sum_range_succ]", "simp [Finset.sum_range_succ, Finset.prod_range_succ]",
         "rw [Finset.sum_range_succ]", "rw [Finset.prod_range_succ]", "trivial",
         "induction n with\n| zero => simp\n| succ n ih =>\n  rw [Finset.sum_range_succ, ih]\n  ring",
         "induction n with\n| zero => simp\n| succ n ih =>\n  rw [Finset.sum_range_succ, ih]\n  ring_nf\n  omega",
         "induction n with\n| zero => rfl\n| succ n ih =>\n  rw [Finset.prod_range_succ, ih]\n  ring_nf",
         "interval_cases n <;> simp [Finset.sum_range_succ]", "interval_cases n <;> decide"]
SECOND = ["decide", "norm_num", "simp", "omega", "linarith", "ring", "ring_nf", "rfl",
          "norm_num [Finset.sum_range_succ]", "rw [Finset.sum_range_succ]"]


@dataclass
class Tally:
    statements: int = 0
    false: int = 0
    calls: int = 0
    closed_true: int = 0


def attack(env: MiniEnv, text: str, truth: bool, tally: Tally) -> None:
    state = env.start(text)
    closed = False
    for tac in FIRST:
        if "\n" in tac:  # a whole script: verify only (the search sends one tactic at a time)
            v = env.verify(text, tac)
            closed |= v.ok
            assert truth or not v.ok, f"SOUNDNESS BUG: verify accepted\n{text}\n{tac}\n{v.messages}"
            continue
        r = env.apply(state, tac, timeout=5)
        tally.calls += 1
        if not isinstance(r, TacticSuccess):
            continue
        if r.state.solved:
            closed = True
            assert truth, f"SOUNDNESS BUG: {tac!r} closed a false statement\n{text}"
            assert env.verify(text, tac).ok or "interval_cases" in tac
            continue
        for tac2 in SECOND:
            results = [env.apply(r.state, tac2, goal=i, timeout=5) for i in range(len(r.state.goals))]
            tally.calls += len(results)
            if all(isinstance(x, TacticSuccess) and x.state.solved for x in results):
                closed = True
                assert truth, f"SOUNDNESS BUG: {tac!r} then {tac2!r} closed a false statement\n{text}"
                if len(r.state.goals) == 1:
                    assert env.verify(text, f"{tac}\n{tac2}").ok
    tally.closed_true += closed and truth


def test_big_operators_never_close_a_false_statement(capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(SEED)
    env = MiniEnv()
    tally = Tally()
    for i in range(STATEMENTS):
        text, truth = (open_statement if i % 4 == 3 else closed_statement)(rng)
        tally.statements += 1
        tally.false += not truth
        attack(env, text, truth, tally)
    with capsys.disabled():
        print(f"\nbig operators: {tally.statements} statements, {tally.false} false, {tally.calls} tactic calls, "
              f"{tally.closed_true} true ones closed")
    assert tally.false >= STATEMENTS // 4
    assert tally.closed_true >= STATEMENTS // 5  # the attack is real: it closes true statements


def test_the_oracle_on_known_values() -> None:
    assert sum(range(101)) == 5050 and _divisors(12, False) == [1, 2, 3, 4, 6, 12] and _divisors(12, True)[-1] == 6
    assert all(f(n) == g(n) for _, f, _, g in FORMULAS[:2] for n in range(8))
