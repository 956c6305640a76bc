"""The Lean-text toolkit's statement reading (`lean_env.text.statement`) and the problem type
(`lean_env.problem`): splitting, proof stripping, negation, serialisation."""

from __future__ import annotations

import json

import pytest

from lean_env.contract import StatementError
from lean_env.problem import Problem, negation
from lean_env.text.statement import Binder, split_statement, strip_proof


def neg(text: str, name: str = "t") -> str:
    return negation(Problem(name, text)).statement


# ------------------------------------------------------------------ reading a signature


def test_split_reads_binders_and_proposition():
    sig = split_statement("theorem foo (x y : ℕ) {z : ℤ} [inst : Foo z] [Bar] (h₀ : x = 2) :\n  x + 1 = 3 := by sorry")
    assert sig.name == "foo" and sig.prop == "x + 1 = 3"
    assert sig.binders == (
        Binder("(", ("x", "y"), "ℕ"), Binder("{", ("z",), "ℤ"), Binder("[", ("inst",), "Foo z"),
        Binder("[", (), "Bar"), Binder("(", ("h₀",), "x = 2"),
    )
    assert [b.text for b in sig.binders] == ["(x y : ℕ)", "{z : ℤ}", "[inst : Foo z]", "[Bar]", "(h₀ : x = 2)"]


def test_split_handles_attributes_comments_nested_colons_and_proofs():
    text = """/-- doc : with colon -/
@[simp] private lemma bar {α : Type*} (s : Set α) -- a comment : here
    (h : ∀ x : α, x ∈ s) : { y : α | y ∈ s } = s ∧ ∑ k ∈ Finset.range 3, k = 3 := by
  have h2 : True := trivial
  simp"""
    sig = split_statement(text)
    assert sig.name == "bar" and sig.keyword == "lemma"
    assert [b.text for b in sig.binders] == ["{α : Type*}", "(s : Set α)", "(h : ∀ x : α, x ∈ s)"]
    assert sig.prop == "{ y : α | y ∈ s } = s ∧ ∑ k ∈ Finset.range 3, k = 3"
    assert split_statement("theorem l (x : ℕ) : let y := x + 1; y > x := by omega").prop == "let y := x + 1; y > x"
    assert split_statement("theorem c : 2 + 2 = 4").binders == ()


@pytest.mark.parametrize("bad", ["", "def f : ℕ := 3", "theorem : x = x", "theorem t (x : ℕ", "theorem t (x : ℕ) x = x",
                                 "theorem t (x : ℕ) :"])
def test_split_rejects_what_is_not_a_theorem(bad):
    with pytest.raises(StatementError):
        split_statement(bad)


def test_strip_proof_keeps_the_statement_as_written():
    assert strip_proof("theorem t (x : ℕ)\n  (h : x = 1) : x = 1 := by sorry") == \
        "theorem t (x : ℕ)\n  (h : x = 1) : x = 1"
    assert strip_proof("theorem t : 1 = 1") == "theorem t : 1 = 1"


# ------------------------------------------------------------------ negation


def test_negation_text_forms():
    assert neg("theorem t (x y : ℕ) (h₀ : x < y) : x + 1 ≤ y := by sorry") == \
        "theorem t_neg : ¬ (∀ (x y : ℕ) (h₀ : x < y), x + 1 ≤ y)"
    assert neg("theorem t : (2 : ℤ) - 5 = -3 := by sorry") == "theorem t_neg : ¬ ((2 : ℤ) - 5 = -3)"
    # implicit binders go under the ∀ as explicit ones
    assert neg("theorem t {x : ℕ} ⦃y : ℕ⦄ : x = y") == "theorem t_neg : ¬ (∀ (x : ℕ) (y : ℕ), x = y)"
    # instance binders, type variables and whatever they mention stay parameters
    assert neg("theorem t {α : Type*} [Fintype α] (s : Finset α) (h : s.card = 2) : s.Nonempty := by\n  simp") == \
        "theorem t_neg {α : Type*} [Fintype α] : ¬ (∀ (s : Finset α) (h : s.card = 2), s.Nonempty)"
    assert neg("theorem t (n : ℕ) [NeZero n] (x : Fin n) : x = x") == \
        "theorem t_neg (n : ℕ) [NeZero n] : ¬ (∀ (x : Fin n), x = x)"
    assert neg("theorem t (α : Type) [inst : Nonempty α] : True") == \
        "theorem t_neg (α : Type) [inst : Nonempty α] : ¬ (True)"


def test_negation_problem_fields():
    p = Problem("gen_1_2", "theorem gen_1_2 (x : ℕ) : x = x", header="import Mathlib", source="generator:1/easy")
    n = negation(p)
    assert (n.name, n.header, n.source, n.parent) == ("gen_1_2_neg", "import Mathlib", "negation:gen_1_2", "gen_1_2")


def test_problem_dict_round_trip():
    p = Problem("v", "theorem v : True", "h", "variant:p/numeral", "p", "")
    assert Problem.from_dict(json.loads(json.dumps(p.to_dict()))) == p
