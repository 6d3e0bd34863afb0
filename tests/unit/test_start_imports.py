"""What the windows' start imports: not Alembic (and Mako, Pygments), ~16 MB resident at a busy
site for nothing, when the database is at the current schema (db/migrate imports it only to
create or upgrade one)."""

from __future__ import annotations

import os
import subprocess
import sys

from dispensary.services.context import Context

_START = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from dispensary.app import open_workstation
from dispensary.ui.main_window import MainWindow
from dispensary.ui.dashboard import DashboardScreen
from dispensary.services import dashboard
from dispensary.db import protection
open_workstation(sys.argv[1])
protection.required_triggers(True)
print(sorted({m.split(".")[0] for m in sys.modules} & {"alembic", "mako", "pygments"}))
"""


def test_opening_a_database_at_the_current_schema_does_not_import_alembic(ctx: Context) -> None:
    ctx.engine.dispose()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _START, ctx.database],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
