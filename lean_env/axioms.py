"""What a Lean proof may rest on, the same on every Lean backend: the `#print axioms` allowlist
and the reader of Lean's answer to it.

Lean's kernel accepts a proof that uses any axiom of the environment, so a found proof counts
only if `#print axioms NAME` lists nothing beyond `propext`, `Classical.choice` and `Quot.sound`.
That also refuses `sorryAx`, `Lean.ofReduceBool` (`native_decide`, `bv_decide`),
`Lean.trustCompiler` and any axiom a header declares. A proof with no report, or more than one,
is refused too: what it rests on is unknown. The `repl` backend reads the answer from the REPL's
messages (`repl.verify`); the `dojo` backend from the text LeanDojo's command REPL prints, where
messages follow one another line by line without their severity (`axiom_reports`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ALLOWED_AXIOMS", "AxiomReport", "axiom_problems", "axiom_report", "axiom_reports"]

ALLOWED_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
# `'foo' depends on axioms: [propext, Classical.choice,\n Quot.sound]`, quotes ' or `; the list
# may be wrapped over lines, the name never is
_DEPENDS = r"['`](?P<name>[^\n]+?)['`] depends on axioms: \[(?P<axioms>[^\]]*)\]"
_NO_AXIOMS = r"['`](?P<free>[^\n]+?)['`] does not depend on any axioms"
_ONE = re.compile(rf"\s*(?:{_DEPENDS}|{_NO_AXIOMS})\s*")
_IN_TEXT = re.compile(rf"^(?:{_DEPENDS}|{_NO_AXIOMS})[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class AxiomReport:
    """Lean's answer to `#print axioms NAME`: the full name it resolved and the axioms."""

    name: str
    axioms: frozenset[str]


def _report(m: re.Match[str]) -> AxiomReport:
    if m["free"] is not None:
        return AxiomReport(m["free"], frozenset())
    return AxiomReport(m["name"], frozenset(a.strip() for a in m["axioms"].split(",") if a.strip()))


def axiom_report(message: str) -> AxiomReport | None:
    """The report that one message's whole text is, or None."""
    m = _ONE.fullmatch(message)
    return None if m is None else _report(m)


def axiom_reports(text: str) -> list[AxiomReport]:
    """The reports in printed text where messages follow one another, each starting a line."""
    return [_report(m) for m in _IN_TEXT.finditer(text)]


def axiom_problems(
    reports: Sequence[AxiomReport], *, name: str | None = None, allowed: frozenset[str] = ALLOWED_AXIOMS
) -> list[str]:
    """What keeps `reports` (the answers found to one `#print axioms`) from clearing a proof:
    not exactly one report, one about another theorem than `name` (when given), or axioms
    beyond `allowed`. Empty when the proof rests on allowed axioms only."""
    if len(reports) != 1:
        return [f"expected one `#print axioms` report, got {len(reports)}"]
    report = reports[0]
    if name is not None and report.name != name:
        return [f"the `#print axioms` report is about '{report.name}', not '{name}'"]
    if bad := report.axioms - allowed:
        return [f"the proof uses axioms beyond {', '.join(sorted(allowed))}: {', '.join(sorted(bad))}"]
    return []
