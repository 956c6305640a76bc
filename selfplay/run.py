"""The self-play driver: owns the statement source, the curriculum and the run directory.

It starts the actors (`selfplay.actors`), keeps every worker busy with a batch of statements,
routes buffer samples to the learner, publishes each new network version to the workers, and
writes metrics, the learning curve, checkpoints and its own state for `--resume`. It blocks
only in `ray.wait` on the tasks in flight (with a timeout that is the next metrics tick or the
deadline): no polling. A worker that dies is restarted by Ray (`max_restarts`); its task's
statements go back to the curriculum and it is given new work (a worker that cannot be built,
or dies more than `worker_restarts` times in a row, is given up on). At the deadline the tasks
in flight may finish (`stop_grace_seconds`); Ctrl-C does not wait for them. Either way their
unfinished statements go back, a final checkpoint, buffer snapshot and state are written,
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

from search.mcts import SELF_PLAY_NOISE, MCTSConfig
from selfplay.attempt import AttemptSettings
from selfplay.curriculum import Curriculum, CurriculumConfig, Outcome, Pick
from lean_env import BACKENDS, capabilities
from lean_env.problem import Problem
from lean_env.text.statement import target_of
from selfplay.statements import from_jsonl, generator_stream
from selfplay.store import RunDir

log = logging.getLogger(__name__)


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
        return AttemptSettings(
            search=MCTSConfig(
                num_simulations=self.simulations, max_env_calls=self.env_calls, time_limit=self.search_seconds,
                tactic_timeout=self.tactic_timeout, dirichlet_fraction=SELF_PLAY_NOISE, seed=self.seed,
            )
        )

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


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


@dataclass
class _Counters:
    attempts: int = 0
    proofs: int = 0
    disproofs: int = 0
    tasks: int = 0
    restarts: int = 0
    records: int = 0
    faults: int = 0
    elapsed_before: float = 0.0  # minutes of earlier sessions of a resumed run, in seconds
    recent: deque = field(default_factory=lambda: deque(maxlen=100))
    picks: dict[str, int] = field(default_factory=dict)


def _source(config: SelfPlayConfig, skip: int) -> Iterator[Problem]:
    """Statements, never proofs: the file cycled (with a round suffix after the first pass), or the generator."""
    if config.problems_file:
        problems = from_jsonl(config.problems_file)
        if not problems:
            raise ValueError(f"{config.problems_file}: no statements")

        def cycle() -> Iterator[Problem]:
            yield from problems
            for round_ in range(1, 1 << 30):
                yield from (dataclasses.replace(p, name=f"{p.name}~{round_}") for p in problems)

        return islice(cycle(), skip, None)
    return islice(generator_stream(config.seed, config.difficulty), skip, None)


def _tokenizer_texts(problems: list[Problem]) -> list[str]:
    """What the tokenizer learns from: statements and the action space's vocabulary, no proof."""
    from prover.actions import ranked

    texts = [p.statement for p in problems]
    for p in problems[:64]:  # the candidates of a bare goal show the tactic words
        texts += [t for _, _, t in ranked(f"⊢ {target_of(p.statement)}")]
    return texts


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
    import ray

    from prover.net.model import ModelConfig
    from prover.net.tokenizer import Tokenizer
    from prover.net.train import TrainConfig
    from selfplay import actors
    from selfplay.plot import plot_curve
    from selfplay.variants import started_by, variant_maker

    run_dir = RunDir.create(config.run_dir, config.to_dict(), resume=resume)
    state = run_dir.read_state() if resume else None
    counters = _Counters()
    # variants are screened by starting them: only a backend that starts cheaply makes them
    cheap = config.backend in BACKENDS and capabilities(config.backend).cheap_start  # an unknown one: the workers say
    make_variant = variant_maker(started_by(config.backend)) if cheap else None
    if state:
        curriculum = Curriculum.from_state(state["curriculum"], make_variant=make_variant)
        for key in ("attempts", "proofs", "disproofs", "tasks", "restarts", "records"):
            setattr(counters, key, int(state["counters"][key]))
        counters.elapsed_before = float(state["counters"]["elapsed"])
        counters.picks = dict(state["counters"].get("picks", {}))
        counters.faults = int(state["counters"].get("faults", 0))
        tokenizer = Tokenizer.from_dict(state["tokenizer"])
        consumed = int(state["consumed"])
    else:
        curriculum = Curriculum(config=CurriculumConfig(), seed=config.seed, make_variant=make_variant)
        consumed = 0
        tokenizer = None
    source = _source(config, consumed)

    def top_up() -> None:
        nonlocal consumed
        want = config.pool_target - curriculum.counts().get("new", 0)
        if want > 0:
            fresh = list(islice(source, want))
            consumed += len(fresh)
            curriculum.extend(fresh)

    top_up()
    if tokenizer is None:
        tokenizer = Tokenizer.train(_tokenizer_texts([curriculum.problem(n) for n in curriculum.names()]))
    preset = ModelConfig.gpu if config.model == "gpu" else ModelConfig.tiny
    model_config = dataclasses.asdict(preset(tokenizer.vocab_size))

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
    train_config = TrainConfig(steps=100_000, batch_size=config.batch_size, lr=config.lr, warmup_steps=50, log_every=0,
                               seed=config.seed)
    learner = ray.remote(actors.Learner).options(num_cpus=0, num_gpus=1 if gpus else 0, **pin).remote(
        model_config=model_config, tokenizer=tokenizer.to_dict(), train_config=train_config,
        checkpoint_dir=str(run_dir.checkpoints), resume=bool(state), seed=config.seed,
    )
    snapshot = str(run_dir.buffer) if state and run_dir.buffer.exists() else None
    use_actor = config.inference == "actor" or (config.inference == "auto" and gpus > 0)
    peers = actors.Peers.unique(run_dir.run_id, inference=use_actor)
    # workers find these by name (see `actors.Peers`)
    buffer = ray.remote(actors.Buffer).options(name=peers.buffer, num_cpus=0, **pin).remote(
        config.buffer_capacity, seed=config.seed, solved_share=config.solved_share, snapshot=snapshot)
    store = ray.remote(actors.Store).options(name=peers.store, num_cpus=0, **pin).remote(str(run_dir.proofs))
    inference = None
    if peers.inference:
        inference = ray.remote(actors.Inference).options(
            name=peers.inference, num_cpus=0, num_gpus=1 if gpus > 1 else 0, **pin,
        ).remote(model_config, tokenizer.to_dict(), "cuda" if gpus else "cpu")  # one GPU: shared with the learner
    worker_cls = ray.remote(actors.Worker).options(
        num_cpus=1, max_restarts=config.worker_restarts, max_task_retries=0)
    workers = [
        worker_cls.remote(i, backend=config.backend, run=run_dir.run_id, model_config=model_config,
                          tokenizer=tokenizer.to_dict(), settings=config.settings(), peers=peers)
        for i in range(config.workers)
    ]
    weights = ray.get(learner.publish.remote())
    if inference is not None:
        ray.get(inference.load.remote(weights))
    try:
        ray.get([w.pid.remote() for w in workers])  # the clock starts when the workers are up
    except ray.exceptions.RayActorError as e:
        raise RuntimeError(f"a self-play worker could not start: {_last_line(e)}") from None

    t_start = time.monotonic()
    deadline = t_start + 60.0 * config.minutes
    in_flight: dict[Any, tuple[int, list[Pick]]] = {}  # task ref -> (worker, picks)
    learner_task: Any = None
    buffer_size = ray.get(buffer.size.remote())
    learner_step, loss = weights.step, None
    last_metrics = last_plot = last_checkpoint = t_start
    metrics_log = run_dir.metrics_log()

    def progress() -> Progress:
        recent = counters.recent
        return Progress(
            elapsed=counters.elapsed_before + time.monotonic() - t_start, attempts=counters.attempts,
            proofs=counters.proofs, disproofs=counters.disproofs,
            solve_rate=sum(recent) / len(recent) if recent else 0.0, buffer=buffer_size,
            learner_step=learner_step, model_version=weights.version, loss=loss,
            workers_alive=len({w for w, _ in in_flight.values()}), restarts=counters.restarts,
            picks=dict(counters.picks), faults=counters.faults,
        )

    def submit(index: int) -> None:
        top_up()
        picks = []
        for _ in range(config.problems_per_task):
            try:
                picks.append(curriculum.pick())
            except LookupError:
                break
        for p in picks:
            counters.picks[p.reason.value] = counters.picks.get(p.reason.value, 0) + 1
        counters.tasks += 1
        ref = workers[index].attempt.remote([p.problem for p in picks], weights, counters.tasks)
        in_flight[ref] = (index, picks)

    def save(final: bool = False) -> None:
        ray.get(learner.checkpoint.remote({"run": run_dir.run_id, "final": final}))
        ray.get(buffer.snapshot.remote(str(run_dir.buffer)))
        run_dir.write_state({
            "curriculum": curriculum.state_dict(), "tokenizer": tokenizer.to_dict(), "consumed": consumed,
            "counters": {"attempts": counters.attempts, "proofs": counters.proofs, "disproofs": counters.disproofs,
                         "tasks": counters.tasks, "restarts": counters.restarts, "records": counters.records,
                         "elapsed": counters.elapsed_before + time.monotonic() - t_start, "picks": counters.picks,
                         "faults": counters.faults},
        })

    failures = [0] * len(workers)  # consecutive failed tasks per worker
    retired: dict[int, str] = {}  # workers given up on (construction failed, or died too often)
    probes: dict[Any, int] = {}  # readiness probes of restarting workers -> worker index

    def retire(index: int, error: Exception) -> None:
        retired[index] = f"{type(error).__name__}: {_last_line(error)}"
        log.error("worker %d given up: %s", index, retired[index])
        if len(retired) == len(workers):
            raise RuntimeError(f"every self-play worker failed; the last: {retired[index]}") from None

    def finish(ref: Any) -> int | None:
        """Take in a finished worker task (a dead worker's picks go back); the worker's index,
        or None when the worker is given up on."""
        nonlocal buffer_size
        index, picks = in_flight.pop(ref)
        try:
            task = ray.get(ref)
        except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as e:
            for p in picks:
                curriculum.release(p.problem.name)
            failures[index] += 1
            if getattr(e, "actor_init_failed", False) or failures[index] > config.worker_restarts:
                retire(index, e)
                return None
            counters.restarts += 1
            log.warning("worker %d died (%s); its %d statements go back", index, type(e).__name__, len(picks))
            # new work once Ray has restarted it: a probe that waits through the restart
            probes[workers[index].pid.options(max_task_retries=-1).remote()] = index
            return None
        failures[index] = 0
        for result in task.results:
            counters.attempts += 1
            counters.proofs += result.outcome is Outcome.PROVED
            counters.disproofs += result.outcome is Outcome.DISPROVED
            counters.recent.append(result.outcome.solved)
            curriculum.record(result.problem, result.outcome)
            for fault in result.faults:
                counters.faults += 1
                log.error("soundness fault in %s: %s", result.problem, fault)
        counters.records += task.records_added
        buffer_size = min(buffer_size + task.records_added, config.buffer_capacity)
        return index

    for i in range(len(workers)):
        submit(i)
    if on_started is not None:
        on_started(workers)
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            if learner_task is None and buffer_size >= config.min_buffer:
                learner_task = learner.train.remote(
                    buffer.sample.remote(config.train_steps * config.batch_size), config.train_steps)
            next_tick = min(last_metrics + config.metrics_seconds, deadline)
            ready, _ = ray.wait([*in_flight, *probes, *([learner_task] if learner_task else [])], num_returns=1,
                                timeout=max(next_tick - now, 0.0))
            for ref in ready:
                if ref in probes:
                    index = probes.pop(ref)
                    try:
                        ray.get(ref)
                    except ray.exceptions.RayActorError as e:
                        retire(index, e)
                        continue
                    log.info("worker %d is back", index)
                    if time.monotonic() < deadline:
                        submit(index)
                    continue
                if ref in in_flight and time.monotonic() >= deadline:
                    finish(ref)
                    continue
                if ref is learner_task:
                    learner_task = None
                    report = ray.get(ref)
                    learner_step, loss = report.step, report.loss
                    weights = ray.get(learner.publish.remote())
                    if inference is not None:
                        ray.get(inference.load.remote(weights))
                    continue
                index = finish(ref)
                if index is not None:
                    submit(index)
            now = time.monotonic()
            if now >= last_metrics + config.metrics_seconds:
                last_metrics = now
                snap = progress()
                metrics_log.append(snap.row())
                if on_progress is not None:
                    on_progress(snap)
            if now >= last_plot + config.plot_seconds:
                last_plot = now
                plot_curve(run_dir.metrics, run_dir.curve)
            if now >= last_checkpoint + 60.0 * config.checkpoint_minutes:
                last_checkpoint = now
                save()
        # time is up: let the tasks in flight finish (their searches have their own time limits)
        grace = time.monotonic() + config.stop_grace_seconds
        while in_flight and time.monotonic() < grace:
            ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=grace - time.monotonic())
            for ref in ready:
                finish(ref)
    except KeyboardInterrupt:
        log.warning("interrupted: stopping cleanly")
    if learner_task is not None:
        try:
            report = ray.get(learner_task)
            learner_step, loss = report.step, report.loss
            weights = ray.get(learner.publish.remote())
        except ray.exceptions.RayError:
            pass
    for _, picks in in_flight.values():
        for p in picks:
            curriculum.release(p.problem.name)
    in_flight.clear()
    save(final=True)
    final = progress()
    metrics_log.append(final.row())
    plot_curve(run_dir.metrics, run_dir.curve)
    for w in workers:
        ray.kill(w)
    for actor in (learner, buffer, store, inference):
        if actor is not None:
            ray.kill(actor)
    if on_progress is not None:
        on_progress(final)
    return final


def _last_line(error: Exception) -> str:
    """The cause in a Ray error: the last line of its (traceback-laden) message."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__
