"""The Lean-text toolkit's statement reading (`lean_env.text.statement`) and the problem type
(`lean_env.problem`): splitting, proof stripping, negation, serialisation, default headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lean_env import open_env
from lean_env.contract import StatementError, capabilities
from lean_env.problem import MINIF2F_HEADER, Problem, default_header, default_headers, negation, read_problems
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


# ------------------------------------------------------------------ the default header

MINIF2F = Path(__file__).resolve().parents[2] / ".." / "shared" / "minif2f"


def test_a_problem_without_header_gets_the_minif2f_header_on_a_lean_backend(tmp_path: Path) -> None:
    rows = [
        {"name": "a", "formal_statement": "theorem a (x : ℕ) : x + 0 = x := by sorry"},
        {"name": "b", "formal_statement": "theorem b : (1 : ℝ) < 2", "header": "import Mathlib\nopen Real"},
        {"name": "c", "formal_statement": "theorem c : True", "header": " \n"},
    ]
    path = tmp_path / "probs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    problems = read_problems(path)
    stated, count = default_headers(problems, capabilities("repl"))
    assert count == 2
    assert [p.header for p in stated] == [MINIF2F_HEADER, "import Mathlib\nopen Real", MINIF2F_HEADER]
    assert [p.statement for p in stated] == [p.statement for p in problems]  # the header alone changes
    for backend in ("mini", "dojo"):  # mini reads no imports; dojo states theorems in their traced file
        stated, count = default_headers(problems, capabilities(backend))
        assert count == 0 and all(s is p for s, p in zip(stated, problems, strict=True))
    assert negation(default_header(problems[0], capabilities("repl"))).header == MINIF2F_HEADER


@pytest.mark.skipif(not (MINIF2F / "valid.jsonl").is_file(), reason="../shared/minif2f absent")
def test_the_default_header_is_the_one_every_minif2f_row_carries() -> None:
    headers = {json.loads(line)["header"] for f in ("valid.jsonl", "test.jsonl") for line in open(MINIF2F / f)}
    assert headers == {MINIF2F_HEADER}


def test_mini_would_read_a_statement_alike_under_the_default_header() -> None:
    """The rule leaves mini's headers alone; had it given mini this one, nothing would change:
    mini only screens a header for declarations that change a statement's meaning."""
    statement = "theorem t (x : ℝ) (h₀ : 0 < x) : Real.sqrt (x ^ 2) = x"
    with open_env("mini") as env:
        plain, headed = env.start(statement), env.start(statement, header=MINIF2F_HEADER)
        assert [g.text for g in headed.goals] == [g.text for g in plain.goals]
