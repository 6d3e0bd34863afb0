"""`audit list` that finds nothing says so in a sentence (it printed the table's headers
alone, which read as a fault), and a `--user` that names no account and no entry is refused as
an unknown kit or participant is (exit 3), where it listed nothing and said the user had done
nothing. The JSON stays a list, empty."""

from __future__ import annotations

from cli_support import Cli

ZH = {"DISPENSARY_LANG": "zh_CN"}


def test_nothing_found_is_said_in_a_sentence(cli: Cli) -> None:
    later = cli("audit", "list", "--from", "2099-01-01", user="monitor")
    assert later.code == 0, later.err
    assert later.out.strip() == "No audit entry matches these filters."
    assert "When (UTC)" not in later.out
    assert cli("audit", "list", "--from", "2099-01-01", "--json", user="monitor").json() == []
    chinese = cli("audit", "list", "--from", "2099-01-01", user="monitor", env=ZH)
    assert chinese.code == 0, chinese.err
    assert chinese.out.strip() == "没有符合这些筛选条件的稽查轨迹条目。"


def test_an_unknown_user_is_refused(cli: Cli) -> None:
    typo = cli("audit", "list", "--user", "pharmm", user="monitor")
    assert typo.code == 3
    assert "There is no user 'pharmm'. Check the user name." in typo.err
    assert typo.out == ""
    chinese = cli("audit", "list", "--user", "pharmm", "--json", user="monitor", env=ZH)
    assert chinese.code == 3
    assert "pharmm" in chinese.err and "There is no user" not in chinese.err


def test_a_known_user_is_listed_whatever_the_case_typed(cli: Cli) -> None:
    typed = cli("audit", "list", "--user", "Monitor", "--json", user="monitor").json()
    assert typed and {e["user"] for e in typed} == {"monitor"}
