"""What a proof is on the `repl` backend (issue 5, item 4): `judge` on messages in the forms the
Lean REPL records them, and the safety filter over whole scripts.

The message texts are copied from the REPL's recorded answers (../shared/lean-repl-transcripts:
`declaration uses \\`sorry\\``, `unsolved goals ...`, `Unknown identifier ...`) and from Lean's
`#print axioms` output (`'foo' depends on axioms: [...]`, `'foo' does not depend on any axioms`,
a long list wrapped over lines); older Lean versions wrote `declaration uses 'sorry'`.
"""

from __future__ import annotations

import pytest

pytest.importorskip("lean_interact")

from lean_interact.interface import Message, Sorry

from lean_env.repl.protocol import Declaration, declaration, strip_proof
from lean_env.repl.verify import axioms_of, judge, script_refusals


def msg(severity: str, data: str, line: int = 1, column: int = 8) -> Message:
    return Message.model_validate({
        "severity": severity, "pos": {"line": line, "column": column},
        "endPos": {"line": line, "column": column + 3}, "data": data,
    })


def axioms(text: str) -> list[Message]:
    return [msg("info", text, column=0)]


STANDARD = axioms("'foo' depends on axioms: [propext, Classical.choice, Quot.sound]")
SORRY_NEW = msg("warning", "declaration uses `sorry`")
SORRY_OLD = msg("warning", "declaration uses 'sorry'")
UNUSED = msg(
    "warning",
    "unused variable `h`\n\nNote: This linter can be disabled with `set_option linter.unusedVariables false`",
)


def test_a_clean_proof_with_the_standard_axioms_is_a_proof() -> None:
    verdict = judge([], [], STANDARD)
    assert verdict.ok and verdict.messages == () and verdict.backend == "repl"
    assert judge([UNUSED], [], STANDARD).ok  # linter warnings are no reason to refuse
    assert judge([], [], axioms("'foo' does not depend on any axioms")).ok
    assert judge([], [], axioms("'foo' depends on axioms: [propext]")).ok
    wrapped = "'Nightstream.Impl.bundleCodec_getD' depends on axioms: [propext,\n Classical.choice,\n Quot.sound]"
    assert judge([], [], axioms(wrapped)).ok
    assert judge([], [], axioms("`foo` depends on axioms: [propext, Quot.sound]")).ok


@pytest.mark.parametrize("warning", [SORRY_NEW, SORRY_OLD])
def test_sorry_is_refused_in_every_form(warning: Message) -> None:
    verdict = judge([warning], [], STANDARD)
    assert not verdict.ok and "sorry" in verdict.messages[0]
    sorry = Sorry.model_validate(
        {"proofState": 0, "pos": {"line": 2, "column": 2}, "goal": "⊢ True", "endPos": {"line": 2, "column": 7}}
    )
    assert not judge([], [sorry], STANDARD).ok
    verdict = judge([], [], axioms("'foo' depends on axioms: [propext, sorryAx]"))
    assert not verdict.ok and "sorryAx" in verdict.messages[0]


def test_errors_and_open_goals_are_refused_with_their_position() -> None:
    unsolved = msg("error", "unsolved goals\nx : Int\nh : x = 1\n⊢ x = x", line=1, column=33)
    verdict = judge([unsolved, msg("error", "Unknown identifier `g`", line=3, column=7)], [], STANDARD)
    assert not verdict.ok
    assert verdict.messages == ("1:34: unsolved goals\nx : Int\nh : x = 1\n⊢ x = x", "3:8: Unknown identifier `g`")
    kernel = msg("error", "(kernel) declaration has metavariables '_example'", column=0)
    assert judge([kernel], [], STANDARD).messages == ("1:1: (kernel) declaration has metavariables '_example'",)


@pytest.mark.parametrize("listed, bad", [
    ("[propext, Classical.choice, Quot.sound, Lean.ofReduceBool]", "Lean.ofReduceBool"),  # native_decide
    ("[propext, Lean.ofReduceBool, Lean.trustCompiler]", "Lean.ofReduceBool, Lean.trustCompiler"),
    ("[myAxiom, propext]", "myAxiom"),
    ("[Classical.choice, cheat.{u}]", "cheat.{u}"),
])
def test_axioms_beyond_the_standard_three_are_refused(listed: str, bad: str) -> None:
    verdict = judge([], [], axioms(f"'foo' depends on axioms: {listed}"))
    assert not verdict.ok and verdict.messages[0].endswith(bad)


def test_a_missing_or_doubtful_axioms_report_is_refused() -> None:
    assert not judge([], [], None).ok  # not asked
    assert not judge([], [], []).ok  # asked, no report
    assert not judge([], [], STANDARD + STANDARD).ok
    assert not judge([], [], [msg("error", "unknown constant 'foo'")]).ok
    assert not judge([], [], [msg("warning", "'foo' depends on axioms: [propext]")]).ok  # only info counts
    assert axioms_of(axioms("'foo' depends on axioms: []")) == [frozenset()]
    # with an error already, the missing report adds nothing
    assert judge([msg("error", "boom")], [], None).messages == ("1:9: boom",)


def test_every_tactic_of_a_script_passes_the_safety_filter() -> None:
    clean = ("intro x\nconstructor\n· exact h\n· induction n with\n  | zero => simp\n"
             "  | succ n ih => omega\nconstructor <;> simp")
    assert script_refusals(clean) == []
    assert script_refusals("case left => rfl\nnext => trivial\nrefine ⟨?_, ?_⟩") == []
    for bad in ("sorry", "· simp; exact sorry", "native_decide", "exact Lean.ofReduceBool", "admit",
                "simp\n#print axioms foo", "rfl\ntheorem cheat : False := sorry", "next sorry => rfl",
                "set_option maxHeartbeats 0 in simp", "decide -- ok", "| zero => exact sorry"):
        assert script_refusals(bad), bad


def test_declarations_and_commands() -> None:
    decl = declaration("theorem foo (x : Nat) (h : x = 2 := by rfl) : x = 2 := by sorry")
    assert decl == Declaration("theorem foo (x : Nat) (h : x = 2 := by rfl) : x = 2", "foo")
    assert decl.start_command().endswith(": x = 2 := by sorry")
    assert decl.proof_command("constructor\n· rfl\n\n· simp") == (
        "theorem foo (x : Nat) (h : x = 2 := by rfl) : x = 2 := by\n  constructor\n  · rfl\n\n  · simp"
    )
    assert decl.axioms_command() == "#print axioms foo"
    assert declaration("lemma bar : True").name == "bar"
    assert declaration("/-- This theorem is about example. -/\ntheorem baz : True").name == "baz"
    example = declaration("example (p : Prop) (hp : p) : p := hp")
    assert example.text == "theorem leanzero_example (p : Prop) (hp : p) : p" and example.name == "leanzero_example"
    assert strip_proof("theorem t : a := b -- := c") == "theorem t : a"
    assert strip_proof("theorem t /- := -/ : P") == "theorem t /- := -/ : P"
