"""The AND/OR search graph of MCTS: goal nodes (OR: any tactic may prove them) joined by
tactic edges (AND: a tactic proves its goal when ALL the goals it leaves are proved).

Goals live in a transposition table keyed by the backend's canonical goal text, so a goal
reached along two paths is one node, and once proved it is proved everywhere it recurs.
Everything is stored in plain lists indexed by node id (and, per node, by tactic index), in
the style of mctx's arrays; named sentinels mark what has not happened yet. Status changes
(PROVED, FAILED) are propagated to every parent at once, never lazily.

A PROVED goal records the edge that proved it at that moment (`proof_edge`): its children were
all proved before it, so following `proof_edge` always terminates. Taking "the first proved
edge" in tactic order instead could run in a circle through transpositions.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Sequence
from enum import Enum, IntEnum
from typing import Final, cast

from lean_env.contract import GoalView, ProofState


class Status(IntEnum):
    OPEN = 0
    PROVED = 1
    FAILED = 2


class Fault(Enum):
    """Why an applied tactic is a dead edge: the backend rejected it, or it ran too long."""

    ERROR = "error"
    TIMEOUT = "timeout"


Outcome = tuple[int, ...] | Fault | None
"""Per edge: the child goal ids a tactic left (empty = it closed the goal), a `Fault`, or
`NOT_APPLIED`."""

NOT_APPLIED: Final = None
NO_EDGE: Final = -1  # `proof_edge` of a goal not proved
UNEVALUATED: Final = -1.0  # `prior_value` of a goal the evaluator has not seen yet

Combine = Callable[[Sequence[float]], float]
"""An AND-value: the value of a tactic from those of the goals it leaves (see `search.backup`)."""


def coupled_spans(goals: Sequence[GoalView]) -> list[range]:
    """The goals of one state cut into runs that must be solved together.

    Goals sharing a metavariable (`GoalView.mvars`) are coupled; each run is the smallest
    stretch of consecutive goals closed under coupling. Runs are contiguous so that a proof
    script can work through them in Lean's goal order (see `search.extract`).
    """
    reach = list(range(len(goals)))  # the last goal coupled with goal i (so far)
    first: dict[str, int] = {}
    for i, goal in enumerate(goals):
        for mvar in goal.mvars:
            j = first.setdefault(mvar, i)
            reach[j] = max(reach[j], i)
    spans, start, end = [], 0, -1
    for i, r in enumerate(reach):
        end = max(end, r)
        if i == end:
            spans.append(range(start, i + 1))
            start = i + 1
    return spans


def joint_view(views: Sequence[GoalView]) -> GoalView:
    """Coupled goals as one search node: Lean's multi-goal printing (a blank line between)."""
    return GoalView(
        text="\n\n".join(v.text for v in views),
        canonical="\n\n".join(v.canonical for v in views),
        case=views[0].case,
        mvars=frozenset().union(*(v.mvars for v in views)),
    )


class Tree:
    """Goal nodes and their tactic edges. Node ids are positions in the lists below."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}  # canonical goal text -> node id
        # per goal node
        self.key: list[str] = []
        self.view: list[GoalView] = []  # the first view seen (its case tag is kept for display)
        self.state: list[ProofState] = []  # backend handle to act on the goal ...
        self.goal_index: list[int] = []  # ... and the goal's index in that state
        self.with_goals: list[tuple[int, ...]] = []  # coupled goals of that state (see `coupled_spans`)
        self.status: list[Status] = []
        self.prior_value: list[float] = []  # the evaluator's value, UNEVALUATED before
        self.visits: list[int] = []  # 1 for the evaluation + 1 per backup through the node
        self.value_sum: list[float] = []  # evaluator value + backed-up values
        self.in_flight: list[int] = []  # simulations pending through this node (virtual loss)
        self.parents: list[list[tuple[int, int]]] = []  # (parent node, tactic index)
        self.proof_edge: list[int] = []
        self.failed_edges: list[int] = []  # how many of its edges failed (all: the goal FAILED)
        # per goal node, per tactic (filled by `set_evaluation`)
        self.tactics: list[tuple[str, ...]] = []  # candidates before evaluation, kept top-k after
        self.priors: list[list[float]] = []
        self.edge_n: list[list[int]] = []
        self.edge_w: list[list[float]] = []  # sum of backed-up AND-values
        self.edge_in_flight: list[list[int]] = []
        self.outcome: list[list[Outcome]] = []
        self.failed_edge: list[list[bool]] = []  # the edge failed: a Fault, or a FAILED child
        # per goal node, indexes that spare PUCT from scoring every tactic (see `MCTSSearch._pick`)
        self.live: list[list[int] | tuple[()]] = []  # applied edges not failed, in tactic order
        self.by_prior: list[Sequence[int] | None] = []  # tactics, highest prior first, ties in tactic order
        self.next_lower: list[Sequence[int] | None] = []  # per position in `by_prior`: the next with a
        #   lower prior (None: all priors equal); both built by `prior_order` on first use
        self.untried: list[int] = []  # a position in `by_prior`: every tactic before it was applied
        self.generated: list[frozenset[str]] = []  # tactics the evaluator added (no rule proposed them)
        self.roots: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.key)

    # ------------------------------------------------------------------ building

    def add_goal(
        self,
        key: str,
        view: GoalView,
        state: ProofState,
        goal_index: int,
        tactics: Sequence[str],
        with_goals: tuple[int, ...] = (),
    ) -> int:
        """A new OPEN, unevaluated goal node; a goal with no candidate tactic is FAILED at once.

        With `with_goals` the node stands for several coupled goals of `state`: tactics act on
        goal `goal_index` and the others come along."""
        node = len(self.key)
        self.index[key] = node
        self.key.append(key)
        self.view.append(view)
        self.state.append(state)
        self.goal_index.append(goal_index)
        self.with_goals.append(with_goals)
        self.status.append(Status.OPEN if tactics else Status.FAILED)
        self.prior_value.append(UNEVALUATED)
        self.visits.append(0)
        self.value_sum.append(0.0)
        self.in_flight.append(0)
        self.parents.append([])
        self.proof_edge.append(NO_EDGE)
        self.tactics.append(tuple(tactics))
        self.priors.append([])
        self.edge_n.append([])
        self.edge_w.append([])
        self.edge_in_flight.append([])
        self.outcome.append([])
        self.failed_edge.append([])
        self.failed_edges.append(0)
        self.live.append(())  # no list (nor garbage-collector work) until an edge is applied
        self.by_prior.append(None)
        self.next_lower.append(None)
        self.untried.append(0)
        self.generated.append(frozenset())
        return node

    def evaluated(self, node: int) -> bool:
        return self.prior_value[node] != UNEVALUATED

    def set_evaluation(self, node: int, tactics: Sequence[str], priors: Sequence[float], value: float) -> None:
        """Install the kept tactics with their priors and the evaluator's value (one visit)."""
        k = len(tactics)
        self.tactics[node] = tuple(tactics)
        self.priors[node] = list(priors)
        self.prior_value[node] = value
        self.visits[node] = 1
        self.value_sum[node] = value
        self.edge_n[node] = [0] * k
        self.edge_w[node] = [0.0] * k
        self.edge_in_flight[node] = [0] * k
        self.outcome[node] = [NOT_APPLIED] * k
        self.failed_edge[node] = [False] * k
        self.live[node] = ()
        self.by_prior[node] = None
        self.untried[node] = 0
        if k == 0:
            self.set_failed(node)

    def prior_order(self, node: int) -> Sequence[int]:
        """`by_prior[node]`, built on first use (with `next_lower`): many goals are evaluated
        but never chosen from."""
        order = self.by_prior[node]
        if order is None:
            p = self.priors[node]
            k = len(p)
            if not k or p.count(p[0]) == k:  # all equal (a uniform evaluator)
                self.by_prior[node] = order = range(k)
                self.next_lower[node] = None
                return order
            ranked = sorted(p, reverse=True)
            if p == ranked:  # already best first (no root noise): the stable order is the identity
                order = range(k)
            else:
                order = sorted(range(k), key=p.__getitem__, reverse=True)  # stable: ties keep tactic order
            self.by_prior[node] = order
            if len(set(ranked)) == k:  # all distinct (a network's priors)
                self.next_lower[node] = range(1, k + 1)
            else:
                self.next_lower[node] = nxt = [k] * k
                for i in range(k - 2, -1, -1):
                    nxt[i] = i + 1 if ranked[i + 1] < ranked[i] else nxt[i + 1]
        return order

    def record_outcome(self, node: int, action: int, outcome: tuple[int, ...] | Fault) -> None:
        """Store what applying tactic `action` of `node` gave and propagate statuses."""
        self.outcome[node][action] = outcome
        if type(outcome) is Fault:  # isinstance, faster (an Enum with members has no subclass)
            self._edge_failed(node, action)
            return
        outcome = cast("tuple[int, ...]", outcome)  # `type(...) is` above: mypy narrows only isinstance
        status, parents = self.status, self.parents
        if len(outcome) == 1:  # the common case, without the generality below
            child = outcome[0]
            parents[child].append((node, action))
            if status[child] is Status.FAILED:
                self._edge_failed(node, action)
                return
            self._live_add(node, action)
            if status[child] is Status.PROVED:
                self.set_proved(node, action)
            return
        for child in dict.fromkeys(outcome):
            parents[child].append((node, action))
        if any(status[c] is Status.FAILED for c in outcome):
            self._edge_failed(node, action)
            return
        self._live_add(node, action)
        if self.edge_proved(node, action):
            self.set_proved(node, action)

    # ------------------------------------------------------------------ reading

    def goal_value(self, node: int) -> float:
        """1 when proved, 0 when failed, else the mean of the evaluation and all backups."""
        status = self.status[node]
        if status is Status.PROVED:
            return 1.0
        if status is Status.FAILED or self.visits[node] == 0:
            return 0.0
        return self.value_sum[node] / self.visits[node]

    def children(self, node: int, action: int) -> tuple[int, ...]:
        out = self.outcome[node][action]
        return out if isinstance(out, tuple) else ()

    def applied(self, node: int, action: int) -> bool:
        return self.outcome[node][action] is not NOT_APPLIED

    def dead(self, node: int, action: int) -> bool:
        return isinstance(self.outcome[node][action], Fault)

    def edge_proved(self, node: int, action: int) -> bool:
        out = self.outcome[node][action]
        return isinstance(out, tuple) and all(self.status[c] is Status.PROVED for c in out)

    def _live_add(self, node: int, action: int) -> None:
        """Index a newly applied edge that did not fail (a list only from the first one on)."""
        live = self.live[node]
        if live:
            insort(live, action)
        else:
            self.live[node] = [action]

    def usable(self, node: int, on_path: set[int]) -> list[bool]:
        """Per tactic of `node`: may a simulation through the goals `on_path` take it? Not when
        it failed (dead, or a goal it leaves failed) or leads back onto the path."""
        return [
            out is NOT_APPLIED or not (failed or not on_path.isdisjoint(out))  # type: ignore[arg-type]
            for out, failed in zip(self.outcome[node], self.failed_edge[node])
        ]

    def edge_failed(self, node: int, action: int) -> bool:
        """Dead (a Fault) or leading to a FAILED goal: never worth following again."""
        return self.failed_edge[node][action]

    def edge_value(self, node: int, action: int, combine: Combine) -> float:
        """The AND-value of an applied edge from its children's current values."""
        if self.dead(node, action):
            return 0.0
        return combine([self.goal_value(c) for c in self.children(node, action)])

    # ------------------------------------------------------------------ status propagation

    def set_proved(self, node: int, action: int) -> None:
        """Mark `node` proved by `action`, then every parent edge that this completes."""
        work = [(node, action)]
        while work:
            goal, edge = work.pop()
            if self.status[goal] is not Status.OPEN:
                continue
            self.status[goal] = Status.PROVED
            self.proof_edge[goal] = edge
            for parent, a in self.parents[goal]:
                if self.status[parent] is Status.OPEN and self.edge_proved(parent, a):
                    work.append((parent, a))

    def set_failed(self, node: int) -> None:
        """Mark `node` failed, then every parent goal whose edges have now all failed."""
        work = [node]
        while work:
            goal = work.pop()
            if self.status[goal] is not Status.OPEN:
                continue
            self.status[goal] = Status.FAILED
            for parent, a in self.parents[goal]:
                if self._edge_failed(parent, a, propagate=False):
                    work.append(parent)

    def _edge_failed(self, node: int, action: int, *, propagate: bool = True) -> bool:
        """Mark one edge failed; True when that makes every edge of an OPEN `node` fail
        (then `node` is failed here when `propagate`, else left to the caller)."""
        if self.failed_edge[node][action]:
            return False
        self.failed_edge[node][action] = True
        self.failed_edges[node] += 1
        live = self.live[node]
        if action in live:
            live.remove(action)  # type: ignore[union-attr]
        all_failed = self.status[node] is Status.OPEN and self.failed_edges[node] == len(self.tactics[node])
        if all_failed and propagate:
            self.set_failed(node)
        return all_failed
