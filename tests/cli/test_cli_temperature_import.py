"""`dispensary temperature` as the logger review used it: the study's store by the name the
reader's language shows, a GB18030 export, what is on record already and the gaps said."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cli_support import DEMO_TODAY, Cli

WARM = (
    "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,27.5\n"
    "2026-03-01T12:00:00,26.0\n2026-03-01T13:00:00,22.0\n"
)


def test_the_store_is_taken_and_said_by_its_chinese_name(cli: Cli, tmp_path: Path) -> None:
    """The Chinese screens and output name it 试验药物库房1; `--area 试验药物库房1` was
    refused ("not a storage area in use. Known areas: IP store 1") and the Chinese import
    output kept "IP store 1"."""
    log = tmp_path / "logger.csv"
    log.write_text(WARM, encoding="utf-8")
    done = cli(
        "--lang", "zh_CN", "temperature", "--area", "试验药物库房1", str(log), user="technician"
    )
    assert done.code == 0, done.err
    assert done.out.startswith("试验药物库房1："), done.out
    assert "IP store 1" not in done.out
    listed = cli("--lang", "zh_CN", "temperature", "--list", "--area", "试验药物库房1")
    assert "logger.csv" in listed.out, listed.out
    refused = cli("--lang", "zh_CN", "temperature", "--area", "库房9", str(log), user="technician")
    assert refused.code != 0 and "试验药物库房1" in refused.err, refused.err


def test_a_gb18030_export_is_read_and_said(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "gbk.csv"
    log.write_bytes(WARM.replace("timestamp,celsius", "时间,温度(℃)").encode("gbk"))
    done = cli("temperature", "--area", "IP store 1", str(log), user="technician")
    assert done.code == 0, done.err
    assert "Read as GB18030 text (Chinese Windows), not UTF-8." in done.out


def test_a_gb18030_export_saved_by_excel_with_slash_dates_is_read(cli: Cli, tmp_path: Path) -> None:
    """Chinese Excel saves times as 2026/3/1 10:00: the file was refused line by line."""
    log = tmp_path / "excel.csv"
    text = WARM.replace("timestamp,celsius", "时间,温度(℃)").replace("2026-03-01T", "2026/3/1 ")
    log.write_bytes(text.replace(" 10:00:00", " 9:00").encode("gb18030"))
    done = cli("temperature", "--area", "IP store 1", str(log), "--json", user="technician")
    assert done.code == 0, done.err
    [own] = [e for e in done.json()["excursions"] if e["study"] == "NCT07198672"]
    iso = cli("temperature", "--list", "--json").json()
    [mine] = [c for c in iso if c["source"] == "excel.csv"]
    assert mine["readings"] == 4 and own["highest"] == 27.5


def test_the_rest_of_an_excursion_and_the_one_on_record_are_said(cli: Cli, tmp_path: Path) -> None:
    ended_mid = tmp_path / "monday.csv"
    ended_mid.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,27.5\n", "utf-8"
    )
    full = tmp_path / "tuesday.csv"
    full.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,27.5\n"
        "2026-03-01T12:00:00,28.0\n2026-03-01T13:00:00,21.0\n",
        "utf-8",
    )
    first = cli("temperature", "--area", "IP store 1", str(ended_mid), "--json", user="technician")
    [earlier] = [e for e in first.json()["excursions"] if e["study"] == "NCT07198672"]
    done = cli("temperature", "--area", "IP store 1", str(full), user="technician")
    assert done.code == 0, done.err
    number = earlier["excursion_id"]
    assert f"    the rest of excursion no. {number} on record (recorded as no. " in done.out
    assert (
        f"  On record already, not recorded again: excursion no. {number} in IP store 1, "
        "2026-03-01 11:00 to 2026-03-01 11:00 UTC (imported on "
    ) in done.out
    again = cli("temperature", "--area", "IP store 1", str(full), user="technician")
    assert (
        again.code != 0 and "were imported on" in again.err and "nothing was recorded" in again.err
    )


def test_the_list_names_the_gaps_inside_each_file(cli: Cli, tmp_path: Path) -> None:
    """The window and the monitor pack showed a file's gaps; `--list --json` left them out."""
    log = tmp_path / "gap.csv"
    log.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00+00:00,21.0\n2026-03-01T10:15:00+00:00,21.5\n"
        "2026-03-01T10:30:00+00:00,21.0\n2026-03-01T14:30:00+00:00,21.0\n"
        "2026-03-01T14:45:00+00:00,21.0\n",
        "utf-8",
    )
    assert cli("temperature", "--area", "IP store 1", str(log), user="technician").code == 0
    listed = cli("temperature", "--list", "--json").json()
    [mine] = [c for c in listed if c["source"] == "gap.csv"]
    assert mine["gaps"] == [
        {"start": "2026-03-01T10:30:00+00:00", "end": "2026-03-01T14:30:00+00:00"}
    ]


def past_excursion(folder: Path) -> Path:
    """The review's P_past_excursion.csv two weeks before the demo's today: 31.5 °C from 06:00
    to 09:45 UTC, imported late."""
    day = DEMO_TODAY - timedelta(days=15)
    log = folder / "past.csv"
    log.write_text(
        f"timestamp,celsius\n{day}T00:00:00+00:00,22.0\n{day}T06:00:00+00:00,31.5\n"
        f"{day}T09:45:00+00:00,31.5\n{day}T10:00:00+00:00,22.0\n",
        "utf-8",
    )
    return log


def test_an_excursion_imported_late_names_the_kits_dispensed_since(
    cli: Cli, tmp_path: Path
) -> None:
    """The kits dispensed between the excursion and the import were named nowhere."""
    done = cli(
        "temperature",
        "--area",
        "IP store 1",
        str(past_excursion(tmp_path)),
        "--json",
        user="technician",
    )
    assert done.code == 0, done.err
    [own] = [e for e in done.json()["excursions"] if e["study"] == "NCT07198672"]
    gone = own["kits_gone"]
    day = str(DEMO_TODAY - timedelta(days=15))
    assert gone and all(k["participant"] and k["on"] >= day for k in gone), gone
    assert not {k["kit"] for k in gone} & set(own["kits_quarantined"])


def test_the_kits_dispensed_since_are_said_with_what_to_do(cli: Cli, tmp_path: Path) -> None:
    said = cli(
        "temperature", "--area", "IP store 1", str(past_excursion(tmp_path)), user="technician"
    )
    assert said.code == 0, said.err
    assert ("Kits in IP store 1 during this excursion and dispensed since: ") in said.out, said.out
    assert ". Tell the sponsor and the investigator; the participants: " in said.out


def test_a_new_excursion_names_the_kits_in_quarantine_already(cli: Cli, tmp_path: Path) -> None:
    """The 1 March excursion quarantined the store's kits (the demo's K1061 was in quarantine
    already: named as such); the 2 March one said "0 kits quarantined" and named none of them,
    though they were there during it as well."""
    first = tmp_path / "first.csv"
    first.write_text(WARM, encoding="utf-8")
    done = cli("temperature", "--area", "IP store 1", str(first), "--json", user="technician")
    [one] = [e for e in done.json()["excursions"] if e["study"] == "NCT07198672"]
    assert one["kits_quarantined"] and one["kits_already_quarantined"] == ["K1061"]
    held = sorted(one["kits_quarantined"] + one["kits_already_quarantined"])
    second = tmp_path / "second.csv"
    second.write_text(WARM.replace("2026-03-01", "2026-03-02"), encoding="utf-8")
    again = cli("temperature", "--area", "IP store 1", str(second), user="technician")
    assert again.code == 0, again.err
    words = " ".join(again.out.split())
    assert (
        "Kits in IP store 1 during this excursion that were quarantined already: "
        f"{', '.join(held)}. Not quarantined again; tell the sponsor they were exposed to this "
        "excursion too."
    ) in words, again.out


TWO = (
    "timestamp,celsius\n2026-03-01T10:00:00+00:00,21.0\n2026-03-01T10:15:00+00:00,21.5\n"
    "2026-03-01T10:30:00+00:00,30.0\n2026-03-01T10:45:00+00:00,22.0\n"
    "2026-03-01T11:00:00+00:00,22.0\n2026-03-01T11:15:00+00:00,31.0\n"
    "2026-03-01T11:30:00+00:00,32.0\n2026-03-01T11:45:00+00:00,22.0\n"
)


def _blocks(out: str, start: str) -> list[list[str]]:
    """The lines of the output from each line starting with `start` to the next one."""
    blocks: list[list[str]] = []
    for line in out.splitlines():
        if line.startswith(start):
            blocks.append([line])
        elif blocks and line.startswith("    "):
            blocks[-1].append(line)
        elif blocks:
            break
    return blocks


def test_each_excursions_notes_are_said_under_it(cli: Cli, tmp_path: Path) -> None:
    """Two excursions printed both lines, then both excursions' notes ("kits quarantined
    already") one after the other, tied to neither; and a single reading outside said "10:30
    to 10:30 UTC", 0 minutes, where the readings within the range next to it say how long."""
    log = tmp_path / "two.csv"
    log.write_text(TWO, encoding="utf-8")
    done = cli("temperature", "--area", "IP store 1", str(log), user="technician")
    assert done.code == 0, done.err
    first, second = _blocks(done.out, "  2026-03-01 ")
    assert first[0].startswith(
        "  2026-03-01 10:30 to 2026-03-01 10:30 UTC (between 2026-03-01 10:15 and 2026-03-01 "
        "10:45 UTC at the longest), 30 to 30 °C: "
    ), done.out
    assert second[0].startswith(
        "  2026-03-01 11:15 to 2026-03-01 11:30 UTC (between 2026-03-01 11:00 and 2026-03-01 "
        "11:45 UTC at the longest), 31 to 32 °C: "
    ), done.out
    for block in (first, second):
        said = " ".join(" ".join(block[1:]).split())
        assert said.startswith("Kits in IP store 1 during this excursion that were quarantined "), (
            done.out
        )
    # every note is under an excursion's line, none after them all
    notes = [line for line in done.out.splitlines() if "during this excursion" in line]
    assert notes and all(line.startswith("    Kits in ") for line in notes), done.out


def test_each_excursions_notes_are_said_under_it_in_chinese(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "two.csv"
    log.write_text(TWO, encoding="utf-8")
    done = cli(
        "--lang", "zh_CN", "temperature", "--area", "IP store 1", str(log), user="technician"
    )
    assert done.code == 0, done.err
    first, second = _blocks(done.out, "  2026-03-01 ")
    assert "（最长为 2026-03-01 10:15 至 2026-03-01 10:45 UTC 之间）" in first[0], done.out
    assert "（最长为 2026-03-01 11:00 至 2026-03-01 11:45 UTC 之间）" in second[0], done.out
    for block in (first, second):
        assert len(block) > 1 and "此前已隔离" in "".join(block[1:]), done.out
    notes = [line for line in done.out.splitlines() if "此次温度超标期间" in line]
    assert notes and all(line.startswith("    此次温度超标期间") for line in notes), done.out


def test_an_excursion_at_the_files_edge_says_the_side_known(cli: Cli, tmp_path: Path) -> None:
    """A file that starts or ends outside the range bounds the excursion on one side only."""
    log = tmp_path / "edges.csv"
    log.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00+00:00,30.0\n2026-03-01T10:15:00+00:00,22.0\n"
        "2026-03-01T10:30:00+00:00,22.0\n2026-03-01T10:45:00+00:00,31.0\n",
        encoding="utf-8",
    )
    done = cli("temperature", "--area", "IP store 1", str(log), "--json", user="technician")
    own = [e for e in done.json()["excursions"] if e["study"] == "NCT07198672"]
    assert [(e["in_range_before"], e["in_range_after"]) for e in own] == [
        (None, "2026-03-01T10:15:00+00:00"),
        ("2026-03-01T10:30:00+00:00", None),
    ]
