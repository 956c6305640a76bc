"""Precedence-climbing parser for the Lean 4 term syntax `mini` understands (tokens: `lexer.py`).

The parser only reads: it builds `syntax.py` nodes and leaves typing to `elaborate.py`.
Precedences are Lean 4's (`↔` 20, `→` 25, `∨` 30, `∧` 35, `¬` arg 40, relations and `∈` 50,
`+ -` 65, big operator bodies 67, `* / %` 70, unary `-` 75, `^` 80, application, `↑`, `√`,
`!` and `⁻¹` max), so the same text groups the same way as in Lean and Mathlib. Mathlib
notations are desugared as Mathlib's macros do: `∑ x ∈ s, f` is `Finset.sum s fun x => f`,
`{x | P}` is `setOf fun x => P`, `∃! x, P` is `ExistsUnique fun x => P`, `√x` is
`Real.sqrt x`, `⌊x⌋`/`⌈x⌉₊` are `Int.floor x`/`Nat.ceil x`, `x⁻¹` is `Inv.inv x`, `a ∉ s`
is `¬a ∈ s`. `parse_term` stops quietly at tokens it cannot continue
with (`,` `)` `:=` `at` `with` ...), which lets the tactic parser read the pieces of
`rw [h₁, ← h₂] at h₃` one term at a time. Constructs outside the fragment raise a
`ParseError` that names them, so coverage reports can count what blocks a statement.
"""

from __future__ import annotations

from typing import NoReturn

from .errors import ParseError
from .lexer import Token, tokenize
from .syntax import (
    SAnon,
    SApp,
    SAscribe,
    SBinder,
    SBinderGroup,
    SBinOp,
    SBy,
    SHole,
    SIdent,
    SModEq,
    SNum,
    SProj,
    STuple,
    SUnOp,
    Syn,
    TheoremSyn,
)

# ---------------------------------------------------------------- grammar tables

MAX_PREC = 1024
# op -> (precedence, minimum precedence of the left operand, precedence the right operand is parsed at)
INFIX: dict[str, tuple[int, int, int]] = {
    "↔": (20, 21, 21),
    "→": (25, 26, 25),
    "∨": (30, 31, 30),
    "∧": (35, 36, 35),
    **{op: (50, 51, 51) for op in ("=", "≠", "<", "≤", ">", "≥", "∣", "≡", "∈", "∉")},
    "+": (65, 65, 66),
    "-": (65, 65, 66),
    "*": (70, 70, 71),
    "/": (70, 70, 71),
    "%": (70, 70, 71),
    "^": (80, 81, 80),
}
NOT_ARG_PREC = 40
NEG_PREC = 75

# Keywords that end a term (tactic syntax) and never start an argument.
STOP_WORDS = frozenset(
    "at with using generalizing then else from in do fun by if let have show calc match "
    "theorem lemma example def where deriving only says".split()
)
_CLOSERS = {")": "(", "]": "[", "⟩": "⟨", "}": "{", "⦄": "⦃"}
_OPENERS = {v: k for k, v in _CLOSERS.items()}

# Tokens outside the fragment, with the name the coverage report shows.
UNSUPPORTED: dict[str, str] = {
    "⊆": "subset", "⊂": "subset", "∩": "set intersection", "∪": "set union", "\\": "set difference",
    "∘": "function composition", "•": "scalar multiplication",
    "∫": "integral", "×": "product type", "%[": "list literal", "[": "list literal", "·": "cdot function",
    "@": "explicit application", "if": "if-then-else", "let": "let", "have": "have term",
    "show": "show term", "match": "match", "calc": "calc term", "∞": "infinity", "++": "append",
    "::": "list cons", "..": "range", "∆": "symmetric difference", "‖": "norm",
    "∂": "derivative", "⨆": "supremum", "⨅": "infimum", "'": "character literal", '"': "string literal",
    "#": "hash command", "$": "dollar application", "<|": "pipe", "|>": "pipe",
    "≃": "equivalence", "≅": "isomorphism", "⊤": "top", "⊥": "bottom",
}
_BINDER_PRED_OPS = (">", "≥", "<", "≤", "≠", "∈")
# Infix operators outside the fragment: an error where they follow a term, not a stop.
INFIX_UNSUPPORTED = frozenset("⊆ ⊂ ∩ ∪ \\ ∘ • × ++ :: ∆ $ <| ≃ ≅".split())
BIGOP_BODY_PREC = 67  # Mathlib: `∑ x ∈ s, f x + 1` is `(∑ x ∈ s, f x) + 1`
BIGOP_FNS = {"∑": "Finset.sum", "∏": "Finset.prod"}
# `⌊x⌋`, `⌈x⌉` (Int.floor/ceil) and with a trailing `₊` (Nat.floor/ceil)
_FLOORS = {"⌊": ("⌋", "Int.floor", "Nat.floor"), "⌈": ("⌉", "Int.ceil", "Nat.ceil")}


def _unsupported(text: str) -> str:
    return f"unsupported construct '{text}' ({UNSUPPORTED[text]})"


class Parser:
    """A cursor over the tokens of one text, with Lean's term grammar on top."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self._abs_depth = 0  # inside `|...|`, a `|` touching the previous token closes
        self._abs_openers: list[int] = []  # token indices of the open `|`s
        self._bracket_depth = 0

    # -------------------------------------------------------- cursor

    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        if tok.kind != "eof":
            self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        tok = self.peek()
        if tok.kind != "eof" and tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> Token:
        tok = self.peek()
        if tok.kind == "eof" or tok.text != text:
            self.error(f"expected '{text}'", tok)
        self.i += 1
        return tok

    def at_end(self) -> bool:
        return self.peek().kind == "eof"

    def error(self, msg: str, tok: Token | None = None) -> NoReturn:
        tok = tok or self.peek()
        raise ParseError(msg, tok.line, tok.col)

    def remaining_text(self) -> str:
        return self.text[self.peek().offset:]

    def _unexpected(self, expected: str) -> NoReturn:
        tok = self.peek()
        if tok.kind == "eof":
            self.error(f"unexpected end of input; expected {expected}", tok)
        if tok.text in UNSUPPORTED:
            self.error(_unsupported(tok.text), tok)
        self.error(f"unexpected token '{tok.text}'; expected {expected}", tok)

    # -------------------------------------------------------- terms

    def parse_term(self, min_prec: int = 0) -> Syn:
        """A term whose operators all bind at least as tightly as `min_prec`."""
        lhs, level = self._parse_leading(min_prec)
        while True:
            tok = self.peek()
            if tok.kind != "sym":
                break
            op = tok.text
            if op in INFIX_UNSUPPORTED:
                self.error(_unsupported(op), tok)
            if op not in INFIX:
                break
            prec, lhs_min, rhs_prec = INFIX[op]
            if prec < min_prec or level < lhs_min:
                break
            self.next()
            rhs = self.parse_term(rhs_prec)
            if op == "≡":
                lhs = self._modeq(lhs, rhs, tok)
            elif op == "∉":  # Lean's `a ∉ s` is notation for `¬(a ∈ s)`
                lhs = SUnOp("¬", SBinOp("∈", lhs, rhs, pos=_pos_of(lhs, tok)), pos=_pos_of(lhs, tok))
            else:
                lhs = SBinOp(op, lhs, rhs, pos=_pos_of(lhs, tok))
            level = prec
        return lhs

    def _modeq(self, lhs: Syn, rhs: Syn, tok: Token) -> Syn:
        if not (self.peek().text == "[" and self.peek(1).text in ("MOD", "ZMOD")):
            self.error("unsupported construct '≡' (congruence without [MOD n])", tok)
        self.next()
        kind = self.next().text
        self._bracket_depth += 1
        modulus = self.parse_term(0)
        self._bracket_depth -= 1
        self.expect("]")
        return SModEq(lhs, rhs, modulus, kind, pos=_pos_of(lhs, tok))

    def _parse_leading(self, min_prec: int) -> tuple[Syn, int]:
        """A prefix form or an application; returns it with the precedence it ends at."""
        tok = self.peek()
        pos = (tok.line, tok.col)
        t = tok.text
        if tok.kind == "sym" and t == "¬":
            self.next()
            return SUnOp("¬", self.parse_term(NOT_ARG_PREC), pos=pos), MAX_PREC
        if tok.kind == "sym" and t == "-":
            if min_prec > NEG_PREC:
                self._unexpected("term")
            self.next()
            return SUnOp("-", self.parse_term(NEG_PREC), pos=pos), NEG_PREC
        if tok.kind == "sym" and t in ("∀", "∃", "∃!", "λ") or tok.kind == "ident" and t == "fun":
            if min_prec >= MAX_PREC:
                self._unexpected("term")
            return self._parse_binder(), 0
        if tok.kind == "sym" and t in BIGOP_FNS:
            if min_prec >= MAX_PREC:
                self._unexpected("term")
            return self._parse_bigop(), BIGOP_BODY_PREC
        if tok.kind == "ident" and t == "by":
            return self._parse_by(), 0
        head = self._parse_arg()
        if min_prec >= MAX_PREC:  # an argument position: no application
            return head, MAX_PREC
        args: list[Syn] = []
        while self._starts_arg():
            args.append(self._parse_arg())
        if args:
            return SApp(head, tuple(args), pos=pos), MAX_PREC - 1
        return head, MAX_PREC

    def _starts_arg(self) -> bool:
        tok = self.peek()
        if tok.kind == "num":
            return True
        if tok.kind == "ident":
            return tok.text not in STOP_WORDS
        if tok.kind != "sym":
            return False
        if tok.text in ("(", "⟨", "_", "↑", "√", "⌊", "⌈", "{"):
            return True
        if tok.text == "|":
            return self._abs_opens()
        return False

    def _abs_opens(self) -> bool:
        """`|` opens `|x|` unless we are inside one and it touches the previous token."""
        tok = self.peek()
        prev = self.tokens[self.i - 1] if self.i else None
        ends_term = prev is not None and (
            prev.kind in ("ident", "num") or prev.text in (")", "]", "⟩", "!", "|", "⁻¹", "⌋", "⌉", "₊", "}")
        )
        if (
            self._abs_depth and ends_term and prev is not None and prev.end == tok.offset
            and not (self._abs_openers and self._abs_openers[-1] == self.i - 1)
        ):
            return False
        nxt = self.peek(1)
        return nxt.kind != "eof" and nxt.offset == tok.end

    def _parse_arg(self) -> Syn:
        """An atom with its postfix operators (`n !`, `(e).1`): what application takes."""
        e = self._parse_atom()
        while True:
            tok = self.peek()
            if tok.kind == "sym" and tok.text == "!":
                self.next()
                e = SUnOp("!", e, pos=_pos_of(e, tok))
            elif tok.kind == "sym" and tok.text == "." and self.tokens[self.i - 1].end == tok.offset:
                self.next()
                fld = self.next()
                if fld.kind not in ("ident", "num"):
                    self.error("expected field name", fld)
                e = SProj(e, fld.text, pos=_pos_of(e, tok))
            elif tok.kind == "sym" and tok.text == "⁻¹":
                self.next()
                e = SApp(SIdent("Inv.inv", pos=_pos_of(e, tok)), (e,), pos=_pos_of(e, tok))
            else:
                return e

    def _parse_atom(self) -> Syn:
        tok = self.peek()
        pos = (tok.line, tok.col)
        if tok.kind == "num":
            self.next()
            if "." in tok.text:
                self.error(f"unsupported construct '{tok.text}' (decimal literal)", tok)
            return SNum(int(tok.text), pos=pos)
        if tok.kind == "ident":
            if tok.text in UNSUPPORTED:
                self.error(_unsupported(tok.text), tok)
            if tok.text in STOP_WORDS:
                self._unexpected("term")
            self.next()
            return SIdent(tok.text, pos=pos)
        if tok.kind == "sym":
            if tok.text == "(":
                return self._parse_paren()
            if tok.text == "⟨":
                self.next()
                items = self._comma_items("⟩")
                return SAnon(tuple(items), pos=pos)
            if tok.text == "_":
                self.next()
                return SHole(pos=pos)
            if tok.text == "↑":
                self.next()
                return SUnOp("↑", self._parse_arg(), pos=pos)
            if tok.text == "√":  # Mathlib: `prefix:max "√" => Real.sqrt`
                self.next()
                return SApp(SIdent("Real.sqrt", pos=pos), (self._parse_arg(),), pos=pos)
            if tok.text in _FLOORS:
                return self._parse_floor()
            if tok.text == "{":
                return self._parse_set_builder()
            if tok.text == "|" and self._abs_opens():
                self._abs_openers.append(self.i)
                self.next()
                self._abs_depth += 1
                inner = self.parse_term(0)
                self._abs_depth -= 1
                self._abs_openers.pop()
                self.expect("|")
                return SApp(SIdent("abs", pos=pos), (inner,), pos=pos)
        self._unexpected("term")

    def _comma_items(self, closer: str) -> list[Syn]:
        self._bracket_depth += 1
        items: list[Syn] = []
        if not self.accept(closer):
            while True:
                items.append(self.parse_term(0))
                if self.accept(closer):
                    break
                if not self.accept(","):
                    self._unexpected(f"',' or '{closer}'")
        self._bracket_depth -= 1
        return items

    def _inner(self, closer: str) -> Syn:
        """A full term up to `closer` (consumed), as inside parentheses."""
        self._bracket_depth += 1
        saved_abs, self._abs_depth = self._abs_depth, 0
        inner = self.parse_term(0)
        self._expect_closer(closer)
        self._bracket_depth -= 1
        self._abs_depth = saved_abs
        return inner

    def _parse_floor(self) -> Syn:
        """`⌊x⌋` / `⌈x⌉` (Int.floor / Int.ceil), `⌊x⌋₊` / `⌈x⌉₊` (Nat.floor / Nat.ceil)."""
        tok = self.next()
        closer, int_fn, nat_fn = _FLOORS[tok.text]
        inner = self._inner(closer)
        fn = nat_fn if self.accept("₊") else int_fn
        return SApp(SIdent(fn, pos=(tok.line, tok.col)), (inner,), pos=(tok.line, tok.col))

    def _parse_set_builder(self) -> Syn:
        """`{x : T | P}` / `{x | P}` (`setOf fun x => P`) and `{x ∈ s | P}` (`Finset.filter`)."""
        tok = self.expect("{")
        pos = (tok.line, tok.col)
        name_tok = self.peek()
        if not (name_tok.kind == "ident" and name_tok.text not in STOP_WORDS and self.peek(1).text in (":", "|", "∈")):
            self.error("unsupported construct '{' (set or finset literal)", tok)
        name = self.next().text
        self._bracket_depth += 1
        saved_abs, self._abs_depth = self._abs_depth, 0
        finset: Syn | None = None
        group = SBinderGroup((name,))
        if self.accept(":"):
            group = SBinderGroup((name,), type=self.parse_term(0))
        elif self.accept("∈"):
            finset = self.parse_term(0)
        if not self.accept("|"):
            self._unexpected("'|'")
        body = self.parse_term(0)
        self._expect_closer("}")
        self._bracket_depth -= 1
        self._abs_depth = saved_abs
        pred = SBinder("fun", (group,), body, pos=pos)
        if finset is not None:
            return SApp(SIdent("Finset.filter", pos=pos), (pred, finset), pos=pos)
        return SApp(SIdent("setOf", pos=pos), (pred,), pos=pos)

    def _parse_bigop(self) -> Syn:
        """`∑ x ∈ s, f x` (also `∑ x in s, ...` and `∑ x ∈ s with p x, ...`), desugared as
        Mathlib does to `Finset.sum s (fun x => f x)`; the body is parsed at 67."""
        tok = self.next()
        pos = (tok.line, tok.col)
        name_tok = self.next()
        if name_tok.kind != "ident" or name_tok.text in STOP_WORDS:
            self.error(f"unsupported construct '{tok.text}' (big operator binder)", name_tok)
        if not (self.accept("∈") or self.accept("in")):
            self.error(f"unsupported construct '{tok.text} x, ...' (big operator over a type)", self.peek())
        self._bracket_depth += 1
        finset = self.parse_term(0)
        if self.accept("with"):
            pred = self.parse_term(0)
            lam = SBinder("fun", (SBinderGroup((name_tok.text,)),), pred, pos=pos)
            finset = SApp(SIdent("Finset.filter", pos=pos), (lam, finset), pos=pos)
        self._bracket_depth -= 1
        if not self.accept(","):
            self._unexpected("','")
        body = self.parse_term(BIGOP_BODY_PREC)
        lam = SBinder("fun", (SBinderGroup((name_tok.text,)),), body, pos=pos)
        return SApp(SIdent(BIGOP_FNS[tok.text], pos=pos), (finset, lam), pos=pos)

    def _parse_paren(self) -> Syn:
        open_tok = self.expect("(")
        pos = (open_tok.line, open_tok.col)
        if self.peek().text == "·":
            self.error(_unsupported("·"), self.peek())
        self._bracket_depth += 1
        saved_abs, self._abs_depth = self._abs_depth, 0
        inner = self.parse_term(0)
        if self.accept(":"):
            ty = self.parse_term(0)
            self._close_paren(saved_abs)
            return SAscribe(inner, ty, pos=pos)
        if self.peek().text == ",":
            items = [inner]
            while self.accept(","):
                items.append(self.parse_term(0))
            self._close_paren(saved_abs)
            return STuple(tuple(items), pos=pos)
        self._close_paren(saved_abs)
        return inner

    def _expect_closer(self, closer: str) -> None:
        """Like `expect`, but an unsupported construct in the way is named as such."""
        if self.peek().kind == "eof" or self.peek().text != closer:
            self._unexpected(f"'{closer}'")
        self.next()

    def _close_paren(self, saved_abs: int) -> None:
        if self.peek().text != ")":
            self._unexpected("')'")
        self.next()
        self._bracket_depth -= 1
        self._abs_depth = saved_abs

    def _parse_by(self) -> SBy:
        """`by tacs`: the raw text up to the end of the enclosing bracket (or `,` inside one)."""
        tok = self.next()
        depth, j = 0, self.i
        while True:
            t = self.tokens[j]
            if t.kind == "eof":
                break
            if t.kind == "sym" and t.text in _OPENERS:
                depth += 1
            elif t.kind == "sym" and t.text in _CLOSERS:
                if depth == 0:
                    break
                depth -= 1
            elif t.kind == "sym" and t.text == "," and depth == 0 and self._bracket_depth:
                break
            j += 1
        end = self.tokens[j].offset
        raw = self.text[self.tokens[self.i].offset:end].strip() if j > self.i else ""
        self.i = j
        return SBy(raw, pos=(tok.line, tok.col))

    # -------------------------------------------------------- binders

    def _parse_binder(self) -> Syn:
        tok = self.next()
        pos = (tok.line, tok.col)
        kind = {"λ": "fun", "fun": "fun"}.get(tok.text, tok.text)
        groups = self._quantifier_groups(kind)
        if kind == "fun":
            if not self.accept("=>"):
                self._unexpected("'=>'")
        elif not self.accept(","):
            self._unexpected("','")
        body = self.parse_term(0)
        if kind != "∃!":
            return SBinder(kind, tuple(groups), body, pos=pos)
        # `∃! x y, P` is `ExistsUnique fun x => ExistsUnique fun y => P`
        singles = [SBinderGroup((n,), type=g.type) for g in groups for n in g.names]
        if any(g.pred is not None or not g.names for g in groups):
            self.error("unsupported construct '∃!' with a binder predicate", tok)
        for g in reversed(singles):
            body = SApp(SIdent("ExistsUnique", pos=pos), (SBinder("fun", (g,), body, pos=pos),), pos=pos)
        return body

    def _quantifier_groups(self, kind: str) -> list[SBinderGroup]:
        """`x y`, `x y : T`, `(x : T) {y : T}`, `x > 0` (binder predicate), mixed as Lean allows."""
        groups: list[SBinderGroup] = []
        bare: list[str] = []
        while True:
            tok = self.peek()
            if tok.kind == "ident" and tok.text not in STOP_WORDS:
                bare.append(self.next().text)
            elif tok.kind == "sym" and tok.text == "_":
                self.next()
                bare.append("_")
            elif tok.kind == "sym" and tok.text in ("(", "{", "⦃", "["):
                if bare:
                    groups.append(SBinderGroup(tuple(bare)))
                    bare = []
                groups.extend(self.parse_binder_groups())
            else:
                break
        if not bare and not groups:
            self._unexpected("binder")
        tok = self.peek()
        if bare and tok.text == ":":
            self.next()
            groups.append(SBinderGroup(tuple(bare), type=self.parse_term(0)))
        elif bare and tok.kind == "sym" and tok.text in _BINDER_PRED_OPS and kind != "fun":
            self.next()
            groups.append(SBinderGroup(tuple(bare), pred=(tok.text, self.parse_term(51))))
        elif bare and tok.kind == "sym" and tok.text in UNSUPPORTED and tok.text in "⊆⊂":
            self.error(_unsupported(tok.text), tok)
        elif bare:
            groups.append(SBinderGroup(tuple(bare)))
        return groups

    def parse_binder_groups(self) -> tuple[SBinderGroup, ...]:
        """Bracketed binders: `(x y : ℕ) (h₀ : P) {n : ℕ} ⦃m : ℕ⦄ [inst]`."""
        groups: list[SBinderGroup] = []
        while True:
            tok = self.peek()
            if tok.kind != "sym" or tok.text not in ("(", "{", "⦃", "["):
                return tuple(groups)
            self.next()
            closer = _CLOSERS_OF[tok.text]
            self._bracket_depth += 1
            if tok.text == "[":
                ty = self.parse_term(0)
                names: tuple[str, ...] = ()
                if self.accept(":"):  # `[inst : Fact p]`
                    if not isinstance(ty, SIdent):
                        self.error("expected instance name", tok)
                    names, ty = (ty.name,), self.parse_term(0)
                self._expect_closer(closer)
                self._bracket_depth -= 1
                groups.append(SBinderGroup(names, type=ty, implicit=True))
                continue
            names_l: list[str] = []
            while self.peek().kind == "ident" and self.peek().text not in STOP_WORDS or self.peek().text == "_":
                names_l.append(self.next().text)
            if not names_l:
                self._unexpected("identifier")
            ty_syn: Syn | None = None
            if self.accept(":"):
                ty_syn = self.parse_term(0)
            if self.peek().text == ":=":
                self.error("unsupported construct ':=' (optional parameter)", self.peek())
            self._expect_closer(closer)
            self._bracket_depth -= 1
            groups.append(SBinderGroup(tuple(names_l), type=ty_syn, implicit=tok.text != "("))


_CLOSERS_OF = {"(": ")", "{": "}", "⦃": "⦄", "[": "]"}


def _pos_of(syn: Syn, tok: Token) -> tuple[int, int]:
    pos = getattr(syn, "pos", None)
    return pos if pos and pos != (0, 0) else (tok.line, tok.col)


# ---------------------------------------------------------------- entry points


def parse_term_text(text: str) -> Syn:
    """The whole of `text` as one term; trailing tokens are an error at their position."""
    p = Parser(text)
    term = p.parse_term(0)
    if not p.at_end():
        p._unexpected("end of term")
    return term


_DECL_WORDS = ("theorem", "lemma", "example")


def parse_theorem(text: str) -> TheoremSyn:
    """`theorem NAME BINDERS : PROP [:= proof]` (also `lemma`, `example`); proof kept raw."""
    p = Parser(text)
    while p.peek().kind == "ident" and p.peek().text in ("private", "protected", "nonrec"):
        p.next()
    tok = p.peek()
    if tok.kind != "ident" or tok.text not in _DECL_WORDS:
        p.error("expected 'theorem', 'lemma' or 'example'", tok)
    p.next()
    pos = (tok.line, tok.col)
    if tok.text == "example":
        name = "example"
    else:
        name_tok = p.peek()
        if name_tok.kind != "ident" or name_tok.text in STOP_WORDS:
            p.error("expected identifier", name_tok)
        name = p.next().text
    binders = p.parse_binder_groups()
    p.expect(":")
    statement = p.parse_term(0)
    proof: str | None = None
    if not p.at_end():
        if p.peek().text != ":=":
            p._unexpected("':='")
        p.next()
        proof = p.remaining_text().strip()
        if not proof:
            p.error("unexpected end of input; expected term")
        p.i = len(p.tokens) - 1
    return TheoremSyn(name, binders, statement, proof, pos=pos)
