"""Storage: SQLAlchemy 2 tables, Alembic migrations, and the `Store` repository.

See `repository.py` for the API; nothing outside this package imports the ORM models.
"""

from __future__ import annotations

from monitor.errors import StorageError
from monitor.storage.intervals import Correction
from monitor.storage.outages import IncidentUpdate
from monitor.storage.repository import IngestSummary, Store
from monitor.storage.results import Restatement, SaveOutcome, StoredResult
from monitor.storage.state import CollectorRun

__all__ = ["CollectorRun", "Correction", "IncidentUpdate", "IngestSummary", "Restatement",
           "SaveOutcome", "StorageError", "Store", "StoredResult"]
