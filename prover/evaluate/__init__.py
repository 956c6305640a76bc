"""Evaluation runs: problems from miniF2F or a statement file (`minif2f`), searched on Ray
workers or in-process with resume (`run`), the settings and results file (`results`), summarised in
summary.json, report.md and a figure (`report`)."""

from prover.evaluate.results import (
    ERROR,
    FAILED,
    MINI_LABEL,
    OUTSIDE,
    PROVED,
    STATUSES,
    TIMEOUT,
    EvaluateError,
    ResultsLog,
    Settings,
    Summary,
)
from prover.evaluate.run import Prover, evaluate, network_scorer, shuffled

__all__ = [
    "ERROR", "FAILED", "MINI_LABEL", "OUTSIDE", "PROVED", "STATUSES", "TIMEOUT", "EvaluateError", "Prover",
    "ResultsLog", "Settings", "Summary", "evaluate", "network_scorer", "shuffled",
]
