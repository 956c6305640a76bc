"""AlphaZero-style MCTS (PUCT) over the AND/OR graph of goals, as a resumable search.

One simulation starts at the root goal and, at each goal, takes the tactic maximising

    Q(a) + c_puct * P(a) * sqrt(N) / (1 + N(a))

(N: the goal's visits; Q(a) = W(a)/N(a), or the first-play value for an unvisited tactic;
virtual loss lowers Q while simulations through the edge are in flight). A tactic never
applied is applied (one env call); a dead result (error, timeout) is recorded and the choice
is made again at the same goal. An applied tactic leads into its weakest OPEN child (lowest
value: the link most likely to break the AND). The simulation ends when a tactic leaves new
goals, which the evaluator must see (the leaves), or at a terminal: the goal closed, nothing
usable left on this path, or `max_depth`. Backup: every edge on the path gets N += 1 and
W += its AND-value (the product, or min, of its children's values, the path child taking the
value backed up from below); every goal on the path gets the same value into its mean.

`MCTSSearch` runs in rounds so that many searches can share one evaluator batch (see
`search.driver`): `select()` runs up to `leaves_per_round` simulations and returns the goals to
evaluate, `expand(results)` installs the evaluations and backs the waiting simulations up.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from lean_env.contract import ProofEnv, ProofState, TacticSuccess, TacticTimeout, Verification
from search.bestfirst import StopReason
from search.evaluator import Candidates, EvalRequest, EvalResult, normalized
from search.extract import proof_script
from search.tree import AND_VALUES, NOT_APPLIED, Fault, Status, Tree

log = logging.getLogger(__name__)

ATTEMPTS_PER_LEAF = 4  # simulations tried per wanted leaf in a round (collisions, terminals)


@dataclass(frozen=True, slots=True)
class MCTSConfig:
    """Search settings and budgets; the search stops at whichever budget runs out first."""

    c_puct: float = 1.25  # AlphaZero's c_init (mctx default); values here lie in [0, 1]
    num_simulations: int = 800  # AlphaZero used 800 per move
    max_depth: int = 32  # tactics from the root; deeper goals count as value 0, unexpanded
    max_children: int = 32  # tactics kept per goal: the top-k by prior, renormalised
    virtual_loss: float = 1.0  # per in-flight simulation: one visit of value -virtual_loss
    and_value: Literal["product", "min"] = "product"  # value of a tactic leaving several goals
    first_play_value: float | None = None  # Q of an unvisited tactic; None = the goal's value
    dirichlet_alpha: float = 0.3  # AlphaZero chess; noise on the root priors ...
    dirichlet_fraction: float = 0.0  # ... mixed in at this weight (0.25 for self-play; off)
    temperature: float = 1.0  # of `MCTSSearch.policy`: N(a)^(1/T); 0 = the most visited
    leaves_per_round: int = 4  # simulations in flight (virtual loss) before an evaluator batch
    max_idle_simulations: int = 256  # consecutive simulations with no env call nor new leaf
    seed: int = 0  # of the Dirichlet noise
    # budgets
    max_env_calls: int = 2_000  # `apply` calls; `start` and `verify` are not counted
    time_limit: float = 60.0  # wall seconds for the search, verification excluded
    max_nodes: int = 100_000  # goal nodes in the tree (memory bound)
    tactic_timeout: float = 5.0
    start_timeout: float = 60.0
    verify_timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.and_value not in AND_VALUES:
            raise ValueError(f"and_value must be one of {sorted(AND_VALUES)}, not {self.and_value!r}")
        if self.leaves_per_round < 1 or self.max_children < 1 or self.max_depth < 1:
            raise ValueError("leaves_per_round, max_children and max_depth must be at least 1")
        if not 0.0 <= self.dirichlet_fraction <= 1.0:
            raise ValueError("dirichlet_fraction must lie in [0, 1]")


@dataclass(frozen=True, slots=True)
class MCTSResult:
    """Like best-first's `SearchResult`; `proof` is set only when `verification.ok`."""

    proved: bool
    proof: str | None
    env_calls: int
    simulations: int
    elapsed: float
    reason: StopReason
    verification: Verification | None = None
    unverified_proof: str | None = None
    detail: str = ""  # which budget, when `reason` does not say (simulations, nodes, idle)
    evaluations: int = 0  # goals the evaluator saw
    collisions: int = 0  # simulations dropped on a goal still waiting for its evaluation
    tree: Tree | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class _Pending:
    """A simulation waiting for evaluations: `goals[i]` took `actions[i]`; the last action
    left goals still unevaluated."""

    goals: list[int]
    actions: list[int]


def action_probabilities(visit_counts: Sequence[int], temperature: float = 1.0) -> list[float]:
    """N(a)^(1/T), normalised; T = 0 puts all mass on the most visited (first on ties)."""
    if not visit_counts:
        return []
    if temperature <= 0.0:
        best = max(range(len(visit_counts)), key=lambda a: (visit_counts[a], -a))
        return [float(a == best) for a in range(len(visit_counts))]
    weights = [n ** (1.0 / temperature) for n in visit_counts]
    total = sum(weights)
    return [w / total for w in weights] if total > 0 else [1.0 / len(weights)] * len(weights)


class MCTSSearch:
    """One proof search, driven in rounds by `select` / `expand` (see `search.driver`).

    Raises `StatementError` (from `env.start`) when the backend cannot read the statement.
    """

    def __init__(
        self,
        env: ProofEnv,
        statement: str,
        candidates: Candidates,
        *,
        config: MCTSConfig = MCTSConfig(),
        header: str = "",
    ) -> None:
        self.env, self.statement, self.candidates = env, statement, candidates
        self.config, self.header = config, header
        self.tree = Tree()
        self.env_calls = self.simulations = self.evaluations = self.collisions = 0
        self._t0 = time.monotonic()
        self._elapsed = 0.0
        self._combine = AND_VALUES[config.and_value]
        self._rng = random.Random(config.seed)
        self._requested: list[int] = []  # goals created this round, to evaluate
        self._pending: list[_Pending] = []
        self._awaiting = False  # requests handed out, `expand` not yet called
        self._idle = 0  # consecutive idle simulations
        self._stopping: tuple[StopReason, str] | None = None
        self._reason: tuple[StopReason, str] | None = None
        self._result: MCTSResult | None = None
        root = env.start(statement, header=header, timeout=config.start_timeout)
        self.tree.roots = tuple(self._goal(root, i) for i in range(len(root.goals)))
        self._check_root()

    # ------------------------------------------------------------------ driving

    @property
    def done(self) -> bool:
        return self._reason is not None

    def select(self) -> list[EvalRequest]:
        """Run up to `leaves_per_round` simulations; the goals they need evaluated (maybe none)."""
        if self._awaiting:
            raise RuntimeError("select() called twice without expand()")
        if self.done:
            return []
        if not self._requested:  # the roots are evaluated: simulate
            lpr = self.config.leaves_per_round
            attempts = 0
            while len(self._pending) < lpr and attempts < lpr * ATTEMPTS_PER_LEAF:
                self._stopping = self._stopping or self._budget_spent(starting=True)
                if self._stopping:
                    break
                attempts += 1
                self._idle = self._idle + 1 if self._simulate() else 0
            if self._stopping and self._stopping[0] in (StopReason.PROVED, StopReason.EXHAUSTED, StopReason.TIME_LIMIT):
                self._drop_pending()
                self._finish(self._stopping)
                return []
        if not self._requested:
            if self._stopping:
                self._finish(self._stopping)
            return []
        self._awaiting = True
        tree = self.tree
        return [EvalRequest(tree.key[n], tree.tactics[n]) for n in self._requested]

    def expand(self, results: Sequence[EvalResult]) -> None:
        """Install the evaluations of the last `select` and back its simulations up."""
        if not self._awaiting:
            raise RuntimeError("expand() without a pending select()")
        if len(results) != len(self._requested):
            raise ValueError(f"{len(results)} evaluations for {len(self._requested)} requests")
        for node, result in zip(self._requested, results):
            self._evaluate(node, result)
        self.evaluations += len(results)
        self._requested.clear()
        self._awaiting = False
        for sim in self._pending:
            self._virtual_loss(sim, -1)
            self._backup(sim.goals, sim.actions, None)
        self._pending.clear()
        self._check_root()
        if self._stopping and not self.done:
            self._finish(self._stopping)

    def result(self) -> MCTSResult:
        """The outcome (a found proof is verified here, once)."""
        if self._reason is None:
            raise RuntimeError("the search is not done")
        if self._result is None:
            self._result = self._make_result(*self._reason)
        return self._result

    def policy(self, node: int | None = None, temperature: float | None = None) -> list[float]:
        """The visit distribution over the tactics of `node` (default: the first root goal)."""
        node = self.tree.roots[0] if node is None else node
        t = self.config.temperature if temperature is None else temperature
        return action_probabilities(self.tree.edge_n[node], t)

    # ------------------------------------------------------------------ one simulation

    def _simulate(self) -> bool:
        """One simulation; True when it was idle: it ended in the tree without an env call."""
        tree, cfg = self.tree, self.config
        calls = self.env_calls
        roots = tree.roots
        node = self._weakest(roots if len(roots) == 1 else [r for r in roots if tree.status[r] is Status.OPEN])
        goals, actions, on_path = [node], [], {node}
        while True:
            if len(actions) >= cfg.max_depth:
                self._backup(goals, actions, 0.0)
                return self.env_calls == calls
            action = self._pick(node, on_path)
            if action is None:  # nothing usable from here on this path
                self._backup(goals, actions, 0.0)
                return self.env_calls == calls
            if not tree.applied(node, action):
                self._stopping = self._budget_spent(starting=False)
                if self._stopping:
                    return False  # abandoned: no virtual loss was added yet
                self._apply(node, action)
                if tree.status[node] is Status.FAILED:
                    self._backup(goals, actions, 0.0)
                    return False
                if tree.status[node] is Status.OPEN and not self._usable(node, action, on_path):
                    continue  # dead, failed or circular: choose again at the same goal
                actions.append(action)
                if any(not tree.evaluated(c) for c in tree.children(node, action)):
                    sim = _Pending(goals, actions)
                    self._virtual_loss(sim, +1)
                    self._pending.append(sim)
                    return False
                self._backup(goals, actions, None)
                return False
            children = tree.children(node, action)
            if any(not tree.evaluated(c) and tree.status[c] is Status.OPEN for c in children):
                self.collisions += 1  # another simulation of this round waits on that goal
                return False
            node = self._weakest(
                children if len(children) == 1 else [c for c in children if tree.status[c] is Status.OPEN]
            )
            actions.append(action)
            goals.append(node)
            on_path.add(node)

    def _pick(self, node: int, on_path: set[int]) -> int | None:
        """The PUCT choice among the usable tactics of `node` (first on ties), or None."""
        tree, cfg = self.tree, self.config
        explore = cfg.c_puct * math.sqrt(tree.visits[node] + tree.in_flight[node])
        fpu = tree.goal_value(node) if cfg.first_play_value is None else cfg.first_play_value
        vloss, outcomes, dead = cfg.virtual_loss, tree.outcome[node], tree.failed_edge[node]
        edge_n, edge_w, in_flight = tree.edge_n[node], tree.edge_w[node], tree.edge_in_flight[node]
        best, best_score = None, -math.inf
        for a, prior in enumerate(tree.priors[node]):
            out = outcomes[a]
            if out is not NOT_APPLIED and (dead[a] or not on_path.isdisjoint(out)):  # type: ignore[arg-type]
                continue
            n = edge_n[a] + in_flight[a]
            q = (edge_w[a] - vloss * in_flight[a]) / n if n else fpu
            score = q + explore * prior / (1 + n)
            if score > best_score:
                best, best_score = a, score
        return best

    def _usable(self, node: int, action: int, on_path: set[int]) -> bool:
        """An applied edge worth following: not dead, no FAILED child, no child on the path."""
        tree = self.tree
        return not tree.failed_edge[node][action] and on_path.isdisjoint(tree.children(node, action))

    def _weakest(self, goals: Sequence[int]) -> int:
        """The goal most likely to break an AND: lowest value, then fewest visits, then first."""
        if len(goals) == 1:
            return goals[0]
        tree = self.tree
        return min(goals, key=lambda g: (tree.goal_value(g), tree.visits[g] + tree.in_flight[g]))

    def _apply(self, node: int, action: int) -> None:
        """One env call; the outcome goes into the tree, errors never leave this method."""
        tree, cfg = self.tree, self.config
        remaining = cfg.time_limit - (time.monotonic() - self._t0)
        timeout = max(min(cfg.tactic_timeout, remaining), 1e-3)
        self.env_calls += 1
        try:
            result = self.env.apply(
                tree.state[node], tree.tactics[node][action], goal=tree.goal_index[node], timeout=timeout
            )
        except Exception:  # the contract says backends never raise here; a bug must not stop us
            log.exception("env.apply raised on %r", tree.tactics[node][action])
            tree.record_outcome(node, action, Fault.ERROR)
            return
        if isinstance(result, TacticSuccess):
            state = result.state
            tree.record_outcome(node, action, tuple(self._goal(state, j) for j in range(len(state.goals))))
        else:
            tree.record_outcome(node, action, Fault.TIMEOUT if isinstance(result, TacticTimeout) else Fault.ERROR)

    def _goal(self, state: ProofState, index: int) -> int:
        """The node of goal `index` of `state`: looked up by canonical text, or created."""
        view = state.goals[index]
        key = self.env.canonical(view)
        node = self.tree.index.get(key)
        if node is None:
            node = self.tree.add_goal(key, view, state, index, list(self.candidates(view)))
            if self.tree.status[node] is Status.OPEN:
                self._requested.append(node)
        return node

    # ------------------------------------------------------------------ evaluation and backup

    def _evaluate(self, node: int, result: EvalResult) -> None:
        tree, cfg = self.tree, self.config
        tactics = tree.tactics[node]
        if len(result.priors) != len(tactics):
            raise ValueError(f"evaluator gave {len(result.priors)} priors for {len(tactics)} tactics")
        priors = normalized(result.priors)
        keep = sorted(range(len(tactics)), key=lambda a: -priors[a])[: cfg.max_children]
        kept = normalized([priors[a] for a in keep])
        if cfg.dirichlet_fraction > 0.0 and node in tree.roots:
            noise = normalized([self._rng.gammavariate(cfg.dirichlet_alpha, 1.0) for _ in keep])
            f = cfg.dirichlet_fraction
            kept = [(1 - f) * p + f * z for p, z in zip(kept, noise)]
        value = min(max(float(result.value), 0.0), 1.0) if result.value == result.value else 0.0
        tree.set_evaluation(node, [tactics[a] for a in keep], kept, value)

    def _backup(self, goals: list[int], actions: list[int], leaf_value: float | None) -> None:
        """`leaf_value` is the value of `goals[-1]` on this path, or None when the path ends
        with an edge (`len(actions) == len(goals)`): then the edge's current AND-value."""
        tree, combine = self.tree, self._combine
        self.simulations += 1
        top = len(actions) - 1
        if leaf_value is None:
            value = tree.edge_value(goals[top], actions[top], combine)
            self._update(goals[top], actions[top], value)
            top -= 1
        else:
            value = leaf_value
        for i in range(top, -1, -1):
            goal, action, child = goals[i], actions[i], goals[i + 1]
            value = combine([value if c == child else tree.goal_value(c) for c in tree.children(goal, action)])
            self._update(goal, action, value)

    def _update(self, goal: int, action: int, value: float) -> None:
        tree = self.tree
        tree.edge_n[goal][action] += 1
        tree.edge_w[goal][action] += value
        tree.visits[goal] += 1
        tree.value_sum[goal] += value

    def _virtual_loss(self, sim: _Pending, sign: int) -> None:
        tree = self.tree
        for goal, action in zip(sim.goals, sim.actions):
            tree.edge_in_flight[goal][action] += sign
            tree.in_flight[goal] += sign

    def _drop_pending(self) -> None:
        for sim in self._pending:
            self._virtual_loss(sim, -1)
        self._pending.clear()
        self._requested.clear()

    # ------------------------------------------------------------------ budgets and the end

    def _root_status(self) -> Status:
        roots, status = self.tree.roots, self.tree.status
        if len(roots) == 1:
            return status[roots[0]]
        statuses = [status[r] for r in roots]
        if all(s is Status.PROVED for s in statuses):
            return Status.PROVED
        return Status.FAILED if Status.FAILED in statuses else Status.OPEN

    def _check_root(self) -> None:
        status = self._root_status()
        if status is Status.PROVED:
            self._finish((StopReason.PROVED, ""))
        elif status is Status.FAILED:
            self._finish((StopReason.EXHAUSTED, "every tactic failed"))

    def _budget_spent(self, *, starting: bool) -> tuple[StopReason, str] | None:
        """Why the search must stop now; `starting`: before a new simulation (else: before an
        env call inside one)."""
        cfg = self.config
        status = self._root_status()
        if status is Status.PROVED:
            return StopReason.PROVED, ""
        if status is Status.FAILED:
            return StopReason.EXHAUSTED, "every tactic failed"
        if time.monotonic() - self._t0 >= cfg.time_limit:
            return StopReason.TIME_LIMIT, ""
        if self.env_calls >= cfg.max_env_calls:
            return StopReason.MAX_ENV_CALLS, ""
        if len(self.tree) >= cfg.max_nodes:
            return StopReason.MAX_NODES, ""
        if starting and self.simulations + len(self._pending) >= cfg.num_simulations:
            return StopReason.MAX_SIMULATIONS, ""
        if starting and self._idle >= cfg.max_idle_simulations:
            return StopReason.EXHAUSTED, "idle: no simulation reaches an untried tactic"
        return None

    def _finish(self, reason: tuple[StopReason, str]) -> None:
        if self._reason is None:
            self._reason = reason
            self._elapsed = time.monotonic() - self._t0

    def _make_result(self, reason: StopReason, detail: str) -> MCTSResult:
        common = dict(
            env_calls=self.env_calls, simulations=self.simulations, elapsed=self._elapsed,
            evaluations=self.evaluations, collisions=self.collisions, tree=self.tree,
        )
        if reason is not StopReason.PROVED:
            return MCTSResult(False, None, reason=reason, detail=detail, **common)
        script = proof_script(self.tree)
        cfg = self.config
        verdict = self.env.verify(self.statement, script, header=self.header, timeout=cfg.verify_timeout)
        if verdict.ok:
            return MCTSResult(True, script, reason=StopReason.PROVED, verification=verdict, **common)
        return MCTSResult(
            False, None, reason=StopReason.VERIFY_FAILED, verification=verdict, unverified_proof=script, **common
        )
