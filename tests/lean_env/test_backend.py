"""The `MiniEnv` contract: bad input, timeouts, handles, canonical goal text."""

from __future__ import annotations

import time

import pytest

from lean_env import open_env
from lean_env.contract import ProofEnv, StatementError, TacticError, TacticSuccess, TacticTimeout
from lean_env.mini import MiniEnv


@pytest.fixture(scope="module")
def env():
    return MiniEnv()


def test_implements_contract(env):
    assert isinstance(env, ProofEnv)
    assert isinstance(open_env("mini"), MiniEnv)
    with pytest.raises(ValueError, match="unknown backend"):
        open_env("coq")


@pytest.mark.parametrize(
    "statement, line, col",
    [
        ("theorem t (x : ℕ) : x + = 3 := by sorry", 1, 25),
        ("theorem t (x : ℕ)\n  (h : x < 3) :\n  x ≤ ) := by sorry", 3, 7),
        ("theorem t (x : ℕ) x = 3 := by sorry", 1, 19),
        ("theorem t (x : ℕ) : y = 3 := by sorry", 1, 21),
    ],
)
def test_malformed_statement_reports_line_and_column(env, statement, line, col):
    with pytest.raises(StatementError) as info:
        env.start(statement)
    assert (info.value.line, info.value.col) == (line, col), str(info.value)
    assert info.value.message


def test_unknown_state_and_goal_index_are_errors(env):
    state = env.start("theorem t (p : Prop) (hp : p) : p := by sorry")
    assert isinstance(env.apply(state, "exact hp", goal=3), TacticError)
    from lean_env.contract import ProofState

    bogus = ProofState(10**9, state.goals)
    r = env.apply(bogus, "exact hp")
    assert isinstance(r, TacticError) and "Unknown proof state" in r.message


def test_tactic_past_its_timeout_returns_timeout(env):
    # 250³ cases: each range within what `decide` unfolds, the whole far past the timeout
    state = env.start("theorem t : ∀ a < 250, ∀ b < 250, ∀ c < 250, a + b + c + 0 = c + b + a := by sorry")
    t0 = time.perf_counter()
    r = env.apply(state, "decide", timeout=0.3)
    took = time.perf_counter() - t0
    assert isinstance(r, TacticTimeout), r
    assert took < 3.0


def test_decide_refuses_what_lean_does_not_reduce(env):
    """Lean's `decide` unfolds one step per value of a bounded quantifier (past its default
    `maxRecDepth`, it gives up), and Mathlib's `Nat.Prime` instance does not reduce at all."""
    for statement in ("theorem t : ∀ n : ℕ, n < 100000000 → n + 0 = n", "theorem t : Nat.Prime 7"):
        r = env.apply(env.start(statement), "decide", timeout=5)
        assert isinstance(r, TacticError), (statement, r)
    ok = env.apply(env.start("theorem t : ∀ n : ℕ, n < 200 → n + 0 = n"), "decide", timeout=5)
    assert isinstance(ok, TacticSuccess) and ok.state.solved


def test_states_are_immutable_and_reusable(env):
    state = env.start("theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry")
    a = env.apply(state, "constructor")
    b = env.apply(state, "constructor")
    assert isinstance(a, TacticSuccess) and isinstance(b, TacticSuccess)
    assert a.state.handle != b.state.handle and a.goals == b.goals
    assert env.apply(a.state, "exact hq", goal=1).goals == ()
    assert env.apply(a.state, "exact hp", goal=0).goals == ()


def test_canonical_text_drops_case_tag_only(env):
    state = env.start("theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry")
    left = env.apply(state, "constructor").goals[0]
    assert left.text.startswith("case left\n")
    assert left.canonical == left.text.removeprefix("case left\n")


def test_statement_forms(env):
    for st in [
        "theorem t (x : ℕ) : x = x",
        "theorem t (x : ℕ) : x = x := by\n  rfl",
        "lemma t {x : ℤ} (h₀ : 0 < x) : x ≠ 0 := by sorry",
        "theorem t (f : ℤ → ℤ) (h : ∀ n ≥ 5, f n = n) : f 6 = 6 := by sorry",
    ]:
        assert env.start(st).goals


def test_proof_states_are_kept_in_two_generations() -> None:
    env = MiniEnv(max_states=4)  # generations of 2 states
    root = env.start("theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry")
    forgotten = env.apply(root, "constructor").state
    for _ in range(4):  # the root stays in use: moved back to the young generation each time
        assert isinstance(env.apply(root, "constructor"), TacticSuccess)
    old = env.apply(forgotten, "exact hp")  # unused for a whole generation: gone
    assert isinstance(old, TacticError) and "unknown proof state" in old.message.lower()
    assert len(env._states) + len(env._old) <= 4


def test_statement_error_leaves_a_with_block_and_pickles() -> None:
    import contextlib
    import pickle

    @contextlib.contextmanager
    def scope():
        yield

    with pytest.raises(StatementError) as info:
        with scope():
            raise StatementError("bad", 1, 2, source="theorem t : 1 = 1")
    assert info.value.__traceback__ is not None
    again = pickle.loads(pickle.dumps(info.value))
    assert again == info.value and str(again) == "1:2: bad" and again.source == "theorem t : 1 = 1"
