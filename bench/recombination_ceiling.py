"""Could recombining the rules' words in one step prove what no searcher proves? (mini, not Lean)

Reads the results folders `bench/transfer.py` wrote (OUT/<searcher>-...-b<budget>/results.jsonl),
takes the miniF2F-test problems inside mini's fragment that none of its four searchers proved
at the largest budget, and tries at each one's root every one-step tactic of the kind the
tactic decoder writes when it recombines what the rules write (not itself a rule candidate for
that goal): each closer with up to three hypotheses as simp/linarith arguments
(`linarith [h₀, h₂]`, `simp [h₁]`, ...), `nlinarith` with up to three squares of differences and
sums of the target's variables, and each rule candidate of the rewriting kind at each hypothesis
and the target (`norm_num at h₀ ⊢`). Prints how many problems one such tactic closes: an upper
bound on what a decoder that only recombines could add in one step.

    .venv/bin/python bench/recombination_ceiling.py [--out runs/transfer] [--per-problem 400]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lean_env.contract import StatementError, TacticSuccess  # noqa: E402
from lean_env.mini import MiniEnv  # noqa: E402
from prover.actions import ActionSpace  # noqa: E402
from prover.evaluate.minif2f import DataError, load_minif2f  # noqa: E402

CLOSERS = ("linarith", "nlinarith", "norm_num", "simp", "field_simp", "omega", "positivity", "simp_all", "decide")
AT_TARGETS = ("norm_num", "simp", "field_simp", "ring_nf")


def recombinations(goal_text: str, rules: list[str]) -> list[str]:
    """The one-step tactics described in the module docstring, minus the rules' own."""
    hyps = re.findall(r"^(\S+) :", goal_text, re.M)
    target = goal_text.split("⊢")[-1]
    names = sorted(set(re.findall(r"(?<![\w.])([a-z])(?![\w.])", target)))
    out: set[str] = set()
    for closer in CLOSERS:
        for k in range(1, min(3, len(hyps)) + 1):
            out.update(f"{closer} [{', '.join(hs)}]" for hs in itertools.combinations(hyps, k))
    squares = [f"sq_nonneg ({a} {op} {b})" for op in "-+" for a, b in itertools.combinations(names, 2)]
    for k in (1, 2, 3):
        out.update(f"nlinarith [{', '.join(hs)}]" for hs in itertools.combinations(squares, k))
    for rule in rules:
        if " at " not in rule and rule.split()[0] in AT_TARGETS:
            out.update(f"{rule} at {h} ⊢" for h in hyps)
    return sorted(out - set(rules))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "transfer", help="bench/transfer.py's folder")
    ap.add_argument("--data", default=str(ROOT / ".." / "shared" / "minif2f"))
    ap.add_argument("--per-problem", type=int, default=400, help="tactics tried per problem at most")
    args = ap.parse_args(argv)
    folders = sorted(args.out.glob("*-b*/results.jsonl"))
    if not folders:
        print(f"error: no results under {args.out}: run bench/transfer.py first", file=sys.stderr)
        return 2
    budget = max(int(f.parent.name.rsplit("-b", 1)[1]) for f in folders)
    statuses: dict[str, list[str]] = {}
    for f in folders:
        if f.parent.name.endswith(f"-b{budget}"):
            for line in f.read_text().splitlines():
                row = json.loads(line)
                statuses.setdefault(row["name"], []).append(row["status"])
    unproved = {n for n, s in statuses.items() if "proved" not in s and "outside-fragment" not in s}
    try:
        tasks, _ = load_minif2f("test", args.data)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    env, space = MiniEnv(), ActionSpace()
    tried, closed = 0, {}
    for task in tasks:
        if task.name not in unproved:
            continue
        try:
            state = env.start(task.statement, header=task.header)
        except StatementError:
            continue
        goal = state.goals[0]
        for tactic in recombinations(goal.canonical, list(space(goal)))[: args.per_problem]:
            tried += 1
            result = env.apply(state, tactic, timeout=3.0)
            if isinstance(result, TacticSuccess) and result.state.solved:
                closed[task.name] = tactic
                break
    env.close()
    print(f"miniF2F-test on mini (not Lean): {len(unproved)} in-fragment problems no searcher proved at {budget} "
          f"calls; {tried} one-step recombinations tried at their roots; {len(closed)} closed")
    for name, tactic in closed.items():
        print(f"  {name}: {tactic}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
