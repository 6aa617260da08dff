"""Synthetic agencies and their enrollers: managers, contacts, admin and support staff, agents."""

from __future__ import annotations

from dataclasses import dataclass

from store import names
from store.models import Role
from store.seed_rows.draws import Weighted, pick, slug
from store.seed_rows.maker import DAY, LANGUAGE, PLACE, TIME_ZONE, Row, RowMaker
from store.seed_rows.numbers import license_number

MIN_STAFF = 4  # agency manager, primary contact, admin staff and at least one agent
AGENT_ROLES = (Role.AGENT_L1, Role.AGENT_L2)


@dataclass(frozen=True)
class Agent:
    """An enroller who holds a book of consumers."""

    id: int
    agency_id: int


@dataclass(frozen=True)
class Staff:
    """The agencies and enrollers made for one seed, and who can be delegated consumers."""

    agencies: list[Row]
    enrollers: list[Row]
    agents: Weighted[Agent]
    agents_by_agency: dict[int, list[Agent]]


class StaffMaker(RowMaker):
    """Makes agencies and their enrollers."""

    def staff(self, agencies: int, enrollers: int) -> Staff:
        """``agencies`` agencies sharing ``enrollers`` enrollers (at least 4 each): one agency
        manager, one primary contact, admin staff, support staff in larger agencies (and in
        the largest of any book, so every role can be tried), and agents level 1 and 2.
        Agencies and agents differ in size like real ones do."""
        r = self.rng
        sizes = [MIN_STAFF] * agencies
        agency_size = Weighted(range(agencies), [r.paretovariate(1.3) for _ in range(agencies)])
        for _ in range(enrollers - MIN_STAFF * agencies):
            sizes[agency_size.pick(r)] += 1
        agency_rows: list[Row] = []
        enroller_rows: list[Row] = []
        agents: list[Agent] = []
        book_sizes: list[float] = []
        agents_by_agency: dict[int, list[Agent]] = {}
        largest = sizes.index(max(sizes))
        for index, size in enumerate(sizes):
            agency = self._agency()
            agency_rows.append(agency)
            roles = [Role.AGENCY_MANAGER, Role.PRIMARY_CONTACT, Role.ADMIN_L1]
            roles += [Role.ADMIN_L2] * (size // 25)
            if size >= 12 or (index == largest and size > MIN_STAFF):
                roles.append(Role.SUPPORT_STAFF)
            roles += [Role.AGENT_L2 if r.random() < 0.3 else Role.AGENT_L1 for _ in range(size - len(roles))]
            colleagues = agents_by_agency.setdefault(agency["id"], [])
            for role in roles:
                row = self._enroller(agency, role)
                enroller_rows.append(row)
                if role in AGENT_ROLES:
                    colleagues.append(Agent(row["id"], agency["id"]))
                    book_sizes.append(r.lognormvariate(0, 0.6))
            agents.extend(colleagues)
        return Staff(agency_rows, enroller_rows, Weighted(agents, book_sizes), agents_by_agency)

    def _agency(self) -> Row:
        r = self.rng
        agency_id = self._id("agencies")
        first, second = names.AGENCY_WORDS
        words = f"{pick(r, first)} {pick(r, second)}"
        return {
            "id": agency_id,
            "code": f"{slug(words)}-{agency_id}",
            "name": f"{words} {pick(r, names.AGENCY_KINDS)}",
            "time_zone": TIME_ZONE,
            "prevent_downline_exports": r.random() < 0.1,
            "mask_exports_by_default": r.random() < 0.2,
            "created_at": self._ago(400 * DAY, 4000 * DAY),
        }

    def _enroller(self, agency: Row, role: Role) -> Row:
        r = self.rng
        enroller_id = self._id("enrollers")
        language = LANGUAGE.pick(r)
        first, last = self._name(language)
        place = PLACE.pick(r)
        is_agent = role in AGENT_ROLES
        return {
            "id": enroller_id,
            "agency_id": agency["id"],
            "first_name": first,
            "last_name": last,
            "license_number": license_number(enroller_id),
            "email": f"{slug(first)}.{slug(last)}.{enroller_id}@{agency['code']}.example.com",
            "phone": self._phone(place[3]),
            "role": role,
            "slack_user_id": None,
            # A few agents have left the agency; their books stay delegated to them.
            "active": not (is_agent and r.random() < 0.015),
            "created_at": self._ago(30 * DAY, 3000 * DAY),
        }
