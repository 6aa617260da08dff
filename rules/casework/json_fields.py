"""What a casework view looks like as JSON (`bob crw … --json`, `bob help-request … --json`):
every field in declaration order, dates and times in ISO 8601, also inside notes and updates."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def json_fields(view: DataclassInstance) -> dict[str, Any]:
    """``view``'s fields by name, ready for ``json.dumps``."""
    return {field.name: _json_ready(getattr(view, field.name)) for field in fields(view)}


def _json_ready(value: Any) -> Any:
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value
