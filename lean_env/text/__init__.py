"""The one Lean-text toolkit: every package reads Lean text through it.

- `lexical`: comments (nested, as Lean's), string and char literals, numerals, identifiers (Lean's
  character classes), brackets, top-level scans, a big operator's binder `in`;
- `statement`: `theorem NAME BINDERS : PROP [:= proof]` cut into parts, proofs stripped,
  statements negated and keyed;
- `files`: theorems read out of `.lean` files with their headers;
- `goals`: goals as Lean prints them (case tags, metavariables, hypotheses, target);
- `scripts`: tactic scripts cut into tactics (the safety filter judges each), and the lines that
  would leave the `by` block a script is the body of.

`mini` has its own parser and elaborator for its fragment; it takes its comments from here.
"""
