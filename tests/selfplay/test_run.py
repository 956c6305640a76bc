"""Self-play end to end on Ray and `mini`: a short run, a killed worker, stop and resume.

All runs share the session's Ray instance (`ray_session` in tests/conftest.py). They are short
(seconds), so they check the machinery, not learning: `bench/learning_curve.py` does that.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from lean_env import open_env
from prover.net.checkpoint import load_checkpoint
from selfplay.buffer import ReplayBuffer
from selfplay.config import SelfPlayConfig
from selfplay.run import run_selfplay

pytestmark = pytest.mark.timeout(600)


def config(run_dir: Path, **changes: object) -> SelfPlayConfig:
    base = dict(
        run_dir=str(run_dir), minutes=0.25, workers=2, metrics_seconds=4.0, plot_seconds=8.0, min_buffer=32,
        train_steps=10, batch_size=16, simulations=32, env_calls=64, problems_per_task=2, seed=3,
    )
    return SelfPlayConfig(**{**base, **changes})  # type: ignore[arg-type]


def proofs(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "proofs.jsonl").read_text().splitlines()]


def test_run_with_a_killed_worker_then_resume(ray_session, tmp_path: Path) -> None:
    """One run in which a worker is killed mid-run, then the same run resumed."""
    import ray

    run_dir = tmp_path / "run"
    killed: dict[str, object] = {}

    def kill_one(workers: list) -> None:
        def later() -> None:
            time.sleep(3.0)
            pid = ray.get(workers[0].pid.remote())
            killed["before"] = proofs(run_dir)
            killed["time"] = time.time()
            os.kill(pid, signal.SIGKILL)

        threading.Thread(target=later, daemon=True).start()

    first = run_selfplay(config(run_dir, minutes=0.6), on_started=kill_one)
    # the kill: the run went on, the worker came back, nothing verified before it was lost
    assert "time" in killed and first.restarts >= 1
    entries = proofs(run_dir)
    assert entries[: len(killed["before"])] == killed["before"]
    revived = [e for e in entries if e["worker"] == 0 and e["written"] > killed["time"] + 0.5]
    assert revived, "the killed worker came back and found more proofs"

    assert first.attempts > 0 and first.proofs + first.disproofs > 0
    assert first.learner_step > 0 and first.model_version > 0, "the learner trained and published"
    # the store holds verified proofs and disproofs only (at least those the driver counted;
    # tasks cut off at the end may have added more): re-check some from scratch on mini
    assert len(entries) >= first.proofs + first.disproofs
    assert {e["kind"] for e in entries} <= {"proof", "disproof"}
    env = open_env("mini")
    for e in entries[:: max(1, len(entries) // 10)]:
        assert env.verify(e["statement"], e["proof"]).ok, e
    ckpt = load_checkpoint(run_dir / "checkpoints" / "latest.pt")
    assert ckpt.step == first.learner_step and ckpt.metadata["version"] == first.model_version
    buffer = ReplayBuffer.load(run_dir / "buffer.jsonl.gz")
    assert len(buffer) == first.buffer and sum(buffer.counts().values()) == len(buffer)
    assert all(r.run == entries[0]["run"] for r in buffer)
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert rows and rows[-1]["attempts"] == first.attempts and rows[-1]["sources"] == first.sources
    # every record came from a search of a statement of the run's source (or a variant of one)
    assert first.sources and set(first.sources) <= {"generator", "variant"}, first.sources
    assert (run_dir / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    with pytest.raises(ValueError, match="resume"):
        run_selfplay(config(run_dir))  # a new run refuses a used directory

    second = run_selfplay(config(run_dir, minutes=0.2), resume=True)
    assert second.attempts > first.attempts and second.elapsed > first.elapsed
    assert second.learner_step > first.learner_step and second.model_version > first.model_version
    assert second.buffer >= first.buffer
    assert proofs(run_dir)[: len(entries)] == entries, "the store is append-only across sessions"
    assert load_checkpoint(run_dir / "checkpoints" / "latest.pt").step == second.learner_step


def test_a_worker_that_cannot_start_stops_the_run_with_its_reason(ray_session, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="could not start.*nope"):
        run_selfplay(config(tmp_path / "run", backend="nope"))


def test_backend_process_counters_survive_a_resume_and_reach_the_summary() -> None:
    """Workers report their backend's kills, restarts, ... per task; the driver sums them into
    state.json (so a resumed run keeps them), the metrics rows and the final summary."""
    import dataclasses

    from cli.selfplay import summary
    from selfplay.config import Progress, SelfPlayConfig
    from selfplay.run import _Counters

    counters = _Counters(env={"kills": 2, "restarts": 3})
    again = _Counters.from_state(json.loads(json.dumps(counters.state(12.0))))
    assert again.env == {"kills": 2, "restarts": 3} and _Counters.from_state({"elapsed": 0}).env == {}
    final = Progress(elapsed=1.0, attempts=1, proofs=0, disproofs=0, solve_rate=0.0, buffer=0, learner_step=0,
                     model_version=0, loss=None, workers_alive=0, restarts=0, env=again.env)
    assert final.row()["env"] == {"kills": 2, "restarts": 3}
    text = summary(SelfPlayConfig(run_dir="runs/x"), final, interrupted=False)
    assert "backend processes: kills 2, restarts 3" in text
    quiet = summary(SelfPlayConfig(run_dir="runs/x"), dataclasses.replace(final, env={}), interrupted=False)
    assert "backend processes" not in quiet
