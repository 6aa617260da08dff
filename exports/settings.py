"""The ``[exports]`` settings, owned by the exports package and read into it by app.config.

Each key's default, and a number's allowed range, lives here and nowhere else;
``config.example.toml`` documents them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class ExportsConfig:
    directory: str = "var/exports"
    expiry_minutes: int = field(default=60, metadata={"min": 1})
    password_delivery: Literal["ephemeral", "email"] = "ephemeral"
    mask_by_default: bool = False
