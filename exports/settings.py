"""The ``[exports]`` settings, owned by the exports package and read into it by app.config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportsConfig:
    directory: str = "var/exports"
    expiry_minutes: int = 60
    password_delivery: str = "ephemeral"
    mask_by_default: bool = False
