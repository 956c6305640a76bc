"""Weighted statement sources: spec parsing, the mixed stream (proportions, determinism, resume
by position, file cycling), the config's round trip through run.json (old ones included), and
provenance: records and the buffer's counts by source family."""

from __future__ import annotations

import collections
import itertools
import json
from pathlib import Path

import pytest

from lean_env import open_env
from lean_env.problem import Problem
from prover.actions import ActionSpace
from search.evaluator import uniform_evaluator
from selfplay.attempt import attempt_batch
from selfplay.buffer import ReplayBuffer
from selfplay.config import SelfPlayConfig, SourceSpec
from selfplay.records import SelfPlayRecord, is_real_source, source_family
from selfplay.statements import (
    StatementSourceError,
    file_labels,
    file_stream,
    from_generator,
    generator_stream,
    mixed_stream,
    weighted_order,
)

MINIF2F = Path(__file__).resolve().parents[3] / "shared" / "minif2f"


def statements_file(path: Path, n: int, stem: str = "s") -> Path:
    rows = [{"name": f"{stem}{i}", "formal_statement": f"theorem {stem}{i} (x : ℕ) (h : x = {i}) : x + 1 = {i + 1}"}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# ------------------------------------------------------------------ specs


@pytest.mark.parametrize(
    ("text", "path", "weight"),
    [("generator", None, 1.0), ("generator:2", None, 2.0), ("generator:0.25", None, 0.25),
     ("data/valid.jsonl", "data/valid.jsonl", 1.0), ("data/valid.jsonl:3", "data/valid.jsonl", 3.0),
     ("C:/data/x.jsonl", "C:/data/x.jsonl", 1.0),  # a ':' inside the path is the path's
     ("a:b/c.jsonl:1.5", "a:b/c.jsonl", 1.5), ("x.jsonl:2:1", "x.jsonl:2", 1.0), ("x.jsonl:1e-3", "x.jsonl", 0.001)],
)
def test_spec_parsing(text: str, path: str | None, weight: float) -> None:
    spec = SourceSpec.parse(text)
    assert (spec.path, spec.weight) == (path, weight)
    assert SourceSpec.parse(str(spec)) == spec, "the text form reads back as the same source"


@pytest.mark.parametrize(("text", "message"), [
    ("generator:0", "positive"), ("generator:-1", "positive"), ("x.jsonl:0", "positive"), ("x.jsonl:-2.5", "positive"),
    ("x.jsonl:nan", "positive"), ("x.jsonl:inf", "positive"), ("", "empty statement source"), (":2", "empty"),
])
def test_bad_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SourceSpec.parse(text)


def test_a_spec_refuses_a_bad_weight_however_it_is_made() -> None:
    for weight in (0, -1.0, float("nan"), True):
        with pytest.raises(ValueError, match="weight must be a positive number"):
            SourceSpec("x.jsonl", weight)  # type: ignore[arg-type]
    assert SourceSpec.coerce({"path": None, "weight": 2}) == SourceSpec(None, 2.0)
    assert SourceSpec.coerce("v.jsonl:3") == SourceSpec("v.jsonl", 3.0)
    assert SourceSpec("/d/valid.jsonl", 2).label == "valid.jsonl" and SourceSpec().label == "generator"


# ------------------------------------------------------------------ the config and run.json


def test_sources_round_trip_through_run_json() -> None:
    config = SelfPlayConfig(run_dir="r", sources=(SourceSpec(), SourceSpec("/d/a:b.jsonl", 0.5)))
    stored = json.loads(json.dumps(config.to_dict()))
    assert stored["sources"] == ["generator:1", "/d/a:b.jsonl:0.5"]
    back = SelfPlayConfig(**stored)
    assert back == config and back.statement_sources() == config.sources
    # the dict form dataclasses.asdict gives is taken back too
    assert SelfPlayConfig(run_dir="r", sources=[{"path": "/d/x.jsonl", "weight": 2.0}]).sources == (  # type: ignore[arg-type]
        SourceSpec("/d/x.jsonl", 2.0),)


def test_old_run_json_with_only_a_problems_file_still_reads() -> None:
    old = {"run_dir": "r", "seed": 4, "problems_file": "/d/valid.jsonl", "difficulty": "easy"}
    config = SelfPlayConfig(**old)  # type: ignore[arg-type]
    assert config.sources == () and config.statement_sources() == (SourceSpec("/d/valid.jsonl"),)
    assert SelfPlayConfig(run_dir="r").statement_sources() == (SourceSpec(),), "the generator by default"
    with pytest.raises(ValueError, match="not both"):
        SelfPlayConfig(run_dir="r", problems_file="/d/a.jsonl", sources=(SourceSpec(),))


# ------------------------------------------------------------------ the mixed stream


@pytest.mark.parametrize("weights", [(1.0, 1.0), (1.0, 3.0), (0.1, 0.2, 0.7), (2.5, 1.0, 1.0, 0.5)])
def test_weighted_order_keeps_every_prefix_within_one_of_its_share(weights: tuple[float, ...]) -> None:
    total = sum(weights)
    counts = [0] * len(weights)
    for n, i in enumerate(itertools.islice(weighted_order(weights), 2000), 1):
        counts[i] += 1
        assert all(abs(c - n * w / total) < 1 for c, w in zip(counts, weights, strict=True)), (n, counts)
    with pytest.raises(ValueError):
        next(weighted_order([1.0, 0.0]))


def test_mixed_stream_draws_in_proportion_and_deterministically(tmp_path: Path) -> None:
    path = statements_file(tmp_path / "real.jsonl", 50)
    sources = (SourceSpec(None, 3.0), SourceSpec(str(path), 1.0))
    drawn = list(itertools.islice(mixed_stream(sources, seed=5, difficulty="easy"), 2000))
    families = collections.Counter(source_family(p.source) for p in drawn)
    assert families == {"generator": 1500, "file:real.jsonl": 500}
    assert drawn == list(itertools.islice(mixed_stream(sources, seed=5, difficulty="easy"), 2000))
    other_seed = list(itertools.islice(mixed_stream(sources, seed=6, difficulty="easy"), 2000))
    assert [p.source for p in other_seed] != [p.source for p in drawn], "the generator follows the seed"
    assert len({p.name for p in drawn}) == 2000, "names never repeat: files get a round suffix"


def test_mixed_stream_from_skip_is_the_stream_without_its_first_statements(tmp_path: Path) -> None:
    a = statements_file(tmp_path / "a.jsonl", 7, "a")
    b = statements_file(tmp_path / "b.jsonl", 3, "b")
    sources = (SourceSpec(None, 1.0), SourceSpec(str(a), 2.0), SourceSpec(str(b), 0.5))
    full = list(itertools.islice(mixed_stream(sources, seed=1, difficulty="easy"), 600))
    for k in (0, 1, 17, 299, 531):
        resumed = list(itertools.islice(mixed_stream(sources, seed=1, difficulty="easy", skip=k), 600 - k))
        assert resumed == full[k:], k


def test_files_cycle_with_a_round_suffix(tmp_path: Path) -> None:
    path = statements_file(tmp_path / "real.jsonl", 3)
    stream = list(itertools.islice(mixed_stream((SourceSpec(str(path)),), seed=0), 8))
    assert [p.name for p in stream] == ["s0", "s1", "s2", "s0~1", "s1~1", "s2~1", "s0~2", "s1~2"]
    assert stream[3].statement == stream[0].statement and {p.source for p in stream} == {"file:real.jsonl"}
    assert list(itertools.islice(file_stream(stream[:3], start=4), 3)) == stream[4:7]


def test_a_single_source_is_exactly_its_own_stream(tmp_path: Path) -> None:
    """What runs from before mixed sources consumed: their `consumed` positions still hold."""
    gen = list(itertools.islice(mixed_stream((SourceSpec(),), seed=2, difficulty="easy", skip=250), 20))
    assert gen == list(itertools.islice(generator_stream(2, "easy"), 250, 270))
    assert list(itertools.islice(generator_stream(2, "easy", batch=7, start=12), 9)) == list(
        itertools.islice(generator_stream(2, "easy", batch=7), 12, 21))
    path = statements_file(tmp_path / "f.jsonl", 4)
    names = [p.name for p in itertools.islice(mixed_stream((SourceSpec(str(path)),), seed=0, skip=6), 3)]
    assert names == ["s2~1", "s3~1", "s0~2"]


def test_file_labels_are_file_names_unless_they_clash(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a = statements_file(tmp_path / "x" / "valid.jsonl", 2, "a")
    b = statements_file(tmp_path / "y" / "valid.jsonl", 2, "b")
    c = statements_file(tmp_path / "test.jsonl", 2, "c")
    labels = file_labels([SourceSpec(str(a)), SourceSpec(str(b)), SourceSpec(str(c)), SourceSpec()])
    assert labels == {str(a): f"file:{a}", str(b): f"file:{b}", str(c): "file:test.jsonl"}
    drawn = list(itertools.islice(mixed_stream([SourceSpec(str(a)), SourceSpec(str(b))], seed=0), 4))
    assert {p.source for p in drawn} == {f"file:{a}", f"file:{b}"}


def test_bad_sources_are_refused_naming_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "u", "formal_statement": "theorem u (x : ℕ) x = x"}\n')
    good = statements_file(tmp_path / "good.jsonl", 2)
    cases = [
        ((SourceSpec(str(empty)),), f"{empty}: no statements in the file"),
        ((SourceSpec(str(tmp_path / "missing.jsonl")),), f"{tmp_path / 'missing.jsonl'}: cannot read"),
        ((SourceSpec(), SourceSpec(str(bad))), f"{bad}:1: statement 'u' cannot be read"),
        ((SourceSpec(str(good)), SourceSpec(str(good), 2.0)), f"statement source {good} given twice"),
        ((SourceSpec(), SourceSpec(None, 3.0)), "statement source generator given twice"),
    ]
    for sources, message in cases:
        with pytest.raises(StatementSourceError) as e:
            mixed_stream(sources, seed=0)  # at once, not at the first statement
        assert str(e.value).startswith(message), str(e.value)


@pytest.mark.skipif(not (MINIF2F / "valid.jsonl").exists(), reason="needs ../shared/minif2f")
def test_minif2f_mixed_with_the_generator() -> None:
    sources = (SourceSpec(), SourceSpec(str(MINIF2F / "valid.jsonl")))
    drawn = list(itertools.islice(mixed_stream(sources, seed=0, difficulty="easy"), 400))
    assert collections.Counter(source_family(p.source) for p in drawn) == {"generator": 200, "file:valid.jsonl": 200}
    real = [p for p in drawn if is_real_source(p.source)]
    assert all(p.header and ":= by" not in p.statement for p in real), "statements only, never proofs"


# ------------------------------------------------------------------ provenance


def record(source: str, kind: str = "unproved", goal: str = "⊢ True") -> SelfPlayRecord:
    return SelfPlayRecord(goal, ("trivial",), (1.0,), 0.5, kind, "run", "s", "w0-1-0", 0, source)  # type: ignore[arg-type]


def test_source_families() -> None:
    assert source_family("generator:3/easy") == "generator"
    assert source_family("file:valid.jsonl") == "file:valid.jsonl"
    assert source_family("variant:numeral:file:valid.jsonl") == "variant"
    assert source_family("") == "unknown"
    assert is_real_source("file:valid.jsonl") and not is_real_source("variant:numeral:file:valid.jsonl")
    assert not is_real_source("generator:3/easy")


def test_records_keep_their_source_and_old_dicts_still_load() -> None:
    r = record("file:valid.jsonl")
    assert SelfPlayRecord.from_dict(json.loads(json.dumps(r.to_dict()))) == r
    old = {k: v for k, v in r.to_dict().items() if k != "source"}
    assert SelfPlayRecord.from_dict(old).source == ""
    assert record("").with_source("generator:1/easy").source == "generator:1/easy"


def test_buffer_counts_records_by_source_family_through_eviction_and_snapshots(tmp_path: Path) -> None:
    buf = ReplayBuffer(6, seed=0)
    buf.add([record("generator:1/easy", goal=f"⊢ g{i}") for i in range(4)])
    buf.add([record("file:valid.jsonl", "proof"), record("variant:relation:generator:1/easy")])
    assert buf.source_counts() == {"generator": 4, "file:valid.jsonl": 1, "variant": 1}
    buf.add([record("file:valid.jsonl"), record("file:valid.jsonl"), record("")])  # the three oldest leave
    assert buf.source_counts() == {"file:valid.jsonl": 3, "generator": 1, "unknown": 1, "variant": 1}
    assert sum(buf.source_counts().values()) == len(buf) == sum(buf.counts().values())
    back = ReplayBuffer.load(buf.snapshot(tmp_path / "b.jsonl.gz"))
    assert back.source_counts() == buf.source_counts() and [r.source for r in back] == [r.source for r in buf]


def test_attempt_records_carry_the_statement_source() -> None:
    """The records of both searches (the statement's and its negation's) carry the statement's
    source, so the buffer can count them by where the statement came from."""
    problems = [p for p in from_generator(4, 12, "easy") if p.family.endswith("/true")][:2]
    real = Problem("r", "theorem r (p q : Prop) (hp : p) (hq : q) : p ∧ q", source="file:valid.jsonl")
    results = attempt_batch(open_env("mini"), [*problems, real], uniform_evaluator, ActionSpace(),
                            run="t", search_prefix="w0-1", model_version=0)
    for problem, result in zip([*problems, real], results, strict=True):
        assert result.records, problem.name
        assert {r.source for r in result.records} == {problem.source}
    buf = ReplayBuffer(10_000)
    buf.add(r for result in results for r in result.records)
    assert set(buf.source_counts()) == {"generator", "file:valid.jsonl"}
