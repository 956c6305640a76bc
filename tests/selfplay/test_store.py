"""The run directory and its logs: durable appends, torn lines, create/resume refusals."""

from __future__ import annotations

import json
import os

import pytest

from selfplay.store import LogError, MetricsLog, ProofLog, RunDir, RunDirError, atomic_write_json


def entry(i: int, kind: str = "proof") -> dict:
    return {"run": "r1", "name": f"s{i}", "statement": f"theorem s{i} : {i} = {i}", "kind": kind,
            "proof": "rfl", "backend": "mini", "worker": 0, "search": f"w0-{i}", "model_version": 1,
            "reason": "new"}


def test_proof_log_appends_durably(tmp_path, monkeypatch) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    log = ProofLog(tmp_path / "proofs.jsonl")
    assert log.read() == []
    log.append(entry(0))
    assert synced  # fsynced before append returned
    log.append(entry(1, "disproof"))
    again = ProofLog(tmp_path / "proofs.jsonl")  # a new process / resume
    again.append(entry(2))
    rows = again.read()
    assert [r["name"] for r in rows] == ["s0", "s1", "s2"]
    assert [r["kind"] for r in rows] == ["proof", "disproof", "proof"]
    assert all(isinstance(r["time"], float) for r in rows)


def test_proof_log_refuses_bad_entries(tmp_path) -> None:
    log = ProofLog(tmp_path / "proofs.jsonl")
    with pytest.raises(ValueError, match="kind"):
        log.append(entry(0, "unproved"))
    with pytest.raises(ValueError, match="proof"):
        log.append({k: v for k, v in entry(0).items() if k != "proof"})
    assert not log.path.exists()


def test_torn_last_line_is_skipped_then_cut(tmp_path) -> None:
    log = ProofLog(tmp_path / "proofs.jsonl")
    log.append(entry(0))
    log.append(entry(1))
    with open(log.path, "ab") as f:  # a crash in the middle of a third write
        f.write(json.dumps(entry(2)).encode()[:25])
    with pytest.warns(UserWarning, match="torn"):
        assert [r["name"] for r in log.read()] == ["s0", "s1"]
    resumed = ProofLog(log.path)
    with pytest.warns(UserWarning, match="torn"):
        resumed.append(entry(3))
    assert [r["name"] for r in resumed.read()] == ["s0", "s1", "s3"]  # no warning now: the file is whole


def test_torn_line_without_any_newline(tmp_path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"attem')
    log = MetricsLog(path)
    with pytest.warns(UserWarning):
        assert log.read() == []
    with pytest.warns(UserWarning):
        log.append({"attempts": 1})
    assert [r["attempts"] for r in log.read()] == [1]


def test_corrupt_middle_line_raises(tmp_path) -> None:
    path = tmp_path / "proofs.jsonl"
    path.write_text(json.dumps(entry(0)) + "\n{garbage\n" + json.dumps(entry(1)) + "\n")
    with pytest.raises(LogError, match=r"proofs.jsonl:2:"):
        ProofLog(path).read()


def test_metrics_log_stamps_time(tmp_path) -> None:
    log = MetricsLog(tmp_path / "metrics.jsonl")
    log.append({"attempts": 3, "loss": None})
    log.append({"attempts": 4, "time": 12.5})
    rows = log.read()
    assert rows[0]["attempts"] == 3 and rows[0]["loss"] is None and isinstance(rows[0]["time"], float)
    assert rows[1]["time"] == 12.5


def test_atomic_write_json(tmp_path) -> None:
    path = tmp_path / "state.json"
    atomic_write_json(path, {"a": [1, 2], "s": "⊢ ∀ x"})
    atomic_write_json(path, {"a": 3})
    assert json.loads(path.read_text()) == {"a": 3}
    with pytest.raises(TypeError):
        atomic_write_json(path, {"bad": object()})
    assert json.loads(path.read_text()) == {"a": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temp files left


def test_run_dir_create_and_resume(tmp_path) -> None:
    path = tmp_path / "run"
    run = RunDir.create(path, {"workers": 2}, resume=False, run_id="r-test")
    assert run.checkpoints.is_dir() and run.run_json.is_file()
    info = run.info()
    assert info["run"] == "r-test" == run.run_id and info["config"] == {"workers": 2}
    assert "start_time" in info and "leanzero_version" in info
    assert {run.proofs.name, run.metrics.name, run.buffer.name, run.state.name, run.curve.name} == {
        "proofs.jsonl", "metrics.jsonl", "buffer.jsonl.gz", "state.json", "curve.png"}
    assert run.latest_checkpoint == path / "checkpoints" / "latest.pt"

    assert run.read_state() is None
    run.write_state({"curriculum": {"version": 1}, "attempts": 5})
    run.proof_log().append(entry(0))

    with pytest.raises(RunDirError, match="--resume") as e:
        RunDir.create(path, {"workers": 2}, resume=False)
    assert str(path) in str(e.value)

    again = RunDir.create(path, {"workers": 4}, resume=True)
    assert again.run_id == "r-test" and again.read_state()["attempts"] == 5
    info = again.info()
    assert info["config"] == {"workers": 2} and info["resumes"][0]["config"] == {"workers": 4}
    assert [r["name"] for r in again.proof_log().read()] == ["s0"]


def test_run_dir_refusals(tmp_path) -> None:
    with pytest.raises(RunDirError, match="no such directory") as e:
        RunDir.create(tmp_path / "absent", {}, resume=True)
    assert str(tmp_path / "absent") in str(e.value)
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("hi")
    with pytest.raises(RunDirError, match="no run.json"):
        RunDir.create(stray, {}, resume=True)
    with pytest.raises(RunDirError, match="not empty"):
        RunDir.create(stray, {}, resume=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    RunDir.create(empty, {}, resume=False)  # an existing empty directory is fine
    (tmp_path / "afile").write_text("")
    with pytest.raises(RunDirError, match="a file"):
        RunDir.create(tmp_path / "afile", {}, resume=False)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "run.json").write_text("{torn")
    with pytest.raises(RunDirError, match="unreadable"):
        RunDir.create(bad, {}, resume=True)
