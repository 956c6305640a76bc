"""What an evaluation run leaves beside results.jsonl: summary.json, report.md, budget.png, and
the table printed at the end. Everything is computed from the results rows of the problems
asked for, so a resumed run reports on all of them. Files are written atomically; matplotlib
(Agg) and rich are imported only here, when a run ends.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lean_env import BACKENDS, capabilities
from lean_env.contract import EnvCounters
from lean_env.text.statement import with_proof
from prover.evaluate.results import ERROR, MINI_LABEL, OUTSIDE, PROVED, STATUSES, Settings, Summary
from prover.storage import atomic_path, atomic_write_json

__all__ = ["plot_budget", "print_table", "report_markdown", "summary_dict", "write_outputs"]


def _embedded(backend: str) -> bool:
    """Whether `backend` is an embedded fragment prover (its results are not Lean's)."""
    return backend in BACKENDS and not capabilities(backend).kernel_checked


def results_label(backend: str) -> str:
    return MINI_LABEL.replace("mini", backend, 1) if _embedded(backend) else f"results on {backend}"


def summary_dict(summary: Summary, *, source: str = "") -> dict[str, Any]:
    """summary.json: counts per status over the problems asked for, the settings, totals."""
    s, rows = summary.settings, summary.rows
    proved = [r for r in rows if r["status"] == PROVED]
    searched = summary.done - summary.counts[OUTSIDE] if _embedded(s.backend) else None  # of those finished
    return {
        "total": summary.total, "done": summary.done, "complete": summary.done == summary.total,
        "counts": summary.counts,
        "proved_share": round(len(proved) / summary.total, 4) if summary.total else 0.0,
        "in_fragment": searched,
        "settings": s.to_dict(), "source": source,
        "label": results_label(s.backend),
        "env_calls": sum(r["env_calls"] for r in rows),
        "problem_seconds": round(sum(r["time"] for r in rows), 3),
        "wall_seconds": round(summary.wall, 3), "ran": summary.ran, "resumed": summary.resumed,
        "proved": sorted(r["name"] for r in proved),
        "soundness_faults": sum(int(r.get("faults", 0)) for r in rows),
        "env_counters": env_totals(rows),
    }


def env_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The backend's process counters (`EnvCounters`) summed over the rows: kills, restarts, ..."""
    total = EnvCounters()
    for row in rows:
        total = total + EnvCounters.from_dict(row.get("env_counters") or {})
    return {k: v for k, v in total.as_dict().items() if v}


def write_outputs(summary: Summary, *, source: str = "") -> None:
    """summary.json, report.md and budget.png in the output folder, each written atomically."""
    data = summary_dict(summary, source=source)
    atomic_write_json(summary.out / "summary.json", data)
    with atomic_path(summary.out / "report.md") as tmp:
        tmp.write_text(report_markdown(summary, data), encoding="utf-8")
    plot_budget(summary.rows, summary.out / "budget.png", summary.settings, summary.total, data["in_fragment"])


def report_markdown(summary: Summary, data: dict[str, Any]) -> str:
    s = summary.settings
    lines = ["# Evaluation report", ""]
    if _embedded(s.backend):
        label = results_label(s.backend)
        lines += [f"**{label[0].upper()}{label[1:]}.** Problems outside its fragment are "
                  "counted as `outside-fragment`, never as proved or failed.", ""]
    if not data["complete"]:
        lines += [f"Incomplete: {data['done']} of {data['total']} problems done (`--resume` continues).", ""]
    lines += ["| status | problems | share |", "|---|---:|---:|"]
    for status in STATUSES:
        n = summary.counts[status]
        lines.append(f"| {status} | {n} | {100 * n / max(1, summary.total):.1f}% |")
    lines += [f"| **total** | {summary.total} | |", ""]
    if data["in_fragment"] is not None:
        lines += [f"In mini's fragment: {data['in_fragment']}; proved {summary.counts[PROVED]} of them.", ""]
    lines += [f"Soundness faults: {data['soundness_faults']} (a found script the backend refused because the "
              "statement has a counterexample; expected 0).", ""]
    if data["env_counters"]:  # a backend with processes: what they went through (docs/lean.md)
        counted = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in data["env_counters"].items())
        lines += [f"Backend processes: {counted}.", ""]
    checkpoint = s.checkpoint or "none (uniform priors)"
    lines += ["## Settings", "", "| setting | value |", "|---|---|",
              f"| source | {data['source'] or '-'} |", f"| backend | {s.backend} |", f"| searcher | {s.searcher} |",
              f"| budget | {s.budget} env calls per attempt |", f"| time limit | {s.time_limit:g} s per attempt |",
              f"| tactic timeout | {s.tactic_timeout:g} s |", f"| checkpoint | {checkpoint} |",
              f"| pass@k | {s.pass_k} (seeds {s.seed}..{s.seed + s.pass_k - 1}) |",
              f"| env calls, all problems | {data['env_calls']} |",
              f"| search time, all problems | {data['problem_seconds']:.1f} s |", "",
              "![proved against budget](budget.png)", ""]
    proved = [r for r in summary.rows if r["status"] == PROVED]
    if proved:
        lines += ["## Proved", "", "| problem | env calls | time | seed |", "|---|---:|---:|---:|"]
        lines += [f"| {r['name']} | {r['env_calls']} | {r['time']:.1f} s | {r['seed']} |" for r in proved]
        lines += ["", "The proofs, as verified:", ""]
        for r in proved:
            lines += ["```lean", with_proof(r["statement"], r["proof"] or ""), "```", ""]
    errors = [r for r in summary.rows if r["status"] == ERROR]
    if errors:
        lines += ["## Errors", "", "| problem | message |", "|---|---|"]
        for r in errors:
            message = " ".join(str(r["message"]).split()).replace("|", "\\|")[:300]
            lines.append(f"| {r['name']} | {message} |")
        lines.append("")
    return "\n".join(lines)


def plot_budget(
    rows: Sequence[dict[str, Any]], path: str | Path, settings: Settings, total: int, in_fragment: int | None = None
) -> Path:
    """Cumulative proved problems against the env calls each took (`budget.png`)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    calls = sorted(r["env_calls"] for r in rows if r["status"] == PROVED)
    limit = settings.budget * settings.pass_k
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    xs = [0, *calls, limit]
    ys = [0, *range(1, len(calls) + 1), len(calls)]
    ax.step(xs, ys, where="post", color="tab:blue", label=f"proved ({len(calls)} of {total}"
            + (f"; {in_fragment} in mini's fragment)" if in_fragment is not None else ")"))
    if settings.pass_k > 1:
        for k in range(1, settings.pass_k):
            ax.axvline(settings.budget * k, color="gray", linestyle=":", linewidth=0.8)
    ax.set_xlim(0, limit)
    ax.set_ylim(0, max(1, len(calls)) * 1.1)
    ax.set_xlabel("env-call budget (tactic applications per problem)")
    ax.set_ylabel("problems proved")
    checkpoint = Path(settings.checkpoint).name if settings.checkpoint else "uniform"
    ax.set_title(f"{settings.searcher}, {checkpoint}, pass@{settings.pass_k} on {settings.backend}"
                 + (f" ({settings.backend}: not Lean)" if _embedded(settings.backend) else ""), fontsize="medium")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return path


def print_table(summary: Summary, file: Any = None) -> None:
    """The counts as a rich table (plain text when not on a terminal), the settings above it."""
    from rich.console import Console
    from rich.table import Table

    s = summary.settings
    console = Console(file=file or sys.stdout, highlight=False)
    console.print(f"{s.searcher}, budget {s.budget} env calls, pass@{s.pass_k}, "
                  f"{s.checkpoint or 'uniform priors'}, on {s.backend}", markup=False)
    table = Table()
    table.add_column("status")
    table.add_column("problems", justify="right")
    table.add_column("share", justify="right")
    for status in STATUSES:
        n = summary.counts[status]
        table.add_row(status, str(n), f"{100 * n / max(1, summary.total):.1f}%")
    table.add_row("total", str(summary.total), "", style="bold")
    console.print(table)
    if _embedded(s.backend):
        console.print(results_label(s.backend), markup=False)
    counted = env_totals(summary.rows)
    if counted:
        console.print("backend processes: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counted.items()),
                      markup=False)
