"""`bob people`: agencies, enrollers and their roles (what it does: :mod:`app.commands.people`)."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    people = commands.add_parser(
        "people", help="list agencies, their enrollers and roles (license numbers for --as)"
    )
    people.add_argument("--agency", metavar="CODE", help="only this agency")
    people.add_argument("--json", action="store_true", help="print JSON")
    people.set_defaults(handler="app.commands.people:people_command")
