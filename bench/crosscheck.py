"""The counterexample cross-check of `mini`'s `verify`: its cost per verify, and a fault count.

Without `--proofs`, it proves `--problems` generated statements (the self-play generator, on
`mini`, best-first), then verifies every found proof again `--repeats` times and reports how
much of each `verify` the cross-check takes (the replay is the rest): milliseconds per verify
and the share, measured in this one run.

With `--proofs FILE` (a `proofs.jsonl` of `leanzero selfplay` or `leanzero prove --proofs-out`),
it re-verifies every line on `mini` and runs the cross-check again with a budget 20 times the
one `verify` uses; it prints the number of proofs and of soundness faults (the expected figure
is 0) and exits 1 on any fault. These are `mini` figures, not Lean.

    .venv/bin/python bench/crosscheck.py [--problems 200] [--repeats 5]
    .venv/bin/python bench/crosscheck.py --proofs runs/learning/proofs.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def check_proofs(path: Path) -> int:
    from lean_env.mini import MiniEnv, crosscheck
    from lean_env.mini.elaborate import parse_statement

    env = MiniEnv()
    proofs = faults = not_mini = refused = 0
    t0 = time.perf_counter()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            print(f"  line {n}: not JSON, skipped (a torn last line?)")
            continue
        if row.get("backend", "mini") != "mini":
            not_mini += 1
            continue
        proofs += 1
        statement, proof = row["statement"], row["proof"]
        v = env.verify(statement, proof, timeout=60)
        cex = crosscheck.counterexample(parse_statement(statement)[1], samples=1024, budget=1.0)
        if v.fault is not None or cex is not None:
            faults += 1
            print(f"  FAULT line {n}: {statement}\n    counterexample {cex}\n    {v.fault}")
        elif not v.ok:
            refused += 1
            print(f"  line {n}: no longer verifies ({'; '.join(v.messages)[:200]})")
    print(f"counterexample check of {path}: {proofs} mini proofs, {faults} soundness faults, "
          f"{refused} that no longer verify, {not_mini} of other backends skipped "
          f"({time.perf_counter() - t0:.0f} s)")
    return 1 if faults else 0


def cost(problems: int, repeats: int, difficulty: str) -> int:
    from lean_env.mini import MiniEnv
    from prover.actions import ActionSpace
    from search.bestfirst import SearchConfig, best_first_search
    from selfplay.statements import from_generator

    env, candidates = MiniEnv(), ActionSpace()
    found: list[tuple[str, str]] = []
    for p in from_generator(3, problems, difficulty):
        r = best_first_search(env, p.statement, candidates, config=SearchConfig(max_env_calls=200, time_limit=20))
        if r.proved and r.proof is not None:
            found.append((p.statement, r.proof))
    if not found:
        print("no proof found: nothing to measure")
        return 1
    per_verify, shares = [], []
    for _ in range(repeats):
        for statement, proof in found:
            before = env.crosscheck_seconds
            t0 = time.perf_counter()
            assert env.verify(statement, proof).ok
            total = time.perf_counter() - t0
            check = env.crosscheck_seconds - before
            per_verify.append(check * 1000)
            shares.append(check / total)
    print(f"cross-check cost on mini: {len(found)} proofs of {problems} generated {difficulty} statements, "
          f"each verified {repeats} times")
    print(f"  cross-check per verify: median {statistics.median(per_verify):.2f} ms, "
          f"p90 {statistics.quantiles(per_verify, n=10)[-1]:.2f} ms")
    print(f"  share of verify time: median {statistics.median(shares):.0%}, "
          f"mean {statistics.fmean(shares):.0%}  (the rest is the replay of the script)")
    print(f"  soundness faults: {env.faults}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proofs", type=Path, help="check the proofs of a proofs.jsonl instead")
    parser.add_argument("--problems", type=int, default=200, help="generated statements to prove (default 200)")
    parser.add_argument("--repeats", type=int, default=5, help="verifies of each proof (default 5)")
    parser.add_argument("--difficulty", default="hard", help="generator difficulty (default hard)")
    args = parser.parse_args(argv)
    if args.proofs is not None:
        if not args.proofs.is_file():
            print(f"error: {args.proofs}: no such file", file=sys.stderr)
            return 2
        return check_proofs(args.proofs)
    return cost(args.problems, args.repeats, args.difficulty)


if __name__ == "__main__":
    sys.exit(main())
