"""The tactic safety filter refuses everything in docs/safety.md and nothing ordinary: each item
with its harmless neighbours, single tactics and whole scripts."""

from __future__ import annotations

import pytest

from lean_env.contract import TacticError
from lean_env.mini import MiniEnv
from lean_env.safety import is_safe, refusal, script_refusals
from lean_env.text.scripts import block_exits
from lean_env.text.statement import with_proof

REFUSED = [
    "sorry", "admit", "exact sorry", "native_decide", "decide +native", "exact Lean.ofReduceBool _",
    "run_tac pure ()", "#eval 1", "set_option maxHeartbeats 0 in omega", "unsafe omega",
    "exact (implemented_by)", "extern", "axiom foo : False", "exact IO.println", "theorem x : True := trivial",
    "open Nat in omega", "@[simp] theorem", "omega; simp", "omega\nsimp", "· omega", "case h => omega",
    "simp -- comment", "/- x -/ simp", 'exact "s"', "exact Lean.Elab.foo", "exact (sorryAx False)",
    "attribute [simp] foo", "simp [h]; sorry", "", "case' h => omega", "next => omega",
]
ALLOWED = [
    "omega", "simp", "norm_num [h₀] at h₁", "nlinarith [sq_nonneg (a - b), mul_pos ha hb]",
    "rcases h with ⟨x, hx⟩ | h'", "induction n with | zero => simp | succ k ih => omega",
    "have h : 0 < x := by omega", "constructor <;> linarith", "try simp", "(simp; omega)",
    "exact h.1", "decide", "exact?", "intro x hx", "use 3", "rw [← h₀] at h₁",
    "exact fun x => x", "simp only [insert_def]", "exact h₀.trans (le_of_lt h₁)", "exact next_h",
    "field_simp", "exact (· + 1)", "interval_cases x <;> simp_all", "norm_num [Nat.Prime] at h ⊢",
]


@pytest.mark.parametrize("tactic", REFUSED)
def test_refused(tactic):
    assert refusal(tactic) is not None


@pytest.mark.parametrize("tactic", ALLOWED)
def test_allowed(tactic):
    assert is_safe(tactic), refusal(tactic)


def check(refused: list[str], allowed: list[str]) -> None:
    assert [t for t in refused if is_safe(t)] == []
    assert [(t, refusal(t)) for t in allowed if not is_safe(t)] == []


def test_tactics_that_admit_or_only_suggest():
    """`stop` is `repeat sorry`; `apply?`, `hint`, `plausible`/`slim_check` admit the goal they do not
    close; `rw?`, `try?`, `says`, the widget tactics suggest (docs/safety.md)."""
    check(
        ["stop", "stop simp", "try stop", "first | apply? | omega", "apply? using h", "hint", "plausible",
         "slim_check", "rw?", "rw? at h", "rw??", "try?", "simp? says simp only [h]", "simp says simp",
         "unfold?", "conv?", "congrm?", "omega <;> hint", "exact?%", "exact (exact?%)", "polyrith"],
        ["exact?", "exact? using h", "simp?", "simp? [h]", "simp_all?", "aesop?", "show_term omega",
         "exact h.stop", "exact stopped", "exact hint₁", "apply h", "apply le_of_lt", "rw [h]", "try omega",
         "first | omega | simp", "simp only [apply_ite]"],
    )


def test_the_backends_heartbeat_wrapper_is_the_backends_alone():
    """`leanzero_budget N in t` sets the heartbeat budget of `t` (0 = none): only the repl backend
    writes it, after the filter, so a tactic that sends its own is refused."""
    from lean_env.repl.protocol import BUDGET_TACTIC, focused

    assert BUDGET_TACTIC == "leanzero_budget"
    check(["leanzero_budget 0 in nlinarith [h]", "first | leanzero_budget 0 in omega | simp",
           "exact _root_.leanzero_budget", "have : 1 = 1 := by leanzero_budget 0 in rfl"],
          ["exact leanzero_budget_h", "nlinarith [h]"])
    sent = focused("nlinarith [h]", 0, (), 1, heartbeats=2)
    assert BUDGET_TACTIC in sent and refusal(sent) is not None


def test_native_evaluation():
    """`bv_decide` (and its `?`, `bv_check`) close goals through `Lean.ofReduceBool`, as `native_decide` does."""
    check(
        ["bv_decide", "bv_decide?", "bv_check", "all_goals bv_decide", "native_decide", "decide +native",
         "decide (config := { native := true })", "exact ofReduceBool _ _ rfl", "exact Lean.reduceBool x",
         "exact reduceNat 1", "exact trustCompiler"],
        ["bv_omega", "bv_normalize", "decide", "decide +kernel", "exact of_decide_eq_true rfl",
         "exact decide_eq_true h", "exact Nat.decEq a b"],
    )


def test_root_at_and_quoted_names():
    check(
        ["exact _root_.Lean.ofReduceBool _ _ rfl", "exact _root_.Lean.Elab.foo", "exact _root_.sorryAx _ false",
         "exact @_root_.sorryAx _ false", "exact @Lean.ofReduceBool", "exact @sorryAx _ false",
         "exact «Lean».ofReduceBool", "exact _root_.«sorry»", "exact (_root_.sorry)", "exact h.sorry",
         "exact Classical.sorry", "exact _root_.theorem", "exact _root_.IO.println", "exact `(x)"],
        ["exact _root_.trans h₁ h₂", "exact @Nat.le_of_lt_succ _ _ h", "exact @h _", "exact h.1.le",
         "exact _root_.Nat.succ_le_of_lt h"],
    )


def test_commands_and_their_keywords():
    check(
        ["run_cmd pure ()", "alias foo := bar", "include h", "omit h", "omit h in omega", "include h in omega",
         "exact foo where foo := 1", "termination_by x", "decreasing_by omega", "deriving instance Repr for T",
         "register_simp_attr foo", "add_decl_doc foo", "irreducible_def f := 1", "compile_inductive Foo",
         "noncomputable section", "attribute [local simp] foo", "initialize_simps_projections Foo",
         "assert_not_exists Foo", "omega theorem evil : False := trivial", "simp example : True := trivial",
         "declare_syntax_cat foo", "builtin_initialize", "lemma x : True := trivial", "instance : Foo := ⟨⟩",
         "mutual", "end", "namespace Foo", "universe u", "variable (x : ℕ)", "open Real", "export Foo (bar)",
         "notation \"x\" => 1", "macro_rules", "elab_rules", "seal foo", "unseal foo", "local notation",
         "private theorem x : True := trivial", "exact (theorem)", "abbrev x := 1", "opaque x : ℕ",
         "recall foo", "suppress_compilation", "grind_pattern foo", "with_weak_namespace Foo"],
        ["exact h_include", "exact alias_h", "exact h.end", "intro ending", "exact (h.trans endpoint)",
         "simp [Finset.sum_range_succ]", "apply lt_of_le_of_lt h (by omega)", "exact h.where_h",
         "exact opened", "exact h.deriving"],
    )


def test_char_literals_are_refused_but_primes_are_not():
    check(
        ["exact 'a'", "exact ')'", "exact ';' x", "exact '\\''", "exact '\\n'", "exact (f 'a')", "exact 2'a'",
         "exact 'a"],
        ["simp [h'] at h''", "exact x''", "rcases h with ⟨x', hx'⟩", "exact h₁'", "obtain ⟨k', hk'⟩ := h'"],
    )


def test_big_operator_binder_in_is_allowed_and_command_in_is_not():
    check(
        ["set_option maxHeartbeats 0 in simp", "open Finset in simp", "omit h in omega", "include h in omega",
         "have : ∑ k in s, f k = 0 in simp", "exact foo in bar", "conv in x + y => ring",
         "have : (∑ k, f k) = 0 in simp", "in"],
        ["have h : ∑ k in Finset.range n, k = n * (n - 1) / 2 := by simp",
         "show ∏ i in Finset.range 3, (i + 1) = 6",
         "calc ∑ k in Finset.range (n + 1), k = ∑ k in Finset.range n, k + n := by rw [Finset.sum_range_succ]",
         "have : ∑ k ∈ Finset.range n, k = 0 := by simp", "rw [show ∑ i in s, f i = 0 from h]",
         "have : ∑ i in s, ∑ j in t, f i j = 0 := by simp", "have : (⨆ i in s, f i) = 0 := by simp",
         "exact Finset.sum_congr rfl (fun i hi => by simp)", "intro insert_h"],
    )


def test_configuration_terms_and_term_elaborators():
    """A `(config := e)` term is evaluated by compiling and running `e` when it does not reduce, and
    `decide (config := ⟨false, true, …⟩)` is `decide +native` without the word; `eval% e` runs `e`."""
    check(
        ["decide (config := ⟨false, true, true, false⟩)", "decide (config := .mk false true true false)",
         "simp (config := {decide := true})", "simp (config:= f ())", "exact eval% (2 ^ 10 : ℕ)",
         "have h := eval% (Nat.toDigits 10 5)", "norm_num [show (2:ℕ) ^ 10 = eval% 2 ^ 10 from rfl]",
         "exact n%2", "decide (native := true)"],
        ["simp +decide", "decide +kernel", "simp (maxSteps := 1000) [h]", "omega", "exact h.config",
         "have : n % 2 = 1 := by omega", "simp [Nat.add_mod, h] at h ⊢", "exact my_config"],
    )


def test_image_and_preimage_are_symbols_not_char_literals():
    """Lean never starts a char literal at `''` (Mathlib's image `f '' s`), and `⁻¹'` is one symbol."""
    check(["exact f '' 'a'", "exact f ⁻¹' ';' s", "exact h ''';'"],
          ["have : f '' s ⊆ t := h", "have : x ∈ f ⁻¹' s := hx", "exact Set.image_subset f h''",
           "simp only [Set.mem_image] at h' ⊢", "exact (f '' (g '' s)).Nonempty.mono h"])


def test_a_nested_by_takes_the_rest_of_its_line():
    """`have k : P := by intro x; simp` is one tactic in Lean (the nested block is `intro x; simp`);
    each of its tactics is still judged, in scripts as in single tactics."""
    check(["have k : P := by intro x; sorry", "exact (by simp); sorry", "omega; have k : P := by simp"],
          ["have key : 0 < x := by intro y hy; nlinarith [hy.1]", "exact by simp; omega",
           "refine ⟨by simp, ?_⟩"])
    assert script_refusals("have key : P := by intro x; sorry")
    assert script_refusals("have key : 0 < x := by positivity; omega") == []


def test_commands_mathlib_and_core_add():
    check(["omega variables (x : ℕ)", "variable? [Group G]", "norm_cast_add_elim foo", "test_extern f 1",
           "termination_by? ", "omega variables"],
          ["exact variables_h", "simp [norm_cast_h]"])
    assert script_refusals("omega\n    norm_cast_add_elim foo")


def test_look_alikes_split_as_lean_splits():
    check(["exact hᵒᵈsorry", "exact x²sorry", "exact xаsorry", "exact 2sorry", "exact h.2.sorry",
           "exact 1.5e3sorry", "exact hµsorry"],
          ["exact hsorry", "exact sorryish", "exact h₁sorry", "exact αsorry", "exact ℕsorry"])


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
                "have h : q := by\n  sorry\nexact ⟨hp, h⟩", "exact ⟨hp, sorry⟩", "constructor\n· exact hp\n· stop"]:
        v = env.verify(st, bad)
        assert not v.ok and "refused" in v.messages[0], (bad, v)


# ---------------------------------------------------------------- leaving the `by` block

STATEMENT = "theorem t (x : ℕ) : x = x"
GOOD_SCRIPTS = [
    "constructor\n· intro h\n  cases h with\n  | inl h => exact h\n  | inr h => omega\n· simp",
    "induction n with\n| zero => simp\n| succ k ih =>\n  rw [Finset.sum_range_succ]\n  omega",
    "constructor <;> norm_num",
    "calc a = b := by rw [h]\n  _ = c := by ring",
    "have h : 0 < x := by\n  positivity\nnlinarith [h]",
    "case h =>\n  omega",
    "  intro x\n  exact x",
    "nlinarith [sq_nonneg (a - b),\n  sq_nonneg (a + b)]",
    "\n\nomega\n\n",
    "refine ⟨?_, ?_⟩\n· exact h\n·\n  simp",
]
LEAVING = [
    ("  omega\nexample : False := by simp", 2),
    ("  constructor\nexact h", 2),
    ("    simp\n  omega", 2),
    ("  nlinarith [sq_nonneg (a - b),\nsq_nonneg (a + b)]", 2),  # Lean would not check inside brackets
    ("constructor\n\t· exact h", 2),
    ("constructor\n\u00a0\u00a0exact h", 2),
    ("{ omega }\nsimp", 1),
    ("{ omega }", 1),
]


def test_with_proof_indents_every_line_by_two_spaces():
    """`block_exits` reads a script as `with_proof` lays it out: the `by` block's column is two
    spaces right of the script's first line, and each later line keeps its place relative to it."""
    script = "intro x\n  exact x\n\nsimp"
    lines = with_proof(STATEMENT, script).split("\n")
    assert lines[0] == STATEMENT + " := by"
    assert lines[1:] == ["  intro x", "    exact x", "", "  simp"]


@pytest.mark.parametrize("script", GOOD_SCRIPTS)
def test_ordinary_multi_line_scripts_stay_in_the_block(script):
    assert block_exits(script) == []
    assert script_refusals(script) == [], script


@pytest.mark.parametrize(("script", "line"), LEAVING)
def test_a_line_that_would_leave_the_block_is_refused(script, line):
    assert [n for n, _ in block_exits(script)] == [line]
    refused = script_refusals(script)
    assert refused and refused[0].endswith(f"(line {line})"), refused


def test_mini_never_accepts_a_script_that_leaves_the_block():
    """mini's own script parser refuses the layout first; the REPL and Dojo backends refuse it by
    `script_refusals` (tests/lean_env/repl/test_backend.py, tests/lean_env/test_dojo.py)."""
    env = MiniEnv()
    st = "theorem t (p : Prop) (hp : p) : p := by sorry"
    assert env.verify(st, "exact hp").ok
    assert not env.verify(st, "  exact hp\nexact hp").ok
