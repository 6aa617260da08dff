"""What `bob people` does (its arguments: :mod:`app.cli_people`): the agencies and their
enrollers with their roles, so an operator (or a newcomer trying the demo) knows whom `--as`
can name.

Names, license numbers and roles are enroller data, not consumer PII; emails stay out.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy import select

from app.runtime import Runtime
from rules.access import ROLE_NAMES
from store.errors import BobError
from store.models import Agency, Enroller


def roster(runtime: Runtime, agency_code: str | None) -> list[dict[str, Any]]:
    """Each agency (or the one with ``agency_code``) with its enrollers, in the order filed."""
    runtime.require_schema()
    with runtime.sessions() as session:
        query = select(Agency).order_by(Agency.id)
        if agency_code is not None:
            query = query.where(Agency.code == agency_code.strip())
        agencies = session.scalars(query).all()
        if agency_code is not None and not agencies:
            raise BobError(f"no agency has the code {agency_code.strip()[:40]!r}; `people` lists them")
        enrollers = session.scalars(
            select(Enroller).where(Enroller.agency_id.in_([a.id for a in agencies])).order_by(Enroller.id)
        ).all()
    return [
        {
            "code": agency.code,
            "name": agency.name,
            "time_zone": agency.time_zone,
            "enrollers": [
                {
                    "license_number": enroller.license_number,
                    "name": f"{enroller.first_name} {enroller.last_name}",
                    "role": str(enroller.role),
                    "role_name": ROLE_NAMES[enroller.role],
                    "active": enroller.active,
                }
                for enroller in enrollers
                if enroller.agency_id == agency.id
            ],
        }
        for agency in agencies
    ]


def people_command(runtime: Runtime, args: argparse.Namespace) -> None:
    agencies = roster(runtime, args.agency)
    if args.json:
        print(json.dumps(agencies, indent=2))
        return
    if not agencies:
        print("no agencies yet; `bob seed`, `bob import` or `bob demo` adds some")
    for agency in agencies:
        print(f"{agency['code']}  {agency['name']}  ({agency['time_zone']})")
        for person in agency["enrollers"]:
            inactive = "  (inactive)" if not person["active"] else ""
            print(f"  {person['license_number']:<10} {person['name']:<32} {person['role_name']}{inactive}")
