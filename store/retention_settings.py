"""The ``[retention]`` settings, owned by the store and read into it by app.config.

How long consumer data and the records around it are kept. The defaults are the safe side
for a compliance officer: long enough for an access review and the year's renewals, short
enough that weekly snapshots (full SSNs, dates of birth, income) do not pile up. Audit entries
hold no PII and are kept longest (``app.config`` refuses a shorter audit than any other).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetentionConfig:
    """What the nightly purge removes; every age is in days, counted back from its run."""

    mailbox_days: int = field(default=400, metadata={"min": 30, "max": 3660})
    snapshots_kept: int = field(default=8, metadata={"min": 2, "max": 520})
    export_history_days: int = field(default=400, metadata={"min": 1, "max": 3660})
    sign_in_days: int = field(default=30, metadata={"min": 1, "max": 3660})
    audit_days: int = field(default=2557, metadata={"min": 365, "max": 36600})
    purge_at: str = "04:30"
    batch_size: int = field(default=5000, metadata={"min": 100, "max": 50000})

    def shorter_than_audit(self) -> list[str]:
        """The ages that would keep something longer than the audit log keeps its entries."""
        ages = {
            "mailbox_days": self.mailbox_days,
            "export_history_days": self.export_history_days,
            "sign_in_days": self.sign_in_days,
        }
        return [name for name, days in ages.items() if days > self.audit_days]
