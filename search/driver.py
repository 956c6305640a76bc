"""Drive many MCTS searches against one evaluator, one batch per round.

Each round every unfinished search runs up to `leaves_per_round` simulations (virtual loss
spreads them) and hands over the goals it needs evaluated; the driver concatenates them (a
goal asked by several searches is sent once), calls the evaluator ONCE, and hands each search
its results. So a GPU model sees batches of about searches x leaves_per_round goals.
The driver also takes each search through its backend steps: `start` (if the caller has not)
and, as it ends, `finish` (which verifies a found proof).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from lean_env.contract import ProofEnv
from search.evaluator import Candidates, EvalRequest, Evaluator, uniform_evaluator
from search.mcts import MCTSConfig, MCTSResult, MCTSSearch


@dataclass(frozen=True, slots=True)
class DriveReport:
    """The searches' results (in order) and the size of every evaluator batch."""

    results: tuple[MCTSResult, ...]
    batch_sizes: tuple[int, ...]
    evaluator_time: float  # wall seconds spent inside the evaluator

    @property
    def mean_batch_size(self) -> float:
        return sum(self.batch_sizes) / len(self.batch_sizes) if self.batch_sizes else 0.0


GC_GEN0_THRESHOLD = 50_000  # allocations between young collections while searches run


@contextmanager
def fewer_collections(gen0: int = GC_GEN0_THRESHOLD) -> Iterator[None]:
    """Raise the collector's thresholds for the duration (young generation: `gen0`
    allocations; older ones: every 100 collections of the one below).

    A search tree is many small, long-lived, acyclic lists and tuples; at CPython's defaults
    (700, 10, 10) the collector keeps rescanning them, about a fifth of the search's own
    time. Nothing is frozen or disabled: cycles are still collected, only less often.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], gen0), max(old[1], 100), max(old[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*old)


def run_searches(
    searches: Sequence[MCTSSearch], evaluator: Evaluator, *, on_done: Callable[[int], None] | None = None
) -> DriveReport:
    """Run every search to its end, with one evaluator call per round.

    Searches not started yet are started first, in order; a `StatementError` propagates (start
    them yourself to set a statement that cannot be read aside). As soon as a search ends it
    is `finish`ed (a found proof verified) and `on_done(i)` is called, once: a search proved in
    its `select` is reported before the searches after it select, so a call that `stop()`s a
    rival spares the rival's env calls of that round; searches it stops are reported too. The
    time both take (verifying a proof, writing it out) is off the clocks of the searches still
    running.
    """
    _start(searches)
    with fewer_collections():
        return _run(searches, evaluator, on_done)


def _start(searches: Sequence[MCTSSearch]) -> None:
    """Start the searches not started (nor stopped) yet. Outside `fewer_collections`: an
    exception leaving a `contextmanager` gets its `__traceback__` set, which the frozen
    `StatementError` refuses (a TypeError would replace it)."""
    for search in searches:
        if not search.started and not search.done:
            search.start()


def _run(searches: Sequence[MCTSSearch], evaluator: Evaluator, on_done: Callable[[int], None] | None) -> DriveReport:
    batch_sizes: list[int] = []
    evaluator_time = 0.0
    report = _Reporter(searches, on_done)
    report()  # searches that ended as they started (a root with no goal or no tactic)
    while True:
        asks = []
        for search in searches:
            if search.done:
                continue
            if requests := search.select():
                asks.append((search, requests))
            elif search.done:
                report()
        if not asks:
            if all(s.done for s in searches):
                break
            continue
        slot: dict[EvalRequest, int] = {}
        slots = [[slot.setdefault(request, len(slot)) for request in requests] for _, requests in asks]
        batch = list(slot)
        t0 = time.monotonic()
        results = evaluator(batch)
        evaluator_time += time.monotonic() - t0
        if len(results) != len(batch):
            raise ValueError(f"evaluator returned {len(results)} results for {len(batch)} requests")
        batch_sizes.append(len(batch))
        for (search, _), where in zip(asks, slots):
            search.expand([results[i] for i in where])
        report()
    return DriveReport(tuple(s.result() for s in searches), tuple(batch_sizes), evaluator_time)


class _Reporter:
    """Finishes every search that has ended since the last call, then calls `on_done` for it,
    once, including the searches those calls stop. The time this takes is not charged to the
    searches still running."""

    def __init__(self, searches: Sequence[MCTSSearch], on_done: Callable[[int], None] | None) -> None:
        self.searches, self.on_done = searches, on_done
        self.reported = [False] * len(searches)

    def __call__(self) -> None:
        changed = True
        while changed:
            changed = False
            for i, search in enumerate(self.searches):
                if search.done and not self.reported[i]:
                    self.reported[i] = changed = True
                    t0 = time.monotonic()
                    search.finish()
                    if self.on_done is not None:
                        self.on_done(i)
                    spent = time.monotonic() - t0
                    for other in self.searches:  # (a no-op for those done)
                        other.exclude(spent)


def mcts_search(
    env: ProofEnv,
    statement: str,
    candidates: Candidates,
    evaluator: Evaluator = uniform_evaluator,
    *,
    config: MCTSConfig = MCTSConfig(),
    header: str = "",
) -> MCTSResult:
    """Search for a proof of `statement` (one search; `StatementError` from its start propagates)."""
    search = MCTSSearch(env, statement, candidates, config=config, header=header)
    return run_searches([search], evaluator).results[0]
