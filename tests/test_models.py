"""``store.models`` gives every model by name, imports a model's module only when asked, and
still shows Alembic, the seed and the ORM every table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import store.models
from store.models import HOMES, MODELS, NAMING, UtcDateTime, utcnow

HELPERS = {"__init__", "base", "partial_index"}  # modules of the package that define no table


def fresh(code: str) -> object:
    """What ``code`` prints as JSON, run in a fresh interpreter (this one has every model)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def test_every_module_of_the_package_is_listed_with_the_names_it_gives():
    modules = {path.stem for path in Path(store.models.__file__).parent.glob("*.py")} - HELPERS
    assert set(MODELS) == modules
    for module, names in MODELS.items():
        for name in names:
            assert getattr(store.models, name) is getattr(sys.modules[f"store.models.{module}"], name)


def test_all_names_every_model_and_the_shared_types():
    assert set(store.models.__all__) == {"Base", "NAMING", "UtcDateTime", "utcnow", *HOMES}
    assert (NAMING, UtcDateTime, utcnow) == (
        store.models.NAMING,
        store.models.UtcDateTime,
        store.models.utcnow,
    )


def test_a_model_loads_its_own_module_only():
    loaded = fresh(
        "import json, sys\n"
        "from store.models import OutboxEmail\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('store.models.'))))"
    )
    assert loaded == ["store.models.base", "store.models.delivery"]


def test_asking_for_base_defines_every_table():
    tables = fresh(
        "import json\nfrom store.models import Base\nprint(json.dumps(sorted(Base.metadata.tables)))"
    )
    assert isinstance(tables, list) and {"outbox", "consumers", "incidents", "job_runs"} <= set(tables)
    assert len(tables) == len(store.models.Base.metadata.tables)


def test_the_orm_defines_every_table_before_its_first_use():
    """A flush orders its tables by their foreign keys, so every table must be known first."""
    counts = fresh(
        "import json\n"
        "from sqlalchemy.orm import configure_mappers\n"
        "from store.models import OutboxEmail\n"
        "from store.models.base import Base\n"
        "before = len(Base.metadata.tables)\n"
        "configure_mappers()\n"
        "print(json.dumps([before, len(Base.metadata.tables)]))"
    )
    assert counts == [2, len(store.models.Base.metadata.tables)]


def test_a_misspelt_name_is_an_import_error():
    with pytest.raises(ImportError, match="Consumr"):
        from store.models import Consumr  # type: ignore[attr-defined]  # noqa: F401


@pytest.mark.parametrize("module", sorted(MODELS))
def test_a_model_module_alone_types_every_column(module):
    """A foreign key column names its type: one without takes its target's type only once
    the target's module is loaded, which a command may never do."""
    untyped = fresh(
        "import json\n"
        "from sqlalchemy.types import NullType\n"
        f"import store.models.{module}\n"
        "from store.models.base import Base\n"
        "print(json.dumps([f'{t.name}.{c.name}' for t in Base.metadata.tables.values() for c in t.c"
        " if isinstance(c.type, NullType)]))"
    )
    assert untyped == []
