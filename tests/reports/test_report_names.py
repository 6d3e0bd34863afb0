"""One name for each thing a printed report shows (a review of every printed output): the
tablets held for the monitor in every table of the reconciliation, each part of the monitor
pack as its contents list it, the participant report as the list of reports names it; the
monitor pack balancing kit by kit as the reconciliation does; and the audit report's column
of local times saying which zone it is in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sample_study import SampleStudy

from dispensary.i18n import Language, _, speaking
from dispensary.reports import catalogue as reports
from dispensary.reports import monitor
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text

ZH, EN = Language.ZH_CN, Language.EN
PERIOD = Values(since=date(2025, 1, 1))


def made(sample: SampleStudy, key: str, values: Values, language: Language) -> bytes:
    return reports.make_report(
        reports.report(key), sample.ctx, sample.monitor, values, language=language
    ).data


def text(sample: SampleStudy, key: str, values: Values, language: Language) -> str:
    return " ".join(pdf_pages_text(made(sample, key, values, language)))


@pytest.mark.parametrize("language", [EN, ZH])
def test_the_reconciliation_names_the_held_tablets_once(
    sample: SampleStudy, language: Language
) -> None:
    """The participants' table said "Held for monitor" (留待监查员核查) for what the product,
    lot and kit tables and the command call "Held returned" (退回留存)."""
    said = text(sample, "reconciliation", Values(), language)
    with speaking(language):
        by_participant, by_kit, held = (
            _("By participant and product"),
            _("By kit"),
            _("Held returned"),
        )
    participants = said[said.index(by_participant) : said.index(by_kit)]
    assert held in participants
    assert "Held for monitor" not in said and "留待监查员" not in said


@pytest.mark.parametrize("language", [EN, ZH])
def test_the_monitor_pack_balances_kit_by_kit(sample: SampleStudy, language: Language) -> None:
    """The pack balanced by product, lot and participant: the kits' table too, as the
    reconciliation report has it, within the pack's reconciliation part."""
    pages = pdf_pages_text(made(sample, "monitor", PERIOD, language))
    with speaking(language):
        by_kit, part = (
            _("By kit"),
            _("{pack}: {part}").format(pack=_(monitor.TITLE), part=_("reconciliation")),
        )
    kit_pages = [p for p in pages if by_kit in p]
    assert kit_pages, "no per-kit balance in the pack"
    assert all(p.startswith(part) for p in kit_pages)
    assert len(pages) < 60  # the sample's 24 participants' kits on a few pages, not dozens


@pytest.fixture
def sections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The parts of the monitor pack as drawn: their page titles and contents entries."""
    drawn: list[Any] = []
    build = monitor.build_report

    def keep(meta: Any, title: str, parts: list[Any], *args: Any, **kwargs: Any) -> bytes:
        drawn.extend(parts)
        return build(meta, title, parts, *args, **kwargs)

    monkeypatch.setattr(monitor, "build_report", keep)
    yield drawn


@pytest.mark.parametrize("language", [EN, ZH])
def test_each_part_of_the_pack_is_headed_as_its_contents_entry(
    sample: SampleStudy, language: Language, sections: list[Any]
) -> None:
    """The contents listed "Destruction and return-to-sponsor log" (销毁及退回申办方记录) for
    pages headed "Monitor pack: destruction log" (监查资料包：销毁记录): a part's pages are
    headed with its entry's name (which may add what it covers in brackets)."""
    made(sample, "monitor", PERIOD, language)
    with speaking(language):
        prefix = _("{pack}: {part}").format(pack=_(monitor.TITLE), part="")
    parts = [s for s in sections if s.title.startswith(prefix)]
    assert len(parts) >= 7
    for section in parts:
        name = section.title.removeprefix(prefix)
        assert section.contents_title.casefold().startswith(name.casefold()), (
            section.title,
            section.contents_title,
        )


@pytest.mark.parametrize("language", [EN, ZH])
def test_the_participant_report_has_one_title(sample: SampleStudy, language: Language) -> None:
    """The list of reports said "Participant history" (受试者记录) for the PDF titled
    "Participant dispensing and adherence history" (受试者发放及依从性记录)."""
    entry = reports.report("participant")
    values = Values(participant="01-001")
    document = reports.make_report(entry, sample.ctx, sample.monitor, values, language=language)
    with speaking(language):
        listed = entry.display_title
    first = pdf_pages_text(document.data)[0]
    assert first.startswith(listed)
    assert document.title.startswith(listed)


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    try:
        yield request.param
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("zone", "column"),
    [("UTC", "When (UTC+00:00)"), ("Asia/Shanghai", "When (UTC+08:00)")],
    indirect=["zone"],
)
def test_the_audit_reports_local_times_say_their_zone(
    sample: SampleStudy, zone: str, column: str
) -> None:
    """On a workstation set to UTC the column "When (local)" printed UTC+00:00 as local: it
    names the zone its times are in."""
    said = text(sample, "audit", PERIOD, EN)
    assert column in said
    assert "(local)" not in said and "local time" not in said
    chinese = text(sample, "audit", PERIOD, ZH)
    assert column.replace("When (", "时间（").replace(")", "）") in chinese
    assert "本地" not in chinese
