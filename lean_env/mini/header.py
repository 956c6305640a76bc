"""What `mini` makes of a statement's header (the file context before a theorem).

mini reads imports, `open`s, namespaces, `variable`s and earlier theorems as having no effect
on the statement: it does not see them, which can only make it prove less. A header that
*changes what the statement means* is refused instead, naming the declaration: a `def` of
`Prime` makes `Prime 2` mean something else in Lean than in mini, a local `notation` or
`instance` changes how the text reads, an `axiom` or `attribute` changes what is provable or
what `simp` does. So is an earlier theorem named like a lemma or constant mini knows (within a
namespace it would shadow the library's). The Lean backends elaborate the header as it is.
"""

from __future__ import annotations

from lean_env.mini.elaborate_library import ALIASES, KNOWN_CONSTANTS, SPECIAL_CONSTANTS
from lean_env.mini.errors import ParseError
from lean_env.mini.lemmas import LEMMAS
from lean_env.mini.lexer import tokenize

# keyword -> what it declares (for the message)
REFUSED = {
    "def": "a definition", "abbrev": "a definition", "irreducible_def": "a definition",
    "opaque": "an opaque constant", "instance": "an instance", "class": "a class",
    "structure": "a structure", "inductive": "an inductive type", "axiom": "an axiom",
    "notation": "a notation", "infix": "a notation", "infixl": "a notation", "infixr": "a notation",
    "prefix": "a notation", "postfix": "a notation", "syntax": "a syntax extension",
    "macro": "a macro", "macro_rules": "a macro", "elab": "an elaborator", "elab_rules": "an elaborator",
    "attribute": "an attribute change",
}
THEOREMS = ("theorem", "lemma")


def check_header(header: str) -> None:
    """Raise `ParseError` (position in the header) naming the first declaration that changes
    what a statement means, or an earlier theorem that shadows a name mini knows."""
    try:
        tokens = tokenize(header)
    except ParseError:
        return  # text mini cannot even tokenize (strings, say) has no declaration it reads
    known = set(LEMMAS) | set(KNOWN_CONSTANTS) | set(SPECIAL_CONSTANTS) | set(ALIASES)
    for i, tok in enumerate(tokens):
        if tok.kind != "ident":
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        name = nxt.text if nxt is not None and nxt.kind == "ident" else ""
        if tok.text in REFUSED:
            what = f"`{tok.text} {name}`" if name else f"`{tok.text}`"
            raise ParseError(
                f"mini cannot interpret the header's {what} ({REFUSED[tok.text]}, line {tok.line}): "
                "it changes what the statement means in Lean; use a Lean backend (--backend repl)",
                0, 0,
            )
        if tok.text in THEOREMS and name and (name in known or name.rsplit(".", 1)[-1] in known):
            raise ParseError(
                f"mini cannot interpret the header's `{tok.text} {name}` (line {tok.line}): it shadows "
                f"the library name `{name}` that mini's own lemmas use; use a Lean backend (--backend repl)",
                0, 0,
            )
