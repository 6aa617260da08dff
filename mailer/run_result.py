"""What a Daily Summary run did, in counts only (no PII), and how `bob summary run` reports it.

Apart from the run (:mod:`mailer.daily_summary`) so that a date already done can be reported
without loading the run's rules, their tables and the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from store.models import DigestKind

# The Daily Summary's name in the run ledger: one run per business date.
JOB = "daily_summary"

# How a dry run names each digest kind: the subject line recipients see.
KIND_TITLES = {DigestKind.DAILY_SUMMARY: "Daily Summary", DigestKind.MANAGER_SUMMARY: "Daily Manager Summary"}


@dataclass
class RunResult:
    """What a run did, in counts only (no PII): new alerts per topic, digests per kind, emails queued."""

    business_date: date
    ran: bool
    alerts: dict[str, int] = field(default_factory=dict)
    digests: int = 0
    skipped: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    emails: int = 0
    slack_dms: int = 0

    def summary(self) -> str:
        if not self.ran:
            return f"{self.business_date}: already done (or running elsewhere); nothing to do"
        return (
            f"{self.business_date}: {sum(self.alerts.values())} new alerts, "
            f"{self.digests} digests delivered to mailboxes, {self.emails} queued as email"
            + (f" ({self.slack_dms} as Slack DMs)" if self.slack_dms else "")
            + (f", {self.skipped} already delivered" if self.skipped else "")
        )

    def preview(self) -> str:
        """The dry run's report: what the real run would write, per topic and per digest kind."""
        from rules.topics import TOPICS_BY_NAME  # the topics' selectors and their tables: not for a done date

        head = f"{self.business_date} (dry run: nothing was stored or sent)"
        if not self.ran:
            return f"{head}: already done (or running elsewhere); a real run would do nothing"
        topics = [f"  {TOPICS_BY_NAME[name].title}: {n}" for name, n in self.alerts.items() if n]
        kinds = ", ".join(f"{self.by_kind.get(kind.value, 0)} {title}" for kind, title in KIND_TITLES.items())
        lines = [
            f"{head}: {sum(self.alerts.values())} new alerts",
            *topics,
            f"{self.digests} digests to mailboxes ({kinds})"
            + (f", {self.skipped} already delivered" if self.skipped else ""),
            f"{self.emails} emails would be queued"
            + (f", and {self.slack_dms} Slack DMs" if self.slack_dms else ""),
        ]
        return "\n".join(lines)
