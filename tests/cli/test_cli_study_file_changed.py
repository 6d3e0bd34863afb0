"""A study file updated at another workstation while a command runs: `enroll` is refused
(study_file_changed, nothing written) with the services' words, which said "press F5 to
reload" (no key of a command line) and gave the update's time in local time with no zone. The
refusal says to run the command again, and the time in UTC, in English and in Chinese."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from cli_support import DEMO_STUDY, SUBPROCESS_ENV, Cli

from dispensary.cli.run import Run
from dispensary.services import setup, studies, users
from dispensary.services.demo import DEMO_PASSWORD

ENROL = ["enroll", "01-091", "--initials", "XY", "--birth-year", "1970", "--sex", "F"]
ENROL += ["--criteria-confirmed", "--eligibility-confirmed-by", "Dr Liu"]


def _updated_once(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The administrator updates the study file at another workstation once the command has
    read it and signed in (version 2)."""
    signed_in = Run.actor
    done: list[bool] = []

    def actor(self: Run, *args: Any, **kwargs: Any) -> Any:
        found = signed_in(self, *args, **kwargs)
        if not done:
            done.append(True)
            other = setup.open_database(cli.db, self.clock, DEMO_STUDY).context
            try:
                admin = users.sign_in(other, "admin", DEMO_PASSWORD)
                text = other.study.source_text
                amended = text.replace("min_age = 18", "min_age = 19")
                assert amended != text
                studies.update_study(other, admin, amended, "v2.toml", "amendment 2")
            finally:
                other.engine.dispose()
        return found

    monkeypatch.setattr(Run, "actor", actor)


@pytest.mark.skipif(os.environ.get(SUBPROCESS_ENV) == "1", reason="patches the process")
def test_the_command_line_is_told_to_run_the_command_again(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _updated_once(cli, monkeypatch)
    refused = cli(*ENROL)
    assert refused.code != 0
    said = " ".join(refused.err.split())
    found = re.search(
        r"The study file of NCT07198672 was updated at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC by admin "
        r"\(version 2\) after this window or command read it\. Nothing was written: reload the "
        r"window \(F5\) or run the command again, then check the enrolment again\.",
        said,
    )
    assert found is not None, said
    assert found.group(1).startswith(cli.today.isoformat())
    assert "press F5" not in said
    listed = cli("participants", "--json")
    assert listed.code == 0, listed.err
    assert "01-091" not in listed.out  # nothing written


@pytest.mark.skipif(os.environ.get(SUBPROCESS_ENV) == "1", reason="patches the process")
def test_the_command_line_is_told_so_in_chinese(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _updated_once(cli, monkeypatch)
    refused = cli("--lang", "zh_CN", *ENROL)
    assert refused.code != 0
    said = "".join(refused.err.split())
    assert re.search(
        r"NCT07198672的研究文件已于\d{4}-\d\d-\d\d\d\d:\d\dUTC由admin更新（第2版），晚于本窗口或"
        r"本命令读取它的时间。未写入任何内容：请重新载入窗口（F5）或重新运行命令，然后重新检查本次"
        r"入组。",
        said,
    ), said
