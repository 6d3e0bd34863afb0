"""`dispensary study update` with a confirmed rule's text changed (the reviewer's case: the
Chinese label's directions reworded, the English source unchanged): the update says which
confirmations it undid, and `study rules` shows the rule to confirm again, not "confirmed".
And `label kit` of a kit that gets no label says so first, --reprint or not."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from dispensary.study import default_study_path

ZH = "label.text.zh_CN"
OLD_ZH = "每晚空腹口服{tablets}"
NEW_ZH = "每晚睡前空腹口服{tablets}"
CHANGED = "to confirm (changed since confirmed)"


def _state(cli: Cli, rule: str) -> str:
    rules = {r["rule"]: r for r in cli("--json", "study", "rules").json()}
    return str(rules[rule]["state"])


def test_an_update_changing_a_confirmed_chinese_text_undoes_its_confirmation(
    cli: Cli, tmp_path: Path
) -> None:
    if _state(cli, ZH) != "confirmed":
        done = cli("study", "confirm", ZH, "--reason", "checked the approved label", user="admin")
        assert done.code == 0, done.err
    assert _state(cli, ZH) == "confirmed"

    text = default_study_path().read_text(encoding="utf-8")
    assert OLD_ZH in text
    v2 = tmp_path / "v2.toml"
    v2.write_text(text.replace(OLD_ZH, NEW_ZH), encoding="utf-8")
    updated = cli("study", "update", str(v2), "--reason", "Chinese directions v2", user="admin")
    assert updated.code == 0, updated.err
    said = " ".join(updated.out.split())
    assert "was replaced" in said and f"changed the text of {ZH}" in said, said
    assert "to confirm again" in said

    assert _state(cli, ZH) == CHANGED
    line = next(x for x in cli("study", "rules").out.splitlines() if x.startswith(ZH + " "))
    assert CHANGED in line and " confirmed " not in line.replace(CHANGED, "")
    again = cli("--json", "study", "update", str(v2), "--reason", "same file", user="admin")
    assert again.code == 3  # the same file: nothing to change


def test_a_returned_kit_is_refused_as_returned_with_or_without_reprint(
    cli: Cli, tmp_path: Path
) -> None:
    """The finding: `label kit K5004 --reprint` of a kit back from a participant said "print
    without --reprint", and the print without it was refused as the kit is returned."""
    out = str(tmp_path / "k.pdf")
    plain = cli("label", "kit", "K5004", "--out", out)
    assert plain.code == 3 and "came back from a participant" in plain.err, plain.err
    marked = cli("label", "kit", "K5004", "--out", out, "--reprint", "--reason", "smudged")
    assert marked.code == 3, marked.err
    assert "came back from a participant" in marked.err and "gets no label" in marked.err
    assert "--reprint" not in marked.err
