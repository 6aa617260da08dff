"""The maker of a whole synthetic book: agencies and their staff, then consumers in chunks."""

from __future__ import annotations

from store.seed_rows.consumers import ConsumerMaker
from store.seed_rows.staff import StaffMaker


class BookMaker(StaffMaker, ConsumerMaker):
    """Makes agencies, enrollers and consumers with their cases from one random stream.

    ``next_ids`` holds the first free id of each table, so the rows can be inserted with
    explicit ids (children reference parents without a round trip) next to existing data.
    """
