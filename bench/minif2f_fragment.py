"""How much of miniF2F `mini` can judge, and what keeps the rest out.

The primary figure (issue 14): per split, the statements inside mini's fragment, i.e. the
statements `MiniEnv.start` reads whose goal the decision procedures model
(`MiniEnv.outside_fragment` is empty: `lean_env.mini.terms.fragment_blocker` on the target),
and the blocker table: for each statement outside, the first construct that keeps it out
(`Real.sqrt`, `a finite set other than range/Icc/divisors/filter`, or the reason `start`
refuses it: `unknown type 'ℂ'`, ...). The evaluation (`bench/minif2f_mini.py`) searches exactly
the statements counted inside here.

Then the front end's parse rates, as before: the subset (first line of that part):
statements whose theorem binders are variables typed by ℕ, ℤ, Nat, Int, Prop and functions
between them; hypothesis binders are propositions and do not count, whatever they mention
(ℝ, `Finset.range`, `∑`, ...). The binders are split with a bracket scanner independent of
`mini`'s parser, so a statement the parser chokes on still lands in (or out of) the subset
for the right reason. For each statement of the subset we try `parse_statement` and list the
blocking construct of every failure. Two more lines follow: the narrow subset (no other type
mentioned anywhere) and all statements.

Usage: python bench/minif2f_fragment.py [--data ../shared/minif2f] [--split valid|test|all] [--all]
These are figures for mini, an embedded fragment prover, not for Lean.
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


def mini_fragment(rows: list[dict]) -> tuple[list[str], dict[str, str]]:
    """(names inside mini's fragment, name -> blocker for the others)."""
    from lean_env.contract import StatementError
    from lean_env.mini import MiniEnv

    env = MiniEnv()
    inside: list[str] = []
    blockers: dict[str, str] = {}
    for row in rows:
        try:
            state = env.start(row["formal_statement"], header=row.get("header", ""))
        except StatementError as e:
            blockers[row["name"]] = f"unreadable: {_construct(e.message)}"
            continue
        why = env.outside_fragment(state)
        if why:
            match = re.search(r"fragment \((.*?): real functions", why)
            blockers[row["name"]] = match.group(1) if match else why
        else:
            inside.append(row["name"])
    return inside, blockers


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
    splits = ("valid", "test") if args.split == "all" else (args.split,)
    tables: dict[str, Counter[str]] = {}
    print("mini's fragment (mini, an embedded fragment prover, not Lean)")
    for split in splits:
        split_rows = load_rows(args.data, split)
        inside, blockers = mini_fragment(split_rows)
        tables[split] = Counter(blockers.values())
        print(f"  {split:<6} {len(split_rows):4d} statements, {len(inside):4d} inside the fragment, "
              f"{len(blockers):4d} outside")
    print("\nblockers (first construct outside the fragment), by split:")
    print(f"  {'blocker':<56}" + "".join(f"{s:>7}" for s in splits))
    for what, _ in sum(tables.values(), Counter()).most_common():
        print(f"  {what[:56]:<56}" + "".join(f"{tables[s][what]:>7}" for s in splits))
    print()
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
