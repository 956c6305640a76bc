"""A seeded adversarial fuzz of the safety filter (issue 16, item 8).

Refused words, names and commands are composed with harmless tactics in many positions and
wrappers (inside brackets, after `<;>`, in `first | ...`, under `have ... := by`, with `@`,
`_root_.`, `.` suffixes, glued to look-alike characters the lexer must split where Lean does);
every composition must be refused. The same wrappers around known-harmless tactics (the rule-based
action space's candidates and ordinary Mathlib tactics) must pass. Fast: a few thousand calls.
"""

from __future__ import annotations

import random

from lean_env.contract import GoalView
from lean_env.safety import refusal
from prover.actions import ActionConfig, Family, candidates

SEED = 16
SAMPLES = 3000

# Tactics that must never run, alone or as the inner tactic of a wrapper.
REFUSED_TACTICS = [
    "sorry", "admit", "stop", "apply?", "hint", "plausible", "slim_check", "native_decide", "decide +native",
    "bv_decide", "bv_decide?", "polyrith", "rw?", "try?", "simp? says simp", "run_tac pure ()",
    "exact sorry", "exact?%", "set_option maxHeartbeats 0 in omega", "open Nat in omega",
    "omit h in omega", "decide (config := ⟨false, true, true, false⟩)", "exact eval% (2 ^ 10 : ℕ)",
    "simp (config := .mk 1)", "decide (native := true)",
]
# Terms naming something refused; each goes through the name forms below.
REFUSED_NAMES = [
    "sorry", "sorryAx", "Lean.ofReduceBool", "ofReduceBool", "Lean.Elab.Term.elabTerm", "IO.println", "unsafeCast",
    "trustCompiler", "reduceBool", "Lean.trustCompiler", "panic!", "dbg_trace", "native_decide", "implemented_by",
    "System.FilePath", "unsafeBaseIO",
]
NAME_FORMS = [
    "{n}", "@{n}", "_root_.{n}", "@_root_.{n}", "{n}.elim", "({n})", "({n} : False)", "{n}.1", "({n}).2",
]
# Glued to a refused name: characters Lean ends a name at (so the name still stands alone there).
JOINERS = ["hᵒᵈ", "x²", "2", "hа", "hµ", "h.2.", "1.5e3", "0b1", "x⁻¹", "!", "h\u00a0", "h\u200b", "(", "⟨", "·"]
# Commands and declaration parts: after any of them Lean would read top-level text, not tactics.
COMMANDS = [
    "theorem evil : False := trivial", "example : True := trivial", "lemma x : True := trivial", "#eval 1",
    "#exit", "@[simp] lemma x : True := trivial", "run_cmd pure ()", "alias x := y", "termination_by x",
    "decreasing_by omega", "where x := 1", "deriving instance Repr for T", "register_simp_attr foo",
    "instance : Inhabited ℕ := ⟨0⟩", "axiom ax : False", "attribute [simp] foo", "end", "namespace X",
    "open Real", "noncomputable section", "include h", "variable (y : ℕ)", "macro \"x\" : tactic => `(tactic| rfl)",
    "initialize_simps_projections X", "add_decl_doc x", "private def f := 1", "mutual",
]
# Tactic contexts: `{t}` is the inner tactic.
TACTIC_WRAPPERS = [
    "{t}", "try {t}", "first | {t} | omega", "first | omega | {t}", "omega <;> {t}", "{t} <;> simp", "({t})",
    "(omega; {t})", "(simp\u00a0; {t})", "all_goals {t}", "any_goals {t}", "repeat {t}", "iterate 2 {t}",
    "focus {t}", "have h : 1 = 1 := by {t}", "exact (by {t})", "refine ⟨?_, by {t}⟩", "on_goal 2 => {t}",
    "constructor <;> first | {t} | skip", "show 1 = 1 from by {t}", "calc 1 = 1 := by {t}",
    "have : ∑ k in Finset.range 3, k = 3 := by {t}", "suffices h : True by {t}", "rcases h with ⟨x, hx⟩ <;> {t}",
]
# Term contexts: `{e}` is the inner term.
TERM_WRAPPERS = [
    "exact {e}", "exact ({e})", "exact ⟨h, {e}⟩", "nlinarith [{e}]", "simp [h, {e}]", "rw [{e}] at h",
    "have := {e}", "exact fun x => {e}", "apply {e}", "refine {e} ?_", "linarith [mul_pos ha {e}]", "use {e}",
    "exact h.trans {e}", "exact absurd h {e}", "obtain ⟨x, hx⟩ := {e}", "norm_num [{e}] at h ⊢",
    "exact Finset.sum_congr rfl fun i _ => {e}", "have : ∑ i in s, f i = 0 := {e}", "specialize h {e}",
    "calc a = b := {e}\u00a0", "exact (show False from {e})",
]
# Known-harmless tactics beyond the action space: what mini reads and common Mathlib tactics.
HARMLESS = [
    "omega", "simp", "norm_num", "linarith", "nlinarith [sq_nonneg (a - b), sq_nonneg (a + b)]", "ring_nf",
    "positivity", "decide", "rfl", "trivial", "constructor", "intro x hx", "exact h.1", "exact ⟨hp, hq⟩",
    "rcases h with ⟨x, hx⟩ | h'", "obtain ⟨k', hk'⟩ := h'", "induction n with | zero => simp | succ k ih => omega",
    "interval_cases x <;> simp_all", "field_simp", "push_cast", "exact_mod_cast h", "norm_num [Nat.Prime] at h ⊢",
    "exact?", "simp?", "aesop", "tauto", "gcongr", "bound", "use 3", "exists 2", "rw [← h₀] at h₁",
    "simp only [Finset.sum_range_succ, h₀] at h₁ ⊢", "have h : 0 < x := by positivity", "by_contra h",
    "exact absurd h (by norm_num)", "apply Nat.le_of_lt_succ", "exact (· + 1)", "bv_omega", "decide +kernel",
]
GOALS = [
    "x : ℕ\nh₀ : 0 < x\n⊢ x ≠ 0",
    "a b : ℝ\nha : 0 < a\nhb : 0 < b\n⊢ a * b ≤ (a ^ 2 + b ^ 2) / 2",
    "n : ℕ\n⊢ ∑ k ∈ Finset.range (n + 1), k = n * (n + 1) / 2",
    "p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q",
    "x : ℤ\nh : x ^ 2 = 4\n⊢ x = 2 ∨ x = -2",
    "f : ℕ → ℕ\nh₀ : ∀ x, f x = 2 * x + 1\n⊢ f 3 = 7",
    "x y : ℝ\nh₀ : x + y = 10\nh₁ : x - y = 2\n⊢ x = 6",
    "n : ℕ\nh₀ : n % 5 = 3\n⊢ 2 * n % 5 = 1",
]


def action_space_tactics() -> list[str]:
    every = ActionConfig(limit=100_000, families=frozenset(Family))
    out: dict[str, None] = {}
    for goal in GOALS:
        out.update(dict.fromkeys(candidates(GoalView(goal, goal), every)))
    return list(out)


def refused_atoms(rng: random.Random) -> str:
    """One refused tactic, term use, look-alike or command, drawn at random."""
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(REFUSED_TACTICS)
    name = rng.choice(REFUSED_NAMES)
    if kind == 1:
        return rng.choice(TERM_WRAPPERS).format(e=rng.choice(NAME_FORMS).format(n=name))
    if kind == 2:
        return f"exact {rng.choice(JOINERS)}{name}"
    command = rng.choice(COMMANDS)
    return rng.choice([command, f"omega {command}", f"exact h {command}", f"simp [h] {command}",
                       f"first | omega | simp {command}"])


def wrap(rng: random.Random, tactic: str) -> str:
    """`tactic` inside one to three random tactic wrappers."""
    for _ in range(rng.randint(1, 3)):
        tactic = rng.choice(TACTIC_WRAPPERS).format(t=tactic)
    return tactic


def test_every_composed_refused_tactic_is_refused():
    rng = random.Random(SEED)
    missed = []
    for _ in range(SAMPLES):
        tactic = wrap(rng, refused_atoms(rng))
        if refusal(tactic) is None:
            missed.append(tactic)
    assert missed == []


def test_every_form_of_every_refused_name_is_refused_everywhere():
    missed = [t for n in REFUSED_NAMES for form in NAME_FORMS for w in TERM_WRAPPERS
              if refusal(t := w.format(e=form.format(n=n))) is None]
    missed += [t for n in REFUSED_NAMES for j in JOINERS if refusal(t := f"exact {j}{n}") is None]
    missed += [t for c in COMMANDS for t in (c, f"omega {c}", f"exact h {c}") if refusal(t) is None]
    missed += [t for a in REFUSED_TACTICS for w in TACTIC_WRAPPERS if refusal(t := w.format(t=a)) is None]
    assert missed == []


def test_harmless_tactics_pass_in_every_wrapper():
    harmless = action_space_tactics()
    assert len(harmless) > 30
    harmless += HARMLESS
    rng = random.Random(SEED)
    composed = [w.format(t=t) for t in harmless for w in TACTIC_WRAPPERS]
    composed += [wrap(rng, rng.choice(harmless)) for _ in range(SAMPLES)]
    terms = ("h", "(h.trans h')", "Nat.succ_le_of_lt h₀", "le_refl _")
    composed += [w.format(e=e) for w in TERM_WRAPPERS for e in terms]
    assert [(t, refusal(t)) for t in harmless + composed if refusal(t) is not None] == []
