"""Starting the desktop program: the sign-in window first, then the database behind it.

The window is on screen before the database layer is even imported, so the pharmacist can
start typing at once; the services, screens and report libraries load after sign-in.
Set DISPENSARY_STARTUP_PROBE=1 to print the seconds from process start to a sign-in window
that accepts a password, and quit (benchmarks/bench_startup.py uses it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from dispensary import config
from dispensary.ui.sign_in import SignInWindow

PROBE = "DISPENSARY_STARTUP_PROBE"
PROBE_PREFIX = "sign-in ready after"


def style_sheet_path() -> Path:
    """resources/style.qss, inside the installed package or in the source tree."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "resources" / "style.qss"
    if installed.exists():
        return installed
    return package.parent.parent / "resources" / "style.qss"


def apply_style(app: QApplication) -> None:
    """The style sheet, with $icons pointing at the icons folder beside it."""
    path = style_sheet_path()
    if not path.exists():
        return
    icons = (path.parent / "icons").as_posix()
    app.setStyleSheet(path.read_text(encoding="utf-8").replace("$icons", icons))


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="dispensary-gui", description="Dispensary: the pharmacy's desktop program."
    )
    parser.add_argument(
        "--db",
        help="database file or URL (default: DISPENSARY_DB, then the user data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="build the demo pharmacy in the database file first if it does not exist",
    )
    return parser.parse_args(list(argv))


def process_seconds() -> float:
    """Seconds since this process started (Linux reads it from /proc; elsewhere since import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        return now - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Dispensary")
    app.setOrganizationName("Dispensary")
    apply_style(app)
    database = config.database_from(args.db)
    window = SignInWindow(database)
    window.show()
    state: dict[str, object] = {}

    def open_database() -> None:
        from dispensary.app import Desk, build_demo_if_missing, open_workstation
        from dispensary.domain.errors import DispensaryError

        try:
            if args.demo:
                build_demo_if_missing(database)
            workstation = open_workstation(database)
        except DispensaryError as exc:
            QMessageBox.critical(window, "Dispensary cannot open the database", exc.message)
            app.exit(exc.exit_code)
            return
        desk = Desk(workstation, window)
        state["desk"] = desk
        app.aboutToQuit.connect(desk.wait_for_backup)
        if os.environ.get(PROBE):
            print(f"{PROBE_PREFIX} {process_seconds():.3f} s", flush=True)
            app.quit()

    QTimer.singleShot(0, open_database)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
