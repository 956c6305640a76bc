"""Training records of self-play, with their provenance.

A record is AlphaZero's (s, pi, z) for one goal of one search: the goal text, the tactics the
search considered, their visit distribution and a value target. Shaped like
`search.targets.TrainingRecord`, so `prover.net.train` takes it as it is. It also says where it
came from: which run, statement, search and model version produced it, and what kind of
search that was: one that found a verified proof, one that found a verified disproof (a proof
of the statement's negation), or one that found neither (its visit targets still teach the
policy; `kind="unproved"` marks them). Nothing else ever enters the replay buffer.

`source` is the searched statement's `Problem.source` (the negation's records carry the
statement's): `source_family` sorts it into `generator`, `file:<name>` or `variant`, so the
buffer can show how much each statement source contributed, and that only statements came in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["KINDS", "UNKNOWN_SOURCE", "Kind", "SelfPlayRecord", "is_real_source", "source_family"]

Kind = Literal["proof", "disproof", "unproved"]
KINDS: tuple[Kind, ...] = ("proof", "disproof", "unproved")


@dataclass(frozen=True, slots=True)
class SelfPlayRecord:
    goal: str
    tactics: tuple[str, ...]
    visits: tuple[float, ...]
    value: float
    kind: Kind
    run: str  # run id
    statement: str  # the Problem.name searched (the negation's name for a disproof)
    search: str  # search id, e.g. "w0-17-neg"
    model_version: int  # the network version that guided the search
    source: str = ""  # the statement's provenance (Problem.source); "" in records from before it was kept

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"record kind must be one of {KINDS}, not {self.kind!r}")
        if len(self.visits) != len(self.tactics):
            raise ValueError(f"{len(self.visits)} visit shares for {len(self.tactics)} tactics")

    def to_dict(self) -> dict[str, object]:
        return {"goal": self.goal, "tactics": list(self.tactics), "visits": list(self.visits),
                "value": self.value, "kind": self.kind, "run": self.run, "statement": self.statement,
                "search": self.search, "model_version": self.model_version, "source": self.source}

    @classmethod
    def from_dict(cls, d: dict) -> SelfPlayRecord:
        return cls(str(d["goal"]), tuple(str(t) for t in d["tactics"]), tuple(float(v) for v in d["visits"]),
                   float(d["value"]), d["kind"], str(d["run"]), str(d["statement"]), str(d["search"]),
                   int(d["model_version"]), str(d.get("source", "")))

    def with_source(self, source: str) -> SelfPlayRecord:
        """This record, labelled with the provenance of the statement searched."""
        return replace(self, source=source)


UNKNOWN_SOURCE = "unknown"  # the family of records without a source (older snapshots)


def source_family(source: str) -> str:
    """What a statement's provenance counts under: `file:<name>` stays whole (one family per
    file), every other kind is its prefix (`generator:3/easy` -> `generator`, `variant:...` ->
    `variant`); no source at all is `unknown`."""
    if not source:
        return UNKNOWN_SOURCE
    kind, colon, _ = source.partition(":")
    return source if kind == "file" and colon else kind


def is_real_source(source: str) -> bool:
    """A statement read from a file (miniF2F, say): not generated, not a variant."""
    return source.startswith("file:")
