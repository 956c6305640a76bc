"""The tactic safety filter refuses everything in docs/safety.md and nothing ordinary."""

from __future__ import annotations

import pytest

from lean_env.contract import TacticError
from lean_env.mini import MiniEnv
from lean_env.safety import is_safe, refusal

REFUSED = [
    "sorry", "admit", "exact sorry", "native_decide", "decide +native", "exact Lean.ofReduceBool _",
    "run_tac pure ()", "#eval 1", "set_option maxHeartbeats 0 in omega", "unsafe omega",
    "exact (implemented_by)", "extern", "axiom foo : False", "exact IO.println", "theorem x : True := trivial",
    "open Nat in omega", "@[simp] theorem", "omega; simp", "omega\nsimp", "· omega", "case h => omega",
    "simp -- comment", "/- x -/ simp", 'exact "s"', "exact Lean.Elab.foo", "exact (sorryAx False)",
    "attribute [simp] foo", "simp [h]; sorry", "",
]
ALLOWED = [
    "omega", "simp", "norm_num [h₀] at h₁", "nlinarith [sq_nonneg (a - b), mul_pos ha hb]",
    "rcases h with ⟨x, hx⟩ | h'", "induction n with | zero => simp | succ k ih => omega",
    "have h : 0 < x := by omega", "constructor <;> linarith", "try simp", "(simp; omega)",
    "exact h.1", "decide", "exact?", "intro x hx", "use 3", "rw [← h₀] at h₁",
    "exact fun x => x", "simp only [insert_def]",
]


@pytest.mark.parametrize("tactic", REFUSED)
def test_refused(tactic):
    assert refusal(tactic) is not None


@pytest.mark.parametrize("tactic", ALLOWED)
def test_allowed(tactic):
    assert is_safe(tactic), refusal(tactic)


def test_backend_returns_refusal_as_error_result():
    env = MiniEnv()
    state = env.start("theorem t (p : Prop) (hp : p) : p := by sorry")
    r = env.apply(state, "sorry")
    assert isinstance(r, TacticError) and r.message.startswith("refused")


def test_verify_refuses_unsafe_tactics_anywhere_in_script():
    env = MiniEnv()
    st = "theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry"
    assert env.verify(st, "constructor\n· exact hp\n· exact hq").ok
    for bad in ["constructor\n· exact hp\n· sorry", "constructor\n· exact hp\n· native_decide",
                "have h : q := by\n  sorry\nexact ⟨hp, h⟩", "exact ⟨hp, sorry⟩"]:
        v = env.verify(st, bad)
        assert not v.ok and "refused" in v.messages[0], (bad, v)
