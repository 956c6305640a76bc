"""`leanzero selfplay` and `leanzero evaluate` on a two-node Ray cluster, one node removed mid-run.

tests/cli/two_node_cluster.py runs in its own process (the session's Ray instance is not
touched): a head of 1 CPU on this machine, and for each command a worker node of 1 CPU; the real
CLI joins with `--address`, its workers run on both nodes (each line they write names its node),
then the worker node is removed. The run must finish, and nothing verified may be lost: every
line on disk parses, none is repeated, each recorded proof verifies again on `mini`, and the lines
written before the removal are still the file's first lines. Both commands share one cluster
(about a minute in all, most of it starting actors that import torch).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from lean_env.mini import MiniEnv

HARNESS = Path(__file__).with_name("two_node_cluster.py")
FAST = {"and_intro": "(p q : Prop) (hp : p) (hq : q) : p ∧ q", "pos_ne": "(x : ℕ) (h₀ : 0 < x) : x ≠ 0",
        "add_comm_easy": "(a b : ℕ) : a + b = b + a", "le_refl_easy": "(n : ℕ) : n ≤ n"}
# false, inside mini's fragment: each search runs until its time limit (a second)
SLOW = {f"false_eq_{k}": f"(x : ℕ) (h : {k} < x) : x = {k + 2}" for k in range(6)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Self-play and evaluation, each on the two-node cluster losing its worker node: name -> folder."""
    root = tmp_path_factory.mktemp("cluster")
    problems = root / "problems.jsonl"
    problems.write_text("".join(json.dumps({"name": n, "formal_statement": f"theorem {n} {s} := by sorry"},
                                           ensure_ascii=False) + "\n" for n, s in {**SLOW, **FAST}.items()),
                        encoding="utf-8")
    selfplay, evaluate = root / "selfplay", root / "evaluate"
    commands = {
        selfplay: (selfplay / "run" / "proofs.jsonl", [
            "selfplay", "--backend", "mini", "--workers", "2", "--minutes", "0.15", "--difficulty", "easy",
            "--run-dir", str(selfplay / "run"), "--no-live", "--metrics-seconds", "2", "--min-buffer", "16",
            "--train-steps", "5", "--batch-size", "8", "--simulations", "16", "--env-calls", "32",
            "--problems-per-task", "2", "--search-seconds", "2", "--stop-grace-seconds", "10", "--seed", "1"]),
        evaluate: (evaluate / "out" / "results.jsonl", [
            "evaluate", "--problems", str(problems), "--workers", "2", "--budget", "100000", "--time-limit", "1",
            "--out", str(evaluate / "out")]),
    }
    for folder in commands:
        folder.mkdir()
    spec = root / "spec.json"
    spec.write_text(json.dumps({"runs": [{"dir": str(d), "log": str(log), "command": command}
                                         for d, (log, command) in commands.items()]}), encoding="utf-8")
    # Ray's files (and the cluster's address) go to a folder of their own, with a short path: Unix
    # socket paths are limited to 107 bytes
    ray_tmp = tempfile.mkdtemp(prefix="lzray-", dir="/tmp" if os.path.isdir("/tmp") else None)
    try:
        proc = subprocess.Popen([sys.executable, str(HARNESS), str(spec)], env={**os.environ, "RAY_TMPDIR": ray_tmp},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            output, _ = proc.communicate(timeout=250)  # within pytest-timeout's 300 s
        except subprocess.TimeoutExpired:
            proc.terminate()  # the harness shuts its cluster down on SIGTERM
            output, _ = proc.communicate(timeout=20)
            pytest.fail(f"the two-node runs did not end:\n{output[-3000:]}")
        assert proc.returncode == 0, output[-3000:]
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    return {"selfplay": selfplay, "evaluate": evaluate}


def finished(folder: Path) -> tuple[dict, str]:
    """The harness's facts about one command, and the command's stderr; it ended well, with workers
    on both nodes before the removal."""
    facts = json.loads((folder / "facts.json").read_text(encoding="utf-8"))
    err = (folder / "stderr.txt").read_text(encoding="utf-8")
    assert facts["code"] == 0, err[-3000:]
    assert {row["node"] for row in facts["seen"]} == {facts["head"], facts["worker"]}, "workers on both nodes"
    return facts, err


def jsonl(path: Path) -> list[dict]:
    """Every line of a JSONL file, each a whole JSON object (no torn last line)."""
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{path}: a torn last line"
    return [json.loads(line) for line in text.splitlines()]


def test_selfplay_loses_nothing_verified_when_a_node_leaves(runs: dict[str, Path]) -> None:
    facts, err = finished(runs["selfplay"])
    run_dir = runs["selfplay"] / "run"
    entries = jsonl(run_dir / "proofs.jsonl")
    assert entries[: len(facts["seen"])] == facts["seen"], "what was on disk before the removal stays, as it was"
    assert len({(e["search"], e["kind"]) for e in entries}) == len(entries), "no search recorded twice"
    env = MiniEnv()
    for e in entries:
        assert e["backend"] == "mini" and e["node"] in (facts["head"], facts["worker"])
        assert env.verify(e["statement"], e["proof"]).ok, e
    assert any(e["node"] == facts["head"] and e["written"] > facts["removed_at"] + 1 for e in entries), (
        "the run went on, on the head's worker")
    # every result a worker reported to the driver (the curriculum counts it) is on disk
    state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
    on_disk = Counter(e["name"] for e in entries)
    for entry in state["curriculum"]["entries"]:
        name = entry["problem"]["name"]
        assert entry["solved"] <= on_disk[name], f"{name}: solved {entry['solved']} times, {on_disk[name]} on disk"
    counters = state["counters"]
    assert counters["proofs"] + counters["disproofs"] <= len(entries)
    assert counters["restarts"] >= 1, "the driver saw the worker go: " + err[-2000:]
    assert (run_dir / "checkpoints" / "latest.pt").is_file(), "the final checkpoint was written"


def test_evaluate_retries_the_problems_of_a_node_that_leaves(runs: dict[str, Path]) -> None:
    facts, err = finished(runs["evaluate"])
    out = runs["evaluate"] / "out"
    rows = jsonl(out / "results.jsonl")
    assert rows[: len(facts["seen"])] == facts["seen"]
    assert sorted(r["name"] for r in rows) == sorted({**SLOW, **FAST}), "one row per problem"
    assert all(r["node"] in (facts["head"], facts["worker"]) for r in rows)
    assert "backend crash" not in err and not any(r["status"] == "error" for r in rows), err[-2000:]
    by_name = {r["name"]: r for r in rows}
    lost = [line.split(" during ")[1].split(";")[0] for line in err.splitlines() if "was lost with its node" in line]
    assert lost, "the worker node was removed mid-problem: " + err[-2000:]
    for name in lost:
        assert by_name[name]["node"] == facts["head"], f"{name} was run again on the head"
    assert all(by_name[n]["status"] == "proved" for n in FAST)
    assert all(by_name[n]["status"] in ("timeout", "failed") for n in SLOW)
    env = MiniEnv()
    for r in rows:
        if r["proof"] is not None:
            assert env.verify(r["statement"], r["proof"]).ok, r
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["complete"]
