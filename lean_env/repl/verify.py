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
  a header or a trick brought in.
`judge` applies the Lean-side rules to the answers' messages; it is pure, so the tests check it
on messages in the forms the REPL records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lean_interact.interface import Message, Sorry

from lean_env.contract import Verification
from lean_env.safety import script_refusals

__all__ = ["ALLOWED_AXIOMS", "BACKEND", "axioms_of", "judge", "proof_problems", "script_refusals"]

BACKEND = "repl"
ALLOWED_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
SORRY_WARNINGS = frozenset({"declaration uses 'sorry'", "declaration uses `sorry`"})
# `'foo' depends on axioms: [propext, Classical.choice,\n Quot.sound]`, quotes ' or `
_DEPENDS = re.compile(r"^\s*['`](?P<name>.+?)['`] depends on axioms: \[(?P<axioms>[^\]]*)\]\s*$", re.DOTALL)
_NO_AXIOMS = re.compile(r"^\s*['`](?P<name>.+?)['`] does not depend on any axioms\s*$", re.DOTALL)


def axioms_of(messages: Iterable[Message]) -> list[frozenset[str]]:
    """The axiom sets of the `#print axioms` answers among `messages`."""
    found = []
    for message in messages:
        if message.severity != "info":
            continue
        if m := _DEPENDS.match(message.data):
            found.append(frozenset(a.strip() for a in m.group("axioms").split(",") if a.strip()))
        elif _NO_AXIOMS.match(message.data):
            found.append(frozenset())
    return found


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
        reports = axioms_of(axioms)
        if len(reports) != 1:
            problems.append(f"expected one `#print axioms` report, got {len(reports)}")
        elif bad := reports[0] - allowed:
            problems.append(f"the proof uses axioms beyond {', '.join(sorted(allowed))}: {', '.join(sorted(bad))}")
    return Verification(not problems, tuple(problems), BACKEND)
