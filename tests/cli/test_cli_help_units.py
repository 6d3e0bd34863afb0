"""The help of a command that counts a kit says "tablets or capsules" (片数或粒数), not tablets
alone: the help is the same in every study, and a capsule kit's count is no number of tablets
(`return`, `inventory`, `report inventory`, `count --tablets`, `check count --tablets`, `check
return --tablets`, `check destroy`). In English and Chinese."""

from __future__ import annotations

import pytest

from dispensary.cli import main

HELP: dict[tuple[str, ...], tuple[str, str]] = {
    (): (
        "return count back the tablets or capsules of a kit",
        "return 清点一个药盒带回的药片或胶囊",
    ),
    ("inventory",): (
        "kits on record, with status and tablets or capsules",
        "在册药盒及其状态和片数或粒数",
    ),
    ("report",): (
        "inventory kits on record, with status and tablets or capsules",
        "inventory 在册药盒及其状态和片数或粒数",
    ),
    ("count",): ("tablets or capsules counted in the kit", "药盒中盘点出的片数或粒数"),
    ("check", "count"): (
        "tablets or capsules counted (default: not counted)",
        "盘点的片数或粒数（默认：未盘点）",
    ),
    ("check", "return"): (
        "tablets or capsules counted back (default: not counted)",
        "清点带回的片数或粒数（默认：未清点）",
    ),
    ("check", "destroy"): (
        "a verdict on each kit, the tablets or capsules that would leave, the witness",
        "每个药盒的结论、将离开药房的药片或胶囊、见证人",
    ),
}


def _help(
    path: tuple[str, ...],
    locale: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    monkeypatch.setenv("DISPENSARY_LANG", locale)
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*path, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", list(HELP))
def test_a_count_is_tablets_or_capsules_in_the_help(
    path: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    english, chinese = HELP[path]
    said = " ".join(_help(path, "en_GB.UTF-8", capsys, monkeypatch).split())
    assert english in said, said
    zh = "".join(_help(path, "zh_CN.UTF-8", capsys, monkeypatch).split())
    assert "".join(chinese.split()) in zh, zh
