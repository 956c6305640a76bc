"""The `#print axioms` rules every Lean backend shares (`lean_env.axioms`): Lean's answer read
from one message (the REPL's) and from printed text (LeanDojo's command REPL prints the texts
of the messages that are not errors, each line stripped, one message after another).

The answer forms are Lean's: `'foo' depends on axioms: [...]` (a long list wrapped over
lines), `'foo' does not depend on any axioms`, and newer versions' backquotes.
"""

from __future__ import annotations

import pytest

from lean_env.axioms import ALLOWED_AXIOMS, AxiomReport, axiom_problems, axiom_report, axiom_reports

STANDARD = "'foo' depends on axioms: [propext, Classical.choice, Quot.sound]"


def test_one_message() -> None:
    assert axiom_report(STANDARD) == AxiomReport("foo", ALLOWED_AXIOMS)
    assert axiom_report("`foo'` does not depend on any axioms") == AxiomReport("foo'", frozenset())
    wrapped = "'A.b_c' depends on axioms: [propext,\n Classical.choice,\n Lean.ofReduceBool]"
    assert axiom_report(wrapped) == AxiomReport("A.b_c", ALLOWED_AXIOMS - {"Quot.sound"} | {"Lean.ofReduceBool"})
    assert axiom_report("unused variable `h`") is None
    assert axiom_report(f"note: {STANDARD}") is None  # the whole message is the report, or it is none


def test_printed_text() -> None:
    printed = "\n".join([
        "unused variable `h`",
        "",
        "Note: This linter can be disabled with `set_option linter.unusedVariables false`",
        "'Ex.twin' depends on axioms: [propext,",  # LeanDojo strips each line of a wrapped list
        "Classical.choice,",
        "Quot.sound]",
    ])
    assert axiom_reports(printed) == [AxiomReport("Ex.twin", ALLOWED_AXIOMS)]
    assert axiom_reports("'t' does not depend on any axioms") == [AxiomReport("t", frozenset())]
    # a report starts a line: text quoting one inside another message is no report
    assert axiom_reports(f"trace: we hoped {STANDARD}\nfoo") == []
    assert axiom_reports("") == []


@pytest.mark.parametrize("reports, name, problem", [
    ([AxiomReport("foo", ALLOWED_AXIOMS)], "foo", None),
    ([AxiomReport("foo", frozenset())], None, None),
    ([], "foo", "expected one `#print axioms` report, got 0"),
    ([AxiomReport("foo", frozenset())] * 2, "foo", "expected one `#print axioms` report, got 2"),  # one forged
    ([AxiomReport("bar", frozenset())], "foo", "the `#print axioms` report is about 'bar', not 'foo'"),
    ([AxiomReport("foo", frozenset({"propext", "sorryAx"}))], "foo",
     "the proof uses axioms beyond Classical.choice, Quot.sound, propext: sorryAx"),
    ([AxiomReport("foo", frozenset({"Lean.ofReduceBool", "Lean.trustCompiler"}))], None,
     "the proof uses axioms beyond Classical.choice, Quot.sound, propext: Lean.ofReduceBool, Lean.trustCompiler"),
])
def test_what_clears_a_proof(reports: list[AxiomReport], name: str | None, problem: str | None) -> None:
    assert axiom_problems(reports, name=name) == ([] if problem is None else [problem])
