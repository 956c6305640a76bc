"""Variants: deterministic, different from the parent, readable by `mini`, each kind doing what
it says; and a false variant of a true statement whose negation a small search proves."""

from __future__ import annotations

import collections
import random
import re
from pathlib import Path

import pytest

from lean_env import open_env
from lean_env.contract import StatementError
from lean_env.problem import Problem, negation, problem_key
from lean_env.text.statement import split_statement
from prover.actions import ActionSpace
from search.bestfirst import SearchConfig, best_first_search
from selfplay.generator import EASY, HARD, MEDIUM
from selfplay.statements import from_generator, from_jsonl
from selfplay.variants import VariantKind, mini_readable, readable_by, variant_maker, variants

MINIF2F = Path(__file__).resolve().parents[3] / "shared" / "minif2f"


def only(kind: VariantKind, text: str, seed: int = 0, k: int = 12) -> list[str]:
    found = variants(Problem("t", text, source="file:t.jsonl"), random.Random(seed), k, kinds=(kind,))
    assert all(v.source == f"variant:{kind}:file:t.jsonl" and v.parent == "t" for v in found)
    return [v.statement.split(" ", 2)[2] for v in found]  # without `theorem NAME`


def test_deterministic_under_the_seed_and_different_from_the_parent():
    for p in from_generator(2, 40, MEDIUM):
        a = variants(p, random.Random(7), 4)
        assert a == variants(p, random.Random(7), 4)
        keys = [problem_key(v) for v in a]
        assert len(set(keys)) == len(keys) and problem_key(p) not in keys
        for v in a:
            assert v.parent == p.name and v.source.endswith(f":{p.source}") and v.header == p.header
            assert v.name.startswith(f"{p.name}_v") and v.statement.startswith(f"theorem {v.name} ")
    p = from_generator(2, 1, MEDIUM)[0]
    assert [v.statement for v in variants(p, random.Random(1), 6)] != [
        v.statement for v in variants(p, random.Random(2), 6)
    ]


def test_variants_of_generated_statements_are_read_by_mini():
    env = open_env("mini")
    kinds: collections.Counter[str] = collections.Counter()
    bad = []
    for d in (EASY, MEDIUM, HARD):
        for p in from_generator(9, 50, d):
            for v in variants(p, random.Random(p.name), 3):
                kinds[v.source.split(":")[1]] += 1
                try:
                    env.start(v.statement)
                    env.start(negation(v).statement)
                except StatementError as e:
                    bad.append((v.statement, str(e)))
    total = sum(kinds.values())
    assert total >= 300 and set(kinds) == set(VariantKind)
    assert len(bad) <= 0.05 * total, bad[:5]


@pytest.mark.skipif(not (MINIF2F / "valid.jsonl").exists(), reason="needs ../shared/minif2f")
def test_variants_of_lean_statements_mostly_read_and_the_readable_check_filters():
    env = open_env("mini")
    readable = readable_by(env)
    total = ok = 0
    for p in from_jsonl(MINIF2F / "valid.jsonl")[:120]:
        if not readable(p):
            continue
        unchecked = variants(p, random.Random(p.name), 2)
        total += len(unchecked)
        ok += sum(readable(v) for v in unchecked)
        assert all(readable(v) for v in variants(p, random.Random(p.name), 2, readable=readable))
    assert total >= 50 and ok >= 0.85 * total


def test_numeral_perturbation_touches_one_numeral_of_the_proposition_or_a_hypothesis():
    text = "theorem t (f : Fin 3 → ℕ) (x : ℕ) (h₀ : x ≤ 10) : x + 2 < 13"
    outs = only(VariantKind.NUMERAL, text)
    assert len(outs) >= 8
    for out in outs:
        assert out.startswith("(f : Fin 3 → ℕ) (x : ℕ) ")  # variable binders untouched, h₀ never renamed
        nums = [int(n) for n in re.findall(r"(?<![\w'.])\d+(?![\w'.])", out)]
        changed = [(a, b) for a, b in zip([3, 10, 2, 13], nums) if a != b]
        assert len(changed) == 1
        old, new = changed[0]
        assert new in {old + 1, old - 1, 2 * old, old - 3, old - 2, old + 2, old + 3} and new >= 0


def test_relation_flips_and_weakens_but_leaves_arrows_alone():
    outs = only(VariantKind.RELATION, "theorem t (x : ℕ) (h₀ : x ≥ 3 → x ≠ 0) : x = x")
    assert set(outs) <= {
        "(x : ℕ) (h₀ : x > 3 → x ≠ 0) : x = x", "(x : ℕ) (h₀ : x < 3 → x ≠ 0) : x = x",
        "(x : ℕ) (h₀ : x ≥ 3 → x < 0) : x = x", "(x : ℕ) (h₀ : x ≥ 3 → x > 0) : x = x",
        "(x : ℕ) (h₀ : x ≥ 3 → x = 0) : x = x", "(x : ℕ) (h₀ : x ≥ 3 → x ≠ 0) : x ≤ x",
        "(x : ℕ) (h₀ : x ≥ 3 → x ≠ 0) : x ≥ x", "(x : ℕ) (h₀ : x ≥ 3 → x ≠ 0) : x ≠ x",
    }
    assert len(outs) >= 6
    # `∀ n ≥ 5,` is binder notation: `=` is not allowed there
    binder = only(VariantKind.RELATION, "theorem t (f : ℕ → ℕ) (h : ∀ n ≥ 5, f n = 0) : f 7 = 0", k=20)
    assert not any("∀ n = 5" in o for o in binder) and any("∀ n > 5" in o for o in binder)


def test_drop_hypothesis_drops_only_hypotheses():
    outs = only(VariantKind.DROP_HYPOTHESIS, "theorem t (p q : Prop) (x : ℕ) (h₀ : p → q) (h₁ : x > 0) (h₂ : p) : q")
    assert sorted(outs) == sorted([
        "(p q : Prop) (x : ℕ) (h₁ : x > 0) (h₂ : p) : q",
        "(p q : Prop) (x : ℕ) (h₀ : p → q) (h₂ : p) : q",
        "(p q : Prop) (x : ℕ) (h₀ : p → q) (h₁ : x > 0) : q",
    ])
    assert only(VariantKind.DROP_HYPOTHESIS, "theorem t (x : ℕ) : x = x") == []


def test_add_hypothesis_bounds_a_variable_with_a_fresh_name():
    outs = only(VariantKind.ADD_HYPOTHESIS, "theorem t (x : ℕ) (p : Prop) (h₀ : x = 4) (h₂ : p) : x ≤ 9", k=15)
    assert len(outs) >= 8
    for out in outs:
        head, added = out.rsplit(" (", 1)
        assert head == "(x : ℕ) (p : Prop) (h₀ : x = 4) (h₂ : p)"
        assert re.fullmatch(r"h₁ : (x (≤|<|≥|≠) \d+|¬?p)\) : x ≤ 9", added), out


def test_a_statement_without_edits_has_no_variants():
    assert variants(Problem("t", "theorem t : True"), random.Random(0), 3) == []
    assert variants(Problem("t", "not a theorem"), random.Random(0), 3) == []


def test_readable_filter_and_variant_maker():
    p = Problem("t", "theorem t (x : ℕ) (h₀ : x < 5) : x ≤ 4")
    assert all(mini_readable(v) for v in variants(p, random.Random(3), 5, readable=mini_readable))
    assert variants(p, random.Random(3), 5, readable=lambda v: False) == []
    make = variant_maker()
    v = make(p, random.Random(4))
    assert v is not None and v.parent == "t" and v == make(p, random.Random(4))


def test_a_false_variant_is_disproved_and_not_proved():
    """From true generated statements, variants whose NEGATION best-first proves exist; such a
    variant is false, so the search must not prove the variant itself."""
    env = open_env("mini")
    config = SearchConfig(max_env_calls=40, tactic_timeout=2.0, time_limit=4.0)
    disproved = []
    parents = [p for p in from_generator(4, 60, EASY) if p.family.endswith("/true")]
    for p in parents[:25]:
        for v in variants(p, random.Random(p.name), 3, readable=mini_readable):
            result = best_first_search(env, negation(v).statement, ActionSpace(), config=config)
            if result.proved:
                assert not best_first_search(env, v.statement, ActionSpace(), config=config).proved
                disproved.append((v, result.proof))
        if len(disproved) >= 3:
            break
    assert len(disproved) >= 3
    v, proof = disproved[0]
    assert env.verify(negation(v).statement, proof).ok and split_statement(v.statement).name == v.name
