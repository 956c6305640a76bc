"""The `repl` backend on a live Lean (issue 5): three small theorems proved end to end (one
with two goals addressed separately, one with coupled goals) and verified, and `sorry`,
`native_decide` and an unknown axiom refused. Core Lean only: no Mathlib needed.

Marked `lean`: skipped without `lake`/`lean` on PATH (tests/conftest.py), and skipped with the
setup's own message when Lean is there but `leanzero setup-lean` has not built the REPL.
"""

from __future__ import annotations

import pytest

from lean_env.contract import StatementError, TacticError, TacticSuccess

pytestmark = pytest.mark.lean

AND = "theorem lz_and (p q : Prop) (hp : p) (hq : q) : p ∧ q"
ADD = "theorem lz_add (n : Nat) : n + 0 = n"
EXISTS = "theorem lz_exists : ∃ x : Nat, x + 2 = 5"


@pytest.fixture(scope="module")
def env():
    pytest.importorskip("lean_interact")
    from lean_env import open_env

    try:
        lean = open_env("repl")
    except ValueError as e:
        pytest.skip(str(e))
    yield lean
    lean.close()


def test_two_goals_each_proved_on_its_own(env) -> None:
    root = env.start(AND + " := by sorry")
    assert [g.text for g in root.goals] == ["p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q"]
    split = env.apply(root, "constructor")
    assert isinstance(split, TacticSuccess), split
    assert [g.case for g in split.goals] == ["left", "right"]
    assert [g.canonical.rsplit("\n", 1)[-1] for g in split.goals] == ["⊢ p", "⊢ q"]
    second = env.apply(split.state, "exact hq", goal=1)  # the second goal first
    assert isinstance(second, TacticSuccess) and second.state.solved, second
    assert isinstance(env.apply(split.state, "exact hq", goal=0), TacticError)  # goal 0 is `p`
    first = env.apply(split.state, "exact hp", goal=0)
    assert isinstance(first, TacticSuccess) and first.state.solved, first
    verdict = env.verify(AND, "constructor\n· exact hp\n· exact hq")
    assert verdict.ok, verdict


def test_one_step_proof_and_a_failing_tactic(env) -> None:
    root = env.start(ADD)
    failed = env.apply(root, "exact Nat.succ_ne_zero n")
    assert isinstance(failed, TacticError) and failed.message, failed
    done = env.apply(root, "rfl")
    assert isinstance(done, TacticSuccess) and done.state.solved, done
    assert env.verify(ADD, "rfl").ok
    assert not env.verify(ADD, "exact Nat.succ_ne_zero n").ok
    with pytest.raises(StatementError):
        env.start("theorem lz_bad : Nat.lz_undefined = 1")  # dotted: never auto-bound


def test_coupled_goals_share_a_metavariable(env) -> None:
    root = env.start(EXISTS)
    split = env.apply(root, "refine ⟨?_, ?_⟩")
    assert isinstance(split, TacticSuccess), split
    witness, claim = split.goals
    assert witness.canonical == "⊢ Nat" and "?w" in claim.text, split.goals
    assert witness.mvars == claim.mvars == frozenset({"?w"})
    solved_w = env.apply(split.state, "exact 3", goal=0, with_goals=(1,))
    assert isinstance(solved_w, TacticSuccess), solved_w
    assert [g.canonical for g in solved_w.goals] == ["⊢ 3 + 2 = 5"]
    done = env.apply(solved_w.state, "rfl")
    assert isinstance(done, TacticSuccess) and done.state.solved, done
    assert env.verify(EXISTS, "refine ⟨?_, ?_⟩\nexact 3\nrfl").ok
    assert env.verify("theorem lz_em (p : Prop) : p ∨ ¬p", "exact Classical.em p").ok  # the standard axioms


def test_sorry_native_decide_and_unknown_axioms_are_refused(env) -> None:
    root = env.start(ADD)
    for tactic in ("sorry", "native_decide"):
        refused = env.apply(root, tactic)
        assert isinstance(refused, TacticError) and refused.message.startswith("refused"), refused
    assert not env.verify(ADD, "sorry").ok
    assert not env.verify("theorem lz_dec : 10 < 20", "native_decide").ok
    cheat = env.verify("theorem lz_ax : (1 : Nat) = 2", "exact False.elim lz_cheat", header="axiom lz_cheat : False")
    assert not cheat.ok and any("lz_cheat" in m for m in cheat.messages), cheat
    # a sorry Lean-side, out of the filter's sight: `#print axioms` still sees `sorryAx`
    sorried = env.verify(
        "theorem lz_uses : (1 : Nat) = 2", "exact lz_sorried", header="theorem lz_sorried : (1 : Nat) = 2 := sorry"
    )
    assert not sorried.ok and any("sorryAx" in m for m in sorried.messages), sorried
    unsolved = env.verify(AND, "constructor\n· exact hp")
    assert not unsolved.ok and any("unsolved goals" in m for m in unsolved.messages), unsolved
