"""Parsing of tactic text into typed tactic syntax, and of proof scripts into blocks.

One tactic string (what a search sends) parses to one `Tactic`. A proof script (what
`verify` checks) is split by indentation, `·` bullets and `;` into a `Block` of items, as
Lean's tactic blocks are, and each item's text parses as a tactic. Embedded terms are read
by the term parser of `parser.py`, which stops at the keywords tactics use (`at`, `with`,
`,`, `]`, `:=`, `|`, `=>`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lean_env.mini.errors import ParseError
from lean_env.mini.parser import Parser
from lean_env.mini.syntax import SBy, Syn
from lean_env.text.scripts import split_tactics

# ---------------------------------------------------------------- rcases patterns


@dataclass(frozen=True, slots=True)
class PName:
    """A name pattern; `_` keeps an inaccessible hypothesis, `-` clears it."""

    name: str


@dataclass(frozen=True, slots=True)
class PTuple:
    items: tuple[Pat, ...]


@dataclass(frozen=True, slots=True)
class PAlt:
    alts: tuple[Pat, ...]


@dataclass(frozen=True, slots=True)
class PRfl:
    pass


Pat = PName | PTuple | PAlt | PRfl

# ---------------------------------------------------------------- tactics


@dataclass(frozen=True, slots=True)
class Intro:
    names: tuple[str, ...]
    all: bool = False  # `intros` with no names


@dataclass(frozen=True, slots=True)
class Exact:
    term: Syn


@dataclass(frozen=True, slots=True)
class ApplyT:
    term: Syn


@dataclass(frozen=True, slots=True)
class Simple:
    """Argument-free tactics: constructor, left, right, exfalso, contradiction, assumption,
    rfl, trivial."""

    name: str


@dataclass(frozen=True, slots=True)
class Rcases:
    """`rcases e with pat` / `obtain pat := e` / `obtain pat : P := e`."""

    term: Syn | None
    pattern: Pat
    prop: Syn | None = None


@dataclass(frozen=True, slots=True)
class Cases:
    """`cases h`, `cases h with | inl a => tac | inr b => tac`, `cases' h with a b`."""

    term: Syn
    alts: tuple[Alt, ...] = ()
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alt:
    """One `| tag names => tactics` alternative of `cases`/`induction`."""

    tag: str
    names: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class ByContra:
    name: str | None


@dataclass(frozen=True, slots=True)
class ByCases:
    name: str | None
    prop: Syn


@dataclass(frozen=True, slots=True)
class Use:
    terms: tuple[Syn, ...]


@dataclass(frozen=True, slots=True)
class Specialize:
    term: Syn


@dataclass(frozen=True, slots=True)
class Have:
    """`have h : P := proof`, `have h := proof`, `have h : P` (new goal first)."""

    name: str | None
    prop: Syn | None
    proof: Syn | None


@dataclass(frozen=True, slots=True)
class Subst:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExactModCast:
    """`exact_mod_cast e`: `e` proves the target once casts are normalized (`casts.py`)."""

    term: Syn


@dataclass(frozen=True, slots=True)
class IntervalCases:
    """`interval_cases x`: a goal per value of `x` between bounds its hypotheses state."""

    var: str


# Where a tactic acts: None is the goal's target, ("*",) everywhere, otherwise hypothesis names
# in order, with "⊢" for the target (`at h₁ h₂ ⊢`).
Location = tuple[str, ...] | None
GOAL = "⊢"
EVERYWHERE = ("*",)


@dataclass(frozen=True, slots=True)
class Rw:
    rules: tuple[tuple[bool, Syn], ...]  # (reversed, rule)
    at: Location


@dataclass(frozen=True, slots=True)
class Induction:
    """`induction n with | zero => ... | succ k ih => ...`, or Mathlib's `induction' n with k ih`
    (`names`: the successor case's variable and hypothesis)."""

    var: str
    alts: tuple[Alt, ...]
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Closer:
    """Decision procedures and simp-like tactics: omega, decide, norm_num, simp, linarith,
    nlinarith, positivity, ring, ring_nf (with `[args]`, `only`, `at h`)."""

    name: str
    args: tuple[Syn, ...] = ()
    at: Location = None
    only: bool = False
    star: bool = False


@dataclass(frozen=True, slots=True)
class Then:
    """`t1 <;> t2`: run t2 on every goal t1 produces."""

    first: Tactic
    then: Tactic


@dataclass(frozen=True, slots=True)
class Try:
    tactic: Tactic


Tactic = (
    Intro | Exact | ApplyT | Simple | Rcases | Cases | ByContra | ByCases | Use | Specialize
    | Have | Subst | Rw | Induction | Closer | Then | Try | IntervalCases | ExactModCast
)

SIMPLE = ("constructor", "left", "right", "exfalso", "contradiction", "assumption", "rfl", "trivial")
CLOSERS = ("omega", "decide", "norm_num", "simp", "linarith", "nlinarith", "positivity", "ring",
           "ring_nf", "simp_all", "field_simp", "push_cast", "norm_cast")
UNSUPPORTED = ("exact?", "apply?", "rw?", "simp?", "aesop", "tauto", "calc", "push_neg", "gcongr", "bound",
               "polyrith")


def parse_tactic(text: str) -> Tactic:
    """Parse one tactic; raises ParseError (with Lean's `<input>:line:col` style position)."""
    p = Parser(text)
    tac = _tactic(p)
    if not p.at_end():
        p.error(f"unexpected token '{p.peek().text}'; expected end of tactic")
    return tac


def _tactic(p: Parser) -> Tactic:
    first = _atomic(p)
    while p.accept("<;>"):
        first = Then(first, _atomic(p))
    return first


def _name(p: Parser) -> str:
    tok = p.next()
    if tok.kind != "ident" and tok.text != "_":
        p.error(f"expected identifier, found '{tok.text}'", tok)
    return tok.text


def _names(p: Parser) -> tuple[str, ...]:
    out: list[str] = []
    while p.peek().kind == "ident" or p.peek().text == "_":
        if p.peek().text in ("at", "with", "using", "generalizing"):
            break
        out.append(p.next().text)
    return tuple(out)


def _location(p: Parser) -> Location:
    """`at *`, `at h`, `at h₁ h₂ ⊢`, `at ⊢` (Lean's `location`); None without `at`."""
    if not p.accept("at"):
        return None
    if p.accept("*"):
        return EVERYWHERE
    places: list[str] = []
    while True:
        if p.accept(GOAL):
            places.append(GOAL)
        elif p.peek().kind == "ident" and p.peek().text not in ("with", "using", "generalizing"):
            places.append(p.next().text)
        else:
            break
    if not places:
        p.error("expected a hypothesis name, '⊢' or '*' after 'at'")
    if places == [GOAL]:
        return None
    return tuple(places)


def _term_list(p: Parser) -> tuple[Syn, ...]:
    items: list[Syn] = []
    if p.accept("["):
        if p.accept("]"):
            return ()
        while True:
            items.append(p.parse_term())
            if p.accept("]"):
                break
            p.expect(",")
    return tuple(items)


def _alts(p: Parser) -> tuple[Alt, ...]:
    """`| tag names => tactics` alternatives. Laid out one per line (Lean's usual layout, the
    `|` at the tactic's column or deeper), an alternative ends where a line starts with `|`,
    and its body may span lines; on one line, each top-level `|` starts the next one. A body is
    kept with its first token's column, so its own lines keep their layout."""
    depth = 0
    rest: list = []
    while not p.at_end():
        rest.append(p.next())
    bars: list[int] = []
    for k, t in enumerate(rest):
        if t.text in ("(", "[", "{", "⟨"):
            depth += 1
        elif t.text in (")", "]", "}", "⟩"):
            depth -= 1
        elif t.text == "|" and depth == 0:
            bars.append(k)
    starts = [k for k in bars if k == 0 or rest[k - 1].line < rest[k].line]  # a `|` opening a line
    seps = starts if any(k > 0 for k in starts) or len(bars) == len(starts) else bars
    if not rest or rest[0].text != "|" or 0 not in seps:
        if rest:
            p.error(f"unexpected token '{rest[0].text}'; expected '|'", rest[0])
        return ()
    alts: list[Alt] = []
    for n, k in enumerate(seps):
        end_k = seps[n + 1] if n + 1 < len(seps) else len(rest)
        seg = rest[k + 1 : end_k]
        if not seg or seg[0].kind != "ident" and seg[0].text != "_":
            p.error("expected a constructor name after '|'", rest[k])
        tag = seg[0].text
        j = 1
        names: list[str] = []
        while j < len(seg) and (seg[j].kind == "ident" or seg[j].text == "_") and seg[j].text != "=>":
            names.append(seg[j].text)
            j += 1
        if j >= len(seg) or seg[j].text != "=>":
            p.error("expected '=>'", seg[j] if j < len(seg) else rest[k])
        body_toks = seg[j + 1 :]
        if not body_toks:
            alts.append(Alt(tag, tuple(names), ""))
            continue
        start = body_toks[0].offset
        end = rest[end_k].offset if end_k < len(rest) else len(p.text)
        body = " " * (body_toks[0].col - 1) + p.text[start:end].rstrip()
        alts.append(Alt(tag, tuple(names), body))
    return tuple(alts)


def _pattern(p: Parser) -> Pat:
    alts = [_pattern_atom(p)]
    while p.accept("|"):
        alts.append(_pattern_atom(p))
    return alts[0] if len(alts) == 1 else PAlt(tuple(alts))


def _pattern_atom(p: Parser) -> Pat:
    if p.accept("⟨"):
        items = [_pattern(p)]
        while p.accept(","):
            items.append(_pattern(p))
        p.expect("⟩")
        return PTuple(tuple(items))
    if p.accept("("):
        inner = _pattern(p)
        p.expect(")")
        return inner
    tok = p.next()
    if tok.text == "rfl":
        return PRfl()
    if tok.text in ("_", "-") or tok.kind == "ident":
        return PName(tok.text)
    p.error(f"unexpected token '{tok.text}' in rcases pattern", tok)


def _atomic(p: Parser) -> Tactic:
    tok = p.peek()
    word = tok.text
    if word == "(":
        p.next()
        inner = _tactic(p)
        p.expect(")")
        return inner
    if tok.kind not in ("ident", "sym"):
        p.error(f"unknown tactic '{word}'", tok)
    if word in UNSUPPORTED:
        p.error(f"mini: tactic '{word}' is outside the embedded fragment", tok)
    p.next()
    match word:
        case "intro":
            names = _names(p)
            return Intro(names or ("_anon",), all=False)
        case "intros":
            names = _names(p)
            return Intro(names, all=not names)
        case "exact":
            return Exact(p.parse_term())
        case "exact_mod_cast":
            return ExactModCast(p.parse_term())
        case "apply":
            return ApplyT(p.parse_term())
        case "refine":
            return Exact(p.parse_term())
        case w if w in SIMPLE:
            return Simple(w)
        case "rcases":
            term = p.parse_term()
            p.expect("with")
            return Rcases(term, _pattern(p))
        case "obtain":
            pat = _pattern(p)
            prop = p.parse_term() if p.accept(":") else None
            proof = p.parse_term() if p.accept(":=") else None
            if proof is None and prop is None:
                p.error("obtain needs ':=' or ':'")
            return Rcases(proof, pat, prop)
        case "cases":
            term = p.parse_term()
            if p.accept("with"):
                return Cases(term, alts=_alts(p))
            return Cases(term)
        case "cases'":
            term = p.parse_term()
            names = _names(p) if p.accept("with") else ()
            return Cases(term, names=names or ("_",))
        case "by_contra" | "by_contra!":
            names = _names(p)
            return ByContra(names[0] if names else None)
        case "by_cases":
            name = None
            if p.peek().kind == "ident" and p.peek(1).text == ":":
                name = p.next().text
                p.next()
            return ByCases(name, p.parse_term())
        case "use" | "exists":
            terms = [p.parse_term()]
            while p.accept(","):
                terms.append(p.parse_term())
            return Use(tuple(terms))
        case "specialize":
            return Specialize(p.parse_term())
        case "have":
            name = None
            if p.peek().kind == "ident" and p.peek(1).text in (":", ":="):
                name = p.next().text
            prop = p.parse_term() if p.accept(":") else None
            proof = _proof(p) if p.accept(":=") else None
            if prop is None and proof is None:
                p.error("expected ':' or ':=' after have")
            return Have(name, prop, proof)
        case "interval_cases":
            return IntervalCases(_name(p))
        case "subst":
            names = _names(p)
            if not names:
                p.error("subst expects a hypothesis or variable name")
            return Subst(names)
        case "rw" | "rewrite" | "rwa":
            p.expect("[")
            rules: list[tuple[bool, Syn]] = []
            while True:
                rev = p.accept("←") or p.accept("<-")
                rules.append((rev, p.parse_term()))
                if p.accept("]"):
                    break
                p.expect(",")
            at = _location(p)
            rw = Rw(tuple(rules), at)
            return Then(rw, Simple("assumption")) if word == "rwa" else rw
        case "induction":
            var = _name(p)
            alts = _alts(p) if p.accept("with") else ()
            return Induction(var, alts)
        case "induction'":
            var = _name(p)
            return Induction(var, (), _names(p) if p.accept("with") else ())
        case "try":
            return Try(_tactic(p))
        case w if w in CLOSERS:
            only = p.accept("only")
            star = False
            args: tuple[Syn, ...] = ()
            if p.peek().text == "[":
                if p.peek(1).text == "*":
                    p.next(), p.next()
                    p.expect("]")
                    star = True
                else:
                    args = _term_list(p)
            at = _location(p)
            return Closer("simp" if w == "simp_all" else w, args, at, only, star or w == "simp_all")
        case _:
            p.error(f"unknown tactic '{word}'", tok)


def _proof(p: Parser) -> Syn:
    """The proof after `:=`: a term, or `by tactics` (kept as raw text)."""
    if p.peek().text == "by":
        tok = p.next()
        first = p.peek()
        # keep the first line's column so the block's indentation structure survives
        rest = " " * (first.col - 1) + p.remaining_text() if first.line > tok.line else p.remaining_text()
        while not p.at_end():
            p.next()
        return SBy(rest.rstrip(), (tok.line, tok.col))
    return p.parse_term()


# ---------------------------------------------------------------- proof scripts


@dataclass(frozen=True, slots=True)
class Bullet:
    """`· tactics`: focus the first goal; the block must close it."""

    block: Block
    line: int


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class CaseBlock:
    """`case tag => tactics` / `next => tactics`: focus the goal tagged `tag` (or the first)."""

    tag: str | None
    block: Block
    line: int


Item = Step | Bullet | CaseBlock
Block = tuple[Item, ...]


def parse_script(script: str, first_line: int = 1) -> Block:
    """Split a tactic script into items by indentation, bullets and top-level `;`."""
    lines = [(i + first_line, ln) for i, ln in enumerate(script.split("\n"))]
    lines = [(n, ln) for n, ln in lines if ln.strip() and not ln.strip().startswith("--")]
    return _block(lines)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block(lines: list[tuple[int, str]]) -> Block:
    items: list[Item] = []
    i = 0
    if not lines:
        return ()
    base = min(_indent(ln) for _, ln in lines)
    while i < len(lines):
        n, ln = lines[i]
        if _indent(ln) != base:
            raise ParseError("unexpected indentation", n, _indent(ln) + 1)
        j = i + 1
        # deeper lines continue the item, and so do `| alt =>` lines at its column (Lean's
        # usual layout of `induction n with` / `cases h with` alternatives)
        while j < len(lines) and (_indent(lines[j][1]) > base or lines[j][1].lstrip().startswith("|")):
            j += 1
        head = ln.strip()
        cont = lines[i + 1 : j]
        items.extend(_item(n, head, cont, base))
        i = j
    return tuple(items)


def _item(n: int, head: str, cont: list[tuple[int, str]], base: int) -> list[Item]:
    if head[0] in "·.":
        body = head[1:].lstrip()
        inner = [(n, " " * (base + 2) + body)] if body else []
        return [Bullet(_block(inner + cont), n)]
    for kw in ("case ", "next "):
        if (head.startswith(kw) or head == kw.strip() or head.startswith("next =>")) and "=>" in head:
            tag_part, body = head.split("=>", 1)
            words = tag_part.split()
            tag = words[1] if kw == "case " and len(words) > 1 else None
            inner = [(n, " " * (base + 2) + body.strip())] if body.strip() else []
            return [CaseBlock(tag, _block(inner + cont), n)]
    text = head
    if cont:
        text = head + "\n" + "\n".join(ln for _, ln in cont)
    return [Step(t, n) for t in ([text] if "\n" in text else split_tactics(text))]
