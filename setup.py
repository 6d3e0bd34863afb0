"""The one build step pyproject.toml cannot declare: the top-level resources/ folder goes into the
package as dispensary/resources/, with the windows' translations compiled (.ts -> .qm).

resources/ stays at the top of the checkout, where the developers' guide and the translators
look for it; a wheel (and the PyInstaller folder built from the installed package) carries it
inside the package, where dispensary.packaged finds it with importlib.resources. The .qm is
never committed (a stale one would show old words), so it is built here, with PySide6's
lrelease when the build environment has it (pip wheel --no-build-isolation, installer/build.sh).
Without lrelease a .qm already in resources/ (an sdist built from a set-up checkout) is kept;
failing that the program builds it at start, as it does in a checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
RESOURCES = HERE / "resources"
TS_NAME = re.compile(r"^[a-z]+_(?P<language>[a-z]{2,3}(?:_[A-Z]{2})?)\.ts$")


def lrelease() -> str | None:
    """pyside6-lrelease beside the building Python, else on the PATH; None without PySide6."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which("pyside6-lrelease", path=search)  # .exe found too, on Windows


def build_translations(folder: Path) -> None:
    """One dispensary_<language>.qm from each language's .ts files (as ui/translations.py)."""
    by_language: dict[str, list[Path]] = {}
    for ts in sorted(folder.glob("*.ts")):
        if found := TS_NAME.match(ts.name):
            by_language.setdefault(found["language"], []).append(ts)
    tool = lrelease()
    # pip's isolated build hides the environment's packages through PYTHONPATH; lrelease is a
    # script of the environment's PySide6, so it runs with them in sight.
    tool_env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONNOUSERSITE"}}
    for language, sources in by_language.items():
        target = folder / f"dispensary_{language}.qm"
        if tool is None:
            if not target.exists():
                print(f"warning: no pyside6-lrelease: {target.name} left to the program's start")
            continue
        done = subprocess.run(
            [tool, "-silent", *map(str, sources), "-qm", str(target)],
            capture_output=True,
            text=True,
            check=False,
            env=tool_env,
        )
        if done.returncode != 0 or not target.exists():
            raise SystemExit(f"lrelease could not build {target}: {done.stderr or done.stdout}")


class BuildWithResources(build_py):
    """build_py, then resources/ copied into the built package and its translations built."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads resources/ where it is
            return
        target = Path(self.build_lib) / "dispensary" / "resources"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(RESOURCES, target, ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))
        build_translations(target / "i18n" / "ui")


setup(cmdclass={"build_py": BuildWithResources})
