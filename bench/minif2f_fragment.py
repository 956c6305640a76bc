"""How much of miniF2F the `mini` front end reads.

The subset (primary line): statements whose theorem binders are variables typed by ℕ, ℤ,
Nat, Int, Prop and functions between them; hypothesis binders are propositions and do not
count, whatever they mention (ℝ, `Finset.range`, `∑`, ...). The binders are split with a
bracket scanner independent of `mini`'s parser, so a statement the parser chokes on still
lands in (or out of) the subset for the right reason. For each statement of the subset we
try `parse_statement` and list the blocking construct of every failure.

Two informative lines follow: the narrow subset (no other type mentioned anywhere, the part
the decision procedures can act on), and all statements.

Usage: python bench/minif2f_fragment.py [--data ../shared/minif2f] [--split valid|test|all] [--all]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lean_env.mini.elaborate import parse_statement
from lean_env.mini.errors import ParseError
from lean_env.mini.parser import Token, tokenize

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "minif2f"
FRAGMENT_TYPES = frozenset(("ℕ", "ℤ", "Nat", "Int", "Prop"))
# Heads that make a binder a variable binder (its annotation is a type, not a proposition).
TYPE_HEADS = FRAGMENT_TYPES | frozenset(
    "ℝ ℚ ℂ Real Rat Complex Type Sort Finset Set Fin ZMod Polynomial List Multiset Bool "
    "NNReal ENNReal EReal PNat ℕ+ Matrix String Function Equiv".split()
)
# Identifiers (or namespaces) that bring a type outside ℕ/ℤ/Prop into a statement.
OTHER_TYPES = frozenset(
    "ℝ ℚ ℂ Real Rat Complex Finset Set Multiset Polynomial ZMod Fin NNReal ENNReal EReal PNat "
    "Irrational π Matrix".split()
)
_OPEN = {"(": ")", "{": "}", "[": "]", "⦃": "⦄"}


def binder_groups(statement: str) -> list[tuple[str, list[Token]]]:
    """The theorem's bracketed binders as (bracket, tokens inside), up to the top-level `:`."""
    toks = tokenize(statement)
    i = 0
    while i < len(toks) and toks[i].text not in ("theorem", "lemma", "example"):
        i += 1
    i += 2 if i < len(toks) and toks[i].text != "example" else 1
    groups: list[tuple[str, list[Token]]] = []
    while i < len(toks) and toks[i].text in _OPEN:
        opener, depth, j = toks[i].text, 0, i
        while j < len(toks) and toks[j].kind != "eof":
            if toks[j].text in _OPEN:
                depth += 1
            elif toks[j].text in _OPEN.values():
                depth -= 1
                if depth == 0:
                    break
            j += 1
        groups.append((opener, toks[i + 1:j]))
        i = j + 1
    return groups


def variable_types(statement: str) -> list[list[str]]:
    """The token texts of each variable binder's type."""
    out: list[list[str]] = []
    for opener, inner in binder_groups(statement):
        if opener == "[":
            continue
        colon = next((k for k, t in enumerate(inner) if t.text == ":"), None)
        if colon is None:
            continue
        ty = [t.text for t in inner[colon + 1:]]
        head = next((t for t in ty if t != "("), "")
        if head in TYPE_HEADS:
            out.append(ty)
    return out


def binders_in_fragment(statement: str) -> bool:
    """All variable binders typed by ℕ/ℤ/Prop or functions between them."""
    return all(all(t in FRAGMENT_TYPES or t in ("→", "(", ")") for t in ty) for ty in variable_types(statement))


def mentions_other_type(statement: str) -> bool:
    """Whether an identifier names (or lives in the namespace of) a type outside the fragment."""
    return any(
        tok.kind == "ident" and (tok.text in OTHER_TYPES or tok.text.split(".")[0] in OTHER_TYPES)
        for tok in tokenize(statement)
    )


def in_fragment(statement: str) -> bool:
    return binders_in_fragment(statement) and not mentions_other_type(statement)


def fragment_report(
    rows: list[dict], *, strict: bool = False, everything: bool = False
) -> tuple[list[dict], list[dict], list[tuple[dict, str]]]:
    """(subset, parsed, failures with their ParseError text) over miniF2F rows.

    By default the subset is selected by theorem binders alone (the primary measure);
    `strict=True` also excludes statements mentioning any other type; `everything=True`
    takes all rows.
    """
    select = (lambda _: True) if everything else in_fragment if strict else binders_in_fragment
    subset = [r for r in rows if select(r["formal_statement"])]
    parsed: list[dict] = []
    failures: list[tuple[dict, str]] = []
    for row in subset:
        try:
            parse_statement(row["formal_statement"])
        except ParseError as e:
            failures.append((row, str(e)))
        else:
            parsed.append(row)
    return subset, parsed, failures


def load_rows(data: Path, split: str) -> list[dict]:
    names = ("valid", "test") if split == "all" else (split,)
    rows: list[dict] = []
    for name in names:
        with open(data / f"{name}.jsonl", encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f if line.strip())
    return rows


def _construct(message: str) -> str:
    """The blocking construct of an error message, for the summary by kind."""
    text = message.split(": ", 1)[1] if message[:1].isdigit() else message
    unsupported = re.match(r"unsupported construct '(.*?)' \((.*)\)$", text)
    if unsupported:
        return f"unsupported construct '{unsupported.group(1)}' ({unsupported.group(2)})"
    quoted = re.match(r"[^']*'[^']*'", text)
    return quoted.group(0) if quoted else text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--split", choices=("valid", "test", "all"), default="all")
    ap.add_argument("--all", action="store_true", help="also list the failures over all statements")
    args = ap.parse_args(argv)
    rows = load_rows(args.data, args.split)
    subset, parsed, failures = fragment_report(rows)
    narrow, narrow_parsed, _ = fragment_report(rows, strict=True)
    _, all_parsed, all_failures = fragment_report(rows, everything=True)

    def line(label: str, n: int, k: int) -> str:
        return f"{label:<38}{n:4d}  parsed: {k:4d}  ({100.0 * k / max(1, n):.1f}%)"

    print(f"statements: {len(rows)}")
    print(line("binders in ℕ/ℤ/Prop (primary):", len(subset), len(parsed)))
    print(line("  of which no other type mentioned:", len(narrow), len(narrow_parsed)))
    print(line("all statements:", len(rows), len(all_parsed)))
    for title, fails in (("binders in ℕ/ℤ/Prop", failures), ("all statements", all_failures if args.all else [])):
        if not fails:
            continue
        print(f"\n{title}, failures by construct:")
        for what, n in Counter(_construct(msg) for _, msg in fails).most_common():
            print(f"  {n:4d}  {what}")
        print(f"\n{title}, failures:")
        width = max(len(r["name"]) for r, _ in fails)
        for row, msg in fails:
            print(f"  {row['name']:<{width}}  {msg}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
