"""The fault behind an error that reached the top of a command or window, for front ends that
must not know the database layer (the transactions name their own faults)."""

from __future__ import annotations

from dispensary.db.faults import escaped_fault as _escaped_fault
from dispensary.domain.errors import DatabaseProblem


def escaped_fault(exc: BaseException, db: str) -> DatabaseProblem | None:
    """A last resort: a database error a transaction did not name, named truthfully (full,
    read-only, busy, damaged...), or None when it is not a fault of the disk, file or server."""
    return _escaped_fault(exc, db)
