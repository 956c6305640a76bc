"""What counts as a proof on the `repl` backend, for every report and every training record.

A proof is the complete theorem with its tactic script, sent as a fresh command in the header's
environment, such that:
- every tactic of the script passes the safety filter (`lean_env.safety.script_refusals`, the
  one every backend uses, before Lean sees it);
- Lean reports no error (this includes `unsolved goals`, i.e. no open goals);
- there is no `sorry`: none in the answer's sorries, no "declaration uses 'sorry'" warning
  (Lean writes `'sorry'` in older and `` `sorry` `` in newer versions);
- `#print axioms NAME` lists only `propext`, `Classical.choice` and `Quot.sound`: this also
  catches `sorryAx`, `Lean.ofReduceBool` (`native_decide`), `Lean.trustCompiler` and any axiom
  a header or a trick brought in (the allowlist and the reader of the answer are
  `lean_env.axioms`, shared with the `dojo` backend).
`judge` applies the Lean-side rules to the answers' messages; it is pure, so the tests check it
on messages in the forms the REPL records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lean_interact.interface import Message, Sorry

from lean_env.axioms import ALLOWED_AXIOMS, axiom_problems, axiom_report
from lean_env.contract import Verification
from lean_env.safety import script_refusals

__all__ = ["ALLOWED_AXIOMS", "BACKEND", "axioms_of", "judge", "proof_problems", "script_refusals"]

BACKEND = "repl"
SORRY_WARNINGS = frozenset({"declaration uses 'sorry'", "declaration uses `sorry`"})


def axioms_of(messages: Iterable[Message]) -> list[frozenset[str]]:
    """The axiom sets of the `#print axioms` answers among `messages` (info messages only)."""
    return [r.axioms for m in messages if m.severity == "info" and (r := axiom_report(m.data)) is not None]


def proof_problems(messages: Sequence[Message], sorries: Sequence[Sorry]) -> list[str]:
    """What is wrong with a proof command's answer before its axioms are asked: errors, sorry."""
    problems = [
        f"{m.start_pos.line}:{m.start_pos.column + 1}: {m.data}" for m in messages if m.severity == "error"
    ]
    if sorries or any(m.severity == "warning" and m.data.strip() in SORRY_WARNINGS for m in messages):
        problems.append("the proof uses `sorry`")
    return problems


def judge(
    messages: Sequence[Message], sorries: Sequence[Sorry], axioms: Sequence[Message] | None,
    *, allowed: frozenset[str] = ALLOWED_AXIOMS,
) -> Verification:
    """The verdict on a proof command's answer (`messages`, `sorries`) and its `#print axioms`
    answer (`axioms`; None when it was not asked, which fails a proof that is otherwise fine)."""
    problems = proof_problems(messages, sorries)
    if axioms is None:
        if not problems:
            problems.append("no `#print axioms` report: the axioms the proof uses are unknown")
    else:
        problems += [f"#print axioms: {m.data}" for m in axioms if m.severity == "error"]
        reports = [r for m in axioms if m.severity == "info" and (r := axiom_report(m.data)) is not None]
        problems += axiom_problems(reports, allowed=allowed)
    return Verification(not problems, tuple(problems), BACKEND)
