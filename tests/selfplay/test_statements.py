"""Statement sources: files with clear errors, the generator, negations of what they yield read
by `mini`, and disproofs on `mini` (the negation of a false statement is provable, the statement
is not). The text forms of statements and negations are tested in tests/lean_env/test_statement.py."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from lean_env import open_env
from lean_env.contract import StatementError
from lean_env.problem import Problem, negation
from lean_env.text.statement import split_statement
from prover.actions import ActionSpace
from search.bestfirst import SearchConfig, best_first_search
from selfplay.generator import EASY, HARD, MEDIUM, Difficulty
from selfplay.statements import (
    StatementSourceError,
    difficulty_label,
    from_generator,
    from_jsonl,
    generator_stream,
)

MINIF2F = Path(__file__).resolve().parents[3] / "shared" / "minif2f"


# ------------------------------------------------------------------ negations of generated and miniF2F statements


def test_negations_of_generated_statements_are_read_by_mini():
    env = open_env("mini")
    count = 0
    for d in (EASY, MEDIUM, HARD, Difficulty(4, 5, 4, 4, false_share=0.5)):
        for p in from_generator(31, 60, d):
            env.start(p.statement)
            state = env.start(negation(p).statement)
            assert state.goals[0].text.startswith("⊢ ¬"), negation(p).statement
            count += 1
    assert count == 240


@pytest.mark.skipif(not (MINIF2F / "valid.jsonl").exists(), reason="needs ../shared/minif2f")
def test_negations_of_minif2f_statements_read_when_the_statement_does():
    env = open_env("mini")
    read = 0
    for p in from_jsonl(MINIF2F / "valid.jsonl"):
        try:
            env.start(p.statement, header=p.header)
        except StatementError:
            continue
        env.start(negation(p).statement, header=p.header)
        read += 1
    assert read > 100


def test_false_generated_statements_are_disproved_and_not_proved():
    """Best-first with the basic candidates disproves some statements labelled false; none of
    their originals is proved. (Quantified ones need `∀`-instantiation, which the basic
    candidates do not offer: closed and bounded ones go through.)"""
    env = open_env("mini")
    config = SearchConfig(max_env_calls=40, tactic_timeout=2.0, time_limit=4.0)
    false = [p for d in (EASY, MEDIUM) for p in from_generator(3, 80, d) if p.family.endswith("/false")]
    assert len(false) >= 20
    disproved = []
    for p in false[:20]:
        result = best_first_search(env, negation(p).statement, ActionSpace(), config=config)
        if result.proved:
            assert env.verify(negation(p).statement, result.proof).ok
            assert not best_first_search(env, p.statement, ActionSpace(), config=config).proved, p.statement
            disproved.append(p.family)
    assert len(disproved) >= 3, disproved
    assert any(f.startswith("closed/") for f in disproved)


# ------------------------------------------------------------------ sources


def test_from_generator():
    ps = from_generator(7, 12, "easy")
    assert ps == from_generator(7, 12, EASY)
    assert [p.name for p in ps] == [f"gen_7_{i}" for i in range(12)]
    for p in ps:
        assert p.source == "generator:7/easy" and p.parent is None and p.header == ""
        assert p.statement.startswith(f"theorem {p.name} ") and ":=" not in p.statement
        assert p.family.endswith(("/true", "/false"))
    assert difficulty_label(MEDIUM) == "medium"
    assert difficulty_label(Difficulty(1, 2, 3, 4, 0.5)) == "l1h2a3v4f0.5"


def test_generator_stream_is_endless_deterministic_and_named_uniquely():
    a = list(itertools.islice(generator_stream(5, "easy", batch=7), 30))
    assert a == list(itertools.islice(generator_stream(5, "easy", batch=7), 30))
    assert len({p.name for p in a}) == 30
    assert a != list(itertools.islice(generator_stream(6, "easy", batch=7), 30))


def write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def test_from_jsonl_reads_rows(tmp_path):
    path = write(tmp_path / "s.jsonl", [
        {"name": "a", "formal_statement": "theorem a (x : ℕ) (h : x = 1) : x + 1 = 2 := by sorry",
         "header": "import Mathlib"},
        "",
        {"name": "b", "formal_statement": "theorem b : 1 + 1 = 2 := by\n", "split": "valid"},
    ])
    a, b = from_jsonl(path)
    assert a == Problem("a", "theorem a (x : ℕ) (h : x = 1) : x + 1 = 2", "import Mathlib", f"file:{path}")
    assert (b.statement, b.header, b.parent) == ("theorem b : 1 + 1 = 2", "", None)


@pytest.mark.parametrize("row, message", [
    ("{not json", "not JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({"formal_statement": "theorem a : True"}, "field 'name'"),
    ({"name": "a", "formal_statement": 3}, "field 'formal_statement'"),
    ({"name": "a", "formal_statement": "theorem a : True", "header": 1}, "field 'header'"),
    ({"name": "a", "formal_statement": "def a : ℕ := 1"}, "statement 'a' cannot be read"),
    ({"name": "ok", "formal_statement": "theorem ok : True"}, "duplicate name 'ok' (first on line 1)"),
])
def test_from_jsonl_errors_name_file_and_line(tmp_path, row, message):
    path = write(tmp_path / "bad.jsonl", [{"name": "ok", "formal_statement": "theorem ok : True"}, "", row])
    with pytest.raises(StatementSourceError) as e:
        from_jsonl(path)
    assert str(e.value).startswith(f"{path}:3: ") and message in str(e.value)


@pytest.mark.skipif(not (MINIF2F / "valid.jsonl").exists(), reason="needs ../shared/minif2f")
def test_from_jsonl_reads_minif2f():
    ps = from_jsonl(MINIF2F / "valid.jsonl")
    assert len(ps) == 244 and all(p.header.startswith("import Mathlib") for p in ps)
    assert all(split_statement(p.statement).name == p.name for p in ps)
