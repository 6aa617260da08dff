"""The two ways an export can end badly: refused before it starts, or failed while built."""

from __future__ import annotations

from store.errors import BobError, Refused


class ExportRefused(Refused):
    """The export is not allowed or not possible (the message may echo enroller names)."""


class ExportFailed(BobError):
    """Building or storing the workbook failed; the history row says ``failed`` and why."""
