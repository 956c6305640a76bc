"""The curriculum: which statement self-play attempts next, and why.

Learning happens at the frontier: statements the prover sometimes solves and sometimes does
not. Each statement keeps its last `window` outcomes (proved / disproved / neither; proved and
disproved both count as solved) and sits in one bucket by them:

    NEW       never tried                     picked first-come first-served
    CONFIRM   tried < window times, one kind of outcome so far: tried again to settle it
    FRONTIER  solve rate strictly between 0 and 1 over the window
    RETIRED   solved over a full window       drawn only at `replay_share` (REPLAY)
    PARKED    failed over a full window       drawn only at `retry_share` (UNSOLVED_RETRY), or
                                              for real statements at `real_retry_share` (REAL_RETRY)
    BUSY      picked, outcome not yet recorded (so parallel workers get different statements)

Real statements (read from a file such as miniF2F: `records.is_real_source`) are what the
prover is ultimately for, and there are few of them: a parked one stays in rotation with its
own, larger retry share, and is evicted only once no generated statement or variant is left to
evict.

A retired statement that fails on replay, or a parked one solved on retry, moves back to the
frontier by the same rule. At `variant_share` the pick is a fresh variant of a solved statement
(`make_variant`, e.g. `selfplay.variants.variant_maker()`). Every pick carries its `Reason`.
Plain Python, deterministic given the seed and the call sequence; `state_dict`/`from_state`
round-trip through JSON for `--resume`. The pool is bounded by `capacity`: retired, then parked
generated ones, then parked real statements are evicted to make room, and when none are left
`add` refuses.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

from lean_env.problem import Problem, problem_key
from selfplay.records import is_real_source

__all__ = ["Curriculum", "CurriculumConfig", "Outcome", "Pick", "Reason", "Status"]

MakeVariant = Callable[[Problem, random.Random], Problem | None]


class Outcome(StrEnum):
    PROVED = "proved"
    DISPROVED = "disproved"
    NEITHER = "neither"

    @property
    def solved(self) -> bool:
        return self is not Outcome.NEITHER


class Reason(StrEnum):
    """Why a statement was picked (recorded with every attempt)."""

    NEW = "new"
    CONFIRM = "confirm"
    FRONTIER = "frontier"
    REPLAY = "replay"
    UNSOLVED_RETRY = "unsolved_retry"
    REAL_RETRY = "real_retry"  # a parked real statement (from a file), at its own share
    VARIANT = "variant"


class Status(StrEnum):
    NEW = "new"
    CONFIRM = "confirm"
    FRONTIER = "frontier"
    RETIRED = "retired"
    PARKED = "parked"
    BUSY = "busy"


_REASON = {Status.NEW: Reason.NEW, Status.CONFIRM: Reason.CONFIRM, Status.FRONTIER: Reason.FRONTIER,
           Status.RETIRED: Reason.REPLAY, Status.PARKED: Reason.UNSOLVED_RETRY}


@dataclass(frozen=True, slots=True)
class CurriculumConfig:
    window: int = 4  # outcomes remembered per statement
    replay_share: float = 0.1  # picks drawn from retired statements
    retry_share: float = 0.05  # picks drawn from parked generated statements (and variants)
    variant_share: float = 0.1  # picks that are a fresh variant of a solved statement
    real_retry_share: float = 0.15  # picks drawn from parked real statements (from files)
    new_share: float = 0.5  # of the remaining picks, the share offered to NEW before CONFIRM/FRONTIER
    capacity: int = 50_000  # statements held at most

    def __post_init__(self) -> None:
        if self.window < 1 or self.capacity < 1:
            raise ValueError("window and capacity must be >= 1")
        shares = (self.replay_share, self.retry_share, self.variant_share, self.real_retry_share, self.new_share)
        if any(not 0.0 <= s <= 1.0 for s in shares) or sum(shares[:4]) > 1.0 + 1e-9:
            raise ValueError(f"shares must lie in [0, 1] and replay+retry+variant+real_retry <= 1, got {shares}")


@dataclass(frozen=True, slots=True)
class Pick:
    problem: Problem
    reason: Reason


@dataclass(slots=True)
class _Entry:
    problem: Problem
    outcomes: deque[Outcome]
    attempts: int = 0
    solved: int = 0
    in_flight: int = 0

    @property
    def real(self) -> bool:
        return is_real_source(self.problem.source)

    def status(self, window: int, *, busy_counts: bool = True) -> Status:
        if busy_counts and self.in_flight:
            return Status.BUSY
        n, k = len(self.outcomes), sum(o.solved for o in self.outcomes)
        if n == 0:
            return Status.NEW
        if n >= window and k in (0, n):
            return Status.RETIRED if k else Status.PARKED
        return Status.FRONTIER if 0 < k < n else Status.CONFIRM


class _Bag:
    """A set with O(1) add, remove and uniform choice; iteration order is deterministic."""

    __slots__ = ("items", "pos")

    def __init__(self, items: Iterable[str] = ()) -> None:
        self.items: list[str] = []
        self.pos: dict[str, int] = {}
        for x in items:
            self.add(x)

    def add(self, x: str) -> None:
        self.pos[x] = len(self.items)
        self.items.append(x)

    def remove(self, x: str) -> None:
        i = self.pos.pop(x)
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.pos[last] = i

    def __len__(self) -> int:
        return len(self.items)


class Curriculum:
    """A bounded pool of statements with recent outcomes; `pick` one, `record` how it went."""

    VARIANT_TRIES = 4

    def __init__(self, problems: Iterable[Problem] = (), *, config: CurriculumConfig = CurriculumConfig(),
                 seed: int = 0, make_variant: MakeVariant | None = None) -> None:
        self.config = config
        self.seed = seed
        self.make_variant = make_variant
        self.rng = random.Random(seed)
        self.reasons: Counter[Reason] = Counter()
        self._entries: dict[str, _Entry] = {}
        self._keys: dict[str, str] = {}  # problem_key -> name, to refuse duplicates
        self._new: dict[str, None] = {}  # ordered: first come, first served
        self._bags: dict[Status, _Bag] = {s: _Bag() for s in Status if s is not Status.NEW}
        self._real_parked = _Bag()  # parked real statements: apart from `_bags[PARKED]` (generated ones)
        self._where: dict[str, Status] = {}
        self.extend(problems)

    # ------------------------------------------------------------ feeding

    def add(self, problem: Problem) -> bool:
        """Hold `problem` as NEW; False if its name or text is already held or the pool is full."""
        key = problem_key(problem)
        if problem.name in self._entries or key in self._keys:
            return False
        if len(self._entries) >= self.config.capacity and not self._evict():
            return False
        self._entries[problem.name] = _Entry(problem, deque(maxlen=self.config.window))
        self._keys[key] = problem.name
        self._place(problem.name)
        return True

    def extend(self, problems: Iterable[Problem]) -> int:
        """Add each; returns how many were taken."""
        return sum(self.add(p) for p in problems)

    def _evict(self) -> bool:
        """Make room: the oldest retired statement, else parked generated one, else parked real one."""
        for bag in (self._bags[Status.RETIRED], self._bags[Status.PARKED], self._real_parked):
            if bag:
                name = bag.items[0]
                bag.remove(name)
                del self._where[name]
                entry = self._entries.pop(name)
                del self._keys[problem_key(entry.problem)]
                return True
        return False

    def _bag(self, name: str, status: Status) -> _Bag:
        """Where a statement of `status` is kept (parked real statements have a bag of their own)."""
        if status is Status.PARKED and self._entries[name].real:
            return self._real_parked
        return self._bags[status]

    # ------------------------------------------------------------ picking and recording

    def pick(self) -> Pick:
        """The next statement to attempt and why; raises LookupError when the pool is empty.

        One draw sets the preference: REPLAY below `replay_share`, UNSOLVED_RETRY in the next
        `retry_share`, VARIANT in the next `variant_share`, REAL_RETRY in the next
        `real_retry_share`, otherwise NEW or the active ones (CONFIRM/FRONTIER, uniformly) by
        `new_share`. When the preferred bucket is empty the others are tried in the order: main,
        variant, replay, retry, real retry; statements already in flight come last.
        """
        c = self.config
        u = self.rng.random()
        main = ["new", "active"] if self.rng.random() < c.new_share else ["active", "new"]
        first: list[str] = []
        edge = 0.0
        for option, share in (("replay", c.replay_share), ("retry", c.retry_share), ("variant", c.variant_share),
                              ("real_retry", c.real_retry_share)):
            edge += share
            if u < edge:
                first = [option]
                break
        for option in dict.fromkeys([*first, *main, "variant", "replay", "retry", "real_retry", "busy"]):
            found = self._try(option)
            if found is not None:
                self.reasons[found.reason] += 1
                return found
        raise LookupError("the curriculum holds no statements")

    def _try(self, option: str) -> Pick | None:
        match option:
            case "new":
                name = next(iter(self._new), None)
            case "active":
                f, k = self._bags[Status.FRONTIER], self._bags[Status.CONFIRM]
                i = self.rng.randrange(len(f) + len(k)) if len(f) + len(k) else -1
                name = None if i < 0 else f.items[i] if i < len(f) else k.items[i - len(f)]
            case "replay" | "retry" | "real_retry" | "busy":
                bag = {"replay": self._bags[Status.RETIRED], "retry": self._bags[Status.PARKED],
                       "real_retry": self._real_parked, "busy": self._bags[Status.BUSY]}[option]
                name = self.rng.choice(bag.items) if bag else None
            case "variant":
                return self._variant()
        if name is None:
            return None
        entry = self._entries[name]
        status = entry.status(self.config.window, busy_counts=False)
        reason = Reason.REAL_RETRY if status is Status.PARKED and entry.real else _REASON[status]
        return self._take(name, reason)

    def _variant(self) -> Pick | None:
        if self.make_variant is None:
            return None
        bag = self._bags[Status.RETIRED] or self._bags[Status.FRONTIER]
        if not bag:
            return None
        for _ in range(self.VARIANT_TRIES):  # a variant already held is no variant: draw again
            parent = self._entries[self.rng.choice(bag.items)].problem
            variant = self.make_variant(parent, self.rng)
            if variant is not None and self.add(variant):
                return self._take(variant.name, Reason.VARIANT)
        return None

    def _take(self, name: str, reason: Reason) -> Pick:
        entry = self._entries[name]
        entry.in_flight += 1
        self._place(name)
        return Pick(entry.problem, reason)

    def record(self, name: str, outcome: Outcome | str) -> bool:
        """Note the outcome of one attempt; False if `name` is no longer held (evicted)."""
        entry = self._entries.get(name)
        if entry is None:
            return False
        outcome = Outcome(outcome)
        entry.in_flight = max(0, entry.in_flight - 1)
        entry.outcomes.append(outcome)
        entry.attempts += 1
        entry.solved += outcome.solved
        self._place(name)
        return True

    def release(self, name: str) -> None:
        """Hand back a pick whose attempt never finished (a worker died, the run stopped):
        no outcome is recorded, the statement is simply free again."""
        entry = self._entries.get(name)
        if entry is not None and entry.in_flight:
            entry.in_flight -= 1
            self._place(name)

    def _place(self, name: str) -> None:
        """Move `name` to the bucket its entry now belongs to."""
        status = self._entries[name].status(self.config.window)
        old = self._where.get(name)
        if old == status:
            return
        if old is Status.NEW:
            del self._new[name]
        elif old is not None:
            self._bag(name, old).remove(name)
        if status is Status.NEW:
            self._new[name] = None
        else:
            self._bag(name, status).add(name)
        self._where[name] = status

    # ------------------------------------------------------------ looking

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        """Every statement held, in the order they were added."""
        return list(self._entries)

    def problem(self, name: str) -> Problem:
        return self._entries[name].problem

    def status(self, name: str) -> Status:
        return self._where[name]

    def outcomes(self, name: str) -> tuple[Outcome, ...]:
        """The last `window` outcomes of `name`, oldest first."""
        return tuple(self._entries[name].outcomes)

    def counts(self) -> dict[str, int]:
        """Statements per status, for progress reports."""
        out = {s.value: len(b) for s, b in self._bags.items()}
        out[Status.PARKED.value] += len(self._real_parked)
        out[Status.NEW.value] = len(self._new)
        return out

    def real_parked(self) -> list[str]:
        """The parked real statements (kept in rotation at `real_retry_share`), oldest first."""
        return list(self._real_parked.items)

    # ------------------------------------------------------------ resume

    def state_dict(self) -> dict[str, object]:
        """Everything needed to continue, as JSON-able values. Statements in flight come back
        as not in flight (their picks are lost with the run), so resume after draining."""
        version, internal, gauss = self.rng.getstate()
        return {
            "version": 1,
            "config": asdict(self.config),
            "seed": self.seed,
            "rng": [version, list(internal), gauss],
            "reasons": {r.value: n for r, n in self.reasons.items()},
            "entries": [
                {"problem": e.problem.to_dict(), "outcomes": [o.value for o in e.outcomes],
                 "attempts": e.attempts, "solved": e.solved}
                for e in self._entries.values()
            ],
            # parked: the generated ones, then the real ones, each in its bag's order (from_state splits them)
            "order": {s.value: list(b.items) + (self._real_parked.items if s is Status.PARKED else [])
                      for s, b in self._bags.items() if s is not Status.BUSY},
        }

    @classmethod
    def from_state(cls, state: dict, *, make_variant: MakeVariant | None = None) -> Curriculum:
        if state.get("version") != 1:
            raise ValueError(f"unknown curriculum state version {state.get('version')!r}")
        cur = cls(config=CurriculumConfig(**state["config"]), seed=state["seed"], make_variant=make_variant)
        version, internal, gauss = state["rng"]
        cur.rng.setstate((version, tuple(internal), gauss))
        cur.reasons = Counter({Reason(r): n for r, n in state["reasons"].items()})
        for row in state["entries"]:
            problem = Problem.from_dict(row["problem"])
            window = cur.config.window
            entry = _Entry(problem, deque((Outcome(o) for o in row["outcomes"]), maxlen=window),
                           row["attempts"], row["solved"])
            cur._entries[problem.name] = entry
            cur._keys[problem_key(problem)] = problem.name
        saved = {name: Status(s) for s, names in state["order"].items() for name in names}
        for status, names in state["order"].items():  # bag orders as saved: picks continue identically
            for name in names:
                cur._bag(name, Status(status)).add(name)
                cur._where[name] = Status(status)
        for name in cur._entries:  # NEW in insertion order, and any that were in flight
            if name not in saved:
                cur._place(name)
        return cur

