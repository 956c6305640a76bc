"""The Ray actors of self-play (muzero-general's split): workers, learner, replay buffer, store.

- `Worker`: owns one `ProofEnv` (its backend process) and a CPU copy of the network, refreshed
  only when the published version changes; runs a batch of attempts per task. Each verified
  proof or disproof is written through the `Store` (and waited for) before its records go to
  the buffer, so a worker killed mid-task loses no verified result.
- `Learner`: the network and its optimizer; trains on samples the driver routes to it from
  the buffer (an ObjectRef argument: no copy through the driver), publishes weights once per
  version with `ray.put`, and checkpoints into the run directory.
- `Buffer`: the `ReplayBuffer`, with snapshots for `--resume`.
- `Store`: the append-only proof log, on the driver's node.
- `Inference`: the network on a GPU, for workers to call when one exists.

Each class is plain Python with a `remote(...)` factory below, so tests can also run them in
process. The learner and the store are pinned to the driver's node: they write the run
directory.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lean_env import open_env
from lean_env.problem import Problem
from prover.actions import ActionSpace
from prover.cluster import this_node
from prover.net.checkpoint import load_checkpoint, save_checkpoint
from prover.net.tokenizer import Tokenizer
from search.evaluator import EvalRequest, EvalResult, Evaluator
from selfplay.attempt import AttemptResult, AttemptSettings, Verified, attempt_batch
from selfplay.buffer import ReplayBuffer
from selfplay.store import ProofLog


@dataclass(frozen=True)
class Weights:
    """A published network version. `ref` is a one-element list holding the ObjectRef of the
    weights, so that Ray passes the reference itself (not the weights) with every task."""

    version: int
    step: int
    ref: list[Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class TaskReport:
    """What a worker task sends back to the driver (its records went to the buffer)."""

    worker: int
    task: int
    results: tuple[AttemptResult, ...]  # with `records` emptied: they are in the buffer
    records_added: int
    model_version: int
    seconds: float
    env_counters: dict[str, int] = field(default_factory=dict)  # the backend's kills, restarts, ... in this task


@dataclass(frozen=True, slots=True)
class LearnerReport:
    step: int
    version: int
    loss: float
    policy_loss: float
    value_loss: float
    seconds: float
    decoder_loss: float = 0.0


def _model_from(model_config: dict, tokenizer: dict, seed: int | None = 0):  # -> PolicyValueNet
    from prover.net.model import ModelConfig, PolicyValueNet

    return PolicyValueNet(ModelConfig(**model_config), Tokenizer.from_dict(tokenizer), seed=seed)


def _decoder_settings(samples: int, version: int):  # -> DecoderSettings | None
    """The decoder samples once the learner has trained it (version 1 on): version 0's decoder is
    untrained, and its samples would only spend env calls on noise."""
    from prover.net.decoder import DecoderSettings

    return DecoderSettings(samples=samples) if samples and version >= 1 else None


def _numpy_weights(model) -> dict[str, Any]:
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def _load_numpy_weights(model, weights: dict[str, Any]) -> None:
    import torch

    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})


@dataclass(frozen=True, slots=True)
class Peers:
    """The names of the actors a worker calls, looked up in the worker (again after each
    restart). Handles passed to a restartable actor's constructor would live in the object
    store, where Ray cannot always bring them back for the restart (ray-project/ray#53727)."""

    store: str
    buffer: str
    inference: str | None = None

    @staticmethod
    def unique(run: str, *, inference: bool) -> Peers:
        """Names no other run (nor an earlier start of this one) in the cluster uses; an
        inference actor only when `inference`."""
        stem = f"leanzero-{run}-{uuid.uuid4().hex[:8]}"
        return Peers(f"{stem}-store", f"{stem}-buffer", f"{stem}-inference" if inference else None)


class Worker:
    def __init__(
        self,
        index: int,
        *,
        backend: str,
        run: str,
        model_config: dict,
        tokenizer: dict,
        settings: AttemptSettings,
        peers: Peers,
        threads: int = 1,
        decoder_samples: int = 0,
        decoder_share: float = 0.5,
        seed: int = 0,
    ) -> None:
        import ray
        import torch

        torch.set_num_threads(threads)  # the backend (z3, Lean) needs the other cores
        self.index, self.run, self.settings = index, run, settings
        self.node = this_node()  # a restarted worker may come back on another node
        self.decoder_samples, self.decoder_share, self.seed = decoder_samples, decoder_share, seed
        self.store, self.buffer = ray.get_actor(peers.store), ray.get_actor(peers.buffer)
        inference = self.inference = ray.get_actor(peers.inference) if peers.inference else None
        self.env = open_env(backend)
        self.candidates = ActionSpace()
        self.model = None if inference is not None else _model_from(model_config, tokenizer, seed=None)
        self.version = -1
        self.evaluator: Evaluator | None = None

    def pid(self) -> int:
        return os.getpid()

    def attempt(self, problems: Sequence[Problem], weights: Weights, task: int) -> TaskReport:
        import ray

        t0 = time.monotonic()
        evaluator = self._evaluator(weights)
        before = self.env.counters()

        def write(verified: Verified) -> None:
            ray.get(self.store.append.remote(_entry(verified, self.run, self.index, self.node)))

        results = attempt_batch(
            self.env, problems, evaluator, self.candidates,
            run=self.run, search_prefix=f"w{self.index}-{task}", model_version=weights.version,
            settings=self.settings, on_verified=write,
        )
        records = [r for result in results for r in result.records]
        if records:
            ray.get(self.buffer.add.remote(records))
        slim = tuple(
            AttemptResult(r.problem, r.outcome, r.verified, (), r.env_calls, r.elapsed, r.error, r.faults)
            for r in results
        )
        spent = {k: v for k, v in (self.env.counters() - before).as_dict().items() if v}
        return TaskReport(self.index, task, slim, len(records), weights.version, time.monotonic() - t0, spent)

    def _evaluator(self, weights: Weights) -> Evaluator:
        import ray

        if self.inference is not None:
            inference, version = self.inference, weights.version

            def remote(requests: Sequence[EvalRequest]) -> list[EvalResult]:
                return ray.get(inference.evaluate.remote(requests, version))

            return remote
        if weights.version != self.version or self.evaluator is None:
            from prover.net.inference import NetworkEvaluator

            assert self.model is not None  # local inference: built in __init__
            _load_numpy_weights(self.model, ray.get(weights.ref[0]))
            self.evaluator = NetworkEvaluator(
                self.model, "cpu", decoder=_decoder_settings(self.decoder_samples, weights.version),
                decoder_share=self.decoder_share, seed=self.seed * 1_000_003 + weights.version,
            )
            self.version = weights.version
        return self.evaluator

    def close(self) -> None:
        self.env.close()


def _entry(verified: Verified, run: str, worker: int, node: str) -> dict[str, object]:
    return {
        "run": run, "name": verified.problem, "kind": verified.kind, "statement": verified.statement,
        "proof": verified.proof, "backend": verified.backend, "worker": worker, "node": node,
        "search": verified.search,
        "model_version": verified.model_version, "time": round(verified.elapsed, 3),
        "novel": list(verified.novel), "written": round(time.time(), 3),
    }


class Learner:
    """Trains the network on buffer samples; versions count published weights."""

    def __init__(
        self,
        *,
        model_config: dict,
        tokenizer: dict,
        train_config: Any,  # prover.net.train.TrainConfig
        checkpoint_dir: str,
        resume: bool = False,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        import torch

        from prover.net.train import Trainer

        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.dir = Path(checkpoint_dir)
        self.version = 0
        model, optimizer_state = _model_from(model_config, tokenizer, seed=seed), None
        if resume:
            model, self.version, optimizer_state = self._load()
        self.trainer = Trainer(model, train_config)
        if optimizer_state is not None:
            self.trainer.load_state_dict(optimizer_state)
        self.model = model
        self._published: Weights | None = None

    def train(self, records: Sequence[Any], steps: int) -> LearnerReport:
        """`steps` optimizer steps on minibatches of `records` (a sample from the buffer)."""
        import torch

        t0 = time.monotonic()
        batch = self.trainer.config.batch_size
        rows = []
        for i in range(steps):
            chunk = [records[(i * batch + j) % len(records)] for j in range(min(batch, len(records)))]
            rows.append(self.trainer.step(chunk))
        self.model.eval()
        loss, policy, value, decoder = torch.stack(rows).float().mean(0).tolist()
        self.version += 1
        self._published = None
        return LearnerReport(self.trainer.step_count, self.version, loss, policy, value, time.monotonic() - t0,
                             decoder)

    def publish(self) -> Weights:
        """The current weights in the object store, put there once per version."""
        import ray

        if self._published is None or self._published.version != self.version:
            self._published = Weights(self.version, self.trainer.step_count, [ray.put(_numpy_weights(self.model))])
        return self._published

    def checkpoint(self, extra: dict[str, object] | None = None) -> str:
        """Write `latest.pt` (model) and `learner.pt` (optimizer), both atomically."""
        import torch


        self.dir.mkdir(parents=True, exist_ok=True)
        meta = {"version": self.version, **(extra or {})}
        save_checkpoint(self.dir / "latest.pt", self.model, step=self.trainer.step_count, metadata=meta)
        tmp = self.dir / ".learner.pt.tmp"
        torch.save({"trainer": self.trainer.state_dict(), "version": self.version}, tmp)
        os.replace(tmp, self.dir / "learner.pt")
        return str(self.dir / "latest.pt")

    def _load(self):
        import torch


        ckpt = load_checkpoint(self.dir / "latest.pt")
        model = ckpt.build_model()
        version = int(ckpt.metadata.get("version", 0))
        state = None
        if (self.dir / "learner.pt").exists():
            state = torch.load(self.dir / "learner.pt", weights_only=True)["trainer"]
        return model, version, state

    def pid(self) -> int:
        return os.getpid()


class Buffer:
    def __init__(
        self, capacity: int, *, seed: int = 0, solved_share: float | None = None, snapshot: str | None = None
    ) -> None:

        if snapshot:
            self.buffer = ReplayBuffer.load(snapshot)
        else:
            self.buffer = ReplayBuffer(capacity, seed=seed, solved_share=solved_share)

    def add(self, records: Sequence[Any]) -> int:
        return self.buffer.add(records)

    def sample(self, n: int) -> list[Any]:
        return self.buffer.sample(n)

    def size(self) -> int:
        return len(self.buffer)

    def source_counts(self) -> dict[str, int]:
        return self.buffer.source_counts()

    def counts(self) -> dict[str, int]:
        return self.buffer.counts()

    def snapshot(self, path: str) -> int:
        self.buffer.snapshot(path)
        return len(self.buffer)


class Store:
    """The append-only proof log; `append` returns once the line is on disk."""

    def __init__(self, path: str) -> None:

        self.log = ProofLog(path)
        self.count = 0

    def append(self, entry: dict[str, object]) -> int:
        self.log.append(entry)
        self.count += 1
        return self.count


class Inference:
    """The network on one device (a GPU), serving every worker's evaluator calls."""

    def __init__(
        self, model_config: dict, tokenizer: dict, device: str | None = None, *, decoder_samples: int = 0,
        decoder_share: float = 0.5, seed: int = 0,
    ) -> None:
        from prover.net.inference import NetworkEvaluator

        self.model = _model_from(model_config, tokenizer, seed=None)
        self.evaluator = NetworkEvaluator(self.model, device, decoder_share=decoder_share, seed=seed)
        self.decoder_samples = decoder_samples
        self.version = -1

    def load(self, weights: Weights) -> int:
        import ray

        if weights.version != self.version:
            _load_numpy_weights(self.model, ray.get(weights.ref[0]))
            self.model.to(self.evaluator.device).eval()
            self.evaluator.use_decoder(_decoder_settings(self.decoder_samples, weights.version))
            self.version = weights.version
        return self.version

    def evaluate(self, requests: Sequence[Any], version: int) -> list[Any]:
        del version  # the driver loads each version before workers ask with it
        return self.evaluator(requests)
