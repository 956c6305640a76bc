"""Evaluation on Ray workers: problems handed one at a time to the workers that are up, and what
becomes of a problem when its worker dies, hangs, or leaves with its node.

- A worker whose process dies on a node that is still there (its backend crashed) is replaced;
  its problem is an `error` ("backend crash").
- A worker with no answer after `stall_seconds` is replaced; its problem is a `timeout`.
- A worker lost with its node (Ray reports the actor dead and its node gone, or the actor
  unreachable, as when a machine drops off the network) is replaced, and its problem goes back to
  the front of the queue for another worker: a node going away says nothing about the problem.
  A problem lost that way `NODE_LOSSES` times is an `error`.
- Problems go only to workers that are up. A replacement waits for a place (the cluster may have
  no free CPU until a node joins) without holding a problem, so the other workers finish the
  queue. If no worker at all is up for `max(stall_seconds, STARTUP_SECONDS)`, the run stops with
  `EvaluateError`: the rows written stay, and `--resume` runs the rest.

Each row written on Ray names the node that ran it (`node`, a Ray node id).
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ray

from lean_env.problem import Problem
from prover.cluster import alive_nodes, last_line
from prover.evaluate.results import ERROR, STARTUP_SECONDS, TIMEOUT, EvaluateError

NODE_LOSSES = 3  # a problem whose worker's node leaves this many times is an `error`
FAILED_STARTS = 3  # a worker place whose new actors die before they are up this often in a row is given up

Row = Callable[[Problem, str, str, float], dict[str, Any]]  # (task, status, message, seconds) -> row


@dataclass
class _Slot:
    """One worker's place: its actor and what the actor is doing."""

    index: int
    actor: Any = None  # None: given up
    starting: tuple[Any, Any] | None = None  # the `ready` and `node` refs of an actor not yet up
    node: str = ""  # the Ray node of the actor, once up
    task: Problem | None = None
    since: float = 0.0  # when `task` was handed out
    failed_starts: int = 0

    @property
    def idle(self) -> bool:
        return self.actor is not None and self.starting is None and self.task is None


class Pool:
    """`workers` actors of the Ray actor class `actor` (a `Prover`, with `ready` and `node`),
    built with `settings` and `threads`; `run` hands them the problems and passes each row to
    `take`."""

    def __init__(self, actor: Any, settings: Any, workers: int, *, threads: int, take: Callable[[dict], None],
                 row: Row, say: Callable[[str], None], stall_seconds: float) -> None:
        self.actor, self.settings, self.threads = actor, settings, threads
        self.take, self.row, self.say, self.stall_seconds = take, row, say, stall_seconds
        self.slots = [_Slot(i) for i in range(workers)]
        self.queue: deque[Problem] = deque()
        self.in_flight: dict[Any, _Slot] = {}
        self.losses: Counter[str] = Counter()

    def run(self, todo: Sequence[Problem]) -> None:
        """Every problem of `todo` to a row (or back in the queue until it has one)."""
        self.queue.extend(todo)
        for slot in self.slots:
            self._launch(slot)
        patience = max(self.stall_seconds, STARTUP_SECONDS)
        last_busy = time.monotonic()
        while self.queue or self.in_flight:
            for slot in self.slots:
                if self.queue and slot.idle:
                    self._hand(slot, self.queue.popleft())
            now = time.monotonic()
            if self.in_flight:
                last_busy = now
            elif now - last_busy > patience:
                raise EvaluateError(
                    f"no worker could run for {now - last_busy:.0f}s (the cluster has no room for one, or its "
                    f"nodes left): {len(self.queue)} problems not run; --resume runs them")
            starting = {s.starting[1]: s for s in self.slots if s.starting is not None}
            done, _ = ray.wait([*self.in_flight, *starting], num_returns=1, timeout=1.0)
            for ref in done:
                if ref in self.in_flight:
                    self._finished(ref)
                else:
                    self._started(starting[ref])
            self._stalls()

    def close(self) -> None:
        for slot in self.slots:
            if slot.actor is not None:
                ray.kill(slot.actor, no_restart=True)

    # ------------------------------------------------------------ the steps

    def _launch(self, slot: _Slot) -> None:
        slot.actor = self.actor.remote(self.settings, threads=self.threads)
        slot.starting = (slot.actor.ready.remote(), slot.actor.node.remote())
        slot.node, slot.task = "", None

    def _replace(self, slot: _Slot) -> None:
        ray.kill(slot.actor, no_restart=True)
        self._launch(slot)

    def _hand(self, slot: _Slot, task: Problem) -> None:
        slot.task, slot.since = task, time.monotonic()
        self.in_flight[slot.actor.run.remote(task)] = slot

    def _started(self, slot: _Slot) -> None:
        """A new actor is up, or died before it was."""
        assert slot.starting is not None
        try:
            why, slot.node = ray.get(list(slot.starting))
        except ray.exceptions.RayError as e:
            slot.starting = None
            slot.failed_starts += 1
            if slot.failed_starts < FAILED_STARTS:
                self._replace(slot)
                return
            ray.kill(slot.actor, no_restart=True)
            slot.actor = None
            self.say(f"leanzero evaluate: worker {slot.index} died {FAILED_STARTS} times while starting; "
                     f"going on without it ({last_line(e)})")
            if all(s.actor is None for s in self.slots):
                raise EvaluateError(f"no worker could start: {last_line(e)}") from None
            return
        slot.starting = None
        if why:  # the backend (or the checkpoint) cannot be opened there
            raise EvaluateError(why)
        slot.failed_starts = 0

    def _finished(self, ref: Any) -> None:
        """A problem's row, or its worker's death."""
        slot = self.in_flight.pop(ref)
        task, elapsed = slot.task, time.monotonic() - slot.since
        assert task is not None
        slot.task = None
        try:
            row = ray.get(ref)
        except ray.exceptions.RayError as e:
            if isinstance(e, ray.exceptions.RayActorError) and _node_lost(slot, e):
                self.losses[task.name] += 1
                if self.losses[task.name] < NODE_LOSSES:
                    self.say(f"leanzero evaluate: worker {slot.index} was lost with its node during {task.name}; "
                             "the problem goes back in the queue")
                    self.queue.appendleft(task)
                else:
                    why = f"lost with its worker's node {NODE_LOSSES} times: {last_line(e)}"
                    self.take({**self.row(task, ERROR, why, elapsed), "node": slot.node})
            else:
                self.say(f"leanzero evaluate: worker {slot.index} failed on {task.name}; starting a new one")
                why = f"backend crash: {type(e).__name__}: {str(e)[:300]}"
                self.take({**self.row(task, ERROR, why, elapsed), "node": slot.node})
            self._replace(slot)
            return
        self.take({**row, "node": slot.node})

    def _stalls(self) -> None:
        """Replace the workers stuck on a problem past `stall_seconds`; the problem is a `timeout`."""
        now = time.monotonic()
        for ref, slot in list(self.in_flight.items()):
            if now - slot.since > self.stall_seconds:
                del self.in_flight[ref]
                assert slot.task is not None
                self.say(f"leanzero evaluate: worker {slot.index} stuck on {slot.task.name}; starting a new one")
                why = f"worker stopped after {now - slot.since:.0f}s without an answer"
                self.take({**self.row(slot.task, TIMEOUT, why, now - slot.since), "node": slot.node})
                self._replace(slot)


def _node_lost(slot: _Slot, error: ray.exceptions.RayActorError) -> bool:
    """Whether the worker went with its node rather than by its own crash: Ray calls it
    unreachable (a node that vanished is noticed late), or its node is no longer alive."""
    if isinstance(error, ray.exceptions.ActorUnavailableError):
        return True
    return slot.node not in alive_nodes()
