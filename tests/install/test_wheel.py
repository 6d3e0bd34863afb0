"""A user's install: the sdist and the wheel built from a copy of the checkout, the wheel installed
into a fresh virtual environment that cannot see the source tree, and the program run from it.

Every file of resources/ must be inside the wheel (dispensary/resources/, with the windows'
compiled translations), and the installed program must read them from there: `dispensary
--version`, the demo pharmacy, the desktop program up to its sign-in window (offscreen), the
windows in Chinese, and a dispensing label in Chinese (the CJK font inside the wheel).

The fresh venv has no network: the dependencies are made visible by a .pth file naming the
site-packages folders of the Python running the tests (a .pth file in such a folder, like an
editable install's, is not read there, so the checkout stays out of sight).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

import dispensary

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "CHANGELOG.md")
CHECKOUT_FOLDERS = ("src", "resources")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.py[co]", "*.egg-info", "*.qm")
QM = "i18n/ui/dispensary_zh_CN.qm"
PASSWORD = "demo-pass-1"
STUDY = "NCT07198672"


def shipped_files() -> set[str]:
    """Every file of the checkout's resources/ (the .qm is built, never committed)."""
    folder = ROOT / "resources"
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".qm"
    }


def copy_checkout(target: Path) -> Path:
    """What a clone holds, without what a set-up made (.venv, egg-info, the built .qm)."""
    target.mkdir()
    for name in CHECKOUT_FILES:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
    for name in CHECKOUT_FOLDERS:
        shutil.copytree(ROOT / name, target / name, ignore=SKIPPED)
    return target


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH into the checkout, no test settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
        and not key.startswith("DISPENSARY_")
    }
    env.update(extra)
    return env


def dependency_folders() -> list[str]:
    """The running Python's site-packages folders (this venv's, and any it reaches by .pth)."""
    own = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    reached = {entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages"))}
    source = str(ROOT / "src")
    return sorted(folder for folder in own | reached if Path(folder).is_dir() and folder != source)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel, the wheel built from the sdist (as pip would from PyPI)."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    if shutil.which("pyside6-lrelease", path=search) is None:  # where setup.py looks for it
        pytest.fail("no pyside6-lrelease beside this Python or on PATH: no .qm for the wheel")
    try:
        import build  # noqa: F401  (python -m build, from the test extras)
    except ImportError:
        pytest.fail("the `build` package is missing: pip install -e '.[test]'")
    base = tmp_path_factory.mktemp("wheel")
    checkout = copy_checkout(base / "checkout")
    dist = base / "dist"
    run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(checkout)],
        cwd=base,
        env=clean_env(),
    )
    (sdist,) = dist.glob("dispensary-*.tar.gz")
    (wheel,) = dist.glob("dispensary-*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def venv(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (and the dependencies reachable by a .pth file)."""
    _sdist, wheel = built
    folder = tmp_path_factory.mktemp("fresh") / "venv"
    run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)],
        cwd=folder.parent,
        env=clean_env(),
    )
    python = folder / "bin" / "python"
    purelib = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=folder.parent,
        env=clean_env(),
    ).strip()
    Path(purelib, "dependencies.pth").write_text("\n".join(dependency_folders()) + "\n")
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--force-reinstall",
            "--disable-pip-version-check",
            "-q",
            str(wheel),
        ],
        cwd=folder.parent,
        env=clean_env(),
    )
    return folder


def test_the_sdist_and_the_wheel_carry_every_shipped_file(built: tuple[Path, Path]) -> None:
    sdist, wheel = built
    with tarfile.open(sdist) as archive:
        in_sdist = {
            name.split("/resources/", 1)[1]
            for name in archive.getnames()
            if "/resources/" in name and archive.getmember(name).isfile()
        }
    assert shipped_files() <= in_sdist, f"left out of the sdist: {shipped_files() - in_sdist}"
    with zipfile.ZipFile(wheel) as archive:
        prefix = "dispensary/resources/"
        in_wheel = {n[len(prefix) :] for n in archive.namelist() if n.startswith(prefix)}
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        version_line = f"Version: {dispensary.__version__}"
        assert version_line in archive.read(metadata).decode().splitlines()
    missing = (shipped_files() | {QM}) - in_wheel
    assert not missing, f"left out of the wheel: {sorted(missing)}"
    assert "dispensary/db/migrations/env.py" in zipfile.ZipFile(wheel).namelist()


def test_the_installed_program_runs_from_the_wheel_alone(venv: Path, tmp_path: Path) -> None:
    bin_ = venv / "bin"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(
        DISPENSARY_HOME=str(tmp_path / "home"), DISPENSARY_LANG="en", QT_QPA_PLATFORM="offscreen"
    )

    assert run([str(bin_ / "dispensary"), "--version"], elsewhere, env).strip() == (
        f"dispensary {dispensary.__version__}"
    )

    # The installed package reads its own files, never the checkout's.
    where = run(
        [
            str(bin_ / "python"),
            "-c",
            "import dispensary, dispensary.packaged as p; "
            "print(dispensary.__file__); print(p.resources_folder()); "
            "print(p.resource('" + QM + "').is_file())",
        ],
        elsewhere,
        env,
    ).splitlines()
    assert all(line.startswith(str(venv)) for line in where[:2]), where
    assert where[2] == "True", "the windows' translation was built into the wheel"

    db = tmp_path / "demo.sqlite3"
    demo = run([str(bin_ / "dispensary"), "demo", "--db", str(db)], elsewhere, env)
    assert "demo-pass-1" in demo

    probe = run(
        [str(bin_ / "dispensary-gui"), "--db", str(db), "--lang", "zh_CN"],
        elsewhere,
        dict(env, DISPENSARY_STARTUP_PROBE="1"),
        timeout=120,
    )
    *steps, peak = probe.splitlines()
    assert [line.split(" after ")[0] for line in steps] == ["sign-in window shown", "database open"]
    assert peak.startswith("peak memory ") and peak.endswith(" MB")

    # The windows in Chinese, the CJK font and the style sheet, as the program loads them.
    windows = run(
        [
            str(bin_ / "python"),
            "-c",
            "from PySide6.QtWidgets import QApplication\n"
            "from dispensary.i18n import Language\n"
            "from dispensary.ui import translations\n"
            "from dispensary.ui.app import style_sheet_path\n"
            "from dispensary.services.users import common_passwords\n"
            "app = QApplication([])\n"
            "print(translations.install_language(Language.ZH_CN))\n"
            "print(app.translate('SignInForm', '&Sign in'))\n"
            "print(translations.load_cjk_font())\n"
            "print(style_sheet_path().is_file(), len(common_passwords()) > 100)\n",
        ],
        elsewhere,
        env,
    ).splitlines()
    assert windows[0] == "True", windows
    assert windows[1] != "&Sign in", f"the sign-in window's words are translated: {windows}"
    assert windows[2].startswith("WenQuanYi"), windows
    assert windows[3] == "True True", windows

    # A dispense, then its label in Chinese: the CJK font embedded from inside the wheel.
    today = date.today().isoformat()
    cli = [str(bin_ / "dispensary"), "--db", str(db), "--study", STUDY]
    signed = dict(env, DISPENSARY_PASSWORD=PASSWORD)
    run(
        [*cli, "--user", "admin", "study", "confirm", "label.text.zh_CN", "--reason", "test"],
        elsewhere,
        signed,
    )
    run(
        [
            *cli,
            "--user",
            "pharmacist",
            "enroll",
            "01-900",
            "--initials",
            "ZZ",
            "--birth-year",
            "1970",
            "--sex",
            "F",
            "--criteria-confirmed",
            "--eligibility-confirmed-by",
            "Zhenzhen Liu, M.D.",
            "--date",
            today,
        ],
        elsewhere,
        signed,
    )
    dispensed = run(
        [
            *cli,
            "--user",
            "pharmacist",
            "--json",
            "dispense",
            "01-900",
            "--cycle",
            "1",
            "--day1",
            today,
            "--date",
            today,
        ],
        elsewhere,
        signed,
    )
    number = dispensed.split('"dispense": "', 1)[1].split('"', 1)[0]
    label = tmp_path / "label.pdf"
    run(
        [
            *cli,
            "--user",
            "pharmacist",
            "--lang",
            "zh_CN",
            "label",
            "dispense",
            number,
            "--stock",
            "a4-sheet",
            "--out",
            str(label),
        ],
        elsewhere,
        signed,
    )
    assert b"WenQuanYiMicroHei" in label.read_bytes()
    text = PdfReader(label).pages[0].extract_text()
    assert "药盒" in text and "批号" in text, text
