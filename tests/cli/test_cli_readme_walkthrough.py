"""The README's walk-through runs as written, on a fresh database, and ends balanced.

The block is taken from README.md when it holds the line `<!-- walkthrough -->` followed by a
bash block; until the section is pasted there, from docs/_readme_cli_section.md. It makes its
own SQLite file, so the PostgreSQL run of the suite skips it.

It runs as pasted into a fresh shell in the checkout: nothing on PATH but the system's, the
checkout's `.venv` (here the venv running the tests, reached through a `.venv` link in a copy of
the checkout's top folder) activated by the block's own first lines.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dispensary

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- walkthrough -->"
BLOCK = re.compile(r"^<!-- walkthrough -->[ \t]*\n(?:[ \t]*\n)*```bash\n(.*?)^```", re.M | re.S)


def walkthrough() -> tuple[Path, str]:
    readme = ROOT / "README.md"
    if readme.exists() and MARKER in readme.read_text(encoding="utf-8"):
        source = readme
    else:
        source = ROOT / "docs" / "_readme_cli_section.md"
    found = BLOCK.search(source.read_text(encoding="utf-8"))
    assert found, f"{source} has the marker {MARKER} but no ```bash block right after it"
    return source, found.group(1)


def test_the_walkthrough_runs_end_to_end(tmp_path: Path, sqlite_only: None) -> None:
    source, script = walkthrough()
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (checkout / "walkthrough.sh").write_text(script, encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DISPENSARY_") and k not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    # A plain shell's PATH: the venv's programs only if the walk-through puts them there.
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != Path(sys.prefix, "bin")
    )
    env["PYTHONPATH"] = str(Path(dispensary.__file__).resolve().parents[1])  # this tree's code
    env["DISPENSARY_HOME"] = str(tmp_path / "home")
    env["TMPDIR"] = str(tmp_path)  # where the walk-through's scratch folder is made
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "walkthrough.sh"],
        cwd=checkout,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{source}: the walk-through failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.splitlines()[-1] == "Reconciliation: balanced", done.stdout
    made = list(tmp_path.glob("*/walkthrough.sqlite3"))
    assert [p.parent for p in made] != [checkout], "it works in a scratch folder, not the checkout"
    assert len(made) == 1, "it works on the database it names"


DATED = re.compile(r"--(?:day1|date|enrolled-on|from|to|expiry) (\d{4}-\d{2}-\d{2})")


def test_the_reference_examples_count_their_dates_from_today() -> None:
    """The finding: `dispense 01-002 --cycle 1 --day1 2026-03-02`, pasted today, was refused
    (a day 1 out of its window, a date in the future, a period not begun): the examples count
    their dates from today, as the walk-through does."""
    for source in (ROOT / "README.md", ROOT / "docs" / "_readme_cli_section.md"):
        text = source.read_text(encoding="utf-8")
        start = text.index("One example per command")
        block = text[start : text.index("```\n", text.index("```bash", start) + 7)]
        assert "count their dates from today" in block, source
        fixed = [m.group(0) for m in DATED.finditer(block)]
        assert not fixed, f"{source.name}: fixed dates in the reference examples: {fixed}"
