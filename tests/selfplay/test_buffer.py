"""The replay buffer: FIFO bound, seeded sampling, solved share, snapshots that resume exactly."""

from __future__ import annotations

import gzip
import json

import pytest

from selfplay.buffer import ReplayBuffer, ReplayBufferError
from selfplay.records import SelfPlayRecord


def rec(i: int, kind: str = "unproved") -> SelfPlayRecord:
    return SelfPlayRecord(goal=f"x : ℕ\n⊢ x + {i} = {i} + x", tactics=("omega", "simp"), visits=(0.75, 0.25),
                          value=1.0 if kind != "unproved" else 0.4, kind=kind, run="r1", statement=f"s{i}",
                          search=f"w0-{i}", model_version=i % 3)


def test_record_round_trip() -> None:
    r = rec(7, "disproof")
    assert SelfPlayRecord.from_dict(json.loads(json.dumps(r.to_dict()))) == r


def test_capacity_evicts_oldest() -> None:
    buf = ReplayBuffer(5)
    assert buf.add(rec(i, "proof" if i % 4 == 0 else "unproved") for i in range(12)) == 12
    assert len(buf) == 5 and buf.added_total == 12
    assert [r.statement for r in buf] == [f"s{i}" for i in range(7, 12)]
    assert buf.counts() == {"proof": 1, "disproof": 0, "unproved": 4}  # only s8 is left of the proofs
    assert buf.add([]) == 0


def test_unknown_kind_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        ReplayBuffer(3).add([rec(0, "maybe")])


def test_sampling_is_seeded() -> None:
    def draw(seed: int) -> list[str]:
        buf = ReplayBuffer(100, seed=seed)
        buf.add(rec(i) for i in range(50))
        return [r.statement for r in buf.sample(40)]

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)
    buf = ReplayBuffer(10)
    assert buf.sample(0) == []
    with pytest.raises(LookupError):
        buf.sample(1)


def test_solved_share_tops_up_each_batch() -> None:
    buf = ReplayBuffer(1000, seed=1, solved_share=0.25)
    buf.add(rec(i, "proof" if i == 500 else "disproof" if i == 900 else "unproved") for i in range(1000))
    for _ in range(20):
        batch = buf.sample(16)
        assert sum(r.kind != "unproved" for r in batch) >= 4
    plain = ReplayBuffer(1000, seed=1)
    plain.add(buf)
    assert sum(r.kind != "unproved" for _ in range(20) for r in plain.sample(16)) < 20


def test_solved_share_without_solved_records_is_uniform() -> None:
    a, b = ReplayBuffer(50, seed=2, solved_share=0.5), ReplayBuffer(50, seed=2)
    a.add(rec(i) for i in range(50))
    b.add(rec(i) for i in range(50))
    assert a.sample(30) == b.sample(30)


def test_solved_share_does_not_pick_evicted_records() -> None:
    buf = ReplayBuffer(10, seed=0, solved_share=1.0)
    buf.add(rec(i, "proof" if i < 5 else "unproved") for i in range(13))  # proofs s0..s4, only s3, s4 held
    assert {r.statement for r in buf.sample(200)} == {"s3", "s4"}


def test_snapshot_round_trip_continues_rng(tmp_path) -> None:
    buf = ReplayBuffer(20, seed=5, solved_share=0.3)
    buf.add(rec(i, ["proof", "disproof", "unproved", "unproved"][i % 4]) for i in range(33))
    buf.sample(7)  # move the RNG on
    path = buf.snapshot(tmp_path / "buffer.jsonl.gz")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    back = ReplayBuffer.load(path)
    assert list(back) == list(buf)
    assert back.counts() == buf.counts() and back.added_total == 33 and back.capacity == 20
    assert back.solved_share == 0.3
    assert back.sample(25) == buf.sample(25)
    more = [rec(100 + i, "proof") for i in range(6)]
    buf.add(more)
    back.add(more)
    assert list(back) == list(buf) and back.sample(25) == buf.sample(25)


def test_snapshot_overwrites_atomically(tmp_path) -> None:
    path = tmp_path / "b.jsonl.gz"
    buf = ReplayBuffer(4)
    buf.add([rec(0)])
    buf.snapshot(path)
    buf.add([rec(1)])
    buf.snapshot(path)
    assert len(ReplayBuffer.load(path)) == 2


def test_empty_snapshot(tmp_path) -> None:
    path = ReplayBuffer(4, seed=9).snapshot(tmp_path / "b.jsonl.gz")
    back = ReplayBuffer.load(path)
    assert len(back) == 0 and back.added_total == 0


def _write_gz(path, lines: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


def test_corrupt_snapshots_are_refused(tmp_path) -> None:
    buf = ReplayBuffer(10)
    buf.add(rec(i) for i in range(4))
    good = buf.snapshot(tmp_path / "good.jsonl.gz")
    raw = good.read_bytes()

    not_gzip = tmp_path / "plain.jsonl.gz"
    not_gzip.write_text('{"format": "leanzero-buffer"}\n')
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(raw[: len(raw) // 2])
    foreign = tmp_path / "foreign.jsonl.gz"
    _write_gz(foreign, ['{"goal": "x"}'])
    with gzip.open(good, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    missing = tmp_path / "missing.jsonl.gz"
    _write_gz(missing, lines[:-1])
    bad_line = tmp_path / "badline.jsonl.gz"
    _write_gz(bad_line, [*lines[:2], "{not json", *lines[3:]])
    future = tmp_path / "future.jsonl.gz"
    _write_gz(future, [json.dumps({**json.loads(lines[0]), "version": 99}), *lines[1:]])

    for path, match in [(not_gzip, "not a readable"), (truncated, "not a readable"), (foreign, "not a replay"),
                        (missing, "promises 4 records"), (bad_line, ":3: bad record"), (future, "version 99")]:
        with pytest.raises(ReplayBufferError, match=match) as e:
            ReplayBuffer.load(path)
        assert str(path) in str(e.value)
    with pytest.raises(FileNotFoundError):
        ReplayBuffer.load(tmp_path / "absent.jsonl.gz")
