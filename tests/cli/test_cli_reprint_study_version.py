"""`dispensary label dispense|leaflet --reprint` after `dispensary study update`: the copies
marked REPRINT say what the participant was given (the study file the dispense was made with),
not the new wording, and the audit trail names that version of the study file."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from cli_support import Cli
from pypdf import PdfReader

from dispensary.study import default_study_path

LIVE_DISPENSE = "DSP000134"  # 01-009, cycle 7 of the demo pharmacy, its bottle still out
OLD_DIRECTIONS = "on an empty stomach"
NEW_DIRECTIONS = "with a glass of water"
OLD_MISSED = "skip it and take the next dose at the usual time"
NEW_MISSED = "take it within six hours, else skip it"


def _text(path: Path) -> str:
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    return " ".join(" ".join(p.extract_text().replace("\u00a0", " ").split()) for p in pages)


def test_a_reprint_after_a_study_update_keeps_the_wording_the_participant_was_given(
    cli: Cli, tmp_path: Path
) -> None:
    stored = cli("--json", "study", "show").json()
    assert stored["protocol"] == "NCT07198672"
    first, leaflet = tmp_path / "first.pdf", tmp_path / "leaflet.pdf"
    assert cli("label", "dispense", LIVE_DISPENSE, "--out", str(first)).code == 0
    assert cli("label", "leaflet", LIVE_DISPENSE, "--out", str(leaflet)).code == 0
    assert OLD_DIRECTIONS in _text(first) and OLD_MISSED in _text(leaflet)

    text = default_study_path().read_text(encoding="utf-8")
    v2 = tmp_path / "v2.toml"
    v2.write_text(
        text.replace(OLD_DIRECTIONS, NEW_DIRECTIONS).replace(OLD_MISSED, NEW_MISSED),
        encoding="utf-8",
    )
    done = cli("study", "update", str(v2), "--reason", "sponsor's label text v2", user="admin")
    assert done.code == 0, done.err

    label_again, leaflet_again = tmp_path / "again.pdf", tmp_path / "leaflet-again.pdf"
    for kind, out in (("dispense", label_again), ("leaflet", leaflet_again)):
        made = cli(
            "label", kind, LIVE_DISPENSE, "--out", str(out), "--reprint", "--reason", "damaged"
        )
        assert made.code == 0, made.err
        assert "marked REPRINT" in made.out
    again = _text(label_again)
    assert "REPRINT" in again and OLD_DIRECTIONS in again and NEW_DIRECTIONS not in again
    assert again.replace("REPRINT", "").split() == _text(first).split()
    words = _text(leaflet_again)
    assert OLD_MISSED in words and NEW_MISSED not in words and NEW_DIRECTIONS not in words

    updated = cli("--json", "audit", "list", "--action", "study_updated", user="admin").json()
    before = updated[-1]["old"]["source_text"]
    sha = hashlib.sha256(before.encode("utf-8")).hexdigest()
    trail = cli("--json", "audit", "list", "--action", "label_reprinted").json()
    assert [(e["new"]["study_version"], e["new"]["study_sha256"]) for e in trail] == [
        (1, sha),
        (1, sha),
    ]
    assert cli("audit", "verify", user="admin").code == 0
