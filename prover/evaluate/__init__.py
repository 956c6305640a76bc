"""Evaluation runs: problems from miniF2F or a statement file (`minif2f`), searched on Ray
workers or in-process with resume (`run`), summarised in summary.json, report.md and a figure
(`report`)."""

from prover.evaluate.run import (
    ERROR, FAILED, MINI_LABEL, OUTSIDE, PROVED, STATUSES, TIMEOUT, EvaluateError, Prover, ResultsLog, Settings,
    Summary, evaluate, network_scorer, shuffled,
)

__all__ = [
    "ERROR", "FAILED", "MINI_LABEL", "OUTSIDE", "PROVED", "STATUSES", "TIMEOUT", "EvaluateError", "Prover",
    "ResultsLog", "Settings", "Summary", "evaluate", "network_scorer", "shuffled",
]
