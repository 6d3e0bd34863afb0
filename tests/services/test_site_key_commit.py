"""A site key is set in one step with its audit entry: a commit that fails after the
workstation's setting was written puts the setting back, so no key signs the anchor log that
the audit trail does not show set."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import SessionTransaction

from dispensary.config import Settings
from dispensary.domain.errors import DispensaryError
from dispensary.services import audit, site_key
from dispensary.services.context import Actor, Context


def test_a_failed_commit_leaves_the_setting_as_it_was(
    ctx: Context, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Settings.load().site_key
    entries = len(audit.list_entries(ctx, admin))

    def fails(_transaction: SessionTransaction) -> None:
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    with monkeypatch.context() as patched:
        patched.setattr(SessionTransaction, "commit", fails)
        with pytest.raises(DispensaryError):  # the fault, said as the database's
            site_key.create(ctx, admin, tmp_path / "site.pem", "anchor log signing")
    assert Settings.load().site_key == before
    assert len(audit.list_entries(ctx, admin)) == entries
    made = site_key.create(ctx, admin, tmp_path / "second.pem", "anchor log signing")
    assert Settings.load().site_key == made.path
