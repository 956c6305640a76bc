"""The learning curve of a self-play run, as a PNG drawn from metrics.jsonl.

Top panel: the solve rate over the driver's recent window (left axis) and the cumulative proofs
and disproofs (right axis); bottom panel: the learner's losses. x is minutes since the run
started. Drawn headless (Agg) with matplotlib's object API, so it is safe in any process, and
written atomically so a reader never sees half a PNG. matplotlib is imported only when a curve is
drawn: the rest of self-play does not need it.
"""

from __future__ import annotations

from pathlib import Path

from selfplay.store import MetricsLog, atomic_path

__all__ = ["plot_curve"]


def _minutes(rows: list[dict]) -> list[float]:
    """Minutes since the start: from `elapsed` when rows carry it, else from `time`."""
    if all(isinstance(r.get("elapsed"), int | float) for r in rows):
        return [r["elapsed"] / 60 for r in rows]
    t0 = next((r["time"] for r in rows if isinstance(r.get("time"), int | float)), 0.0)
    return [(r.get("time", t0) - t0) / 60 for r in rows]


def _series(xs: list[float], rows: list[dict], key: str) -> tuple[list[float], list[float]]:
    """The (x, y) points of the rows where `key` is a number (None and missing are gaps)."""
    pts = [(x, float(r[key])) for x, r in zip(xs, rows, strict=True)
           if isinstance(r.get(key), int | float) and not isinstance(r.get(key), bool)]
    return [p[0] for p in pts], [p[1] for p in pts]


def plot_curve(metrics_path: str | Path, png_path: str | Path, *, title: str | None = None) -> Path:
    """Draw the learning curve of the rows in `metrics_path` to `png_path`; returns `png_path`.

    Works for any number of rows: with none (or no file) the figure says so.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = MetricsLog(metrics_path).read()
    png_path = Path(png_path)
    fig = Figure(figsize=(9, 6.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    fig.suptitle(title or "LeanZero self-play")
    if not rows:
        top.text(0.5, 0.5, "no metrics yet", ha="center", va="center", transform=top.transAxes, color="gray")
        bottom.text(0.5, 0.5, "no learner steps yet", ha="center", va="center", transform=bottom.transAxes,
                    color="gray")
    else:
        xs = _minutes(rows)
        marker = "o" if len(rows) == 1 else None  # a single point has no line to show
        top.plot(*_series(xs, rows, "solve_rate"), color="tab:blue", marker=marker, label="solve rate (recent)")
        top.set_ylim(-0.02, 1.02)
        counts = top.twinx()
        counts.plot(*_series(xs, rows, "proofs"), color="tab:green", marker=marker, label="proofs (total)")
        counts.plot(*_series(xs, rows, "disproofs"), color="tab:red", marker=marker, label="disproofs (total)")
        counts.set_ylabel("verified (cumulative)")
        counts.set_ylim(bottom=0)
        lines = top.get_lines() + counts.get_lines()
        top.legend(lines, [line.get_label() for line in lines], loc="upper left", fontsize="small")
        last = rows[-1]
        top.set_title(f"{last.get('attempts', '?')} attempts, {last.get('proofs', '?')} proofs, "
                      f"{last.get('disproofs', '?')} disproofs, model v{last.get('model_version', '?')}",
                      fontsize="small")
        drawn = False
        for key, color in (("loss", "black"), ("policy_loss", "tab:purple"), ("value_loss", "tab:orange")):
            x, y = _series(xs, rows, key)
            if y:
                bottom.plot(x, y, color=color, marker="o" if len(y) == 1 else None, label=key.replace("_", " "))
                drawn = True
        if drawn:
            bottom.legend(loc="upper right", fontsize="small")
        else:
            bottom.text(0.5, 0.5, "no learner steps yet", ha="center", va="center", transform=bottom.transAxes,
                        color="gray")
    top.set_ylabel("solve rate")
    top.grid(alpha=0.3)
    bottom.set_ylabel("learner loss")
    bottom.set_xlabel("minutes since start")
    bottom.grid(alpha=0.3)
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return png_path
