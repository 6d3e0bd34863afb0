"""Starting the desktop program: the sign-in window first, then the database behind it.

The window is on screen before the database layer is even imported, and the database opens on
a worker thread, so the pharmacist can start typing at once; the services, screens and report
libraries load after sign-in. Set DISPENSARY_STARTUP_PROBE=1 to print the seconds from process
start to the sign-in window taking keystrokes (and to the database being open), then quit
(benchmarks/bench_startup.py uses it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from dispensary import config
from dispensary.app import Desk
from dispensary.db.files import private_umask
from dispensary.ui.sign_in import SignInWindow

if TYPE_CHECKING:
    from dispensary.app import Workstation

PROBE = "DISPENSARY_STARTUP_PROBE"
PROBE_SHOWN = "sign-in window shown after"
PROBE_OPEN = "database open after"


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
        help="build the demo pharmacy first if the file does not exist (without --db: "
        "demo.sqlite3 in the data folder)",
    )
    return parser.parse_args(list(argv))


def demo_database(args: argparse.Namespace) -> str:
    """--demo without --db uses demo.sqlite3 in the data folder, never the real database."""
    return str(args.db or config.data_dir() / "demo.sqlite3")


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


class DatabaseOpener(QThread):
    """Opens (or first builds, for --demo) the database off the UI thread, so the sign-in
    window takes keystrokes while the database layer loads and the file is checked."""

    opened = Signal(object)  # a dispensary.app.Workstation
    failed = Signal(str, int)  # the message, the exit code

    def __init__(self, database: str, demo: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.demo = demo

    def run(self) -> None:
        from dispensary.app import build_demo_if_missing, open_workstation
        from dispensary.db.faults import escaped_fault, write_error_text
        from dispensary.domain.errors import DispensaryError

        try:
            if self.demo:
                build_demo_if_missing(self.database)
            workstation = open_workstation(self.database)
        except DispensaryError as exc:  # full, read-only, busy, foreign, damaged...: named
            self.failed.emit(exc.message, exc.exit_code)
            return
        except OSError as exc:  # the demo's file, the settings: said, not a silent thread
            self.failed.emit(write_error_text(exc, exc.filename or self.database, False), 3)
            return
        except Exception as exc:
            fault = escaped_fault(exc, self.database)
            if fault is not None:
                self.failed.emit(fault.message, fault.exit_code)
            else:
                self.failed.emit(f"Unexpected error ({type(exc).__name__}: {exc}).", 1)
            return
        self.opened.emit(workstation)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    umask = private_umask()  # every file the program creates (SQLite's too) is owner-only
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Dispensary")
    app.setOrganizationName("Dispensary")
    apply_style(app)
    database = demo_database(args) if args.demo else config.database_from(args.db)
    window = SignInWindow(database)
    window.show()
    probe = bool(os.environ.get(PROBE))
    times: dict[str, float] = {}
    kept: dict[str, object] = {}

    def report_when_ready() -> None:
        if probe and len(times) == 2:
            app.quit()

    def shown() -> None:
        times["shown"] = process_seconds()
        if probe:
            print(f"{PROBE_SHOWN} {times['shown']:.3f} s", flush=True)
        report_when_ready()

    def opened(workstation: Workstation) -> None:
        times["database"] = process_seconds()
        if probe:
            print(f"{PROBE_OPEN} {times['database']:.3f} s", flush=True)
        desk = Desk(workstation, window)
        kept["desk"] = desk
        if workstation.warning and not window.form.message.isVisible():
            window.form.message.show_message(workstation.warning, "warning")
        app.aboutToQuit.connect(desk.wait_for_backup)
        report_when_ready()

    def failed(message: str, exit_code: int) -> None:
        QMessageBox.critical(window, "Dispensary cannot open the database", message)
        app.exit(exit_code)

    opener = DatabaseOpener(database, args.demo)
    opener.opened.connect(opened)
    opener.failed.connect(failed)
    opener.start()
    QTimer.singleShot(0, shown)
    code = app.exec()
    opener.wait()
    window.close()
    desk = kept.get("desk")
    if isinstance(desk, Desk):
        desk.close_database()
    os.umask(umask)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
