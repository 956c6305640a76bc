"""`leanzero selfplay`: run self-play (workers, learner, buffer, store on Ray) with a live view.

`add_commands` registers the subcommand on the `leanzero` parser; its handler builds a
`selfplay.config.SelfPlayConfig` from the flags, connects to Ray (a local instance, or a cluster
with `--address auto` / `RAY_ADDRESS`) and runs `selfplay.run.run_selfplay`, showing its
`Progress` live. The flags' defaults and choices are read from `selfplay.config` (light: no Ray,
no torch); Ray, torch and the driver are imported only when the handler runs, so `leanzero --help`
stays instant.

Exit codes: 0 the run ended (time up, or Ctrl-C) and wrote its final checkpoint; 2 bad input
(flags, statement file, run directory, Ray address, a backend not set up, more workers than local
CPUs); 130 interrupted before the run started, or by a second Ctrl-C, which skips the final save
(the last periodic checkpoint and every logged proof remain).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Self

from cli.common import EXIT_INTERRUPTED, EXIT_OK, BadInput, connect_ray, default_header_note, number, rows_of
from lean_env import capabilities
from lean_env.problem import default_headers
from selfplay.config import (
    DEFAULTS,
    DIFFICULTIES,
    INFERENCE,
    MODELS,
    SELFPLAY_BACKENDS,
    Progress,
    SelfPlayConfig,
    SourceSpec,
)
from selfplay.store import RunDir, RunDirError

BACKENDS = SELFPLAY_BACKENDS
# Fields a resumed run does not take over from run.json: where it runs is a property of this session.
_NOT_INHERITED = ("run_dir", "address")


_COUNT = number(int, minimum=1, strict=False)
_NONNEG = number(int, minimum=0, strict=False)
_POSITIVE = number(float, minimum=0, strict=True)
_SECONDS = number(float, minimum=0, strict=False)


def _share(text: str) -> float:
    value = _SECONDS(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must lie in [0, 1]: {text!r}")
    return value


def _source(text: str) -> SourceSpec:
    """An argparse type: `generator[:W]` or `PATH[:W]` (the file is checked later, with the others)."""
    try:
        return SourceSpec.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


# (flag, SelfPlayConfig field, type, metavar, help); the default is appended to the help from DEFAULTS.
_OPTIONS: tuple[tuple[str, str, Any, str | None, str], ...] = (
    ("--workers", "workers", _COUNT, "N", "self-play worker actors, 1 CPU each"),
    ("--minutes", "minutes", _POSITIVE, "M", "wall minutes of this session; a resumed run goes on for M more"),
    ("--seed", "seed", int, "S", "seeds the generator, the curriculum, the buffer and the network"),
    ("--difficulty", "difficulty", None, None, "of the generated statements (when the generator is a source)"),
    ("--model", "model", None, None, "network preset: tiny (CPU) or gpu (larger, for a GPU learner)"),
    ("--inference", "inference", None, None,
     ("local: a CPU copy of the network in every worker; actor: one shared inference actor "
      "(on a GPU when the cluster has one); auto: actor iff the cluster has a GPU")),
    ("--simulations", "simulations", _COUNT, "N", "MCTS simulations per search"),
    ("--env-calls", "env_calls", _COUNT, "N", "tactic calls per search (each statement and its negation)"),
    ("--decoder-samples", "decoder_samples", _NONNEG, "K",
     "tactics the network's decoder writes per goal beside the rules' candidates, once the learner has "
     "trained it (model version 1 on); 0: the network only ranks the candidates"),
    ("--decoder-share", "decoder_share", _share, "F", "the decoder's part of the prior when it writes tactics"),
    ("--search-seconds", "search_seconds", _POSITIVE, "S", "wall seconds per search"),
    ("--tactic-timeout", "tactic_timeout", _POSITIVE, "S", "seconds per tactic"),
    ("--problems-per-task", "problems_per_task", _COUNT, "N", "statements per worker task"),
    ("--buffer-capacity", "buffer_capacity", _COUNT, "N", "replay buffer records kept (the oldest leave first)"),
    ("--min-buffer", "min_buffer", _NONNEG, "N", "records in the buffer before the learner starts"),
    ("--solved-share", "solved_share", _share, "F",
     "share of each training batch (at least) drawn from proof and disproof searches, when the buffer has any"),
    ("--train-steps", "train_steps", _COUNT, "N", "learner steps per published network version"),
    ("--batch-size", "batch_size", _COUNT, "N", "learner minibatch"),
    ("--lr", "lr", _POSITIVE, "X", "learning rate"),
    ("--checkpoint-minutes", "checkpoint_minutes", _POSITIVE, "M",
     "minutes between checkpoints (plus a final one at the end)"),
    ("--metrics-seconds", "metrics_seconds", _POSITIVE, "S", "seconds between progress updates and metrics rows"),
    ("--plot-seconds", "plot_seconds", _POSITIVE, "S", "seconds between redraws of curve.png"),
    ("--worker-restarts", "worker_restarts", _NONNEG, "N", "times Ray restarts a worker that died"),
    ("--stop-grace-seconds", "stop_grace_seconds", _SECONDS, "S",
     "when time is up, how long the tasks in flight may still finish"),
)
_CHOICES = {"difficulty": DIFFICULTIES, "model": MODELS, "inference": INFERENCE}


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `selfplay` on the subcommand table of the `leanzero` parser."""
    p = commands.add_parser(
        "selfplay",
        help="learn by self-play: attempt statements and their negations, train on the searches",
        description="Self-play on Ray: workers attempt statements (from the seeded generator and/or statement "
        "files, mixed by weight: --source; never their proofs) and their negations with MCTS guided by the "
        "current network, every verified proof and disproof is "
        "appended to RUN_DIR/proofs.jsonl, the learner trains on the replay buffer and publishes new "
        "versions. Runs on a local Ray instance, or on a cluster with --address auto (see docs/selfplay.md). "
        "Ctrl-C stops cleanly with a final checkpoint; a second Ctrl-C quits at once. "
        "Exit codes: 0 finished (time up or Ctrl-C), 2 bad input, 130 interrupted before it started "
        "or by a second Ctrl-C.",
    )
    p.add_argument("--run-dir", required=True, metavar="DIR",
                   help="the run directory: a new (or empty) one, or with --resume one to continue")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --run-dir with its settings (flags given now override them)")
    p.add_argument("--backend", choices=BACKENDS, default=None,
                   help=f"proof environment of the workers (default: {DEFAULTS['backend']}; mini is the embedded "
                   "fragment prover, not Lean; repl is Lean through the Lean REPL, set up on every node)")
    given = p.add_mutually_exclusive_group()
    given.add_argument("--source", dest="sources", metavar="SPEC", type=_source, action="append", default=None,
                       help="a statement source, repeatable: `generator` (the seeded generator) or a JSONL file of "
                       "statements (one JSON object per line with `name` and `formal_statement`, as miniF2F; "
                       "proofs are ignored), each optionally with a positive weight, `generator:2` or "
                       "`valid.jsonl:1` (default 1; only a trailing `:<number>` is a weight, so a path may hold ':'). "
                       "Statements are drawn from the sources in proportion to their weights; files are cycled "
                       "(default: the generator alone)")
    given.add_argument("--problems", metavar="FILE.jsonl", default=None,
                       help="the statements of FILE.jsonl alone, cycled: the same as a single --source FILE.jsonl")
    p.add_argument("--address", metavar="ADDR", default=None,
                   help="Ray cluster to join: `auto` (the cluster started with `ray start` on this machine) or "
                   "HOST:PORT (default: $RAY_ADDRESS, else a local Ray instance)")
    for flag, name, kind, metavar, text in _OPTIONS:
        p.add_argument(flag, dest=name, type=kind, metavar=metavar, choices=_CHOICES.get(name), default=None,
                       help=f"{text} (default: {DEFAULTS[name]})")
    p.add_argument("--no-live", action="store_true",
                   help="print one plain progress line per update instead of the live view "
                   "(the default when stdout is not a terminal)")
    p.set_defaults(handler=selfplay_command)


# ------------------------------------------------------------------ the configuration


def _given(args: argparse.Namespace) -> dict[str, object]:
    """The SelfPlayConfig fields set on the command line (every flag defaults to None)."""
    given = {name: getattr(args, name) for _, name, *_ in _OPTIONS if getattr(args, name) is not None}
    if args.backend is not None:
        given["backend"] = args.backend
    if args.address is not None:
        given["address"] = args.address
    # paths made absolute: a resume may run from another folder. Either flag replaces the other's setting.
    if args.problems is not None:
        given["problems_file"], given["sources"] = os.path.abspath(args.problems), ()
    if args.sources:
        given["problems_file"] = None
        given["sources"] = tuple(
            SourceSpec(None if s.path is None else os.path.abspath(s.path), s.weight) for s in args.sources
        )
    return given


def _stored_config(run_dir: Path) -> dict[str, object]:
    """The settings of the run being resumed: its latest session's config in run.json."""

    if not run_dir.is_dir():
        raise BadInput(f"cannot resume {run_dir}: no such directory (drop --resume to start a new run)")
    try:
        info = RunDir(run_dir).info()
    except RunDirError as e:
        raise BadInput(str(e)) from None
    sessions = [info.get("config")] + [r.get("config") for r in info.get("resumes", []) if isinstance(r, dict)]
    stored = next((c for c in reversed(sessions) if isinstance(c, dict)), {})
    return {k: v for k, v in stored.items() if k in DEFAULTS and k not in _NOT_INHERITED}


def _check_new_run_dir(run_dir: Path) -> None:
    """What `RunDir.create` would refuse, said before Ray starts (it checks again)."""
    if run_dir.exists() and not run_dir.is_dir():
        raise BadInput(f"cannot create run directory {run_dir}: a file of that name exists")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        raise BadInput(f"run directory {run_dir} exists and is not empty: pass --resume to continue that run, "
                         "or choose a new directory")
    existing = next(p for p in (run_dir, *run_dir.absolute().parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BadInput(f"cannot create run directory {run_dir}: {existing} is not writable")


def _check_sources(config: SelfPlayConfig) -> None:
    """Every statement file reads and holds statements, no source is given twice: said now, not
    once the actors are up (the driver reads the files again). On a Lean backend, one note per
    source whose statements get the miniF2F default header (the driver gives it them)."""
    from selfplay.statements import StatementSourceError, from_generator, mixed_stream, read_source

    try:
        mixed_stream(config.statement_sources(), seed=config.seed, difficulty=config.difficulty)
        backend = capabilities(config.backend)
        for spec in config.statement_sources():
            if spec.path is None:  # the generator writes no header
                if default_headers(from_generator(config.seed, 1, config.difficulty), backend)[1]:
                    print(default_header_note("the generator's statements have"), file=sys.stderr)
            elif defaulted := default_headers(read_source(spec.path), backend)[1]:
                print(default_header_note(rows_of(defaulted, spec.path)), file=sys.stderr)
    except (StatementSourceError, ValueError) as e:  # ValueError: an unknown backend in a resumed run.json
        raise BadInput(str(e)) from None


def _check_backend(backend: str) -> None:
    """A backend the workers cannot open makes every task fail at once: say so before starting.
    Checked on this node only; other nodes of a cluster need the same set-up."""
    if backend != "repl":
        return
    from lean_env.repl.setup import find_setup

    try:
        find_setup()
        import lean_env.repl.backend  # noqa: F401  # needs the Python package lean-interact
    except ValueError as e:
        raise BadInput(str(e)) from None
    except ImportError as e:
        raise BadInput(f"the repl backend needs the Python package lean-interact ({e}): "
                         "pip install -e '.[lean]'") from None


def build_config(args: argparse.Namespace) -> SelfPlayConfig:
    """The run's configuration: the flags given, over the resumed run's settings, over the defaults."""
    run_dir = Path(args.run_dir)
    given = _given(args)
    if args.resume:
        stored = _stored_config(run_dir)
        if "model" in given and "model" in stored and given["model"] != stored["model"]:
            raise BadInput(f"--model {given['model']}: this run's checkpoint is a {stored['model']} network; "
                             "a resumed run keeps its model")
        values = {**stored, **given}
    else:
        _check_new_run_dir(run_dir)
        values = given
    try:
        config = SelfPlayConfig(run_dir=str(run_dir), **values)  # type: ignore[arg-type]
    except ValueError as e:  # the resumed run's sources in run.json do not read
        raise BadInput(f"{run_dir / 'run.json'}: {e}") from None
    _check_sources(config)
    _check_backend(config.backend)
    if config.min_buffer > config.buffer_capacity:
        raise BadInput(f"--min-buffer {config.min_buffer} exceeds --buffer-capacity {config.buffer_capacity}: "
                         "the learner would never start")
    return config


# ------------------------------------------------------------------ Ray


def _connect(address: str | None, workers: int) -> bool:
    """Start or join Ray (`cli.common.connect_ray`); True when this call initialised it (then
    the command shuts it down). Refuses more workers than a local Ray's CPUs."""
    if not connect_ray(address):
        return False
    import ray

    cpus = int(ray.cluster_resources().get("CPU", 0))
    if workers > cpus:
        where = "this machine's local Ray" if address is None else f"the Ray cluster at {address}"
        message = (f"--workers {workers} but {where} has {cpus} CPU(s): each worker takes one, "
                   f"so {workers - cpus} would never start")
        if address is None:
            ray.shutdown()
            raise BadInput(message + f"; use --workers {max(cpus, 1)} or a cluster (--address)")
        print(f"leanzero selfplay: warning: {message} unless more nodes join", file=sys.stderr)
    return True


# ------------------------------------------------------------------ progress views


def backend_label(backend: str) -> str:
    return capabilities(backend).label


def sources_label(config: SelfPlayConfig) -> str:
    """The run's statement sources with their weights: `generator ×1, valid.jsonl ×1`."""
    return ", ".join(f"{s.label} ×{s.weight:g}" for s in config.statement_sources())


def buffer_sources(counts: dict[str, int]) -> str:
    """Buffer records by statement source family: `generator 1,234, file:valid.jsonl 56, variant 7`."""
    return ", ".join(f"{family} {n:,}" for family, n in counts.items()) or "-"


def clock(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` from an hour on."""
    s = max(0, round(seconds))
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


class _Status:
    """What both views show: the last Progress, this session's clock, and the stop state."""

    def __init__(self, config: SelfPlayConfig) -> None:
        self.config = config
        self.progress: Progress | None = None
        self.started: float | None = None  # when the workers got their first tasks
        self.stopping = False
        self.done = False

    def left(self) -> float | None:
        if self.started is None:
            return None
        return max(0.0, 60.0 * self.config.minutes - (time.monotonic() - self.started))

    def phase(self) -> str:
        if self.done:
            return "stopped by Ctrl-C" if self.stopping else "finished"
        if self.stopping:
            return "stopping: writing the final checkpoint (Ctrl-C again skips it)"
        if self.started is None:
            return "starting the actors"
        left = self.left()
        if left == 0.0:
            return "time is up: finishing the tasks in flight"
        return "running: Ctrl-C stops cleanly with a final checkpoint"

    def line(self) -> str:
        p, c = self.progress, self.config
        left = self.left()
        head = f"leanzero selfplay: {clock(p.elapsed) if p else '-'}"
        if left is not None:
            head += f" ({clock(left)} left)"
        if p is None:
            return f"{head}  {self.phase()}"
        loss = "-" if p.loss is None else f"{p.loss:.3f}"
        return (f"{head}  tried {p.attempts}  proofs {p.proofs}  disproofs {p.disproofs}  "
                f"solve {p.solve_rate:.0%}  buffer {p.buffer}/{c.buffer_capacity}  step {p.learner_step}  "
                f"model v{p.model_version}  loss {loss}  busy workers {p.workers_alive}/{c.workers}  "
                f"restarts {p.restarts}  novel {p.novel_proofs}  soundness faults {p.faults}")

    def __rich__(self) -> Any:  # the live view: re-rendered on every refresh, so the clock ticks
        from rich.panel import Panel
        from rich.table import Table

        c, p = self.config, self.progress
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("run dir", c.run_dir)
        table.add_row("backend", backend_label(c.backend))
        table.add_row("sources", sources_label(c) + "  (statements only)")
        left = self.left()
        session = "starting" if left is None else f"{clock(left)} left of {clock(60 * c.minutes)}"
        table.add_row("time", session if p is None else f"{clock(p.elapsed)} elapsed (all sessions), {session}")
        if p is None:
            table.add_row("", "waiting for the first progress report")
        else:
            loss = "-" if p.loss is None else f"{p.loss:.4f}"
            table.add_row("statements tried", f"{p.attempts:,}")
            table.add_row("proofs", f"{p.proofs:,}")
            table.add_row("disproofs", f"{p.disproofs:,}")
            table.add_row("novel tactics", f"{p.novel_proofs:,} proofs/disproofs used {p.novel_tactics:,} tactics "
                                           "no rule proposed (the decoder's)")
            table.add_row("solve rate", f"{p.solve_rate:.1%} (last 100 attempts)")
            table.add_row("buffer", f"{p.buffer:,} / {c.buffer_capacity:,} records")
            if p.sources:
                table.add_row("buffer by source", buffer_sources(p.sources))
            table.add_row("learner step", f"{p.learner_step:,} (loss {loss})")
            table.add_row("model version", str(p.model_version))
            table.add_row("workers", f"{p.workers_alive} busy of {c.workers}, {p.restarts} restart(s)")
            table.add_row("soundness faults", f"{p.faults}" + ("" if not p.faults else "  (a bug: see the log)"))
            if p.env:
                table.add_row("backend processes", env_counts(p.env))
            if p.picks:
                table.add_row("picks", "  ".join(f"{k} {v:,}" for k, v in sorted(p.picks.items())))
        return Panel(table, title="leanzero selfplay", subtitle=self.phase(), subtitle_align="left")


def env_counts(counts: dict[str, int]) -> str:
    """The backend's process counters (kills, restarts, heartbeat stops, ...) for people."""
    return ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items())


def summary(config: SelfPlayConfig, final: Progress, *, interrupted: bool) -> str:
    run = Path(config.run_dir)
    how = "stopped by Ctrl-C" if interrupted else "finished"
    loss = "" if final.loss is None else f", loss {final.loss:.4f}"
    lines = [
        (f"leanzero selfplay {how} after {clock(final.elapsed)} (m:ss, all sessions); "
         f"backend {backend_label(config.backend)}"),
        (f"  statements tried {final.attempts:,}: {final.proofs:,} proofs, {final.disproofs:,} disproofs, "
         f"solve rate {final.solve_rate:.1%} over the last 100"),
        (f"  novel tactics: {final.novel_proofs:,} proofs and disproofs used {final.novel_tactics:,} tactics "
         "no rule proposed for their goal (written by the network's decoder)"),
        (f"  learner step {final.learner_step:,}, model version {final.model_version}{loss}; "
         f"buffer {final.buffer:,} records; worker restarts {final.restarts}"),
        (f"  statement sources: {sources_label(config)}; buffer records by source: "
         f"{buffer_sources(final.sources)} (searches of statements only: no proof came from outside)"),
        (f"  soundness faults: {final.faults} (found scripts the backend refused because the statement "
         "has a counterexample; expected 0)"),
        *([f"  backend processes: {env_counts(final.env)}"] if final.env else []),
        f"  proofs and disproofs: {run / 'proofs.jsonl'}",
        f"  network checkpoint:   {run / 'checkpoints' / 'latest.pt'}  (leanzero prove --checkpoint ...)",
        f"  learning curve:       {run / 'curve.png'}",
        f"  continue with:        leanzero selfplay --run-dir {run} --resume",
    ]
    if not capabilities(config.backend).kernel_checked:
        lines.append(f"  (results are {capabilities(config.backend).verified_by}, not by Lean)")
    return "\n".join(lines)


# ------------------------------------------------------------------ Ctrl-C


class _Interrupts:
    """SIGINT from starting Ray to shutting it down. The first raises KeyboardInterrupt, which
    run_selfplay's loop turns into a clean stop with a final checkpoint. The second raises it
    again, which skips the final save (the clean stop may be the thing stuck); Ray is still shut
    down. A third quits the process at once."""

    def __init__(self, status: _Status, live: bool) -> None:
        self.status, self.live, self.count = status, live, 0
        self.previous: Any = None

    def __enter__(self) -> Self:

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def __call__(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.count == 1 and self.status.started is not None:
            self.status.stopping = True
            if not self.live:
                print(f"\nleanzero selfplay: {self.status.phase()}", file=sys.stderr, flush=True)
        elif self.count >= 3:
            os.write(2, b"\nleanzero selfplay: interrupted three times: quitting now\n")
            os._exit(EXIT_INTERRUPTED)
        raise KeyboardInterrupt


# ------------------------------------------------------------------ the command


def selfplay_command(args: argparse.Namespace) -> int:
    config = build_config(args)
    from rich.console import Console

    console = Console()
    live_view = console.is_terminal and not args.no_live
    address = config.address or os.environ.get("RAY_ADDRESS") or None
    config = dataclasses.replace(config, address=address)
    status = _Status(config)
    started_ray = False
    with _Interrupts(status, live_view) as interrupts:
        try:
            started_ray = _connect(address, config.workers)
            final = _run(config, args.resume, status, console, live_view)
        except KeyboardInterrupt:  # not in run_selfplay's loop: while starting, or a second Ctrl-C
            if status.started is None:
                what = "before the run started; nothing was saved"
            else:
                what = ("again: " if interrupts.count > 1 else "while finishing: ") + (
                    "stopped without the final checkpoint; the last periodic one and every logged proof "
                    "remain, and --resume continues from them")
            print(f"\nleanzero selfplay: interrupted {what}", file=sys.stderr, flush=True)
            return EXIT_INTERRUPTED
        finally:
            if started_ray:
                import ray

                ray.shutdown()
    print(summary(config, final, interrupted=interrupts.count > 0), flush=True)
    return EXIT_OK


def _run(config: SelfPlayConfig, resume: bool, status: _Status, console: Any, live_view: bool) -> Progress:
    from selfplay.run import run_selfplay

    def started(workers: list[Any]) -> None:
        status.started = time.monotonic()

    def plain(progress: Progress) -> None:
        status.progress = progress
        print(status.line(), flush=True)

    def live_update(progress: Progress) -> None:
        status.progress = progress

    if not live_view:
        print(f"leanzero selfplay: run dir {config.run_dir}, backend {backend_label(config.backend)}, "
              f"{config.workers} worker(s), {config.minutes:g} min{' (resumed)' if resume else ''}, "
              f"sources {sources_label(config)}; "
              "Ctrl-C stops cleanly", flush=True)
    try:
        if not live_view:
            return run_selfplay(config, resume=resume, on_progress=plain, on_started=started)
        from rich.live import Live

        with Live(status, console=console, refresh_per_second=2):
            final = run_selfplay(config, resume=resume, on_progress=live_update, on_started=started)
            status.done = True  # the last frame says so
            return final
    except RunDirError as e:
        raise BadInput(str(e)) from None
