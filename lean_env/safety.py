"""The tactic safety filter shared by every backend.

A search proposes tactic strings; a proof counts only if Lean checked it with nothing
trusted beyond the kernel and the three standard axioms. So before any backend sees a
tactic, this filter refuses text that could assume a goal (`sorry`, `admit`, `stop`, tactics
that admit what they cannot prove), trust the compiler (`native_decide`, `bv_decide`,
`ofReduceBool`, `implemented_by`), add axioms or declarations, run arbitrary code (`run_tac`,
`#eval`, IO, `unsafe`, meta-level `Lean.*`), change options (`set_option`), only suggest
(`rw?`, `says`), or smuggle in more than one tactic (commands, attributes, a command's `in`,
top-level `;`, newlines, focusing dots, comments, literals). The full policy, with the reason
for each item, is in docs/safety.md.

Names are read with the toolkit's lexer (`lean_env.text.lexical.identifiers`), which ends a
name where Lean does, so a refused name cannot hide in a longer run of letters (`hᵒᵈsorry`) or
behind `@`, `_root_.` or a namespace. Verification applies the same filter to every tactic of a
proof script (`script_refusals`, on the pieces `lean_env.text.scripts` cuts a script into, after
its layout check `block_exits`), on every backend, so a refused tactic never reaches a proof
report or a training record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lean_env.text.lexical import LeanTextError, binder_ins, char_quote, ident_char, identifiers, split_top
from lean_env.text.scripts import block_exits, script_pieces, split_tactics

# Names refused wherever they occur: as the whole name or as any of its dotted parts (`Lean.Elab.x`
# by `Lean`, `h.sorry` by `sorry`, `_root_.sorryAx` by `sorryAx`); docs/safety.md says why for each.
REFUSED_NAMES = frozenset({
    "sorry", "admit", "sorryAx",  # assume the goal
    "native_decide", "native", "decide!", "ofReduceBool", "ofReduceNat", "reduceBool", "reduceNat",
    "trustCompiler", "implemented_by", "extern",  # trust the compiler
    "unsafe", "IO", "EIO", "BaseIO", "System", "panic", "panic!", "unreachable!",  # unchecked code, effects
    "Lean", "run_tac", "run_elab", "run_meta", "run_cmd", "by_elab",  # meta-programs
    "set_option", "axiom",  # options, axioms
    "leanzero_budget",  # the repl backend's heartbeat wrapper (lean_env.repl.protocol): only it writes one
})
REFUSED_NAME_PREFIXES = ("unsafe", "dbg")  # unsafeCast, unsafeIO, unsafeBaseIO; dbg_trace, dbgTraceIfShared
# Tactics refused as whole names: they admit what they cannot prove, rely on `ofReduceBool`, reach
# the network, or only suggest (their effect is not what the script says).
REFUSED_TACTICS = frozenset({
    "stop", "apply?", "hint", "plausible", "slim_check",  # admit the goal
    "bv_decide", "bv_decide?", "bv_check",  # Lean.ofReduceBool
    "polyrith",  # asks a Sage server over the network
    "rw?", "rw??", "try?", "says", "unfold?", "conv?", "congrm?",  # search or suggestion tools
})
# Command keywords, refused as whole names: a tactic is never a command, and a command word after
# a tactic ends the proof and starts top-level Lean. `in` is allowed only in a big operator's binder.
COMMAND_KEYWORDS = frozenset({
    # declarations, their modifiers and suffixes
    "theorem", "lemma", "def", "example", "instance", "structure", "class", "inductive", "coinductive",
    "abbrev", "opaque", "noncomputable", "partial", "nonrec", "private", "protected", "public", "meta",
    "mutual", "deriving", "where", "termination_by", "decreasing_by", "partial_fixpoint", "alias",
    "irreducible_def", "proof_wanted", "add_decl_doc",
    # scopes
    "namespace", "section", "end", "variable", "universe", "import", "prelude", "module", "open", "export",
    "include", "omit", "in", "local", "scoped", "with_weak_namespace", "end_local_scope", "attribute",
    # syntax and meta-programs
    "macro", "macro_rules", "syntax", "elab", "elab_rules", "notation", "notation3", "infix", "infixl",
    "infixr", "prefix", "postfix", "binder_predicate", "initialize", "unif_hint", "simproc", "dsimproc",
    "simproc_decl", "dsimproc_decl", "grind_pattern", "init_grind_norm", "init_quot", "seal", "unseal",
    "gen_injective_theorems", "docs_to_verso", "tactic_extension", "recommended_spelling",
    "show_panel_widgets", "library_note", "extend_docs", "recall", "suppress_compilation",
    "unsuppress_compilation", "mk_iff_of_inductive_prop", "lrat_proof", "count_heartbeats", "whatsnew",
    "sudo", "variables", "variable?", "norm_cast_add_elim", "test_extern", "termination_by?",
})
# Families of commands (`register_simp_attr`, `declare_syntax_cat`, `builtin_initialize`,
# `compile_inductive`, `assert_not_exists`, `initialize_simps_projections`, `add_aesop_rules`).
COMMAND_PREFIXES = ("register_", "declare_", "builtin_", "compile_", "assert_not_", "initialize_",
                    "add_aesop", "erase_aesop")
# Text refused wherever it stands in code: commands, attributes, quotations and name literals
# (meta-programs), guillemets (names spelled past the filter). `exact?%` (sorry when it fails)
# falls with every `name%` elaborator in `refusal`.
REFUSED_TEXT = ("#", "@[", "%[", "`", "«")
FOCUSING = frozenset({"case", "case'", "next"})
# A whole configuration term (`decide (config := ⟨false, true, …⟩)` is `decide +native` without the
# word): Lean evaluates one that does not reduce to a structure by compiling and running it.
_CONFIG = re.compile(r"(?<![\w'.])config\s*:=")


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
    if any(char_quote(text, i) for i, c in enumerate(text) if c == "'"):
        return "refused: char literals are not allowed in tactics"
    if any(c == "%" and i and ident_char(text[i - 1]) for i, c in enumerate(text)):
        return "refused: `name%` is a term elaborator (`eval%` runs code); write `a % b` with spaces"
    if _CONFIG.search(text):
        return "refused: `(config := …)` terms are evaluated by running code; use `+option` / `-option`"
    for bad in REFUSED_TEXT:
        if bad in text:
            return f"refused: '{bad}' (commands, attributes, quotations and quoted names are not tactics)"
    if text.startswith(("·", ".")):
        return "refused: focusing blocks are not single tactics"
    try:
        binder = binder_ins(text)  # raises on unbalanced text
        if len(split_tactics(text)) > 1:  # a nested `by` takes the rest of its line, as in Lean
            return "refused: more than one tactic (';'); send tactics one at a time"
    except LeanTextError:
        return "refused: unbalanced brackets (a tactic could reach past its goal)"
    for k, ident in enumerate(identifiers(text)):
        if k == 0 and ident.name in FOCUSING:
            return "refused: focusing blocks are not single tactics"
        if ident.name == "in" and ident.start in binder:
            continue
        why = name_refusal(ident.parts)
        if why is not None:
            return why
    return None


def name_refusal(parts: tuple[str, ...]) -> str | None:
    """Why the name with these dotted parts is refused, or None. `_root_` parts are dropped first:
    `_root_.Lean.x` is `Lean.x`, `_root_.theorem` is `theorem`."""
    parts = tuple(p for p in parts if p != "_root_")
    if not parts:
        return None
    name = ".".join(parts)
    if name in COMMAND_KEYWORDS or name.startswith(COMMAND_PREFIXES):
        return f"refused: '{name}' is a command keyword, not part of a single tactic"
    if name in REFUSED_TACTICS:
        return f"refused by the safety filter: '{name}' (see docs/safety.md)"
    for part in parts:
        if part in REFUSED_NAMES or part.startswith(REFUSED_NAME_PREFIXES):
            return f"refused by the safety filter: '{part}'"
    return None


def is_safe(tactic: str) -> bool:
    return refusal(tactic) is None


def script_refusals(proof: str) -> list[str]:
    """The filter on a whole proof script: every line that would leave the `by` block the script
    is the body of (`lean_env.text.scripts.block_exits`), then every tactic of the script (and
    every tag of its `case`/`| alt` heads), as `lean_env.text.scripts` cuts it; each refusal with
    the line it came from. The tactics of a nested `by t₁; t₂` are judged one by one."""
    refused = [f"refused: {why} (line {number})" for number, why in block_exits(proof)]
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
