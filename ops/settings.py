"""The ``[ops]`` settings, owned by ops and read into it by app.config: where `bob serve`
answers ``/healthz``, ``/readyz`` and ``/metrics`` (apart from the Slack/web port), and who
is told, and when, that something is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OpsConfig:
    # Off (0) unless set: several `bob serve` processes on one machine each need their own.
    port: int = field(default=0, metadata={"min": 0, "max": 65535})
    host: str = "127.0.0.1"
    # Operators: email addresses (comma-separated) and/or a Slack channel id (C0123…).
    alert_emails: str = ""
    alert_slack_channel: str = ""
    daily_summary_grace_minutes: int = field(default=60, metadata={"min": 1, "max": 1440})
    failure_window_minutes: int = field(default=60, metadata={"min": 1, "max": 10080})
    email_failures: int = field(default=10, metadata={"min": 1})
    export_failures: int = field(default=3, metadata={"min": 1})
    check_every_seconds: int = field(default=60, metadata={"min": 1})

    @property
    def operator_emails(self) -> list[str]:
        return [address.strip() for address in self.alert_emails.split(",") if address.strip()]
