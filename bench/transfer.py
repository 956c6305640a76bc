"""Does self-play on statements transfer to held-out problems? miniF2F-test on `mini` (not Lean).

1. Self-play (`leanzero selfplay`'s driver) for `--minutes` (default 30) with `--workers` (2) on
   two statement sources mixed by weight: the seeded generator and miniF2F-valid's STATEMENTS
   (no proof comes in from anywhere). Skip with `--checkpoint PATH` to evaluate a finished run.
2. miniF2F-test, the problems inside mini's fragment, pass@1 at each `--budgets` (100 400)
   env calls, four ways: best-first (uniform), MCTS untrained (uniform priors, value 0.5), MCTS
   with the trained network ranking the rules' candidates only (`decoder_samples=0`), and MCTS
   with the trained network's decoder also writing tactics (`decoder_samples=8`). Beside them
   the one-closer sweep (`bench/minif2f_mini.py`). Prints counts and ratios to best-first.
3. Every proof of the decoder column that used a NOVEL tactic (one no rule proposed for its
   goal), with the proof; the count of such problems and tactics.
4. Value calibration on held-out searches: MCTS with the trained network on the same test
   problems at the first budget; for every goal the network evaluated, its predicted value
   against whether the search proved that goal. AUC (0.5 = the uniform value's ranking) and
   Brier score (against the constant base rate), and a reliability plot.

Writes OUT/transfer.png (proved within b env calls, the four searchers), OUT/calibration.png,
OUT/transfer.json and OUT/report.md. These are results on mini, an embedded fragment prover,
NOT on Lean.

    .venv/bin/python bench/transfer.py [--minutes 30] [--workers 2] [--out runs/transfer]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from minif2f_mini import LABEL, inside_fragment, one_closer_sweep  # noqa: E402

from lean_env.problem import Problem  # noqa: E402
from prover.evaluate import OUTSIDE, PROVED, EvaluateError, Settings, evaluate  # noqa: E402
from prover.evaluate.minif2f import DataError, load_minif2f  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "minif2f"
TRAIN_SEED = 1
DECODER_SAMPLES = 8


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    searcher: str
    trained: bool
    decoder_samples: int


COLUMNS = (
    Column("best-first", "bfs", False, 0),
    Column("MCTS, untrained", "mcts", False, 0),
    Column("MCTS, trained, ranking only", "mcts", True, 0),
    Column("MCTS, trained, with decoder", "mcts", True, DECODER_SAMPLES),
)


def run_selfplay_phase(args: argparse.Namespace) -> Path:
    """Self-play on the generator plus miniF2F-valid statements; the run's latest checkpoint."""
    from selfplay.config import SelfPlayConfig, SourceSpec
    from selfplay.run import run_selfplay

    valid = Path(args.data) / "valid.jsonl"
    config = SelfPlayConfig(
        run_dir=str(args.run_dir), workers=args.workers, minutes=args.minutes, seed=TRAIN_SEED,
        sources=(SourceSpec(None, 1.0), SourceSpec(str(valid.resolve()), args.valid_weight)),
        decoder_samples=DECODER_SAMPLES,
    )
    print(f"self-play: {args.minutes:g} min, {args.workers} workers, sources generator:1 "
          f"{valid.name}:{args.valid_weight:g}, run dir {args.run_dir}", file=sys.stderr, flush=True)

    def show(p) -> None:
        print(f"  {p.elapsed / 60:5.1f} min  attempts {p.attempts}  proofs {p.proofs}  disproofs {p.disproofs}  "
              f"buffer {p.buffer}  version {p.model_version}  novel {getattr(p, 'novel_proofs', 0)}",
              file=sys.stderr, flush=True)

    run_selfplay(config, on_progress=show)
    return Path(args.run_dir) / "checkpoints" / "latest.pt"


def evaluate_columns(
    tasks: list[Problem], budgets: list[int], checkpoint: Path, out: Path, time_limit: float
) -> dict[tuple[str, int], list[dict]]:
    """Each column's results rows at each budget."""
    rows: dict[tuple[str, int], list[dict]] = {}
    for budget in budgets:
        for col in COLUMNS:
            settings = Settings(backend="mini", searcher=col.searcher, budget=budget, time_limit=time_limit,
                                checkpoint=str(checkpoint) if col.trained else None,
                                decoder_samples=col.decoder_samples)
            name = f"{col.searcher}-{'trained' if col.trained else 'uniform'}-k{col.decoder_samples}-b{budget}"
            print(f"test: {col.title}, {budget} calls ...", file=sys.stderr, flush=True)
            summary = evaluate(tasks, settings, out / name, workers=0, resume=True, emit=None)
            rows[(col.title, budget)] = summary.rows
    return rows


def calibration(tasks: list[Problem], checkpoint: Path, budget: int) -> list[tuple[float, bool]]:
    """(predicted value, proved in the search) for every goal the trained network evaluated in
    MCTS searches of the in-fragment `tasks` (with the decoder) at `budget` env calls."""
    from lean_env.mini import MiniEnv
    from prover.actions import ActionSpace
    from prover.net.decoder import DecoderSettings
    from prover.net.inference import evaluator_from_checkpoint
    from search.driver import run_searches
    from search.mcts import MCTSConfig, MCTSSearch
    from search.tree import Status

    env, candidates = MiniEnv(), ActionSpace()
    network = evaluator_from_checkpoint(checkpoint, "cpu", decoder=DecoderSettings(samples=DECODER_SAMPLES))
    points: list[tuple[float, bool]] = []
    for task, _ in inside_fragment(env, tasks):
        search = MCTSSearch(env, task.statement, candidates, header=task.header,
                            config=MCTSConfig(max_env_calls=budget, num_simulations=10 * budget, time_limit=60.0))
        search.start()
        run_searches([search], network)
        tree = search.tree
        points += [(tree.prior_value[n], tree.status[n] is Status.PROVED) for n in range(len(tree))
                   if tree.evaluated(n)]
    env.close()
    return points


def auc(points: list[tuple[float, bool]]) -> float:
    """P(value of a proved goal > value of an unproved one), ties half: 0.5 is no ranking."""
    pos = sorted(v for v, y in points if y)
    neg = sorted(v for v, y in points if not y)
    if not pos or not neg:
        return float("nan")
    import bisect

    wins = sum(bisect.bisect_left(neg, v) + 0.5 * (bisect.bisect_right(neg, v) - bisect.bisect_left(neg, v))
               for v in pos)
    return wins / (len(pos) * len(neg))


def brier(points: list[tuple[float, bool]]) -> tuple[float, float]:
    """(Brier score of the values, of the constant base rate)."""
    base = sum(y for _, y in points) / len(points)
    return (sum((v - y) ** 2 for v, y in points) / len(points), sum((base - y) ** 2 for _, y in points) / len(points))


def plot_calibration(points: list[tuple[float, bool]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = 10
    counts, proved, mean_v = [0] * bins, [0] * bins, [0.0] * bins
    for v, y in points:
        b = min(int(v * bins), bins - 1)
        counts[b] += 1
        proved[b] += y
        mean_v[b] += v
    xs = [mean_v[b] / counts[b] for b in range(bins) if counts[b]]
    ys = [proved[b] / counts[b] for b in range(bins) if counts[b]]
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(6, 7), height_ratios=(3, 1), sharex=True)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    base = sum(y for _, y in points) / len(points)
    ax.axhline(base, color="tab:orange", linestyle="--", label=f"base rate {base:.2f} (any constant value ranks none)")
    ax.plot(xs, ys, marker="o", color="tab:blue", label="trained value head")
    ax.set_ylabel("fraction of goals the search proved")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    hist.bar([(b + 0.5) / bins for b in range(bins)], counts, width=1 / bins, color="tab:blue", alpha=0.6)
    hist.set_xlabel("predicted value (probability the goal is provable)")
    hist.set_ylabel("goals")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_budget(rows: dict[tuple[str, int], list[dict]], budget: int, path: Path, title: str) -> None:
    """Proved within b env calls, from each column's run at `budget` (a search's choices do not
    depend on its budget until the budget stops it, so its proofs within b calls are the
    proofs of a run at budget b)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for col in COLUMNS:
        calls = sorted(r["env_calls"] for r in rows[(col.title, budget)] if r["status"] == PROVED)
        xs = [0, *calls, budget]
        ys = [0, *range(1, len(calls) + 1), len(calls)]
        ax.step(xs, ys, where="post", label=f"{col.title} ({len(calls)})")
    ax.set_xlabel("env calls per problem")
    ax.set_ylabel("problems proved (pass@1)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0, help="self-play wall minutes (default: 30)")
    ap.add_argument("--workers", type=int, default=2, help="self-play workers (default: 2)")
    ap.add_argument("--valid-weight", type=float, default=1.0,
                    help="weight of miniF2F-valid statements beside the generator's 1 (default: 1)")
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="folder with valid.jsonl and test.jsonl")
    ap.add_argument("--budgets", type=int, nargs="+", default=[100, 400], help="env calls (default: 100 400)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="wall seconds per problem (default: 60)")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "transfer", help="results folder")
    ap.add_argument("--run-dir", type=Path, help="self-play run directory (default: OUT/selfplay)")
    ap.add_argument("--checkpoint", type=Path, help="skip self-play: evaluate this checkpoint")
    ap.add_argument("--limit", type=int, help="only the first N test problems (a quick look)")
    args = ap.parse_args(argv)
    args.run_dir = args.run_dir or args.out / "selfplay"
    t0 = time.monotonic()
    try:
        tasks, _ = load_minif2f("test", args.data)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    tasks = tasks[: args.limit] if args.limit else tasks
    if args.checkpoint is not None and not args.checkpoint.is_file():
        print(f"error: {args.checkpoint}: no such checkpoint", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.checkpoint or run_selfplay_phase(args)
    run_params = _run_params(args, checkpoint)
    try:
        inside, swept = one_closer_sweep(tasks)
        rows = evaluate_columns(tasks, args.budgets, checkpoint, args.out, args.time_limit)
    except EvaluateError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("value calibration: held-out searches ...", file=sys.stderr, flush=True)
    points = calibration(tasks, checkpoint, args.budgets[0])

    lines = [f"miniF2F-test on {LABEL}: pass@1, in-fragment problems; proved (ratio to best-first)",
             f"run: {run_params}", "",
             "| budget | in fragment | one-closer sweep | " + " | ".join(c.title for c in COLUMNS) + " |",
             "|---:|---:|---:|" + "---:|" * len(COLUMNS)]
    counts: dict[str, dict[int, int]] = {c.title: {} for c in COLUMNS}
    for budget in args.budgets:
        cells = []
        base = 0
        for col in COLUMNS:
            rs = rows[(col.title, budget)]
            n = sum(r["status"] == PROVED for r in rs)
            assert sum(r["status"] != OUTSIDE for r in rs) == inside  # one fragment, two readers
            counts[col.title][budget] = n
            base = base or n if col.searcher == "bfs" else base
            cells.append(f"{n} ({n / base:.2f}x)" if base else str(n))
        lines.append(f"| {budget} | {inside} | {swept} | " + " | ".join(cells) + " |")
    decoder_title = COLUMNS[-1].title
    novel = [r for b in args.budgets for r in rows[(decoder_title, b)] if r["status"] == PROVED and r.get("novel")]
    best_first = {r["name"] for b in args.budgets for r in rows[("best-first", b)] if r["status"] == PROVED}
    lines += ["", f"novel tactics (written by the decoder, proposed by no rule for their goal) in the proofs of "
                  f"'{decoder_title}': {len({r['name'] for r in novel})} problems, "
                  f"{sum(len(r['novel']) for r in novel)} tactics"]
    shown: set[str] = set()
    for r in novel:
        if r["name"] in shown:
            continue
        shown.add(r["name"])
        extra = "" if r["name"] in best_first else "  (best-first did not prove it)"
        lines += [f"- {r['name']} at {r['budget']} calls: novel {r['novel']}{extra}", "```lean",
                  r["statement"] + " := by", *("  " + line for line in r["proof"].splitlines()), "```"]
    if points:
        a = auc(points)
        b, b0 = brier(points)
        lines += ["", f"value calibration (held-out MCTS searches, trained network, {args.budgets[0]} calls): "
                      f"{len(points)} goals, {sum(y for _, y in points)} proved; AUC {a:.3f} (uniform value: 0.5); "
                      f"Brier {b:.4f} (constant base rate: {b0:.4f})"]
        plot_calibration(points, args.out / "calibration.png",
                         f"value calibration, held-out miniF2F-test searches on mini (not Lean)\n"
                         f"AUC {a:.3f}, {len(points)} goals")
    trained = f"{args.minutes:g} min of self-play" if args.checkpoint is None else str(args.checkpoint)
    plot_budget(rows, max(args.budgets), args.out / "transfer.png",
                f"miniF2F-test, {inside} problems in mini's fragment (mini, not Lean)\ntrained: {trained}")
    lines += ["", f"wall: {time.monotonic() - t0:.0f} s"]
    report = "\n".join(lines)
    print(report)
    (args.out / "report.md").write_text(report + "\n")
    (args.out / "transfer.json").write_text(json.dumps(
        {"run": run_params, "inside": inside, "sweep": swept, "counts": counts,
         "novel": [{"name": r["name"], "budget": r["budget"], "novel": r["novel"], "proof": r["proof"]} for r in novel],
         "calibration": {"goals": len(points), "auc": auc(points) if points else None,
                         "bins": _bins(points)}}, indent=1))
    return 0


def _bins(points: list[tuple[float, bool]], bins: int = 10) -> list[dict[str, float]]:
    """Per tenth of the value range: goals, mean predicted value, fraction proved."""
    out = []
    for b in range(bins):
        inside = [(v, y) for v, y in points if min(int(v * bins), bins - 1) == b]
        if inside:
            out.append({"goals": len(inside), "value": sum(v for v, _ in inside) / len(inside),
                        "proved": sum(y for _, y in inside) / len(inside)})
    return out


def _run_params(args: argparse.Namespace, checkpoint: Path) -> str:
    """The self-play run behind `checkpoint`, as one line (from its run.json when there is one)."""
    run_json = checkpoint.parent.parent / "run.json"
    try:
        cfg = json.loads(run_json.read_text())
        cfg = cfg.get("config", cfg)
        sources = cfg.get("sources") or cfg.get("problems_file") or "generator"
        return (f"self-play {cfg.get('minutes')} min, {cfg.get('workers')} workers, seed {cfg.get('seed')}, "
                f"sources {sources}, {cfg.get('simulations')} simulations / {cfg.get('env_calls')} env calls per "
                f"search, model {cfg.get('model')}; checkpoint {checkpoint}")
    except (OSError, ValueError, AttributeError):
        return f"checkpoint {checkpoint}"


if __name__ == "__main__":
    raise SystemExit(main())
