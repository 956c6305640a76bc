"""Reading a theorem out of a real Lean file: the statement, and the file's context before it
as the header (`lean_env.text.files`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lean_env.text.files import LeanFileError, file_context, split_imports, theorem_in_file


def test_the_header_of_a_file_theorem_is_its_context_in_the_file(tmp_path: Path) -> None:
    source = (
        "/- Copyright -/\nimport Mathlib\n\nnamespace Foo\nvariable (x : ℕ)\n\n"
        "lemma helper : x + 0 = x := by simp\n\nopen Real in\n/-- The one we want.\n  -/\n@[simp]\n"
        "theorem target : x = x := by\n  sorry\n\ntheorem later : True := trivial\nend Foo\n"
    )
    path = tmp_path / "Foo.lean"
    path.write_text(source, encoding="utf-8")
    thm = theorem_in_file(str(path), "target")
    # everything before it, as Lean elaborates it there; the doc comment and the attribute
    # belong to the theorem, and `open Real in` scopes it alone
    assert thm.header == (
        "/- Copyright -/\nimport Mathlib\n\nnamespace Foo\nvariable (x : ℕ)\n\n"
        "lemma helper : x + 0 = x := by simp\nopen Real"
    )
    assert thm.statement == "theorem target : x = x" and (thm.line, thm.col) == (13, 1)
    path.write_text("theorem t : True := trivial\n", encoding="utf-8")
    assert theorem_in_file(str(path), "t").header == ""


@pytest.mark.parametrize(
    ("prefix", "header"),
    [
        ("import A\nset_option maxHeartbeats 400000 in\n", "import A\nset_option maxHeartbeats 400000"),
        ("import A\nopen Real in -- for pi\n", "import A\nopen Real"),
        ("import A\nset_option x 1 in\nopen Nat in\n/-- d -/\n", "import A\nset_option x 1\nopen Nat"),
        ("import A\n/-- like `/- x -/` here -/\n", "import A"),  # block comments nest
        ("import A\n/-- doc -/\n-- TODO\n\n", "import A"),
        ("import A\n@[simp,\n  norm_cast]\n", "import A"),
        ("import A\n/-- doc -/ @[simp]\n", "import A"),
        ('def s := "/--"\n/- note -/\n', 'def s := "/--"'),
        ("def l : List ℕ := [1]\n", "def l : List ℕ := [1]"),  # a `]` that closes no attribute
        ("def x := 1 -- note\n", "def x := 1 -- note"),
        ("", ""),
    ],
)
def test_what_belongs_to_the_theorem_stays_out_of_the_header(prefix: str, header: str) -> None:
    assert file_context(prefix) == header


@pytest.mark.parametrize("line", ["@[simp] theorem foo", "/-- d -/ theorem foo", "/-- d -/ @[simp] private lemma foo"])
def test_a_theorem_after_a_doc_comment_or_attribute_on_its_line_is_found(tmp_path: Path, line: str) -> None:
    path = tmp_path / "F.lean"
    path.write_text(f"import Mathlib\nopen Nat in\n{line} (n : ℕ) : n = n := rfl\n", encoding="utf-8")
    thm = theorem_in_file(str(path), "foo")
    assert thm.statement == (
        f"{line[line.index('theorem') if 'theorem' in line else line.index('lemma'):]} (n : ℕ) : n = n"
    )
    assert thm.header == "import Mathlib\nopen Nat" and thm.line == 3
    with pytest.raises(LeanFileError, match="no theorem or lemma named 'bar'"):
        theorem_in_file(str(path), "bar")


def test_imports_are_read_at_the_top_only() -> None:
    header = "/- Copyright -/\nimport Mathlib\nimport Aesop -- search\n\nset_option maxHeartbeats 400000\nopen Real"
    assert split_imports(header) == (("Mathlib", "Aesop"), " -- search\n\nset_option maxHeartbeats 400000\nopen Real")
    assert split_imports("open Real\nimport Mathlib") == ((), "open Real\nimport Mathlib")  # not a header import
    assert split_imports("import Mathlib\nimportant := 1") == (("Mathlib",), "\nimportant := 1")
    assert split_imports("") == ((), "")
