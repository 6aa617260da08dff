"""The ``[exports]`` settings, owned by the exports package and read into it by app.config.

Each key's default lives here and nowhere else; ``config.example.toml`` documents them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ExportsConfig:
    directory: str = "var/exports"
    expiry_minutes: int = 60
    password_delivery: Literal["ephemeral", "email"] = "ephemeral"
    mask_by_default: bool = False
