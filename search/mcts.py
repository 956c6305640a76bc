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
These rules are defined plainly in `search.puct` and `search.backup`; the code here computes
the same numbers with shortcuts (checked by `tests/search/test_perf_paths.py`).

`MCTSSearch` runs in rounds so that many searches can share one evaluator batch (see
`search.driver`): `start()` reads the statement, `select()` runs up to `leaves_per_round`
simulations and returns the goals to evaluate, `expand(results)` installs the evaluations and
backs the waiting simulations up, and once the search is `done`, `finish()` verifies a found
proof. The backend is called only in those steps.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from lean_env.contract import ProofEnv, ProofState, TacticSuccess, TacticTimeout, Verification
from search.backup import AND_VALUES, AndRule
from search.bestfirst import StopReason
from search.evaluator import Candidates, EvalRequest, EvalResult, normalized
from search.extract import novel_steps, proof_script
from search.puct import (
    C_PUCT,
    DIRICHLET_ALPHA,
    MAX_CHILDREN,
    NOISE_FRACTION,
    VIRTUAL_LOSS,
    dirichlet,
    kept_priors,
    puct_select,
    with_noise,
)
from search.tree import NOT_APPLIED, UNEVALUATED, Fault, Status, Tree, coupled_spans, joint_view

log = logging.getLogger(__name__)

ATTEMPTS_PER_LEAF = 4  # simulations tried per wanted leaf in a round (collisions, terminals)
SELF_PLAY_NOISE = NOISE_FRACTION  # the weight of Dirichlet noise on the root priors in self-play


@dataclass(frozen=True, slots=True)
class MCTSConfig:
    """Search settings and budgets; the search stops at whichever budget runs out first."""

    c_puct: float = C_PUCT  # AlphaZero's c_init (mctx default); values here lie in [0, 1]
    num_simulations: int = 800  # AlphaZero used 800 per move
    max_depth: int = 32  # tactics from the root; deeper goals count as value 0, unexpanded
    max_children: int = MAX_CHILDREN  # tactics kept per goal: the top-k by prior, renormalised
    virtual_loss: float = VIRTUAL_LOSS  # per in-flight simulation: one visit of value -virtual_loss
    and_value: AndRule = "product"  # value of a tactic leaving several goals
    first_play_value: float | None = None  # Q of an unvisited tactic; None = the goal's value
    dirichlet_alpha: float = DIRICHLET_ALPHA  # AlphaZero chess; noise on the root priors ...
    dirichlet_fraction: float = 0.0  # ... mixed in at this weight (off; SELF_PLAY_NOISE in self-play)
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
    novel: tuple[tuple[str, str], ...] = ()  # (goal, tactic) of the proof's tactics no rule proposed
    tree: Tree | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class _Pending:
    """A simulation waiting for evaluations: `goals[i]` took `actions[i]`; the last action
    left goals still unevaluated."""

    goals: list[int]
    actions: list[int]


def _rescaled(priors: list[float]) -> list[float]:
    """`normalized(priors)` for priors `normalized` returned: none is negative or -0.0, so
    clipping changes nothing unless one is NaN (then the total is NaN: the general case)."""
    total = sum(priors)
    if not 0.0 < total < math.inf:
        return normalized(priors)
    if priors.count(priors[0]) == len(priors):  # all equal: the same values, one division
        return [priors[0] / total] * len(priors)
    return [p / total for p in priors]


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
    """One proof search: `start`, then rounds of `select` / `expand` until `done`, then
    `finish` and `result` (`search.driver` runs these steps for many searches at once).

    Constructing it calls no backend; `start` raises `StatementError` when the backend cannot
    read the statement.
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
        self._finite_vloss = math.isfinite(config.virtual_loss)  # x - vloss * 0 == x (see `_pick`)
        self._last_pick: tuple[int, float, float, int | None, float] = (-1, 0.0, 0.0, None, 0.0)  # see `_pick`
        self._stopping: tuple[StopReason, str] | None = None
        self._stop_after: str | None = None  # `stop()` called while a batch was out
        self._reason: tuple[StopReason, str] | None = None
        self._result: MCTSResult | None = None
        self._started = False

    # ------------------------------------------------------------------ driving

    def start(self) -> None:
        """Read the statement (the backend's `start`) into the root goals; the search's clock
        starts here. A root with no goal or no tactic ends the search at once."""
        if self._started:
            raise RuntimeError("the search was started already")
        if self.done:
            return  # stopped before it started: no backend call
        self._t0 = time.monotonic()
        root = self.env.start(self.statement, header=self.header, timeout=self.config.start_timeout)
        self._started = True
        self.tree.roots = self._goals(root)
        self._check_root()

    @property
    def started(self) -> bool:
        return self._started

    @property
    def done(self) -> bool:
        return self._reason is not None

    def select(self) -> list[EvalRequest]:
        """Run up to `leaves_per_round` simulations; the goals they need evaluated (maybe none)."""
        if self._awaiting:
            raise RuntimeError("select() called twice without expand()")
        if self.done:
            return []
        if not self._started:
            raise RuntimeError("start() the search first")
        if not self._requested:  # the roots are evaluated: simulate
            lpr = self.config.leaves_per_round
            attempts = 0
            while len(self._pending) < lpr and attempts < lpr * ATTEMPTS_PER_LEAF:
                self._stopping = self._stopping or self._budget_spent(True)
                if self._stopping:
                    break
                attempts += 1
                self._idle = self._idle + 1 if self._simulate() else 0
            if self._stopping and self._stopping[0] in (StopReason.PROVED, StopReason.EXHAUSTED, StopReason.TIME_LIMIT):
                self._drop_pending()
                self._end(self._stopping)
                return []
        if not self._requested:
            if self._stopping:
                self._end(self._stopping)
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
            self._backup(sim.goals, sim.actions, None, release=True)
        self._pending.clear()
        self._check_root()
        if self._stopping and not self.done:
            self._end(self._stopping)
        if self._stop_after is not None and not self.done:
            self._end((StopReason.STOPPED, self._stop_after))

    def stop(self, detail: str = "") -> None:
        """End the search between rounds because its caller no longer needs it (say, its
        negation was proved): no further env call; the tree and statistics stay as they are.
        Between `select` and `expand` the search ends when `expand` has installed the batch."""
        if self._awaiting:
            self._stop_after = detail
        elif not self.done:
            self._drop_pending()
            self._end((StopReason.STOPPED, detail))

    def exclude(self, seconds: float) -> None:
        """Take `seconds` the caller spent on something else (verifying another search's proof,
        writing it out) off this search's clock: `time_limit` is for the search's own work."""
        if not self.done:
            self._t0 += seconds

    def finish(self) -> None:
        """Fix the outcome of a search that is done, verifying a found proof (the backend's
        `verify`, the search's only call after its end). Later calls change nothing."""
        if self._reason is None:
            raise RuntimeError("the search is not done")
        if self._result is None:
            self._result = self._make_result(*self._reason)

    def result(self) -> MCTSResult:
        """The outcome `finish` fixed."""
        if self._result is None:
            raise RuntimeError("finish() the search first" if self.done else "the search is not done")
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
        status, outcomes, prior_value = tree.status, tree.outcome, tree.prior_value
        calls = self.env_calls
        roots = tree.roots
        node = roots[0] if len(roots) == 1 else self._weakest([r for r in roots if status[r] is Status.OPEN])
        goals, actions, on_path = [node], list[int](), {node}
        again = False
        while True:
            if len(actions) >= cfg.max_depth:
                self._backup(goals, actions, 0.0)
                return self.env_calls == calls
            action = self._pick(node, on_path, again)
            again = False
            if action is None:  # nothing usable from here on this path
                self._backup(goals, actions, 0.0)
                return self.env_calls == calls
            children = outcomes[node][action]
            if children is NOT_APPLIED:
                # (`select` checked every budget before this simulation; until it makes an env
                # call only the clock can have moved)
                if self.env_calls != calls:
                    self._stopping = self._budget_spent(False)
                elif time.monotonic() - self._t0 >= cfg.time_limit:
                    self._stopping = StopReason.TIME_LIMIT, ""
                if self._stopping:
                    return False  # abandoned: no virtual loss was added yet
                self._apply(node, action)
                if status[node] is Status.FAILED:
                    self._backup(goals, actions, 0.0)
                    return False
                if status[node] is Status.OPEN and (  # the new edge is failed or circular
                    tree.failed_edge[node][action] or not on_path.isdisjoint(tree.children(node, action))
                ):
                    again = True
                    continue  # dead, failed or circular: choose again at the same goal
                actions.append(action)
                for c in tree.children(node, action):
                    if prior_value[c] == UNEVALUATED:
                        sim = _Pending(goals, actions)
                        self._virtual_loss(goals, actions, +1)
                        self._pending.append(sim)
                        return False
                self._backup(goals, actions, None)
                return False
            # applied, and usable (`_pick` passes over dead and circular edges): a tuple of goals
            for c in children:  # type: ignore[union-attr]
                if prior_value[c] == UNEVALUATED and status[c] is Status.OPEN:
                    self.collisions += 1  # another simulation of this round waits on that goal
                    return False
            if len(children) == 1:  # type: ignore[arg-type]
                node = children[0]  # type: ignore[index]
            else:
                node = self._weakest([c for c in children if status[c] is Status.OPEN])  # type: ignore[union-attr]
            actions.append(action)
            goals.append(node)
            on_path.add(node)

    def _pick(self, node: int, on_path: set[int], again: bool = False) -> int | None:
        """The PUCT choice among the usable tactics of `node` (first on ties), or None.

        Only the applied, live edges are scored one by one (`Tree.live`). Every tactic never
        applied has N = 0 and Q = the first-play value, so its score grows with its prior: the
        best of them is the first untried one in prior order (`Tree.by_prior`), or, where a
        lower prior rounds to the same score, the lowest tactic index among those.

        `again`: the same simulation chooses again at the same goal because the tactic it just
        applied there is dead, failed or circular. That changed no statistic and no other edge
        of the goal, so the best live edge found the last time still stands.
        """
        tree, cfg = self.tree, self.config
        priors, outcomes = tree.priors[node], tree.outcome[node]
        if again and self._last_pick[0] == node:
            _, explore, fpu, best, best_score = self._last_pick
        else:
            explore = cfg.c_puct * math.sqrt(tree.visits[node] + tree.in_flight[node])
            if not 0.0 <= explore < math.inf:  # a negative c_puct reverses the prior order
                self._last_pick = (-1, 0.0, 0.0, None, 0.0)
                return self._pick_all(node, on_path)
            if cfg.first_play_value is not None:
                fpu = cfg.first_play_value
            else:  # `tree.goal_value(node)`, inlined
                status, visits = tree.status[node], tree.visits[node]
                if status is Status.PROVED:
                    fpu = 1.0
                elif status is Status.FAILED or visits == 0:
                    fpu = 0.0
                else:
                    fpu = tree.value_sum[node] / visits
            best, best_score = None, -math.inf
            live = tree.live[node]
            edge_n, edge_w = tree.edge_n[node], tree.edge_w[node]
            # (a circular edge is skipped; checked only where it would win, which is the same)
            if live and tree.in_flight[node] == 0 and self._finite_vloss:
                for a in live:  # no simulation in flight below this goal: no virtual loss at all
                    n = edge_n[a]
                    q = edge_w[a] / n if n else fpu
                    score = q + explore * priors[a] / (1 + n)
                    if score > best_score and on_path.isdisjoint(outcomes[a]):  # type: ignore[arg-type]
                        best, best_score = a, score
            elif live:
                vloss, in_flight = cfg.virtual_loss, tree.edge_in_flight[node]
                for a in live:
                    n = edge_n[a] + in_flight[a]
                    q = (edge_w[a] - vloss * in_flight[a]) / n if n else fpu
                    score = q + explore * priors[a] / (1 + n)
                    if score > best_score and on_path.isdisjoint(outcomes[a]):  # type: ignore[arg-type]
                        best, best_score = a, score
            self._last_pick = (node, explore, fpu, best, best_score)
        order = tree.by_prior[node] or tree.prior_order(node)
        k, pos = len(order), tree.untried[node]
        while pos < k and outcomes[order[pos]] is not NOT_APPLIED:
            pos += 1
        tree.untried[node] = pos
        if pos == k:
            return best
        a = order[pos]
        score = fpu + explore * priors[a]  # == fpu + explore * prior / (1 + 0), bit for bit
        nxt = tree.next_lower[node]
        if nxt is not None:  # None: all priors equal, no lower one to tie
            p = nxt[pos]
            while p < k:  # lower priors can only tie: keep the lowest tactic index among ties
                if outcomes[order[p]] is not NOT_APPLIED:
                    p += 1
                    continue
                b = order[p]
                if fpu + explore * priors[b] < score:
                    break
                a = min(a, b)
                p = nxt[p]
        if score > best_score or (score == best_score and best is not None and a < best):
            return a
        return best

    def _pick_all(self, node: int, on_path: set[int]) -> int | None:
        """`_pick` by the definition (`search.puct`), for settings the shortcut cannot take."""
        tree, cfg = self.tree, self.config
        return puct_select(
            tree.priors[node], tree.edge_n[node], tree.edge_w[node], tree.edge_in_flight[node],
            usable=tree.usable(node, on_path), parent_visits=tree.visits[node] + tree.in_flight[node],
            parent_value=tree.goal_value(node), c_puct=cfg.c_puct, virtual_loss=cfg.virtual_loss,
            first_play_value=cfg.first_play_value,
        )

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
        timeout = remaining if remaining < cfg.tactic_timeout else cfg.tactic_timeout  # the min ...
        if timeout < 1e-3:  # ... and the max with 1 ms, without the builtins' call overhead
            timeout = 1e-3
        self.env_calls += 1
        state, tactic, goal, coupled = (
            tree.state[node], tree.tactics[node][action], tree.goal_index[node], tree.with_goals[node]
        )
        try:
            if coupled:
                result = self.env.apply(state, tactic, goal=goal, timeout=timeout, with_goals=coupled)
            else:
                result = self.env.apply(state, tactic, goal=goal, timeout=timeout)
        except Exception:  # the contract says backends never raise here; a bug must not stop us
            log.exception("env.apply raised on %r", tree.tactics[node][action])
            tree.record_outcome(node, action, Fault.ERROR)
            return
        if isinstance(result, TacticSuccess):
            state = result.state
            children = (self._goal(state, 0),) if len(state.goals) == 1 else self._goals(state)
            tree.record_outcome(node, action, children)
        else:
            tree.record_outcome(node, action, Fault.TIMEOUT if isinstance(result, TacticTimeout) else Fault.ERROR)

    def _goals(self, state: ProofState) -> tuple[int, ...]:
        """The nodes of the goals of `state`: one per goal, or per run of coupled goals."""
        goals = state.goals
        if not any(g.mvars for g in goals):  # independent goals (always, on mini)
            return tuple([self._goal(state, j) for j in range(len(goals))])
        return tuple(self._goal(state, span[0], tuple(span[1:])) for span in coupled_spans(goals))

    def _goal(self, state: ProofState, index: int, with_goals: tuple[int, ...] = ()) -> int:
        """The node of goal `index` of `state` (with its coupled goals `with_goals`): looked up
        by canonical text, or created. Tactics are proposed for goal `index`, the one they act on."""
        view = state.goals[index]
        if with_goals:
            views = [view, *(state.goals[j] for j in with_goals)]
            key = "\n\n".join(v.canonical for v in views)
        else:
            key = view.canonical
        node = self.tree.index.get(key)
        if node is None:
            shown = joint_view(views) if with_goals else view
            node = self.tree.add_goal(key, shown, state, index, tuple(self.candidates(view)), with_goals)
            if self.tree.status[node] is Status.OPEN:
                self._requested.append(node)
        return node

    # ------------------------------------------------------------------ evaluation and backup

    def _evaluate(self, node: int, result: EvalResult) -> None:
        tree, cfg = self.tree, self.config
        tactics = tree.tactics[node]
        if result.extra:  # the evaluator's own proposals join the candidates
            if set(result.extra) & set(tactics) or len(set(result.extra)) != len(result.extra):
                raise ValueError("evaluator's extra tactics repeat a candidate or each other")
            tactics = tactics + result.extra
            tree.generated[node] = frozenset(result.extra)
        if len(result.priors) != len(tactics):
            raise ValueError(f"evaluator gave {len(result.priors)} priors for {len(tactics)} tactics")
        kept_tactics, kept = self._keep(tactics, result.priors)
        if cfg.dirichlet_fraction > 0.0 and node in tree.roots:
            noise = dirichlet(self._rng, len(kept), alpha=cfg.dirichlet_alpha)
            kept = with_noise(kept, noise, fraction=cfg.dirichlet_fraction)
        value = min(max(float(result.value), 0.0), 1.0) if result.value == result.value else 0.0
        tree.set_evaluation(node, kept_tactics, kept, value)

    def _keep(self, tactics: Sequence[str], raw: Sequence[float]) -> tuple[Sequence[str], list[float]]:
        """`search.puct.kept_priors`, with the tactics; without sorting where the priors are
        uniform or already in order."""
        priors = normalized(raw)
        k, total, limit = len(tactics), sum(priors), self.config.max_children
        if k <= limit and k and priors.count(priors[0]) == k and total == total:
            return tactics, _rescaled(priors)  # all equal (uniform): all kept, in tactic order
        if total != total:  # NaN (from an infinite prior): no order to rely on, the definition
            keep, kept = kept_priors(raw, max_children=limit)
            return [tactics[a] for a in keep], kept
        if k <= limit and priors == sorted(priors, reverse=True):  # all kept, in order
            return tactics, _rescaled(priors)
        # best first; equal priors keep tactic order (a stable sort)
        keep = sorted(range(k), key=priors.__getitem__, reverse=True)[:limit]
        return [tactics[a] for a in keep], _rescaled([priors[a] for a in keep])

    def _backup(self, goals: list[int], actions: list[int], leaf_value: float | None, release: bool = False) -> None:
        """`search.backup.backup`, in one walk: `leaf_value` is the value of `goals[-1]` on
        this path, or None when the path ends with an edge (`len(actions) == len(goals)`): then
        the edge's current AND-value. `release`: also take back the path's virtual loss (in the
        same walk; no value read here depends on it)."""
        tree, combine = self.tree, self._combine
        edge_n, edge_w, visits, value_sum, outcomes = (
            tree.edge_n, tree.edge_w, tree.visits, tree.value_sum, tree.outcome
        )
        edge_in_flight, in_flight = tree.edge_in_flight, tree.in_flight
        self.simulations += 1
        top = len(actions) - 1
        # The deepest edge is valued from its children as they stand (no leaf below it);
        # every edge above combines the value coming up with its other children's values.
        valued = leaf_value is None
        if leaf_value is None:
            goal, action = goals[top], actions[top]
            children = outcomes[goal][action]
            if type(children) is tuple and len(children) == 1:  # the AND of one goal: its value
                value = tree.goal_value(children[0])
            else:
                value = tree.edge_value(goal, action, combine)
        else:
            value = leaf_value
        for i in range(top, -1, -1):
            goal, action = goals[i], actions[i]
            children = outcomes[goal][action]
            if valued:
                valued = False
            elif len(children) != 1:  # type: ignore[arg-type]
                # (one child: the AND-value is the child's value; product and min agree)
                child = goals[i + 1]
                value = combine([value if c == child else tree.goal_value(c) for c in children])  # type: ignore[union-attr]
            edge_n[goal][action] += 1
            edge_w[goal][action] += value
            visits[goal] += 1
            value_sum[goal] += value
            if release:
                edge_in_flight[goal][action] -= 1
                in_flight[goal] -= 1

    def _virtual_loss(self, goals: list[int], actions: list[int], sign: int) -> None:
        edge_in_flight, in_flight = self.tree.edge_in_flight, self.tree.in_flight
        for goal, action in zip(goals, actions):
            edge_in_flight[goal][action] += sign
            in_flight[goal] += sign

    def _drop_pending(self) -> None:
        for sim in self._pending:
            self._virtual_loss(sim.goals, sim.actions, -1)
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
            self._end((StopReason.PROVED, ""))
        elif status is Status.FAILED:
            self._end((StopReason.EXHAUSTED, "every tactic failed"))

    def _budget_spent(self, starting: bool) -> tuple[StopReason, str] | None:
        """Why the search must stop now; `starting`: before a new simulation (else: before an
        env call inside one)."""
        cfg, roots = self.config, self.tree.roots
        status = self.tree.status[roots[0]] if len(roots) == 1 else self._root_status()
        if status is Status.PROVED:
            return StopReason.PROVED, ""
        if status is Status.FAILED:
            return StopReason.EXHAUSTED, "every tactic failed"
        if time.monotonic() - self._t0 >= cfg.time_limit:
            return StopReason.TIME_LIMIT, ""
        if self.env_calls >= cfg.max_env_calls:
            return StopReason.MAX_ENV_CALLS, ""
        if len(self.tree.key) >= cfg.max_nodes:
            return StopReason.MAX_NODES, ""
        if starting and self.simulations + len(self._pending) >= cfg.num_simulations:
            return StopReason.MAX_SIMULATIONS, ""
        if starting and self._idle >= cfg.max_idle_simulations:
            return StopReason.EXHAUSTED, "idle: no simulation reaches an untried tactic"
        return None

    def _end(self, reason: tuple[StopReason, str]) -> None:
        if self._reason is None:
            self._reason = reason
            self._elapsed = time.monotonic() - self._t0

    def _make_result(self, reason: StopReason, detail: str) -> MCTSResult:
        unproved = MCTSResult(
            False, None, env_calls=self.env_calls, simulations=self.simulations, elapsed=self._elapsed,
            reason=reason, detail=detail, evaluations=self.evaluations, collisions=self.collisions, tree=self.tree,
        )
        if reason is not StopReason.PROVED:
            return unproved
        script = proof_script(self.tree)
        cfg = self.config
        verdict = self.env.verify(self.statement, script, header=self.header, timeout=cfg.verify_timeout)
        if verdict.ok:
            return replace(unproved, proved=True, proof=script, verification=verdict, novel=novel_steps(self.tree))
        return replace(unproved, reason=StopReason.VERIFY_FAILED, verification=verdict, unverified_proof=script)
