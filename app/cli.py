"""The `bob` command line: what can be typed. Each area registers its subcommands from its
own parser module (``app/cli_*.py``), which names the function that runs each one
("app.commands.summary:summary_run"). Parsing imports no heavy library, so `bob --help`,
`bob <cmd> --help` and a mistyped argument answer at once (tests/test_cli_startup.py holds
the list); :func:`app.commands.run` then loads what the chosen command needs.
"""

from __future__ import annotations

import argparse
import pkgutil
import sys
from collections.abc import Sequence
from importlib import import_module

import app
from app.interpreter import collector_paused

# Every module app/cli_*.py has `register(subparsers)`; each adds its commands and sets
# `handler` to "module:function" of what runs the command.
COMMAND_MODULES = sorted(
    f"app.{module.name}" for module in pkgutil.iter_modules(app.__path__) if module.name.startswith("cli_")
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bob", description="Book of Business for agents and agencies.")
    parser.add_argument("--config", help="path to the TOML config (default: $BOB_CONFIG or ./bob.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        import_module(name).register(commands)
    parser.set_defaults(command_names=frozenset(commands.choices))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with collector_paused() as imported:
        args = build_parser().parse_args(argv)
        # Only a parsed command loads the config, the store and its own libraries.
        from app.commands import run

        return run(args, imported)


if __name__ == "__main__":
    sys.exit(main())
