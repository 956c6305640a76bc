"""The `repl` backend on this machine's Lean: Mathlib import time, step latency, memory, kills.

Needs Lean (`leanzero setup-lean`, then `leanzero doctor`); without it, it says why and exits 0.
All figures come from one run:

- import: a fresh REPL process, then the miniF2F header (`import Mathlib`, options, opens) as
  one command: the wall time of each;
- steps: every tactic step of the smoke set (`lean_env.repl.smoke`, one process per item), then
  `--steps` more in one process: `TACTICS` in turn on the roots of `--statements` miniF2F
  statements (../shared/minif2f/valid.jsonl, else the smoke set's built-in ones); latency
  p50/p90/p99 over all of them, and how the extra steps ended;
- memory: resident set and address space of the REPL process after the header and every
  `--every` steps (the address space is what the `memory_mb` cap, RLIMIT_AS, limits);
- kills and restarts: the backend's `counters()`.

It prints a fresh process (start + import) in p50 steps: what one restart costs the search.

    .venv/bin/python bench/lean_smoke.py [--steps 300] [--statements 20] [--timeout 20]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lean_env.contract import StatementError  # noqa: E402
from lean_env.problem import read_problems  # noqa: E402

TACTICS = ("norm_num", "simp", "linarith", "nlinarith", "positivity", "omega", "ring_nf", "field_simp", "decide",
           "intro x")


def memory_mb(pid: int | None) -> tuple[float, float]:
    """(resident set, address space) of process `pid` in MB; zeros when it is gone."""
    import psutil

    try:
        info = psutil.Process(pid).memory_info()
    except (psutil.Error, ValueError):
        return 0.0, 0.0
    return info.rss / 2**20, info.vms / 2**20


def percentiles(seconds: list[float]) -> str:
    if len(seconds) < 2:
        return "too few steps"
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    return " / ".join(f"{q[i] * 1e3:.0f}" for i in (49, 89, 98)) + " ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="tactic steps after the smoke set")
    parser.add_argument("--statements", type=int, default=20, help="miniF2F statements the steps run on")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per step")
    parser.add_argument("--every", type=int, default=100, help="read the REPL's memory every this many steps")
    parser.add_argument("--heartbeats", type=int, help="per-tactic heartbeat budget (default: the backend's)")
    parser.add_argument("--memory-mb", type=int, default=16384, help="the REPL's address-space cap")
    args = parser.parse_args()
    try:
        from lean_interact.interface import Command, CommandResponse

        from lean_env.repl import smoke
        from lean_env.repl.server import ReplServer
    except ImportError as e:
        print(f"skipped: the repl backend needs the Python package lean-interact ({e}): pip install -e '.[lean]'")
        return 0
    try:
        spec = smoke.machine_spec(memory_mb=args.memory_mb)
    except ValueError as e:
        print(f"skipped: {e}")
        return 0
    problems = read_problems(smoke.MINIF2F)[: args.statements] if smoke.MINIF2F.is_file() else smoke.BUILTIN_MINIF2F
    header = problems[0].header
    print(f"repl backend on this machine's Lean: {' '.join(spec.argv)}")

    t0 = time.perf_counter()
    server = ReplServer(spec)
    started = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        answer = server.run(Command(cmd=header), timeout=1800)
    except TimeoutError:
        print("the header did not elaborate within 30 minutes")
        return 1
    imported = time.perf_counter() - t0
    rss, vms = memory_mb(server.pid)
    server.kill()
    if not isinstance(answer, CommandResponse) or any(m.severity == "error" for m in answer.messages):
        print(f"the header does not elaborate: {answer}")
        return 1
    print(f"process start {started:.2f} s; header (Mathlib import) {imported:.1f} s; "
          f"then RSS {rss:.0f} MB, address space {vms:.0f} MB")

    seconds: list[float] = []
    differ = checks = 0
    smoke_counts: Counter[str] = Counter()
    for item in smoke.smoke_set(smoke.minif2f_problems()):
        env = smoke.open_repl(spec, item.options())
        try:
            run = smoke.run_smoke(env, item)
        finally:
            env.close()
        seconds += run.step_seconds
        checks += len(run.findings)
        differ += sum(not f.ok for f in run.findings)
        smoke_counts.update(run.counters)
    print(f"smoke set: {len(seconds)} steps, {checks} checks, {differ} differ (`leanzero doctor --record DIR` "
          f"shows them); counters " + smoke.counts_text(smoke_counts))

    options = {} if args.heartbeats is None else {"heartbeats": args.heartbeats}
    env = smoke.open_repl(spec, {"default_header": header, **options})
    roots = []
    for problem in problems:
        try:
            roots.append(env.start(problem.statement, timeout=args.timeout))
        except StatementError as e:
            print(f"  {problem.name} does not start: {e.message.splitlines()[0]}")
    outcomes: Counter[str] = Counter()
    steps: list[float] = []
    memory = [(0, *memory_mb(getattr(env, "pid", None)))]
    for tactic, root in itertools.islice(itertools.cycle(itertools.product(TACTICS, roots)), args.steps):
        t0 = time.perf_counter()
        result = env.apply(root, tactic, timeout=args.timeout)
        steps.append(time.perf_counter() - t0)
        outcomes[type(result).__name__] += 1
        if len(steps) % args.every == 0:
            memory.append((len(steps), *memory_mb(getattr(env, "pid", None))))
    counts = smoke.counters(env)
    env.close()

    print(f"\n{len(steps)} steps on {len(roots)} miniF2F roots ({', '.join(TACTICS)}, each in turn), "
          f"timeout {args.timeout:g} s: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"step latency p50 / p90 / p99: smoke set {percentiles(seconds)}; these steps {percentiles(steps)}; "
          f"all {percentiles(seconds + steps)}")
    print(f"{'steps':>7}{'RSS MB':>10}{'address space MB':>19}")
    for n, rss, vms in memory:
        print(f"{n:>7}{rss:>10.0f}{vms:>19.0f}")
    print("counters: " + smoke.counts_text(counts))
    if seconds + steps:
        p50 = statistics.median(seconds + steps)
        print(f"a fresh process (start + import) costs {(started + imported) / p50:.0f} p50 steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
