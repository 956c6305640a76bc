"""A self-play run's settings and its progress report: the one place their defaults live.

Light on purpose (no Ray, no torch): `leanzero selfplay --help` reads its flags' defaults and
choices from here, and the driver (`selfplay.run`) reads the same objects.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Mapping
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
GENERATOR = "generator"  # the spec of the seeded generator among the statement sources


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One statement source of a run and its share of the statements: a JSONL file of
    statements (`path`), or the seeded generator (`path` None). Statements only, never proofs.

    Written `generator`, `generator:W`, `PATH` or `PATH:W` (`parse`); W, a positive number,
    defaults to 1. A path may itself hold ':': only a trailing `:<number>` is a weight.
    """

    path: str | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.weight, bool) or not isinstance(self.weight, int | float) or not (
            math.isfinite(self.weight) and self.weight > 0
        ):
            raise ValueError(f"source {self.name}: the weight must be a positive number, not {self.weight!r}")
        if self.path is not None and not self.path:
            raise ValueError("a statement source needs a path (or `generator`)")

    @classmethod
    def parse(cls, text: str) -> SourceSpec:
        """The source `text` names (see the class docstring); ValueError says what is wrong."""
        head, colon, tail = text.rpartition(":")
        weight = 1.0
        if colon and _is_number(tail):
            text, weight = head, float(tail)
            if not (math.isfinite(weight) and weight > 0):
                raise ValueError(f"source {text or '?'}: the weight must be a positive number, not {tail!r}")
        if not text:
            raise ValueError("empty statement source: give `generator` or a JSONL file (PATH or PATH:WEIGHT)")
        return cls(None if text == GENERATOR else text, weight)

    @classmethod
    def coerce(cls, value: SourceSpec | str | Mapping[str, object]) -> SourceSpec:
        """A spec from itself, its text, or its run.json form (a `{"path", "weight"}` dict)."""
        if isinstance(value, SourceSpec):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        path, weight = value.get("path"), value.get("weight", 1.0)
        if not (path is None or isinstance(path, str)) or not isinstance(weight, int | float):
            raise ValueError(f"not a statement source: {value!r}")
        return cls(path, float(weight))

    @property
    def name(self) -> str:
        """`generator`, or the file's path."""
        return GENERATOR if self.path is None else self.path

    @property
    def label(self) -> str:
        """Short: `generator`, or the file's name without its folder."""
        return GENERATOR if self.path is None else os.path.basename(self.path) or self.path

    def __str__(self) -> str:
        short = f"{self.weight:g}"
        return f"{self.name}:{short if float(short) == self.weight else repr(self.weight)}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return bool(text.strip()) and text.strip() == text



@dataclass(frozen=True)
class SelfPlayConfig:
    """Everything a run needs; stored in run.json. Defaults fit a laptop (2 CPU workers)."""

    run_dir: str
    backend: str = "mini"
    workers: int = 2
    minutes: float = 10.0
    seed: int = 0
    problems_file: str | None = None  # JSONL of statements, alone (legacy `--problems`); else see `sources`
    sources: tuple[SourceSpec, ...] = ()  # weighted statement sources; () with no problems_file: the generator
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
    decoder_samples: int = 8  # tactics the network's decoder writes per goal (from version 1 on); 0: none
    decoder_share: float = 0.5  # of the prior, the decoder's part (prover.net.inference)
    search_seconds: float = 30.0
    tactic_timeout: float = 5.0
    address: str | None = None  # Ray cluster address; None: RAY_ADDRESS or a local Ray
    worker_restarts: int = 3
    stop_grace_seconds: float = 60.0  # at the deadline, how long tasks in flight may still finish

    def __post_init__(self) -> None:
        # run.json holds the sources as dicts: take those (and spec strings) back as SourceSpecs
        object.__setattr__(self, "sources", tuple(SourceSpec.coerce(s) for s in self.sources))
        if self.sources and self.problems_file:
            raise ValueError("give statement sources or a problems file, not both")
        if self.decoder_samples < 0 or not 0.0 <= self.decoder_share <= 1.0:
            raise ValueError(f"decoder_samples must be >= 0 and decoder_share in [0, 1]: "
                             f"{self.decoder_samples}, {self.decoder_share}")

    def statement_sources(self) -> tuple[SourceSpec, ...]:
        """Where this run's statements come from: `sources`, else `problems_file` alone, else
        the generator alone."""
        if self.sources:
            return self.sources
        return (SourceSpec(self.problems_file),) if self.problems_file else (SourceSpec(),)

    def settings(self) -> AttemptSettings:
        """What a worker's searches run with: self-play's root noise, this run's budgets and seed."""
        return AttemptSettings(
            search=MCTSConfig(
                num_simulations=self.simulations, max_env_calls=self.env_calls, time_limit=self.search_seconds,
                tactic_timeout=self.tactic_timeout, dirichlet_fraction=SELF_PLAY_NOISE, seed=self.seed,
            )
        )

    def to_dict(self) -> dict[str, object]:
        """For run.json: the sources as their spec text (`PATH:W`), which `SourceSpec.parse` reads back."""
        return {**dataclasses.asdict(self), "sources": [str(s) for s in self.sources]}


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
    sources: dict[str, int] = field(default_factory=dict)  # buffer records by source family (statements only)
    novel_proofs: int = 0  # proofs and disproofs using a tactic no rule proposed (written by the decoder)
    novel_tactics: int = 0  # such tactics, summed over those proofs
    env: dict[str, int] = field(default_factory=dict)  # the backend processes' kills, restarts, ... (`EnvCounters`)

    def row(self) -> dict[str, object]:
        return {"time": time.time(), **dataclasses.asdict(self)}
