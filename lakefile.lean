import Lake
open Lake DSL

-- Placeholder Lake package. The Lean backend issue fills in the REPL
-- (leanprover-community/repl, pinned to this toolchain) that the `repl` backend drives.
-- The toolchain is pinned by `lean-toolchain`; Mathlib by the tag below.

package LeanZero where
  -- package configuration options go here

require mathlib from git
  "https://github.com/leanprover-community/mathlib4" @ "v4.24.0"
