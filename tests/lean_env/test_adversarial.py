"""Adversarial soundness tests of `mini`'s trusted core (names, capture, primality, headers).

The property test runs the families of `adversarial_gen` (false statements with scripts aimed
at the holes a verifier with names for identities has, each certified false by an oracle that
shares nothing with `mini`) over `CASES` seeds, spread over two processes where the machine has
them. No script may be accepted, and none may reach the cross-check (that would be a tactic's
hole caught at the last line, a fault). The regression tests are the cases once found.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from lean_env.contract import StatementError, TacticSuccess
from lean_env.mini import MiniEnv

try:
    from . import adversarial_gen as ag
except ImportError:
    import adversarial_gen as ag

CASES = 16_000  # with the 5,000 of test_soundness.py: over 20,000 generated statements


def test_adversarial_families_find_no_hole(capsys: pytest.CaptureFixture[str]) -> None:
    t0 = time.perf_counter()
    workers = min(2, os.cpu_count() or 1)
    chunks = [range(k, CASES, workers) for k in range(workers)]
    tally = ag.Tally()
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for part in pool.map(ag.run_cases, chunks):
                tally.add(part)
    else:
        for chunk in chunks:
            tally.add(ag.run_cases(chunk))
    with capsys.disabled():
        print(f"\nadversarial: {tally.cases} statements, {tally.scripts} scripts verified, "
              f"{len(tally.holes)} accepted, {tally.faults} faults, {time.perf_counter() - t0:.0f} s")
    assert tally.cases == CASES
    assert not tally.uncertified, tally.uncertified[:3]
    assert not tally.holes, "SOUNDNESS BUG(s):\n\n" + "\n\n".join(tally.holes[:5])
    assert tally.faults == 0


def test_every_family_certifies_its_statements_and_has_scripts() -> None:
    seen = set()
    for seed in range(4 * len(ag.FAMILIES)):
        c = ag.case(seed)
        seen.add(c.family)
        assert c.scripts, c.family
        assert c.true_statement or c.certified_false(), c.statement
    assert len(seen) == len(ag.FAMILIES)


# ---------------------------------------------------------------- regressions (issue 12)

FALSE_PROOFS = [
    ("theorem t (x : ℕ) (h : x = 1) (x : ℕ) : x = 1", "exact h"),
    ("theorem t (x : ℕ) (h : ∃ y : ℕ, y = x + 1) : False", "cases' h with x hx\nomega"),
    ("theorem t (n k : ℕ) : n = 0 ∨ n = k + 1", "induction n with\n| zero => omega\n| succ k ih => omega"),
    ("theorem t (n k : ℕ) : n = 0 ∨ n = k + 1", "induction n with | zero => omega | succ k ih => omega"),
    ("theorem t (k : ℕ) (h : k = 5) : False", "obtain ⟨k, hk⟩ : ∃ k : ℕ, k = 0 := ⟨0, by omega⟩\nomega"),
    ("theorem t (x : ℕ) (hx : x = 1) (h : ∀ y : ℕ, (∃ x : ℕ, x + x = y) ↔ y % 2 = 0) : ∃ x : ℕ, x + x = x * 3 + 1",
     "simp [*]"),
    ("theorem t (x : ℕ) (hx : x = 1) (h : ∀ y : ℕ, (∃ x : ℕ, x + x = y) ↔ y % 2 = 0) : ∃ x : ℕ, x + x = x * 3 + 1",
     "simp [hx, h]"),
    ("theorem t : Nat.Prime 318665857834031151167461", "decide"),
    ("theorem t : Nat.Prime 318665857834031151167461", "norm_num"),
    ("theorem t : Nat.Prime 318665857834031151167461", "trivial"),
    ("theorem t (x : ℕ) (h : x = 1) : ∀ x : ℕ, x = 1", "have x : x = 1 := h\nintro x\nexact x"),
    ("theorem t (x : ℕ) (h : x = 1) : ∀ x : ℕ, x = 1", "exact fun x => h"),
    # locals named like the logical constants (found by a review of the new core)
    ("theorem t (False : Prop) (h : False) : 1 = 2", "contradiction"),
    ("theorem t (p : Prop) (False : Prop) (h : False) : p", "exact False.elim h"),
    ("theorem t : ∀ (False : Prop), False → (1:ℕ) = 2", "intro F h\ncontradiction"),
    ("theorem t (x : ℕ) (True : Prop) (h : True → x = 1) : x = 1", "exact h trivial"),
    ("theorem t (True : Prop) : True", "trivial"),
]


@pytest.mark.parametrize(("statement", "proof"), FALSE_PROOFS)
def test_the_false_proofs_once_accepted_are_rejected(statement: str, proof: str) -> None:
    env = MiniEnv()
    v = env.verify(statement, proof)
    assert not v.ok and v.fault is None, v
    assert env.faults == 0


@pytest.mark.parametrize(("statement", "script"), [
    ("theorem t (p : Prop) : p ∨ ¬ p", "have h := sq_nonneg p"),
    ("theorem t (x : ℕ) : x = x", "have h := le_refl (x = 1)"),
    ("theorem t (p : Prop) : p ∨ ¬ p", "have h := mul_comm p p"),
])
def test_the_lemma_table_takes_numbers_only(statement: str, script: str) -> None:
    env = MiniEnv()
    r = env.apply(env.start(statement), script)
    assert not isinstance(r, TacticSuccess) and "failed to synthesize" in r.message
    assert env.faults == 0  # refused by the lemma, not caught by the transition checker


def test_a_local_named_like_a_type_is_refused() -> None:
    env = MiniEnv()
    with pytest.raises(StatementError, match="named like a type"):
        env.start("theorem t (Nat : Prop) (h : Nat) : 1 = 2")
    r = env.apply(env.start("theorem t : ∀ x : ℕ, x = x"), "intro ℕ")
    assert not isinstance(r, TacticSuccess)


def test_norm_num_does_not_refute_a_true_non_primality() -> None:
    env = MiniEnv()
    state = env.start("theorem t : ¬ Nat.Prime 318665857834031151167461")  # 399165290221 × 798330580441
    r = env.apply(state, "norm_num")
    assert not (isinstance(r, TacticSuccess) and r.state.goals and "False" in r.state.goals[0].text)


@pytest.mark.parametrize("declaration", [
    "def Prime (n : ℕ) : Prop := n = 4", "abbrev Prime (n : ℕ) : Prop := n = 4", "notation \"P\" => 4",
    "instance : Inhabited ℕ := ⟨4⟩", "structure S where\n  a : ℕ", "inductive T | a", "axiom ax : False",
    "local macro \"m\" : term => `(4)", "theorem sq_nonneg (x : ℕ) : x = 0 := sorry",
])
def test_a_header_that_changes_the_statement_is_refused(declaration: str) -> None:
    header = f"import Mathlib\nnamespace Foo\n{declaration}\n"
    env = MiniEnv()
    with pytest.raises(StatementError, match="mini cannot interpret the header"):
        env.start("theorem t : Prime 2", header=header)
    assert not env.verify("theorem t : Nat.Prime 2", "norm_num", header=header).ok


def test_a_header_of_opens_variables_and_lemmas_is_fine() -> None:
    header = "import Mathlib\nopen Nat Real\nnamespace Foo\nvariable (x : ℕ)\nlemma helper : 1 = 1 := rfl\n"
    env = MiniEnv()
    assert env.verify("theorem t : Nat.Prime 2", "norm_num", header=header).ok


def test_a_goal_with_shadowed_locals_prints_as_lean_does() -> None:
    env = MiniEnv()
    state = env.start("theorem t (x : ℕ) (h : x = 1) (x : ℕ) (h : x = 2) : x = 2")
    assert state.goals[0].text == "x✝ : ℕ\nh✝ : x✝ = 1\nx : ℕ\nh : x = 2\n⊢ x = 2"
    r = env.apply(state, "cases' h with y")  # not an inductive: an error, the goal untouched
    assert not isinstance(r, TacticSuccess) or r.state.goals
    r = env.apply(env.start("theorem t (k : ℕ) : ∀ k : ℕ, k = k"), "intro")
    assert isinstance(r, TacticSuccess) and r.state.goals[0].text == "k k✝ : ℕ\n⊢ k✝ = k✝"
    r = env.apply(env.start("theorem t (x : ℕ) (h : ∃ y : ℕ, y = x + 1) : False"), "cases' h with x hx")
    assert isinstance(r, TacticSuccess) and r.state.goals[0].canonical == "x✝ x : ℕ\nhx : x = x✝ + 1\n⊢ False"
    r = env.apply(env.start("theorem t (x : ℕ) : ∀ y : ℕ, y = x"), "intro x")
    assert isinstance(r, TacticSuccess) and r.state.goals[0].text == "x✝ x : ℕ\n⊢ x = x✝"


@pytest.mark.parametrize("tactic", ["rw [h₂] at h₁", "simp [h₂] at h₁", "norm_num [h₂] at h₁", "simp [h₂] at *"])
def test_a_rewritten_hypothesis_moves_after_the_variables_it_now_mentions(tactic: str) -> None:
    """Lean's `replaceLocalDecl`: `h₁ : x > 0` rewritten by `h₂ : x = n` mentions `n`, declared
    after it, so it moves after `n` (before, the transition checker caught a dangling reference)."""
    env = MiniEnv()
    r = env.apply(env.start("theorem t (x : ℕ) (h₁ : x > 0) (r : ℝ) (n : ℕ) (hr : r = n) (h₂ : x = n) : n > 0"), tactic)
    assert isinstance(r, TacticSuccess) and env.faults == 0
    lines = r.state.goals[0].text.split("\n")
    assert lines.index("x : ℕ") < lines.index("n : ℕ") < next(i for i, ln in enumerate(lines) if ln.startswith("h₁ :"))
    assert "h₂ : x = n" in lines or tactic.endswith("*")  # a hypothesis is never simplified by itself
