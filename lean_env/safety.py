"""The tactic safety filter shared by every backend.

A search proposes tactic strings; a proof counts only if Lean checked it with nothing
trusted beyond the kernel and the three standard axioms. So before any backend sees a
tactic, this filter refuses text that could assume a goal (`sorry`, `admit`), trust the
compiler (`native_decide`, `ofReduceBool`, `implemented_by`, `extern`), add axioms or
declarations, run arbitrary code (`run_tac`, `#eval`, IO, `unsafe`, meta-level `Lean.*`),
change options (`set_option`, also in `... in` form), or smuggle in more than one tactic
(commands, attributes, `in`, top-level `;`, newlines, focusing dots, comments that could
swallow the rest of a file). The full policy is in docs/safety.md.

Verification applies the same filter to every tactic of a proof script (`script_refusals`,
on the pieces `lean_env.text.scripts` cuts a script into), on every backend, so a refused tactic
never reaches a proof report or a training record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lean_env.text.lexical import LeanTextError, split_top
from lean_env.text.scripts import script_pieces

# Identifiers that are refused wherever they occur (as whole identifiers or name prefixes).
REFUSED_IDENTS = frozenset({
    "sorry", "admit", "sorryAx", "native_decide", "ofReduceBool", "ofReduceNat", "trustCompiler",
    "run_tac", "run_elab", "run_meta", "set_option", "unsafe", "implemented_by", "extern", "axiom",
    "unsafeCast", "unsafeIO", "panic", "dbg_trace", "dbgTrace", "IO", "EIO", "BaseIO", "System",
    "decide!", "by_elab", "native", "Lean",
})
# Command keywords: a tactic is never a command.
COMMAND_KEYWORDS = frozenset({
    "theorem", "lemma", "def", "example", "instance", "structure", "class", "inductive", "abbrev",
    "opaque", "noncomputable", "partial", "private", "protected", "mutual", "namespace", "section",
    "end", "variable", "universe", "import", "open", "export", "attribute", "macro", "macro_rules",
    "syntax", "elab", "elab_rules", "notation", "infix", "infixl", "infixr", "prefix", "postfix",
    "initialize", "builtin_initialize", "deriving", "local", "scoped", "declare_syntax_cat", "in",
})
_IDENT = re.compile(
    r"[A-Za-z_\u00c0-\u024f\u0370-\u03ff\u1f00-\u1fff]"
    r"[\w'!?\u2080-\u2089\u00c0-\u024f\u0370-\u03ff✝.]*"
)


def refusal(tactic: str) -> str | None:
    """Why `tactic` is refused, or None when it may run."""
    text = tactic.strip()
    if not text:
        return "empty tactic"
    if "\n" in text or "\r" in text:
        return "refused: more than one tactic (line break); send tactics one at a time"
    if "--" in text or "/-" in text:
        return "refused: comments are not allowed in tactics"
    if '"' in text:
        return "refused: string literals are not allowed in tactics"
    if text.startswith(("·", ".")) or text.startswith("case ") or text.startswith("next"):
        return "refused: focusing blocks are not single tactics"
    for bad in ("#", "@[", "%["):
        if bad in text:
            return f"refused: '{bad}' (commands and attributes are not tactics)"
    try:
        if len(split_top(text)) > 1:
            return "refused: more than one tactic (';'); send tactics one at a time"
    except LeanTextError:
        return "refused: unbalanced brackets (a tactic could reach past its goal)"
    for m in _IDENT.finditer(text):
        word = m.group(0)
        parts = word.split(".")
        if word in COMMAND_KEYWORDS:
            return f"refused: '{word}' is a command keyword, not part of a single tactic"
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in REFUSED_IDENTS:
                return f"refused by the safety filter: '{prefix}'"
        if parts[-1] in REFUSED_IDENTS:
            return f"refused by the safety filter: '{parts[-1]}'"
    return None


def is_safe(tactic: str) -> bool:
    return refusal(tactic) is None


def script_refusals(proof: str) -> list[str]:
    """The filter on every tactic of a script (and every tag of its `case`/`| alt` heads), as
    `lean_env.text.scripts` cuts it: each refusal with the line it came from. The tactics of a
    nested `by t₁; t₂` are judged one by one."""
    refused = []
    for piece, line in script_pieces(proof):
        try:
            parts = split_top(piece)
        except LeanTextError:
            parts = [piece]
        why = next((w for part in parts if part.strip() and (w := refusal(part)) is not None), None)
        if why is not None:
            refused.append(f"{why} (in: {line})")
    return refused


def request_error(tactic: str, goals: int | None, goal: int, with_goals: Sequence[int]) -> str | None:
    """Why an `apply` request is refused before any backend runs it, or None: the safety
    filter, an unknown state (`goals` is None: the number of goals of the addressed state),
    a goal number out of range, or `with_goals` that are not distinct other goals."""
    why = refusal(tactic)
    if why is not None:
        return why
    if goals is None:
        return "Unknown proof state"
    if not 0 <= goal < goals:
        return f"no goal number {goal}: the state has {goals} goal(s)"
    if any(not 0 <= j < goals or j == goal for j in with_goals) or len(set(with_goals)) != len(with_goals):
        return f"with_goals {tuple(with_goals)} is not a set of other goals of the state"
    return None
