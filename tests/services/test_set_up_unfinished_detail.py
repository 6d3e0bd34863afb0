"""The set-up wizard's 'the pharmacy was created, but the rest was refused: {why}' quotes a fault
whose system words come last, as its technical detail: what to do next (sign in and finish it
there) is said before them, not after ('...技术细节：disk I/O error请登录后...')."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dispensary.i18n import Language, speaking
from dispensary.services import first_run, pharmacy

NAME = "Zhengzhou Trial Pharmacy"
ADDRESS = "127 Dongming Road, Zhengzhou"
PHONE = "+86 371 6558 7000"


@pytest.mark.parametrize("lang", [Language.ZH_CN, Language.EN])
def test_a_disk_error_after_the_database_is_made_says_what_to_do_before_its_detail(
    lang: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_error(*_args: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(pharmacy, "set_particulars", disk_error)
    with speaking(lang):
        plan = first_run.SetUpPlan(
            str(tmp_path / "pharmacy.sqlite3"),
            first_run.check_studies(
                [first_run.read_study_file(first_run.bundled_study_files()[0])]
            ),
            pharmacy.checked(NAME, ADDRESS, PHONE),
            "",
            first_run.check_administrator("ada", "Ada Admin", "AA", "admin-pass-1", "admin-pass-1"),
        )
        with pytest.raises(first_run.SetUpUnfinished) as refused:
            first_run.set_up(plan)
    message = refused.value.message
    mark = "技术细节：" if lang is Language.ZH_CN else "Technical detail: "
    said, found, detail = message.partition(mark)
    assert found and detail == "disk I/O error", message
    finish = "请登录后在“设置”和“研究”中完成。" if lang is Language.ZH_CN else "Sign in and finish"
    assert finish in said and "disk I/O error" not in said, message
    assert refused.value.database == plan.database
