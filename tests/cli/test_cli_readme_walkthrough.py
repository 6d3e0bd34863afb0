"""The README's walk-through runs as written, on a fresh database, and ends balanced.

The block is taken from README.md when it holds the line `<!-- walkthrough -->` followed by a
bash block; until the section is pasted there, from docs/_readme_cli_section.md. It makes its
own SQLite file, so the PostgreSQL run of the suite skips it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
    (tmp_path / "walkthrough.sh").write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPENSARY_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["DISPENSARY_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "walkthrough.sh"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{source}: the walk-through failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.splitlines()[-1] == "Reconciliation: balanced", done.stdout
    assert (tmp_path / "walkthrough.sqlite3").exists(), "it works on the database it names"
