"""`leanzero`: the command line, one program with subcommands (`prove`, `evaluate`, `selfplay`,
`setup-lean`, `doctor`). This module builds the parser and dispatches; each subcommand lives in
its own module. Bad input never ends in a traceback: it is reported as `error: ...` with exit
code 2. Heavy modules load inside the subcommands only, so `leanzero --help` stays light.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import evaluate, lean, prove, selfplay
from cli.common import EXIT_BAD_INPUT, BadInput


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="leanzero", description="LeanZero: an AlphaZero-style prover for Lean 4.")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (prove, lean, selfplay, evaluate):
        module.add_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
