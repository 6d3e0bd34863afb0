"""The quick revision reading used on start-up agrees with Alembic's own view."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from dispensary.db import migrate


def test_head_read_from_the_files_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.known_revisions() == {r.revision for r in script.walk_revisions()}
