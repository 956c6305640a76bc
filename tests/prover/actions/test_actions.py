"""The tactic action space: each family on hand-written goals in Lean's printing, the config
(families, cap, priority), determinism, and the acceptance check that every candidate on every
goal a search reaches parses in `mini`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_env.contract import (
    GoalView,
    ProofState,
    StatementError,
    TacticResult,
    TacticSuccess,
)
from lean_env.mini import MiniEnv
from lean_env.mini.errors import ParseError
from lean_env.mini.tactic_parser import parse_tactic
from lean_env.safety import refusal
from prover.actions import (
    CLOSER_ORDER,
    DEFAULT,
    ActionConfig,
    ActionSpace,
    Family,
    Tier,
    candidates,
    goaltext,
    ranked,
)
from search.bestfirst import SearchConfig, best_first_search
from search.evaluator import Candidates
from selfplay.generator import EASY, HARD, MEDIUM, generate

ROOT = Path(__file__).resolve().parents[3]
MINIF2F = ROOT / ".." / "shared" / "minif2f"
EVERYTHING = ActionConfig(limit=100_000, families=frozenset(Family))


def cands(text: str, config: ActionConfig = DEFAULT) -> list[str]:
    return candidates(GoalView(text, text), config)


def only(*families: Family, limit: int = 100_000) -> ActionConfig:
    return ActionConfig(families=frozenset(families), limit=limit)


# ---------------------------------------------------------------- structural


def test_the_demo_goal() -> None:
    out = cands("x : ℕ\nh₀ : 0 < x\n⊢ x ≠ 0")
    assert {"positivity", "omega", "linarith", "norm_num", "intro h"} <= set(out)
    assert "decide" not in out and "ring" not in out  # a free variable; no equation


def test_introductions_name_binders_and_premises_freshly() -> None:
    assert cands("x : ℕ\n⊢ ∀ (x y : ℕ), x + y = y + x")[0] == "intro x₁ y"
    assert cands("⊢ ∀ n > 0, n ≠ 7")[0] == "intro n h"
    out = cands("h : p\n⊢ p → q → ¬r")
    assert out[:2] == ["intro h₁ h₂ h₃", "intro h₁"]
    assert cands("⊢ ∀ (x : ℕ), 0 < x → ∃ y, y < x")[:2] == ["intro x h", "intro x"]
    assert cands("⊢ ¬(p ∧ q)")[0] == "intro h"


def test_splitting_targets() -> None:
    out = cands("p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q")
    assert out[:2] == ["exact ⟨hp, hq⟩", "constructor"]
    assert cands("⊢ p ↔ q")[0] == "constructor"
    assert cands("⊢ p ∨ q")[:2] == ["left", "right"]


def test_exact_with_hypotheses_their_parts_and_implications() -> None:
    assert cands("p : Prop\nhp : p\n⊢ p")[0] == "exact hp"
    out = cands("h : a ∧ (b ∨ c) ∧ d\n⊢ b ∨ c")
    assert "exact h.2.1" in out and "exact h.1" not in out
    assert "exact h.2.2" in cands("h : a ∧ b ∧ d\n⊢ d")
    out = cands("p q : Prop\nh : p ↔ q\nhq : q\n⊢ p")
    assert out[:2] == ["exact h.2 hq", "apply h.2"]
    out = cands("h : p → q\nhp : p\n⊢ q")
    assert out[:2] == ["exact h hp", "apply h"]
    assert "exact h hp" in cands("h : ¬p\nhp : p\n⊢ False")
    assert "contradiction" in cands("h : ¬p\nhp : p\n⊢ q")


def test_apply_and_exact_with_quantified_hypotheses() -> None:
    f = "f : ℕ → ℕ\n"
    assert "exact h 3" in cands(f + "h : ∀ (n : ℕ), f n > 0\n⊢ f 3 > 0")
    assert "exact h (n + 1) 2" in cands(f + "n : ℕ\nh : ∀ (a b : ℕ), f a ≤ f a * b\n⊢ f (n + 1) ≤ f (n + 1) * 2")
    assert "apply h" in cands(f + "h : ∀ (n : ℕ), 0 < n → f n = 1\n⊢ f 3 = 1")
    assert not any(t.startswith(("apply", "exact h")) for t in cands(f + "h : ∀ (n : ℕ), f n > 0\n⊢ f 3 = 0"))


def test_case_analysis_on_hypotheses_never_names_inaccessible_ones() -> None:
    text = "h : p ∨ q ∨ r\nh₁ : ∃ n m, n < m\nh₂ : ∃ n > 3, q\nhab : a ∧ b ∧ c\nx✝ : c ∧ d\nhi : p ↔ q\n⊢ r"
    out = cands(text, EVERYTHING)
    assert "rcases h with ha | hb | hc" in out
    assert "rcases h₁ with ⟨n, m, h₃⟩" in out
    assert "rcases h₂ with ⟨n, h₃, h₄⟩" in out
    assert "rcases hab with ⟨ha, hb, hc⟩" in out
    assert "rcases hi with ⟨hab₁, hba⟩" in out
    assert not any("✝" in t for t in out)
    assert out.index("rcases h with ha | hb | hc") < out.index("norm_num") < out.index("rcases hab with ⟨ha, hb, hc⟩")


def test_witnesses_found_by_evaluating_the_body() -> None:
    assert cands("⊢ ∃ x, 3 * x + 5 = 8")[0] == "use 1"
    assert cands("⊢ ∃ x y, x + y = 6 ∧ x = y + 4")[0] == "use 5, 1"
    assert cands("⊢ ∃ x, 5 = 2 * x + 9 ∧ x < 1")[0] == "use -2"
    assert cands("⊢ ∃ x > 3, x * x = 25")[0] == "use 5"
    assert cands("⊢ ∃ x, 87 = 4 * x + 7")[0] == "use 20"
    # no closed arithmetic to evaluate: numerals and variables in sight
    uses = [t for t in cands("f : ℕ → ℕ\nk : ℕ\nh : f 7 = k\n⊢ ∃ n, f n = k") if t.startswith("use")]
    assert uses == ["use 0", "use 1", "use 7", "use k"]


def test_specialize_reads_arguments_off_the_target() -> None:
    text = "s : ℕ → ℕ → ℕ\nh₀ : ∀ (a b : ℕ), 0 < a ∧ 0 < b → s a b = a ^ b + b ^ a\n⊢ s 2 6 = 100"
    assert "specialize h₀ 2 6" in cands(text)
    text = "x : ℕ → ℤ\nh₀ : x 1 = 211\nh₆ : ∀ n ≥ 5, x n = x (n - 1) - x (n - 2)\n⊢ x 531 + x 753 = 898"
    out = cands(text)
    assert "specialize h₆ 531" in out and "specialize h₆ 753" in out


def test_induction_and_case_splits() -> None:
    out = cands("n m : ℕ\nz : ℤ\np : Prop\nh : p → n = 0\n⊢ n + m = m + n")
    assert "induction' n with n ih" in out and "induction' m with m ih" in out
    assert not any(t.startswith("induction' z") for t in out)
    assert "by_cases h₁ : p" in out
    assert "exfalso" in out and "exfalso" not in cands("h : p\n⊢ False")


# ---------------------------------------------------------------- rewriting, closers, hints


def test_rewriting_with_equations_in_context() -> None:
    text = "x y : ℕ\nf : ℕ → ℕ\nh : x = y + 1\nh' : f x = 3\nh₂ : 2 * y = 7\n⊢ f (y + 1) < f x"
    out = cands(text)
    for t in ("rw [h]", "rw [← h]", "simp [h]", "subst h", "rw [h] at h'", "rw [h'] ", "simp [h, h', h₂]",
              "norm_num [h, h', h₂]", "simp [*]", "simp_all"):
        assert t.strip() in out, t
    assert "rw [← h'] at h₂" not in out  # never rewrite a bare numeral back into a term
    assert "rw [← h']" not in out
    out = cands("f : ℕ → ℕ\nh₀ : ∀ (x : ℕ), f x = 2 * x + 5\n⊢ f (f 7) = 43")
    assert {"rw [h₀]", "simp [h₀]", "norm_num [h₀]"} <= set(out)
    assert "simp at h" in cands("h : 0 < 2 → p\n⊢ q")
    assert "norm_num at h" in cands("h : x = 2 + 3\n⊢ x = 5")


def test_closers_fit_the_target() -> None:
    closed = cands("⊢ 2 + 2 = 4")
    assert [t for t in closed if t in CLOSER_ORDER] == [
        "norm_num", "omega", "linarith", "simp", "rfl", "decide", "ring"
    ]
    assert "positivity" in cands("x : ℤ\n⊢ 0 < x ^ 2 + 1") and "positivity" in cands("x : ℕ\n⊢ x + 1 ≠ 0")
    assert "nlinarith" in cands("x y : ℤ\nh : 0 < x * y\n⊢ 0 < y * x")
    assert "nlinarith" not in cands("x : ℤ\nh : 0 < x\n⊢ 0 < x + 1")
    props = cands("p q : Prop\nhp : p\n⊢ p ∨ q")
    assert not {"omega", "linarith", "decide", "ring", "positivity"} & set(props)
    assert "omega" not in cands("x : ℝ\n⊢ x + 1 > x")


def test_nlinarith_hints_from_squares_and_positivity_facts() -> None:
    out = cands("a b : ℤ\n⊢ 9 * a ^ 2 + b ^ 2 ≥ 6 * (a * b)")
    assert out.index("nlinarith [sq_nonneg (3 * a - b), sq_nonneg (3 * a + b)]") < out.index(
        "nlinarith [sq_nonneg (a - b), sq_nonneg (a + b)]")
    out = cands("a b : ℕ\n⊢ 24 * (a * b) ≤ 16 * a ^ 2 + 9 * b ^ 2")
    assert "nlinarith [sq_nonneg ((4 * a : ℤ) - 3 * b), sq_nonneg (4 * a + 3 * b)]" in out
    out = cands("a b : ℝ\nh₀ : 0 < a ∧ 0 < b\nh₁ : a * b = 1\n⊢ a + b ≥ 2")
    assert "nlinarith [mul_pos h₀.1 h₀.2]" in out
    assert "nlinarith [sq_nonneg (a - b), mul_pos h₀.1 h₀.2]" in out


# ---------------------------------------------------------------- config, order, cap


DEFAULT_FAMILIES_BEFORE = {Family.STRUCTURAL, Family.CLOSERS, Family.REWRITING, Family.HINTS}
WIDE = "\n".join([
    "a b c : ℤ", "f : ℤ → ℤ", "p : Prop", "h₀ : 0 < a ∧ 0 < b", "h₁ : a * b = c", "h₂ : ∀ (x : ℤ), f x = x + 1",
    "h₃ : p ∨ a = 1", "h₄ : ∃ k, c = 2 * k", "h₅ : f a = b", "h₆ : b = c + 2", "⊢ f a + c ^ 2 ≥ 2 * (a * b)",
])


# a goal for the families of issue 14 (squares, definitions, cases, denominators)
REACH = "\n".join([
    "x y : ℝ", "n : ℤ", "f : ℝ → ℝ", "h₀ : x ≠ 1", "h₁ : y = (x + 1) / (x - 1)", "h₂ : |y - 2| ≤ 1",
    "h₃ : 0 < n", "h₄ : n < 5", "h₅ : n % 3 = 1", "h₆ : y = x ^ 2 - 6 * x + 13", "h₇ : ∀ (t : ℝ), f t = 2 * t",
    "h₈ : f 1 = y", "m : ℕ", "ih : ∑ k ∈ Finset.range m, k = m * (m - 1) / 2",
    "⊢ 4 ≤ y + ↑n + ∑ k ∈ Finset.range (m + 1), k + 2 ^ (m + 1)",
])


def test_families_select_candidates() -> None:
    for goal, families in ((WIDE, DEFAULT_FAMILIES_BEFORE), (REACH, set(Family) - DEFAULT_FAMILIES_BEFORE)):
        every = ranked(goal, EVERYTHING)
        for family in families:
            chosen = [t for _, f, t in every if f == family]
            assert chosen, family
            got = cands(goal, only(family))
            assert set(got) == set(chosen), family
    reach = cands(REACH, ActionConfig(limit=1000))
    for expected in ("nlinarith [sq_nonneg (x - 3)]", "simp only [h₇] at h₈", "interval_cases n <;> omega",
                     "obtain ⟨k, hk⟩ : ∃ k, n = 3 * k + 1 := ⟨n / 3, by omega⟩", "field_simp at h₁",
                     "have hd : x - 1 ≠ 0 := sub_ne_zero_of_ne h₀", "rcases abs_cases (y - 2) with ⟨h, h₉⟩ | ⟨h, h₉⟩",
                     "rw [Finset.sum_range_succ, ih]", "rw [pow_succ 2 m]", "rcases le_or_lt 1 m with h | h₉"):
        assert expected in reach, expected
    closers = cands(WIDE, only(Family.CLOSERS))
    assert set(closers) <= set(CLOSER_ORDER) | {"ring_nf"}
    assert not set(closers) & set(cands(WIDE, only(Family.STRUCTURAL)))
    assert cands(WIDE, only()) == []


def test_cap_keeps_the_highest_tiers_and_is_a_prefix() -> None:
    full = cands(WIDE, ActionConfig(limit=1000))
    assert len(full) > DEFAULT.limit
    assert len(set(full)) == len(full)
    assert cands(WIDE) == full[: DEFAULT.limit]
    assert cands(WIDE, ActionConfig(limit=5)) == full[:5]
    tiers = [tier for tier, _, _ in ranked(WIDE, DEFAULT)]
    assert tiers == sorted(tiers)
    assert Tier.GOAL in tiers and Tier.OTHER in tiers
    kept = cands(WIDE)
    assert kept[:2] == ["rcases h₃ with ha | hb", "rcases h₄ with ⟨k, h⟩"] and "norm_num" in kept
    assert not any("✝" in t for t in full)


def test_config_is_checked() -> None:
    with pytest.raises(ValueError):
        ActionConfig(limit=0)
    with pytest.raises(TypeError):
        ActionConfig(families=frozenset({"closers"}))  # type: ignore[arg-type]


def test_deterministic_across_calls_and_caches() -> None:
    first = cands(WIDE)
    from prover.actions import space as actions

    actions._cached.cache_clear()
    actions._witness_list.cache_clear()
    assert cands(WIDE) == first
    space: Candidates = ActionSpace()
    assert space(GoalView(WIDE, WIDE)) == first


def test_wrapped_hypotheses_and_case_tags() -> None:
    text = ("case succ\nf : ℕ → ℕ\nh₀ :\n  ∀ (n : ℕ),\n    f n = n + 1\n"
            "n✝ : ℕ\na✝ : f n✝ = n✝ + 1\n⊢ f (n✝ + 1) = n✝ + 1 + 1")
    out = cands(text)
    assert {"rw [h₀]", "simp [h₀]", "simp [*]", "omega"} <= set(out)
    assert not any("✝" in t for t in out)


GOAL_TEXT = st.text(alphabet=st.sampled_from(list("hpqxfn :⊢∀∃∧∨→↔¬()⟨⟩,=<>+*^-01\n✝₁ case")), max_size=80)


@settings(max_examples=200, deadline=None)
@given(GOAL_TEXT)
def test_any_text_gives_a_bounded_deterministic_list(text: str) -> None:
    config = ActionConfig(limit=12, families=frozenset(Family))
    out = cands(text, config)
    assert out == cands(text, config)
    assert len(out) <= 12 and len(set(out)) == len(out)
    assert not any("✝" in t or "\n" in t for t in out)


def test_goaltext_evaluates_lean_integer_arithmetic() -> None:
    ev = goaltext.evaluate
    assert ev("(-7) / 2 = -4 ∧ -7 % 2 = 1 ∧ 7 / -2 = -3 ∧ 7 % -2 = 1 ∧ -7 / -2 = 4", {}) is True
    assert ev("x / 0 = 0 ∧ x % 0 = x ∧ 0 ∣ 0 ∧ ¬0 ∣ x", {"x": 5}) is True
    assert ev("-x ^ 2 = -(x ^ 2) ∧ 2 ^ 3 ^ 2 = 512", {"x": 3}) is True
    assert ev("f x = 1", {"x": 1}) is None and ev("x = 1", {}) is None and ev("2 ^ x = 1", {"x": -1}) is None


# ---------------------------------------------------------------- acceptance


class RecordingEnv(MiniEnv):
    """`mini`, noting the text of every goal it hands out."""

    def __init__(self, seen: dict[str, None]) -> None:
        super().__init__()
        self.seen = seen

    def start(self, statement: str, **kw: object) -> ProofState:
        state = super().start(statement, **kw)  # type: ignore[arg-type]
        self.seen.update(dict.fromkeys(g.text for g in state.goals))
        return state

    def apply(self, state: ProofState, tactic: str, **kw: object) -> TacticResult:
        result = super().apply(state, tactic, **kw)  # type: ignore[arg-type]
        if isinstance(result, TacticSuccess):
            self.seen.update(dict.fromkeys(g.text for g in result.goals))
        return result


def _statements() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    demos = re.findall(r'"(theorem [^"]*)"', makefile)
    assert demos, "the Makefile's demo statements"
    out = list(demos)
    for seed, level in ((101, EASY), (102, MEDIUM), (103, HARD)):
        out += [s.statement for s in generate(seed, 30, level)]
    for split in ("valid", "test"):
        path = MINIF2F / f"{split}.jsonl"
        if path.exists():
            out += [json.loads(line)["formal_statement"] for line in path.read_text().splitlines() if line.strip()]
    return out


def test_every_candidate_on_every_searched_goal_parses_in_mini() -> None:
    """Acceptance: run on every goal reached while searching the demo, generated and miniF2F
    statements, the generator only emits tactics mini's parser reads (and the safety filter
    lets through); whether they mean anything is the backend's business."""
    seen: dict[str, None] = {}
    space = ActionSpace()
    config = SearchConfig(max_env_calls=10, tactic_timeout=0.3, time_limit=1.0)
    searched = 0
    for statement in _statements():
        env = RecordingEnv(seen)
        try:
            best_first_search(env, statement, space, config=config)
            searched += 1
        except StatementError:
            continue
        finally:
            env.close()
    assert searched >= 90 and len(seen) > searched
    every = ActionConfig(limit=100_000, families=frozenset(Family))
    bad: list[tuple[str, str, str]] = []
    emitted = 0
    for text in seen:
        goal = GoalView(text, text)
        for tactic in dict.fromkeys([*candidates(goal, every), *space(goal)]):
            emitted += 1
            try:
                parse_tactic(tactic)
            except ParseError as e:
                bad.append((tactic, str(e), text))
            if (why := refusal(tactic)) is not None:
                bad.append((tactic, why, text))
    assert emitted > 10 * len(seen)
    assert not bad, bad[:10]
    if MINIF2F.exists():
        assert searched > 300  # miniF2F's readable statements took part


def test_the_action_space_drives_a_search() -> None:
    statement = "theorem demo2 (x : ℕ) (h₀ : 0 < x) : x ≠ 0 := by sorry"
    with MiniEnv() as env:
        result = best_first_search(env, statement, ActionSpace(), config=SearchConfig(max_env_calls=50))
    assert result.proved
