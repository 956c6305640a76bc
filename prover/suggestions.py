"""Tactics out of Lean's "Try this" messages, from `exact?`, `apply?`, `rw?` (and `simp?` alike).

On the Lean backend the suggestion tactics are expensive candidates whose real value is the
tactic they print. Lean and Mathlib have printed these messages in two layouts:

    Try this: exact Nat.le_of_lt h            (older: the tactic on the same line; a long term
    Try this: rw [Nat.add_comm]                wraps onto indented lines; `rw?` adds the goal it
    -- n + m = m + n                           leaves as a `--` comment line)

    Try this:                                 (newer: one indented line per suggestion, tagged
      [apply] exact Nat.one_pos                with the code action `[apply]`; deeper-indented
    Try these:                                 lines continue a wrapped term; `rw?` adds
      [apply] exact myTrue3                    `  -- no goals` or the goal left)
      [apply] exact MyTrue.intro

A message may hold several of them (`apply?` reports each partial proof, older `rw?` one
message per rewrite, REPL/`#guard_msgs` text joins messages with `---` and `info:`), and other
text ("found a partial proof, but the corresponding tactic failed: ...") that is no suggestion.
Each suggestion becomes one single-line tactic string (a wrapped term's lines joined by
spaces), in the order printed, without repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MARK = re.compile(r"Try th(?:is|ese):")
_TAG = re.compile(r"\[[A-Za-z]+\]\s*")


def parse_suggestions(message: str) -> list[str]:
    """The tactics suggested in one message text (possibly several, possibly none)."""
    marks = list(_MARK.finditer(message))
    out: list[str] = []
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(message)
        out += _block(message[m.end() : end])
    return list(dict.fromkeys(t for t in out if t))


def suggestions_in(messages: Iterable[str]) -> list[str]:
    """The suggested tactics of several messages, in order, without repeats."""
    return list(dict.fromkeys(t for message in messages for t in parse_suggestions(message)))


def _block(text: str) -> list[str]:
    """The suggestions after one `Try this:` mark, up to the next mark."""
    first, *rest = text.split("\n")
    items: list[list[str]] = []
    open_item: list[str] | None = None  # the suggestion that indented lines still continue
    base = 0  # lines indented deeper than this continue `open_item`
    if first.strip():
        open_item = [_untag(first.strip())]
        items.append(open_item)
    for line in rest:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped or indent == 0:
            if items:
                break  # a blank line, `---`, `info: ...`: the suggestion text is over
            continue
        if stripped.startswith("--"):
            open_item = None  # `rw?`'s comment on the goal it leaves
        elif open_item is not None and indent > base and not _TAG.match(stripped):
            open_item.append(stripped)
        elif not first.strip():  # block layout: a line at the block's indent starts a suggestion
            open_item = [_untag(stripped)]
            items.append(open_item)
            base = indent
        else:
            break
    return [" ".join(" ".join(item).split()) for item in items]


def _untag(line: str) -> str:
    m = _TAG.match(line)
    return line[m.end() :] if m else line
