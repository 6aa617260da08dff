"""The words of a CRW case that people read and type: its risk labels and the reasons it
can be closed with. Plain data apart from the SQL, so `bob crw --help` can list them without
importing SQLAlchemy."""

from __future__ import annotations

RISK_LABELS = {1: "Very Low Risk", 2: "Low Risk", 3: "Medium Risk", 4: "High Risk", 5: "Very High Risk"}
RESOLUTION_REASONS: tuple[str, ...] = (
    "Renewed - same plan",
    "Renewed - new plan",
    "Moved to Medi-Cal",
    "Obtained other coverage",
    "Moved out of state",
    "Consumer declined",
    "Unable to contact",
    "Other",
)
