"""Writing consumer cases into the store, one chunk per transaction: see :mod:`.apply`.

One module per kind of row the chunk writes (consumers, enrollments, delegations, consents
and notices, flags), over the chunk's view of the store loaded once (:mod:`.chunk`).
"""

from store.importers.cases.apply import CaseLabels, apply_cases
from store.importers.cases.chunk import CASE_TABLES

__all__ = ["CASE_TABLES", "CaseLabels", "apply_cases"]
