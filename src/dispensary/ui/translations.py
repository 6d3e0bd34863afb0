"""The windows in the user's language: Qt's own translation tools, as Qt programs do.

Every string of the windows is written `self.tr("...")` (or `QCoreApplication.translate` in a
function), `pyside6-lupdate` collects them into `resources/i18n/ui/*_<lang>.ts` (the files the
translators edit, one per group of screens), and `pyside6-lrelease` builds them into one
`dispensary_<lang>.qm` beside them. The .qm is built by the set-up script (and here, when
it is missing or older than a .ts), never committed: a stale .qm would show old words.

Qt's own translations (standard dialogs, the calendar, context menus) come with PySide6.
The CJK font under resources/fonts is given to Qt at start, so that Chinese text never shows
as empty boxes, whatever fonts the workstation has.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFontDatabase

from dispensary.i18n import ENGLISH, Language, resource, set_process_language
from dispensary.packaged import is_source_tree

CJK_FONT = "wqy-microhei.ttc"

GROUPS: dict[str, tuple[str, ...]] = {
    "counter": (
        "dispense_view",
        "return_view",
        "receive_view",
        "scan_field",
        "feedback",
        "forms",
        "widgets",
        "label_preview",
        "unrecorded_prints",
        "screen",
        "session",
        "collection",
        "charts",
        "app",
    ),
    "backoffice": (
        "main_window",
        "sign_in",
        "dashboard",
        "participants_view",
        "count_view",
        "users_view",
        "study_rules_view",
        "studies_view",
        "translations",
        "__init__",
        "qt_imports",
    ),
    "guides": ("guide_view",),
    "records": (
        "reconcile_view",
        "reports_view",
        "audit_view",
        "audit_pickers",
        "temperature_view",
        "inventory_view",
        "screens",
        "models/table",
        "models/paged",
        "models/__init__",
        "vocabulary",
    ),
    "wizard": (
        "setup_wizard",
        "settings_view",
        "../app",  # dispensary/app.py: the first run's and the desk's own words
    ),
    "print": ("label_printers",),
    "backups": ("backups_view",),
}
"""The .ts file each module of ui/ is translated in: one file per group of screens, so that
translators (and engineers) working on different screens never edit the same file."""

UI = Path(__file__).resolve().parent


def ts_files(language: Language) -> list[Path]:
    """The translators' files of a language, one per group of screens."""
    return sorted(resource("i18n", "ui").glob(f"*_{language.value}.ts"))


def qm_file(language: Language) -> Path:
    return resource("i18n", "ui") / f"dispensary_{language.value}.qm"


class TranslationsMissing(RuntimeError):
    """The .qm could not be built (no lrelease): the windows would stay in English."""


def lrelease() -> str:
    """pyside6-lrelease beside this Python (the venv's), else on the PATH."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    if beside.exists():
        return str(beside)
    found = shutil.which("pyside6-lrelease")
    if found is None:
        raise TranslationsMissing("pyside6-lrelease is not installed (it comes with PySide6).")
    return found


def build_qm(language: Language) -> Path:
    """Compiles the language's .ts files into its .qm (unfinished entries are left out)."""
    sources = ts_files(language)
    target = qm_file(language)
    if not sources:
        raise TranslationsMissing(f"No {language.value} translation (.ts) files.")
    # Written beside it, then put in its place: a window (or a test) that has the .qm open
    # maps its pages, and a file rewritten under it stops that process (SIGBUS).
    made = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        result = subprocess.run(
            [lrelease(), "-silent", *map(str, sources), "-qm", str(made)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not made.exists():
            raise TranslationsMissing(f"lrelease failed: {result.stderr.strip() or result.stdout}")
        os.replace(made, target)
    finally:
        made.unlink(missing_ok=True)
    return target


def ensure_qm(language: Language) -> Path | None:
    """The language's .qm, built first when missing or (in a checkout) older than a .ts; None
    for English. An installed package's .qm was built with it: pip gives its files the time of
    the install, so a .ts may look newer, and its folder may not be writable."""
    if language is ENGLISH:
        return None
    target = qm_file(language)
    if target.exists() and not is_source_tree():
        return target
    sources = ts_files(language)
    if target.exists() and all(target.stat().st_mtime >= ts.stat().st_mtime for ts in sources):
        return target
    return build_qm(language)


_installed: list[QTranslator] = []


def install_language(language: Language) -> bool:
    """Puts the windows made from now on in `language` (and Qt's own dialogs, and dates and
    numbers through the default QLocale). False when the translation could not be loaded:
    the windows stay in English, which the caller says."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    set_process_language(language)  # the services' messages and dates follow the windows
    locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    if language is ENGLISH:
        QLocale.setDefault(locale)
        return True
    locale = QLocale(language.value)
    QLocale.setDefault(locale)
    try:
        qm = ensure_qm(language)
    except TranslationsMissing:
        return False
    ours = QTranslator(app)
    if qm is None or not ours.load(str(qm)):
        return False
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        theirs = QTranslator(app)
        if theirs.load(locale, name, "_", qt_dir):
            app.installTranslator(theirs)
            _installed.append(theirs)
    app.installTranslator(ours)
    _installed.append(ours)
    return True


def installed_language() -> Language:
    """The language the windows are in now (English when none was installed)."""
    name = QLocale().name()
    return Language.ZH_CN if name.startswith("zh") and _installed else ENGLISH


def load_cjk_font() -> str | None:
    """Gives Qt the bundled CJK font; its family name, None when it could not be read."""
    path = resource("fonts", CJK_FONT)
    if not path.is_file():
        return None
    ident = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(ident) if ident >= 0 else []
    return families[0] if families else None


def group_sources(group: str) -> list[Path]:
    return [UI / f"{stem}.py" for stem in GROUPS[group] if (UI / f"{stem}.py").exists()]


def update_ts(language: Language, groups: list[str] | None = None) -> list[Path]:
    """Runs pyside6-lupdate: new strings of the windows go into the .ts files (unfinished,
    for a translator), strings gone from the code are dropped."""
    lupdate = Path(lrelease()).with_name("pyside6-lupdate")
    written = []
    for group in groups or list(GROUPS):
        target = resource("i18n", "ui") / f"{group}_{language.value}.ts"
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                str(lupdate),
                "-silent",
                "-no-obsolete",
                "-locations",
                "none",
                "-target-language",
                language.value,
                *map(str, group_sources(group)),
                "-ts",
                str(target),
            ],
            check=True,
        )
        written.append(target)
    return written


if __name__ == "__main__":  # python -m dispensary.ui.translations update|build [group...]
    command, *names = sys.argv[1:] or ["build"]
    for lang in Language:
        if lang is ENGLISH:
            continue
        if command == "update":
            for path in update_ts(lang, names or None):
                print(f"updated {path}")
        print(f"built {build_qm(lang)}")
