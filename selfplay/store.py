"""A self-play run on disk: the run directory, its append-only logs and atomic writes.

Layout of a run directory:

    run.json          run id, config, start time, leanzero version (and each resume)
    proofs.jsonl      every verified proof AND disproof, one JSON line each, append-only
    metrics.jsonl     progress rows for the learning curve
    checkpoints/      latest.pt and step-numbered step-00001200.pt
    buffer.jsonl.gz   replay buffer snapshot (selfplay.buffer)
    state.json        driver state for --resume (curriculum state, counters, config)
    curve.png         the learning curve (selfplay.plot)

Nothing a run has found may be lost: `ProofLog.append` flushes and fsyncs before it returns, and
whole-file writes are atomic (`prover.storage`, shared with checkpoints and evaluation).
"""

from __future__ import annotations

import importlib.metadata
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LogError", "MetricsLog", "ProofLog", "RunDir", "RunDirError", "atomic_path", "atomic_write_json",
           "leanzero_version"]

from prover.storage import JsonLog, LogError, atomic_path, atomic_write_json


class ProofLog(JsonLog):
    """proofs.jsonl: every verified proof and disproof, durable before `append` returns.

    Entries: {run, name, statement, kind ("proof" | "disproof"), proof, backend, worker, node (the
    worker's Ray node id), search, model_version, time, reason}; `time` is filled in when missing.
    """

    KINDS = ("proof", "disproof")
    REQUIRED = ("run", "name", "statement", "kind", "proof")

    def append(self, entry: dict) -> None:
        missing = [k for k in self.REQUIRED if k not in entry]
        if missing:
            raise ValueError(f"proof log entry lacks {missing}: {entry!r}")
        if entry["kind"] not in self.KINDS:
            raise ValueError(f"proof log entry kind must be one of {self.KINDS}, got {entry['kind']!r}")
        self._append({**entry, "time": entry.get("time", time.time())})


class MetricsLog(JsonLog):
    """metrics.jsonl: progress rows, each stamped with `time` (unix seconds) when it has none."""

    def append(self, row: dict) -> None:
        self._append({"time": time.time(), **row})


# ------------------------------------------------------------------ the run directory


class RunDirError(ValueError):
    """A run directory that cannot be created or resumed; the message names it and says what to do."""


def leanzero_version() -> str:
    try:
        return importlib.metadata.version("leanzero")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def new_run_id() -> str:
    """A sortable, unique-enough run id: `20261122-021530-3fa9`."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)




@dataclass(frozen=True, slots=True)
class RunDir:
    """Paths of one run directory (see the module docstring); `create` makes or resumes one."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @classmethod
    def create(cls, path: str | Path, config: dict, *, resume: bool, run_id: str | None = None) -> RunDir:
        """A new run at `path` (refused when `path` is a non-empty directory), or with `resume`
        the existing run there (refused without its run.json). A resume is noted in run.json
        with its time and config; the original config stays under "config"."""
        run = cls(Path(path))
        p = run.path
        if resume:
            if not p.is_dir():
                raise RunDirError(f"cannot resume {p}: no such directory (drop --resume to start a new run)")
            info = run.info()  # raises when run.json is missing or unreadable
            info.setdefault("resumes", []).append({"time": time.time(), "config": config,
                                                    "leanzero_version": leanzero_version()})
            atomic_write_json(run.run_json, info)
        else:
            if p.exists() and not p.is_dir():
                raise RunDirError(f"cannot create run directory {p}: a file of that name exists")
            if p.is_dir() and any(p.iterdir()):
                raise RunDirError(f"run directory {p} exists and is not empty: pass --resume to continue "
                                  "that run, or choose a new directory")
            p.mkdir(parents=True, exist_ok=True)
            info = {"run": run_id or new_run_id(), "config": config, "start_time": time.time(),
                    "start": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "leanzero_version": leanzero_version()}
            atomic_write_json(run.run_json, info)
        run.checkpoints.mkdir(exist_ok=True)
        return run

    # ------------------------------------------------------------ paths

    @property
    def run_json(self) -> Path:
        return self.path / "run.json"

    @property
    def proofs(self) -> Path:
        return self.path / "proofs.jsonl"

    @property
    def metrics(self) -> Path:
        return self.path / "metrics.jsonl"

    @property
    def checkpoints(self) -> Path:
        return self.path / "checkpoints"

    @property
    def latest_checkpoint(self) -> Path:
        return self.checkpoints / "latest.pt"

    @property
    def buffer(self) -> Path:
        return self.path / "buffer.jsonl.gz"

    @property
    def state(self) -> Path:
        return self.path / "state.json"

    @property
    def curve(self) -> Path:
        return self.path / "curve.png"

    # ------------------------------------------------------------ contents

    def info(self) -> dict:
        """run.json as a dict."""
        try:
            info = json.loads(self.run_json.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RunDirError(f"{self.path} is not a run directory (no run.json): cannot resume it") from None
        except ValueError as e:
            raise RunDirError(f"{self.run_json}: unreadable ({e})") from e
        if not isinstance(info, dict) or "run" not in info:
            raise RunDirError(f"{self.run_json}: not a leanzero run description")
        return info

    @property
    def run_id(self) -> str:
        return str(self.info()["run"])

    def proof_log(self) -> ProofLog:
        return ProofLog(self.proofs)

    def metrics_log(self) -> MetricsLog:
        return MetricsLog(self.metrics)

    def write_state(self, state: dict) -> None:
        atomic_write_json(self.state, state)

    def read_state(self) -> dict | None:
        """state.json, or None when the run has not saved one yet."""
        try:
            return json.loads(self.state.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as e:
            raise RunDirError(f"{self.state}: unreadable driver state ({e})") from e
