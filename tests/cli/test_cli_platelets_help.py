"""`dispense --help` (and `check dispense --help`) listed `--platelets` as if every study took a
platelet count: the help is written before any study is read, so it says which studies the
option is for; the count given for a study without a platelet rule is refused (it was recorded
silently: services/test_second_study_file.py)."""

from __future__ import annotations

import pytest

from dispensary.cli import main

ENGLISH = (
    "--platelets X platelet count, ×10⁹/L: only for a study whose study file asks a platelet "
    "count (a platelet rule); refused for any other study"
)
CHINESE = "仅用于研究文件要求血小板计数（设有血小板规则）的研究"


@pytest.mark.parametrize("path", [("dispense",), ("check", "dispense")])
def test_the_help_of_platelets_says_which_studies_it_is_for(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("DISPENSARY_LANG", "en_GB.UTF-8")
    assert main([*path, "--help"]) == 0
    assert ENGLISH in " ".join(capsys.readouterr().out.split())
    monkeypatch.setenv("DISPENSARY_LANG", "zh_CN.UTF-8")
    assert main([*path, "--help"]) == 0
    assert CHINESE in "".join(capsys.readouterr().out.split())
