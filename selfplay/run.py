"""The self-play driver: owns the statement sources, the curriculum and the run directory.

`SelfPlayDriver` starts the actors (`selfplay.actors`), keeps every worker busy with a batch of
statements (`schedule`), takes in what they return (`collect`), routes buffer samples to the
learner (`train`), publishes each new network version to the workers (`publish`), and writes
metrics, the learning curve, checkpoints and its own state for `--resume` (`checkpoint`). It
blocks only in `ray.wait` on the tasks in flight (with a timeout that is the next metrics tick
or the deadline): no polling. A worker that dies is restarted by Ray (`max_restarts`); its
task's statements go back to the curriculum and it is given new work (a worker that cannot be
built, or dies more than `worker_restarts` times in a row, is given up on). At the deadline the
tasks in flight may finish (`stop_grace_seconds`); Ctrl-C does not wait for them. Either way
their unfinished statements go back, a final checkpoint, buffer snapshot and state are written,
and then the actors are killed.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import ray

from lean_env import BACKENDS, capabilities
from lean_env.problem import Problem, default_header
from lean_env.text.statement import target_of
from prover.actions import ranked
from prover.cluster import last_line
from prover.net.checkpoint import load_checkpoint
from prover.net.model import ModelConfig
from prover.net.tokenizer import Tokenizer
from prover.net.train import TrainConfig
from selfplay import actors
from selfplay.config import Progress, SelfPlayConfig
from selfplay.curriculum import Curriculum, CurriculumConfig, Outcome, Pick
from selfplay.plot import plot_curve
from selfplay.statements import mixed_stream
from selfplay.store import RunDir
from selfplay.variants import started_by, variant_maker

__all__ = ["Progress", "SelfPlayConfig", "SelfPlayDriver", "run_selfplay"]

log = logging.getLogger(__name__)
_COUNTERS = ("attempts", "proofs", "disproofs", "tasks", "restarts", "records", "faults", "novel_proofs",
             "novel_tactics")


@dataclass
class _Counters:
    """The run's tallies; all but `recent` survive a resume (in state.json)."""

    attempts: int = 0
    proofs: int = 0
    disproofs: int = 0
    tasks: int = 0
    restarts: int = 0
    records: int = 0
    faults: int = 0
    novel_proofs: int = 0
    novel_tactics: int = 0
    elapsed_before: float = 0.0  # seconds of earlier sessions of a resumed run
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=100))
    picks: dict[str, int] = field(default_factory=dict)
    env: dict[str, int] = field(default_factory=dict)  # the workers' backend counters (`EnvCounters`), summed

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _Counters:
        counters = cls()
        for k in _COUNTERS:
            setattr(counters, k, int(state.get(k, 0)))
        counters.elapsed_before = float(state["elapsed"])
        counters.picks = dict(state.get("picks", {}))
        counters.env = {k: int(v) for k, v in state.get("env", {}).items()}
        return counters

    def state(self, elapsed: float) -> dict[str, object]:
        return {**{k: getattr(self, k) for k in _COUNTERS}, "elapsed": elapsed, "picks": self.picks, "env": self.env}


@dataclass
class _Actors:
    """The Ray actors of one session; the learner, buffer, store and inference live on this node."""

    learner: Any
    buffer: Any
    store: Any
    inference: Any | None
    workers: list[Any]

    def kill(self) -> None:
        for actor in (*self.workers, self.learner, self.buffer, self.store, self.inference):
            if actor is not None:
                ray.kill(actor)


def _source(config: SelfPlayConfig, skip: int) -> Iterator[Problem]:
    """Statements, never proofs: the run's sources mixed by weight (`statements.mixed_stream`),
    from the `skip`-th on; files cycle with a round suffix after their first pass. On a Lean
    backend a statement without a header gets the miniF2F one (`problem.default_header`; the
    CLI says so when the run starts)."""
    stream = mixed_stream(config.statement_sources(), seed=config.seed, difficulty=config.difficulty, skip=skip)
    try:
        backend = capabilities(config.backend)
    except ValueError:  # an unknown backend: the workers say so as they fail to start
        return stream
    return (default_header(p, backend) for p in stream)


def _tokenizer_texts(problems: list[Problem]) -> list[str]:
    """What the tokenizer learns from: statements and the action space's vocabulary, no proof."""
    texts = [p.statement for p in problems]
    for p in problems[:64]:  # the candidates of a bare goal show the tactic words
        texts += [t for _, _, t in ranked(f"⊢ {target_of(p.statement)}")]
    return texts


class SelfPlayDriver:
    """One session of a run. Building it reads (or creates) the run directory and the curriculum;
    `run` starts the actors and drives them until the deadline, then stops cleanly."""

    def __init__(self, config: SelfPlayConfig, *, resume: bool = False) -> None:
        self.config = config
        self.run_dir = RunDir.create(config.run_dir, config.to_dict(), resume=resume)
        state = self.run_dir.read_state() if resume else None
        self.resumed = state is not None
        # variants are screened by starting them: only a backend that starts cheaply makes them
        cheap = config.backend in BACKENDS and capabilities(config.backend).cheap_start  # unknown: the workers say
        make_variant = variant_maker(started_by(config.backend)) if cheap else None
        if state:
            self.curriculum = Curriculum.from_state(state["curriculum"], make_variant=make_variant)
            self.counters = _Counters.from_state(state["counters"])
            self.consumed = int(state["consumed"])
        else:
            self.curriculum = Curriculum(config=CurriculumConfig(), seed=config.seed, make_variant=make_variant)
            self.counters = _Counters()
            self.consumed = 0
        self.source = _source(config, self.consumed)
        self.top_up()
        self.tokenizer = (Tokenizer.from_dict(state["tokenizer"]) if state else
                          Tokenizer.train(_tokenizer_texts(
                              [self.curriculum.problem(n) for n in self.curriculum.names()]
                          )))
        preset = ModelConfig.gpu if config.model == "gpu" else ModelConfig.tiny
        self.model_config = dataclasses.asdict(preset(self.tokenizer.vocab_size))
        latest = self.run_dir.checkpoints / "latest.pt"
        if self.resumed and latest.exists():  # the network as it was: a run from before the decoder has none
            self.model_config = dataclasses.asdict(load_checkpoint(latest).config)
        self.in_flight: dict[Any, tuple[int, list[Pick]]] = {}  # worker task -> (worker, picks)
        self.probes: dict[Any, int] = {}  # readiness probes of restarting workers -> worker index
        self.learner_task: Any = None
        self.failures: list[int] = []  # consecutive failed tasks per worker
        self.retired: dict[int, str] = {}  # workers given up on (construction failed, or died too often)
        self.buffer_size = 0
        self.buffer_sources: dict[str, int] = {}
        self.learner_step = 0
        self.loss: float | None = None
        self.t_start = time.monotonic()

    # ------------------------------------------------------------ the steps

    def top_up(self) -> None:
        """Keep `pool_target` fresh statements waiting in the curriculum."""
        want = self.config.pool_target - self.curriculum.counts().get("new", 0)
        if want > 0:
            fresh = list(islice(self.source, want))
            self.consumed += len(fresh)
            self.curriculum.extend(fresh)

    def start(self) -> None:
        """Start the actors, publish the first network version, and wait for the workers."""
        config = self.config
        if not ray.is_initialized():
            ray.init(address=config.address, include_dashboard=False, log_to_driver=False)
        here = ray.get_runtime_context().get_node_id()
        pin = {"scheduling_strategy": ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(here, soft=False)}
        # the learner, the inference actor, the buffer and the store write or serve from this node
        # (the run directory is here): they use this node's GPUs or none
        gpus = next((n["Resources"].get("GPU", 0) for n in ray.nodes() if n["NodeID"] == here and n["Alive"]), 0)
        if not gpus and ray.cluster_resources().get("GPU", 0):
            log.warning("the cluster has GPUs but this node has none: the learner trains on CPU; "
                        "run `leanzero selfplay` on a GPU node to train there")
        train_config = TrainConfig(steps=100_000, batch_size=config.batch_size, lr=config.lr, warmup_steps=50,
                                   log_every=0, seed=config.seed)
        tokenizer = self.tokenizer.to_dict()
        learner = _actor(actors.Learner, num_cpus=0, num_gpus=1 if gpus else 0, **pin).remote(
            model_config=self.model_config, tokenizer=tokenizer, train_config=train_config,
            checkpoint_dir=str(self.run_dir.checkpoints), resume=self.resumed, seed=config.seed,
        )
        snapshot = str(self.run_dir.buffer) if self.resumed and self.run_dir.buffer.exists() else None
        use_actor = config.inference == "actor" or (config.inference == "auto" and gpus > 0)
        peers = actors.Peers.unique(self.run_dir.run_id, inference=use_actor)
        # workers find these by name (see `actors.Peers`)
        buffer = _actor(actors.Buffer, name=peers.buffer, num_cpus=0, **pin).remote(
            config.buffer_capacity, seed=config.seed, solved_share=config.solved_share, snapshot=snapshot)
        store = _actor(actors.Store, name=peers.store, num_cpus=0, **pin).remote(str(self.run_dir.proofs))
        inference = None
        if peers.inference:  # one GPU: shared with the learner
            inference = _actor(actors.Inference, name=peers.inference, num_cpus=0, num_gpus=1 if gpus > 1 else 0,
                               **pin).remote(self.model_config, tokenizer, "cuda" if gpus else "cpu",
                                             decoder_samples=config.decoder_samples,
                                             decoder_share=config.decoder_share, seed=config.seed)
        worker_cls = _actor(actors.Worker, num_cpus=1, max_restarts=config.worker_restarts, max_task_retries=0)
        workers = [
            worker_cls.remote(i, backend=config.backend, run=self.run_dir.run_id, model_config=self.model_config,
                              tokenizer=tokenizer, settings=config.settings(), peers=peers,
                              decoder_samples=config.decoder_samples, decoder_share=config.decoder_share,
                              seed=config.seed * 1000 + i)
            for i in range(config.workers)
        ]
        self.actors = _Actors(learner, buffer, store, inference, workers)
        self.failures = [0] * len(workers)
        self.weights: actors.Weights = ray.get(learner.publish.remote())
        self.learner_step = self.weights.step
        if inference is not None:
            ray.get(inference.load.remote(self.weights))
        try:
            ray.get([w.pid.remote() for w in workers])  # the clock starts when the workers are up
        except ray.exceptions.RayActorError as e:
            raise RuntimeError(f"a self-play worker could not start: {last_line(e)}") from None
        self.buffer_size = ray.get(buffer.size.remote())
        self.t_start = time.monotonic()

    def schedule(self, index: int) -> None:
        """Give worker `index` its next batch of statements."""
        self.top_up()
        picks = []
        for _ in range(self.config.problems_per_task):
            try:
                picks.append(self.curriculum.pick())
            except LookupError:
                break
        for p in picks:
            self.counters.picks[p.reason.value] = self.counters.picks.get(p.reason.value, 0) + 1
        self.counters.tasks += 1
        ref = self.actors.workers[index].attempt.remote([p.problem for p in picks], self.weights, self.counters.tasks)
        self.in_flight[ref] = (index, picks)

    def collect(self, ref: Any) -> int | None:
        """Take in a finished worker task (a dead worker's picks go back); the worker's index,
        or None when the worker is restarting or given up on."""
        index, picks = self.in_flight.pop(ref)
        try:
            task = ray.get(ref)
        except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as e:
            self._release(picks)
            self.failures[index] += 1
            if getattr(e, "actor_init_failed", False) or self.failures[index] > self.config.worker_restarts:
                self._retire(index, e)
                return None
            self.counters.restarts += 1
            log.warning("worker %d died (%s); its %d statements go back", index, type(e).__name__, len(picks))
            # new work once Ray has restarted it: a probe that waits through the restart
            self.probes[self.actors.workers[index].pid.options(max_task_retries=-1).remote()] = index
            return None
        self.failures[index] = 0
        counters = self.counters
        for result in task.results:
            counters.attempts += 1
            counters.proofs += result.outcome is Outcome.PROVED
            counters.disproofs += result.outcome is Outcome.DISPROVED
            counters.recent.append(result.outcome.solved)
            if result.verified is not None and result.verified.novel:
                counters.novel_proofs += 1
                counters.novel_tactics += len(result.verified.novel)
            self.curriculum.record(result.problem, result.outcome)
            for fault in result.faults:
                counters.faults += 1
                log.error("soundness fault in %s: %s", result.problem, fault)
        counters.records += task.records_added
        for k, v in task.env_counters.items():
            counters.env[k] = counters.env.get(k, 0) + v
        self.buffer_size = min(self.buffer_size + task.records_added, self.config.buffer_capacity)
        return index

    def train(self) -> None:
        """Start a learner task on a buffer sample, once the buffer holds `min_buffer` records."""
        if self.learner_task is None and self.buffer_size >= self.config.min_buffer:
            c = self.config
            sample = self.actors.buffer.sample.remote(c.train_steps * c.batch_size)
            self.learner_task = self.actors.learner.train.remote(sample, c.train_steps)

    def publish(self) -> None:
        """Take in the finished learner task and hand its network to the next worker tasks."""
        report = ray.get(self.learner_task)
        self.learner_task = None
        self.learner_step, self.loss = report.step, report.loss
        self.weights = ray.get(self.actors.learner.publish.remote())
        if self.actors.inference is not None:
            ray.get(self.actors.inference.load.remote(self.weights))

    def checkpoint(self, *, final: bool = False) -> None:
        """Network and optimizer, buffer snapshot, and the driver's state: what `--resume` reads."""
        ray.get(self.actors.learner.checkpoint.remote({"run": self.run_dir.run_id, "final": final}))
        ray.get(self.actors.buffer.snapshot.remote(str(self.run_dir.buffer)))
        self.run_dir.write_state({
            "curriculum": self.curriculum.state_dict(), "tokenizer": self.tokenizer.to_dict(),
            "consumed": self.consumed, "counters": self.counters.state(self.elapsed()),
        })

    def progress(self) -> Progress:
        c, recent = self.counters, self.counters.recent
        try:
            self.buffer_sources = ray.get(self.actors.buffer.source_counts.remote())
        except ray.exceptions.RayError as e:  # keep the last counts: the view must not stop the run
            log.warning("buffer counts by source unavailable: %s", last_line(e))
        return Progress(
            elapsed=self.elapsed(), attempts=c.attempts, proofs=c.proofs, disproofs=c.disproofs,
            solve_rate=sum(recent) / len(recent) if recent else 0.0, buffer=self.buffer_size,
            learner_step=self.learner_step, model_version=self.weights.version, loss=self.loss,
            workers_alive=len({w for w, _ in self.in_flight.values()}), restarts=c.restarts,
            picks=dict(c.picks), faults=c.faults, sources=dict(self.buffer_sources),
            novel_proofs=c.novel_proofs, novel_tactics=c.novel_tactics, env=dict(c.env),
        )

    def elapsed(self) -> float:
        """Seconds of this run over all its sessions."""
        return self.counters.elapsed_before + time.monotonic() - self.t_start

    # ------------------------------------------------------------ the loop

    def run(self, *, on_progress: Callable[[Progress], None] | None = None,
            on_started: Callable[[list[Any]], None] | None = None) -> Progress:
        """Drive the session for `config.minutes`; returns the last progress (see `run_selfplay`)."""
        config = self.config
        self.start()
        deadline = self.t_start + 60.0 * config.minutes
        last_metrics = last_plot = last_checkpoint = self.t_start
        metrics_log = self.run_dir.metrics_log()
        for i in range(len(self.actors.workers)):
            self.schedule(i)
        if on_started is not None:
            on_started(self.actors.workers)
        try:
            while (now := time.monotonic()) < deadline:
                self.train()
                next_tick = min(last_metrics + config.metrics_seconds, deadline)
                waiting = [*self.in_flight, *self.probes, *([self.learner_task] if self.learner_task else [])]
                ready, _ = ray.wait(waiting, num_returns=1, timeout=max(next_tick - now, 0.0))
                for ref in ready:
                    self._take(ref, before=deadline)
                now = time.monotonic()
                if now >= last_metrics + config.metrics_seconds:
                    last_metrics = now
                    snap = self.progress()
                    metrics_log.append(snap.row())
                    if on_progress is not None:
                        on_progress(snap)
                if now >= last_plot + config.plot_seconds:
                    last_plot = now
                    plot_curve(self.run_dir.metrics, self.run_dir.curve)
                if now >= last_checkpoint + 60.0 * config.checkpoint_minutes:
                    last_checkpoint = now
                    self.checkpoint()
            # time is up: let the tasks in flight finish (their searches have their own time limits)
            grace = time.monotonic() + config.stop_grace_seconds
            while self.in_flight and time.monotonic() < grace:
                ready, _ = ray.wait(list(self.in_flight), num_returns=1, timeout=grace - time.monotonic())
                for ref in ready:
                    self.collect(ref)
        except KeyboardInterrupt:
            log.warning("interrupted: stopping cleanly")
        final = self.stop()
        metrics_log.append(final.row())
        plot_curve(self.run_dir.metrics, self.run_dir.curve)
        if on_progress is not None:
            on_progress(final)
        return final

    def stop(self) -> Progress:
        """Finish the learner's task, give back the statements in flight, write the final
        checkpoint and kill the actors; the final progress."""
        if self.learner_task is not None:
            try:
                self.publish()
            except ray.exceptions.RayError:
                pass
        for _, picks in self.in_flight.values():
            self._release(picks)
        self.in_flight.clear()
        self.checkpoint(final=True)
        final = self.progress()
        self.actors.kill()
        return final

    def _take(self, ref: Any, *, before: float) -> None:
        """Route one ready task: a restarted worker's probe, a worker's task, or the learner's."""
        if ref in self.probes:
            index = self.probes.pop(ref)
            try:
                ray.get(ref)
            except ray.exceptions.RayActorError as e:
                self._retire(index, e)
                return
            log.info("worker %d is back", index)
            if time.monotonic() < before:
                self.schedule(index)
        elif ref is self.learner_task:
            self.publish()
        elif (worker := self.collect(ref)) is not None and time.monotonic() < before:
            self.schedule(worker)

    def _release(self, picks: list[Pick]) -> None:
        for p in picks:
            self.curriculum.release(p.problem.name)

    def _retire(self, index: int, error: Exception) -> None:
        self.retired[index] = f"{type(error).__name__}: {last_line(error)}"
        log.error("worker %d given up: %s", index, self.retired[index])
        if len(self.retired) == len(self.actors.workers):
            raise RuntimeError(f"every self-play worker failed; the last: {self.retired[index]}") from None


def run_selfplay(
    config: SelfPlayConfig,
    *,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    on_started: Callable[[list[Any]], None] | None = None,
) -> Progress:
    """Run self-play for `config.minutes`; returns the last progress.

    `on_progress` gets a `Progress` every `metrics_seconds` and at the end (the live view);
    `on_started` gets the worker actor handles once they run (for monitoring and tests)."""
    return SelfPlayDriver(config, resume=resume).run(on_progress=on_progress, on_started=on_started)


def _actor(cls: type, **options: Any) -> Any:
    """`cls` as a Ray actor class with `options` (typed Any: Ray's stubs do not type actor methods)."""
    return ray.remote(cls).options(**options)
