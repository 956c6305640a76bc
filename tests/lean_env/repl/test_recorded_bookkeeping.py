"""Goal bookkeeping on recorded REPL answers (issue 16): in the REPL's own transcripts, a tactic
that works on the main goal leaves the other goals of the state, as Lean printed them, at the end
of the new list unchanged, which is what `untouched_mismatch` checks after every step; and
claiming the wrong goal was addressed is caught on the same recorded texts."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("lean_interact")

from lean_env.repl.protocol import untouched_mismatch

from .fakes import TRANSCRIPTS, transcript, transcript_names

# tactics that address goals other than the main one, or several: not "main goal only" steps
_MULTI = ("all_goals", "any_goals", "case", "next", "·", ".", "rotate", "swap", "pick_goal", "on_goal", "focus",
          "<;>", "repeat", "iterate")


def recorded_steps() -> list[tuple[str, str, list[str], list[str]]]:
    """(transcript, tactic, goals before, goals after) of every recorded successful tactic step
    on a state whose goals the transcript shows."""
    steps = []
    for name in transcript_names():
        goals: dict[int, list[str]] = {}
        for request, text in transcript(name):
            try:
                answer = json.loads(text, strict=False)
            except json.JSONDecodeError:
                continue
            for sorry in answer.get("sorries", []) if isinstance(answer, dict) else []:
                if sorry.get("proofState") is not None:
                    goals[sorry["proofState"]] = [sorry["goal"]]
            if "tactic" in request and isinstance(answer, dict) and "goals" in answer:
                before = goals.get(request["proofState"])
                if before is not None and not answer.get("messages") and not answer.get("sorries"):
                    steps.append((name, request["tactic"], before, answer["goals"]))
                goals[answer["proofState"]] = answer["goals"]
    return steps


STEPS = recorded_steps()
pytestmark = pytest.mark.skipif(not STEPS, reason=f"no REPL transcripts with tactic steps at {TRANSCRIPTS}")


def test_main_goal_tactics_leave_the_other_goals_as_lean_printed_them() -> None:
    main_only = [s for s in STEPS if not any(s[1].lstrip().startswith(m) or m in s[1] for m in _MULTI)]
    several = [s for s in main_only if len(s[2]) > 1]
    assert several, "the transcripts hold tactic steps on states of several goals"
    for name, tactic, before, after in main_only:
        assert untouched_mismatch(before, 0, 0, after) is None, (name, tactic, before, after)


def test_claiming_another_goal_was_addressed_is_caught_on_recorded_texts() -> None:
    caught = 0
    for name, tactic, before, after in STEPS:
        if len(before) > 1 and before[0] != before[1] and not any(m in tactic for m in _MULTI):
            # had the tactic been sent to goal 1, goal 0 would be among the untouched: it is not there
            if before[0] not in after:
                assert untouched_mismatch(before, 1, 0, after) is not None, (name, tactic)
                caught += 1
    assert caught, "some recorded step closes or changes its main goal on a state of several goals"
