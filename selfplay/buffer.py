"""The replay buffer: the most recent self-play records, sampled for the learner.

A FIFO ring bounded by `capacity` (the oldest records leave first: the memory bound). Sampling is
uniform with replacement from a seeded RNG; with `solved_share` set, every batch holds at least
that share of proof/disproof records when the buffer has any, so the few solved searches are not
drowned by the many unproved ones (when solved records are already that common, batches stay
uniform). Records are addressed by their position oldest-first, so `snapshot` then `load` gives
a buffer whose next samples equal the original's: resume continues exactly. Besides the counts
per kind it keeps counts per statement source family (`source_counts`): every record came
from a search of a statement, and this says which source the statement came from.

Snapshots are JSONL.gz: a header line (format, version, capacity, counters, RNG state), then one
record per line, oldest first; written atomically (temp file in the same directory, fsync, rename).
"""

from __future__ import annotations

import gzip
import json
import math
import random
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from selfplay.records import KINDS, SelfPlayRecord, source_family
from selfplay.store import atomic_path

__all__ = ["FORMAT", "SOLVED_KINDS", "VERSION", "ReplayBuffer", "ReplayBufferError"]

FORMAT = "leanzero-buffer"
VERSION = 1
SOLVED_KINDS = frozenset({"proof", "disproof"})


class ReplayBufferError(ValueError):
    """A snapshot that cannot be loaded (corrupt, truncated or not a buffer); names the path."""


class _Ring:
    """A list used as a FIFO: append at the end, drop from the front, index from the oldest."""

    __slots__ = ("head", "items")

    def __init__(self) -> None:
        self.items: list = []
        self.head = 0

    def append(self, x) -> None:
        self.items.append(x)

    def popleft(self):
        x = self.items[self.head]
        self.items[self.head] = None
        self.head += 1
        if self.head > 1024 and self.head * 2 > len(self.items):  # compact: amortised O(1)
            del self.items[: self.head]
            self.head = 0
        return x

    def __getitem__(self, i: int):
        return self.items[self.head + i]

    def __len__(self) -> int:
        return len(self.items) - self.head

    def __iter__(self) -> Iterator:
        return (self.items[i] for i in range(self.head, len(self.items)))


class ReplayBuffer:
    """A bounded FIFO of `SelfPlayRecord`s with seeded sampling; see the module docstring."""

    def __init__(self, capacity: int, *, seed: int = 0, solved_share: float | None = None) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        if solved_share is not None and not 0.0 <= solved_share <= 1.0:
            raise ValueError(f"solved_share must lie in [0, 1], got {solved_share}")
        self.capacity = capacity
        self.seed = seed
        self.solved_share = solved_share
        self.rng = random.Random(seed)
        self._records = _Ring()  # oldest first
        self._solved = _Ring()  # sequence numbers of the solved records, oldest first
        self._counts: Counter[str] = Counter()
        self._sources: Counter[str] = Counter()  # records held per source family
        self._added = 0

    # ------------------------------------------------------------ filling

    def add(self, records: Iterable[SelfPlayRecord]) -> int:
        """Append `records` (evicting the oldest beyond capacity); returns how many were added."""
        n = 0
        for record in records:
            if record.kind not in KINDS:
                raise ValueError(f"unknown record kind {record.kind!r} (expected one of {KINDS})")
            if len(self._records) >= self.capacity:
                self._evict()
            if record.kind in SOLVED_KINDS:
                self._solved.append(self._added)
            self._records.append(record)
            self._counts[record.kind] += 1
            self._sources[source_family(record.source)] += 1
            self._added += 1
            n += 1
        return n

    def _evict(self) -> None:
        seq = self._added - len(self._records)  # sequence number of the oldest record
        old = self._records.popleft()
        self._counts[old.kind] -= 1
        family = source_family(old.source)
        self._sources[family] -= 1
        if not self._sources[family]:
            del self._sources[family]
        if self._solved and self._solved[0] == seq:
            self._solved.popleft()

    # ------------------------------------------------------------ sampling

    def sample(self, n: int) -> list[SelfPlayRecord]:
        """`n` records drawn uniformly with replacement, topped up to `solved_share` solved ones."""
        if n < 0:
            raise ValueError(f"cannot sample {n} records")
        size = len(self._records)
        if n == 0:
            return []
        if size == 0:
            raise LookupError("cannot sample from an empty replay buffer")
        rng = self.rng
        picks = [rng.randrange(size) for _ in range(n)]
        solved = len(self._solved)
        if self.solved_share and solved:
            want = math.ceil(self.solved_share * n - 1e-9)
            unsolved_at = [i for i, p in enumerate(picks) if self._records[p].kind not in SOLVED_KINDS]
            missing = want - (n - len(unsolved_at))
            if missing > 0:
                first = self._added - size  # sequence number of the oldest record
                # unsolved picks sit at random positions, so replacing the last ones is unbiased
                for i in unsolved_at[len(unsolved_at) - missing:]:
                    picks[i] = self._solved[rng.randrange(solved)] - first
        return [self._records[p] for p in picks]

    # ------------------------------------------------------------ looking

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[SelfPlayRecord]:
        """The records held, oldest first."""
        return iter(self._records)

    def counts(self) -> dict[str, int]:
        """Records held per kind (every kind listed, zero included)."""
        return {k: self._counts[k] for k in KINDS}

    def source_counts(self) -> dict[str, int]:
        """Records held per statement source family (`records.source_family`: `generator`,
        `file:<name>`, `variant`, ...), the largest first; families with none are left out."""
        return dict(sorted(self._sources.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def added_total(self) -> int:
        """Records ever added, evicted ones included."""
        return self._added

    # ------------------------------------------------------------ snapshots

    def snapshot(self, path: str | Path) -> Path:
        """Write the buffer (records, counters, RNG state) atomically to `path` as JSONL.gz."""
        path = Path(path)
        version, internal, gauss = self.rng.getstate()
        header = {"format": FORMAT, "version": VERSION, "capacity": self.capacity, "added_total": self._added,
                  "size": len(self._records), "seed": self.seed, "solved_share": self.solved_share,
                  "rng": [version, list(internal), gauss]}
        with atomic_path(path) as tmp, gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as out:
            out.write(json.dumps(header) + "\n")
            for record in self._records:
                out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> ReplayBuffer:
        """The buffer saved by `snapshot` at `path`: same records, counters and RNG state.

        Raises FileNotFoundError when there is no file, ReplayBufferError when it is not a
        complete buffer snapshot.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no replay buffer snapshot there")
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return cls._read(path, f)
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:  # not gzip, or cut short
            raise ReplayBufferError(f"{path}: not a readable replay buffer snapshot ({e})") from e

    @classmethod
    def _read(cls, path: Path, lines: Iterable[str]) -> ReplayBuffer:
        it = iter(lines)
        first = next(it, "")
        try:
            header = json.loads(first)
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ReplayBufferError(f"{path}: not a replay buffer snapshot (no {FORMAT!r} header line)")
        if header.get("version") != VERSION:
            raise ReplayBufferError(f"{path}: buffer snapshot version {header.get('version')!r}, expected {VERSION}")
        try:
            buf = cls(int(header["capacity"]), seed=int(header.get("seed", 0)), solved_share=header.get("solved_share"))
            version, internal, gauss = header["rng"]
            buf.rng.setstate((version, tuple(internal), gauss))
            size, added = int(header["size"]), int(header["added_total"])
        except (KeyError, TypeError, ValueError) as e:
            raise ReplayBufferError(f"{path}: bad buffer snapshot header ({e!r})") from e
        if not 0 <= size <= min(buf.capacity, added):
            raise ReplayBufferError(f"{path}: inconsistent header: size {size}, capacity {buf.capacity}, "
                                    f"added_total {added}")
        records = []
        for lineno, line in enumerate(it, start=2):
            try:
                records.append(SelfPlayRecord.from_dict(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                raise ReplayBufferError(f"{path}:{lineno}: bad record line ({e!r})") from e
        if len(records) != size:
            raise ReplayBufferError(f"{path}: header promises {size} records, the file holds {len(records)}")
        buf._added = added - size  # so the sequence numbers of the loaded records match the original's
        try:
            buf.add(records)  # draws nothing from the RNG
        except ValueError as e:
            raise ReplayBufferError(f"{path}: {e}") from e
        return buf
