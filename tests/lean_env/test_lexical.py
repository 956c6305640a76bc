"""The Lean-text toolkit's lexer reads text as Lean's scanner does: char literals versus primes,
numerals, identifiers with Lean's character classes, and a big operator's binder `in`."""

from __future__ import annotations

import pytest

from lean_env.text.lexical import (
    LeanTextError,
    balanced,
    binder_ins,
    ident_char,
    ident_start,
    identifiers,
    is_prime,
    literal_end,
    split_top,
)


def names(text: str) -> list[str]:
    return [i.name for i in identifiers(text)]


LITERALS = ["'a'", "'\\n'", "'\\''", "'\\\\'", "'\"'", "')'", "';'", "'\\x41'", "'\\u03B1'", "'α'"]


@pytest.mark.parametrize("literal", LITERALS)
def test_char_literals_are_literals(literal):
    text = f"exact {literal} x"
    assert literal_end(text, 6) == 6 + len(literal)
    assert names(text) == ["exact", "x"]  # nothing inside the literal is a name


def test_char_literals_do_not_fool_brackets_and_separators():
    assert balanced("exact ')'") and balanced("exact '('") and balanced("exact ('(', ']')")
    assert split_top("exact ';' x") == ["exact ';' x"]
    assert split_top("simp; exact ';'") == ["simp", " exact ';'"]
    assert not balanced("exact )")  # outside a literal a bracket counts
    with pytest.raises(LeanTextError):
        split_top("exact (')'")


@pytest.mark.parametrize(("text", "quote"), [("h'", 1), ("x''", 1), ("x''", 2), ("h₁'", 2), ("Nat.succ'", 8),
                                             ("rcases h with ⟨x', hx'⟩", 16)])
def test_primes_belong_to_identifiers(text, quote):
    assert text[quote] == "'" and is_prime(text, quote)
    assert literal_end(text, quote) == quote


@pytest.mark.parametrize(("text", "quote"), [("f 'a'", 2), ("2'a'", 1), ("(')'", 1), ("h.2'a'", 3), ("0x1F'a'", 4)])
def test_a_quote_after_a_numeral_or_symbol_starts_a_char_literal(text, quote):
    assert not is_prime(text, quote)
    assert literal_end(text, quote) == quote + 3


def test_lean_escapes_only():
    assert literal_end("'\\0'", 0) == 0  # `\0` is no escape in Lean
    assert literal_end("'ab'", 0) == 0


def test_identifier_characters_are_leans():
    assert all(ident_start(c) for c in "aZ_αβΓℕℝ𝒜")
    assert not any(ident_start(c) for c in "0λΠΣ'₀·∑")
    assert all(ident_char(c) for c in "a0_'!?₀₉ₐᵢ")
    # letters Python calls word characters but Lean ends a name at
    assert not any(ident_char(c) for c in "ᵒᵈ²µªа中\u00a0\u200b")


def test_identifiers_are_read_token_by_token():
    assert names("simp [Nat.succ_le, h₀] at h₁ ⊢") == ["simp", "Nat.succ_le", "h₀", "at", "h₁"]
    assert names("exact h.1.le") == ["exact", "h", "le"]
    assert names("exact @sorryAx _ false") == ["exact", "sorryAx", "_", "false"]
    assert names("exact _root_.Lean.ofReduceBool") == ["exact", "_root_.Lean.ofReduceBool"]
    assert names("apply? using h") == ["apply?", "using", "h"]
    assert names("exact h -- sorry\n/- admit -/") == ["exact", "h"]  # comments are not code


@pytest.mark.parametrize(("text", "hidden"), [
    ("exact 2sorry", "sorry"),  # a numeral ends where Lean's does
    ("exact 0xdsorry", "sorry"),
    ("exact 1.5e3sorry", "sorry"),
    ("exact hᵒᵈsorry", "sorry"),  # ᵒᵈ is a token, not part of a name
    ("exact x²sorry", "sorry"),
    ("exact xаsorry", "sorry"),  # Cyrillic а
    ("exact h.2.sorry", "sorry"),
])
def test_no_name_hides_in_a_longer_run(text, hidden):
    assert hidden in names(text)


def test_guillemet_parts_are_read_as_their_text():
    [_, ident] = list(identifiers("exact «Lean».ofReduceBool"))
    assert ident.parts == ("Lean", "ofReduceBool")
    assert [i.parts for i in identifiers("exact «a.b».c")] == [("exact",), ("a.b", "c")]


def test_binder_in_of_big_operators():
    text = "have : ∑ k in Finset.range n, k = ∏ i in s, f i := by simp"
    ins = binder_ins(text)
    assert ins == {text.index("in Finset"), text.index("in s")}
    nested = "show ∑ i in s, ∑ j in (t i), f i j = 0"
    assert len(binder_ins(nested)) == 2
    assert binder_ins("(∑ k in s, f k) = x") == {5}
    # a command's `in`, or an `in` after the binder's comma, is no binder's
    assert binder_ins("open Nat in omega") == set()
    assert binder_ins("set_option maxHeartbeats 0 in simp") == set()
    after = "have : ∑ k in s, f k = 0 in simp"
    assert binder_ins(after) == {after.index("in s")}
    closed = "(∑ k, f k) in simp"
    assert binder_ins(closed) == set()
    assert binder_ins("∑ k ∈ Finset.range n, k") == set()
