"""Extract, not only scaffold: move each service's code in and rewire the calls between services.

``msa scaffold ANALYSIS -o DIR --extract`` runs the scaffold and then
:func:`extract_files`: every service package receives the source of the modules and units it
owns, read again from the analyzed repository (the one step allowed to) and rewritten with
libcst codemods, never imported or executed:

- imports follow the service's layout (``<package>/ported/`` for its code,
  ``<package>/vendor/`` for the shared library, vendored into each service);
- each call into another service's function becomes a call through the generated client
  where its arguments and result can cross the wire (entities by primary key when the callee
  owns them, as read-only snapshots when it only reads them); stateless code a remote call
  cannot serve is copied in; anything else is bound to a stub that raises with the reason;
- interface operations and monolith URLs run the moved code;
- entity classes move with their owning service; direct ORM access to another service's
  entity is reported in MIGRATION.md, not silently kept.

Counts (rewired, replicated, stubbed call sites, with reasons) go to ``scaffold.json`` and the
summary line. See ``docs/extract.md``.
"""

from analyzer.extract.emit import extract_files
from analyzer.extract.model import Extraction, ServiceExtraction

__all__ = ["Extraction", "ServiceExtraction", "extract_files"]
