"""A self-play run's settings and its progress report: the one place their defaults live.

Light on purpose (no Ray, no torch): `leanzero selfplay --help` reads its flags' defaults and
choices from here, and the driver (`selfplay.run`) reads the same objects.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from lean_env import BACKENDS, capabilities
from search.mcts import SELF_PLAY_NOISE, MCTSConfig
from selfplay.attempt import AttemptSettings

# Self-play attempts generated statements and their negations: only a backend that starts any
# statement can run it (`dojo` starts only the theorems of its traced repository).
SELFPLAY_BACKENDS: tuple[str, ...] = tuple(b for b in BACKENDS if capabilities(b).any_statement)
DIFFICULTIES = ("easy", "medium", "hard")  # of the seeded generator
MODELS = ("tiny", "gpu")  # network presets (prover.net.model.ModelConfig)
INFERENCE = ("auto", "local", "actor")


@dataclass(frozen=True)
class SelfPlayConfig:
    """Everything a run needs; stored in run.json. Defaults fit a laptop (2 CPU workers)."""

    run_dir: str
    backend: str = "mini"
    workers: int = 2
    minutes: float = 10.0
    seed: int = 0
    problems_file: str | None = None  # JSONL of statements; None: the seeded generator
    difficulty: str = "medium"  # of the generator
    problems_per_task: int = 4  # statements per worker task (x2 searches: each and its negation)
    pool_target: int = 256  # statements kept waiting in the curriculum (topped up from the source)
    model: str = "tiny"  # network preset: "tiny" (CPU) or "gpu"
    inference: str = "auto"  # "local": a CPU model per worker; "actor": one shared actor; auto: actor iff a GPU
    buffer_capacity: int = 50_000
    min_buffer: int = 256  # records before the learner starts
    solved_share: float = 0.5  # of each training batch at least, from proof and disproof searches
    train_steps: int = 50  # per learner task (then a new version is published)
    batch_size: int = 32
    lr: float = 1e-3
    checkpoint_minutes: float = 2.0
    metrics_seconds: float = 10.0
    plot_seconds: float = 60.0
    simulations: int = 64
    env_calls: int = 256  # per search
    search_seconds: float = 30.0
    tactic_timeout: float = 5.0
    address: str | None = None  # Ray cluster address; None: RAY_ADDRESS or a local Ray
    worker_restarts: int = 3
    stop_grace_seconds: float = 60.0  # at the deadline, how long tasks in flight may still finish

    def settings(self) -> AttemptSettings:
        """What a worker's searches run with: self-play's root noise, this run's budgets and seed."""
        return AttemptSettings(
            search=MCTSConfig(
                num_simulations=self.simulations, max_env_calls=self.env_calls, time_limit=self.search_seconds,
                tactic_timeout=self.tactic_timeout, dirichlet_fraction=SELF_PLAY_NOISE, seed=self.seed,
            )
        )

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


DEFAULTS: dict[str, object] = {f.name: f.default for f in dataclasses.fields(SelfPlayConfig) if f.name != "run_dir"}


@dataclass(frozen=True, slots=True)
class Progress:
    """What the live view shows; also the metrics row."""

    elapsed: float
    attempts: int
    proofs: int
    disproofs: int
    solve_rate: float  # over the last 100 attempts
    buffer: int
    learner_step: int
    model_version: int
    loss: float | None
    workers_alive: int
    restarts: int
    picks: dict[str, int] = field(default_factory=dict)  # why statements were picked
    faults: int = 0  # found scripts the backend refused as soundness faults (expected 0)

    def row(self) -> dict[str, object]:
        return {"time": time.time(), **dataclasses.asdict(self)}
