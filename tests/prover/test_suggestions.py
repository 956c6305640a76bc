"""Tactics out of Lean's "Try this" messages, in the layouts Lean and Mathlib print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prover.suggestions import parse_suggestions, suggestions_in

TRANSCRIPTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "lean-repl-transcripts"


def test_inline_layout() -> None:
    assert parse_suggestions("Try this: exact Nat.le_of_lt h") == ["exact Nat.le_of_lt h"]
    assert parse_suggestions("Try this: simp only [foo, bar] at h") == ["simp only [foo, bar] at h"]
    assert parse_suggestions("Try this: exact\n  foo\n    (bar baz)") == ["exact foo (bar baz)"]


def test_rw_comment_lines_are_dropped() -> None:
    assert parse_suggestions('Try this: rw [List.map_append]\n-- "no goals"') == ["rw [List.map_append]"]
    assert parse_suggestions("Try this: rw [Nat.add_comm]\n-- n + m = m + n") == ["rw [Nat.add_comm]"]
    assert parse_suggestions("Try this:\n  [apply] rw [myRwLemma2]\n  -- no goals") == ["rw [myRwLemma2]"]


def test_tagged_block_layout() -> None:
    assert parse_suggestions("Try this:\n  [apply] exact Nat.one_pos") == ["exact Nat.one_pos"]
    assert parse_suggestions("Try these:\n  [apply] exact myTrue3\n  [apply] exact MyTrue.intro\n"
                             "  [apply] exact myTrue1") == ["exact myTrue3", "exact MyTrue.intro", "exact myTrue1"]
    wrapped = "Try this:\n  [apply] exact\n    List.unfoldGo\n      (fun d x => x)\n      y"
    assert parse_suggestions(wrapped) == ["exact List.unfoldGo (fun d x => x) y"]
    assert parse_suggestions("Try this:\n  exact h.le") == ["exact h.le"]


def test_several_messages_and_other_text() -> None:
    joined = ("info: Try this: refine r.symm ?_\n---\ninfo: Try this: refine r.trans ?_ ?_\n---\n"
              "warning: declaration uses 'sorry'")
    assert parse_suggestions(joined) == ["refine r.symm ?_", "refine r.trans ?_ ?_"]
    partial = ("Try this: refine r.symm ?_\n---\ninfo: found a partial proof, but the corresponding tactic "
               "failed:\n  (expose_names; refine r.trans ?_ ?_)")
    assert parse_suggestions(partial) == ["refine r.symm ?_"]
    two = "Try this:\n  [apply] rw [Nat.add_eq_left]\n  -- no goals\nTry this:\n  [apply] exact Nat.add_comm a b"
    assert parse_suggestions(two) == ["rw [Nat.add_eq_left]", "exact Nat.add_comm a b"]
    assert suggestions_in(["Try this: exact h", "Try this: exact h", "Try this: apply foo"]) == ["exact h", "apply foo"]


def test_no_suggestion() -> None:
    assert parse_suggestions("") == []
    assert parse_suggestions("`exact?` could not close the goal. Try `apply?` to see partial suggestions.") == []
    assert parse_suggestions("Try this:") == []


def _messages(path: Path) -> list[str]:
    """The `data` of every message in a REPL transcript (JSON objects one after another)."""
    decoder, text, i, out = json.JSONDecoder(), path.read_text(), 0, []
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        obj, i = decoder.raw_decode(text, i)
        out += [m["data"] for m in obj.get("messages", []) if isinstance(m, dict) and "data" in m]
    return out


def test_real_repl_transcripts() -> None:
    if not TRANSCRIPTS.exists():
        pytest.skip("../shared/lean-repl-transcripts absent")
    found: list[str] = []
    for path in sorted(TRANSCRIPTS.rglob("*.expected.out")):
        for message in _messages(path):
            tactics = parse_suggestions(message)
            if "Try this" in message:
                assert tactics, message
            found += tactics
    assert "exact Nat.one_pos" in found
    assert "exact Nat.zero_eq_one_mod_iff.mp rfl" in found
    assert all("\n" not in t and not t.startswith("[") for t in found)
