"""What an evaluation run is made of, apart from running it: the statuses, the settings every
problem is searched with, `results.jsonl` (durable rows, resume), and the run's `Summary`.

Read by the driver (`prover.evaluate.run`) and the report (`prover.evaluate.report`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prover.storage import JsonLog, LogError

PROVED, FAILED, TIMEOUT, ERROR, OUTSIDE = "proved", "failed", "timeout", "error", "outside-fragment"
STATUSES = (PROVED, FAILED, TIMEOUT, ERROR, OUTSIDE)
MINI_LABEL = "results on mini, an embedded fragment prover, not Lean"
STARTUP_SECONDS = 60.0  # start and verify timeouts, also the slack of the stalled-worker guard
RESUME_KEYS = ("backend", "searcher", "budget", "time_limit", "checkpoint", "pass_k", "seed", "decoder_samples")


class EvaluateError(Exception):
    """A run we refuse to start (an output folder in the way, a worker that cannot start)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What every problem of a run is searched with; the budgets hold for each attempt."""

    backend: str = "mini"
    searcher: str = "mcts"  # or "bfs"
    budget: int = 400  # env calls (tactic applications) per attempt
    time_limit: float = 120.0  # wall seconds per attempt, verification excluded
    tactic_timeout: float = 5.0
    checkpoint: str | None = None  # a network guiding the search; None: uniform priors
    pass_k: int = 1  # independent attempts per problem
    seed: int = 0
    simulations: int | None = None  # MCTS simulation cap; default 10 x budget (env calls bind first)
    backend_options: tuple[tuple[str, str], ...] = ()  # for `open_env` (dojo: where miniF2F lives)
    families: tuple[str, ...] = ()  # action-space families proposed (prover.actions.Family values); () all
    decoder_samples: int = 8  # tactics the checkpoint's decoder writes per goal (MCTS); 0: ranking only
    #   (set to 0 for best-first or without a checkpoint, where no decoder runs, so resumes compare alike)

    def __post_init__(self) -> None:
        if self.searcher not in ("mcts", "bfs"):
            raise ValueError(f"searcher must be mcts or bfs, not {self.searcher!r}")
        if self.budget < 1 or self.pass_k < 1 or not self.time_limit > 0 or not self.tactic_timeout > 0:
            raise ValueError("budget, pass_k, time_limit and tactic_timeout must be positive")
        if self.decoder_samples < 0:
            raise ValueError(f"decoder_samples must be non-negative, not {self.decoder_samples}")
        if self.searcher != "mcts" or self.checkpoint is None:  # no decoder runs: the setting means nothing
            object.__setattr__(self, "decoder_samples", 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def hard_limit(self) -> float:
        """Seconds after which a worker still busy with one problem is taken to be stuck."""
        per_attempt = self.time_limit + 2 * STARTUP_SECONDS + self.tactic_timeout
        return self.pass_k * per_attempt + STARTUP_SECONDS


# ------------------------------------------------------------------ results on disk


class ResultsLog(JsonLog):
    """results.jsonl: one row per finished problem, durable before `append` returns; a torn last
    line (a kill mid-write) is skipped on reading and cut off before the next append."""

    def append(self, row: dict[str, Any]) -> None:
        self._append(row)

    def latest(self) -> dict[str, dict[str, Any]]:
        """The last row of each name."""
        try:
            return {row["name"]: row for row in self.read() if isinstance(row.get("name"), str)}
        except LogError as e:
            raise EvaluateError(f"{e}: repair or remove the file") from None


def check_resumable(rows: dict[str, dict[str, Any]], settings: Settings, path: Path) -> None:
    want = settings.to_dict()
    for row in rows.values():
        differ = [k for k in RESUME_KEYS if k in row and row[k] != want[k]]
        if differ:
            was = ", ".join(f"{k}={row[k]!r}" for k in differ)
            raise EvaluateError(f"{path} was made with other settings ({was}, e.g. row '{row['name']}'): "
                                "resume with the same settings, or choose another --out")


@dataclass(frozen=True)
class Summary:
    """Where a run stands: `counts` over the problems finished, `total` problems asked for."""

    total: int
    counts: dict[str, int]
    ran: int  # problems finished by this invocation
    resumed: int  # problems already in results.jsonl
    wall: float  # seconds, this invocation
    settings: Settings
    out: Path
    rows: list[dict[str, Any]] = field(repr=False)
    interrupted: bool = False

    @property
    def done(self) -> int:
        return sum(self.counts.values())
