"""Row makers for synthetic books: one ``random.Random`` in, plain row dicts out.

Every value comes from the generator and the ``as_of`` instant, never from the clock, so the
same seed and ``as_of`` give the same rows. Every timestamp is before ``as_of``. One module per
part of the book: staff, consumers, delegations and CRW cases, enrollments, case facts.
"""

from store.seed_rows.book import BookMaker
from store.seed_rows.maker import ConsumerRows
from store.seed_rows.numbers import case_number, crw_case_number, license_number
from store.seed_rows.staff import MIN_STAFF, Agent, Staff

__all__ = [
    "MIN_STAFF",
    "Agent",
    "BookMaker",
    "ConsumerRows",
    "Staff",
    "case_number",
    "crw_case_number",
    "license_number",
]
