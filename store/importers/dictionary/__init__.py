"""bob's own import files: one CSV (or one sheet of a workbook) per entity.

The columns of each entity are declared as data in :mod:`.entities` and documented, with
examples, in ``docs/data-dictionary.md``; :mod:`.load` loads a file, a workbook or a folder.
"""

from store.importers.dictionary.entities import ENTITIES, ENTITY_COLUMNS
from store.importers.dictionary.load import import_bob_files

__all__ = ["ENTITIES", "ENTITY_COLUMNS", "import_bob_files"]
