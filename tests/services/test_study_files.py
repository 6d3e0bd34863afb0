"""Every study file in resources/studies runs through the whole counter workflow with no code of
its own: a database made with the file, kits received, a participant enrolled, cycle 1
dispensed, its return, cycle 2, the reconciliation (balanced per product), the dispensing label
and the DARF. The fictional test studies show the regimens the study file can now describe:
28-day cycles twice daily with the dose by weight band (DEMO-28D-BID), two drugs with their own
days and directions (DEMO-2DRUG), and a blinded study whose kits the IRT assigns
(DEMO-IRT-BLIND, with its ethics approval's expiry)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from dispensary.domain.codes import Flag, Role
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.regimen import tablets_needed
from dispensary.labels.dispensing import dispensing_label
from dispensary.labels.leaflet import participant_leaflet
from dispensary.labels.stock import get_stock
from dispensary.reports import catalogue, darf_csv, darf_pdf
from dispensary.services import (
    audit,
    dashboard,
    dispensing,
    labels,
    participants,
    queries,
    receiving,
    reconciliation,
    report_data,
    returns,
    setup,
    studies,
    users,
)
from dispensary.services.assessment import DispenseAssessment, DispenseCheck, DispenseRequest
from dispensary.services.context import Actor, FixedClock
from dispensary.services.documents import Values
from dispensary.services.results import DispenseHistoryRow, DispenseResult
from dispensary.study import Study, bundled_studies, load_study, parse_study

STUDIES = bundled_studies()
PASSWORD = "pharm-pass-1"
EXPIRY = date(2028, 6, 30)
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _text(pdf: bytes) -> str:
    """The PDF's text as one line (a sentence wrapped over lines reads whole)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(p.extract_text().replace("\u00a0", " ").split()) for p in pages)


class Counter:
    """A pharmacy made with one study file, and the counter's steps as its users take them."""

    def __init__(self, study: Study, folder: Path, clock: FixedClock) -> None:
        self.clock = clock
        self.ctx = setup.init_database(
            str(folder / f"{study.protocol}.sqlite3"),
            study,
            "admin",
            "Ada Admin",
            "AA",
            "admin-pass-1",
            clock,
        )
        admin = users.sign_in(self.ctx, "admin", "admin-pass-1")
        users.add_user(
            self.ctx,
            admin,
            "pharm",
            Role.PHARMACIST,
            "Paula Pharm",
            "PP",
            PASSWORD,
            temporary_password=False,
        )
        self.admin = admin
        self.pharm: Actor = users.sign_in(self.ctx, "pharm", PASSWORD)

    def receive(self, kits: str, product: str, lot: str) -> tuple[str, ...]:
        listed = receiving.kits_from_range(self.ctx, kits, product, lot, EXPIRY, None)
        return receiving.receive_shipment(self.ctx, self.pharm, f"SH-{kits}", listed).kits

    def enroll(self, number: str = "01-001") -> None:
        participants.enroll(
            self.ctx,
            self.pharm,
            number,
            "AB",
            1970,
            "F",
            "Dr Example",
            criteria_confirmed=participants.eligibility_checklist(self.ctx.study),
        )

    def assess(self, **request: object) -> DispenseAssessment:
        return dispensing.assess_dispense(
            self.ctx,
            self.pharm,
            DispenseRequest(study_number="01-001", **request),  # type: ignore[arg-type]
        )

    def dispense(self, cycle: int, **options: object) -> DispenseResult:
        return dispensing.dispense_cycle(
            self.ctx,
            self.pharm,
            "01-001",
            cycle,
            self.clock.today(),
            PASSWORD,
            **options,  # type: ignore[arg-type]
        )

    def give_back(self, result: DispenseResult, left: dict[str, int]) -> None:
        """Every kit of a dispense counted back: `left` tablets per kit (0 if not named)."""
        for kit in result.kits:
            returns.record_return(
                self.ctx, self.pharm, kit.kit, left.get(kit.kit, 0), PASSWORD, result.number
            )

    def history(self) -> list[DispenseHistoryRow]:
        return queries.participant_history(self.ctx, self.pharm, "01-001")[1]

    def close_the_day(self) -> tuple[str, str]:
        """The reconciliation balances per product, the label prints and is recorded, the DARF
        renders: their text, for the study's own checks."""
        result = reconciliation.reconcile(self.ctx, self.pharm)
        assert result.balanced, result
        study = self.ctx.study
        assert {row.key for row in result.products} == {p.code for p in study.products}
        for row in result.products:
            assert row.received == (
                row.dispensed
                - row.returned
                + row.on_hand
                + row.held_returned
                + row.destroyed
                + row.adjusted
            )
        [last] = self.history()[-1:]
        dispense = queries.get_dispense_detail(self.ctx, self.pharm, last.dispense_number)
        stock = "a4-sheet-6"
        plan = labels.plan_print(self.ctx, self.pharm, "dispense", [dispense.number], stock)
        drawn: list[bytes] = []

        def draw(_plan: labels.PrintPlan) -> bytes:
            drawn.append(dispensing_label(study, dispense, get_stock(stock)))
            return drawn[-1]

        printed = labels.print_labels(self.ctx, self.pharm, plan, draw, lambda pdf: True)
        assert printed is not None and drawn
        records = report_data.darf_records(self.ctx, self.pharm)
        assert sorted(r.product for r in records) == sorted(p.code for p in study.products)
        meta = report_data.report_meta(self.ctx, self.pharm)
        darf = _text(darf_pdf(meta, records, study=study))
        assert darf_csv(meta, records).count("\n") > len(records)
        for record in records:
            shelf = sum(r.on_hand for r in result.products if r.key == record.product)
            assert record.closing_balance == shelf
        assert audit.verify(self.ctx, self.admin).ok
        return _text(drawn[-1]), darf


@pytest.fixture
def counter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Counter]:
    """A pharmacy made with the study file named by the test's parameter."""
    study = (
        request.param if isinstance(request.param, Study) else load_study(STUDIES / request.param)
    )
    made = Counter(study, tmp_path, FixedClock(START))
    yield made
    made.ctx.engine.dispose()


def test_every_bundled_study_file_loads() -> None:
    found = sorted(p.name for p in STUDIES.glob("*.toml"))
    assert {"DEMO-28D-BID.toml", "DEMO-2DRUG.toml", "DEMO-IRT-BLIND.toml"} <= set(found)
    for path in STUDIES.glob("*.toml"):
        study = load_study(path)
        if study.protocol.startswith("DEMO-"):
            assert "fictional test study" in study.title


# -- (a) 28-day cycles, twice daily, bottles of 60, the dose by weight band ---------------------


@pytest.mark.parametrize("counter", ["DEMO-28D-BID.toml"], indirect=True)
def test_28_day_twice_daily_by_weight_band(counter: Counter) -> None:
    product = "demoxatinib-50mg"
    counter.receive("B0001-B0006", product, "LB1")
    counter.enroll()
    missing = counter.assess()
    assert [r.code for r in missing.refusals] == [DispenseCheck.OBSERVATION_MISSING]
    assert (
        "Weight (kg) is required: study DEMO-28D-BID asks it at every dispense."
        in missing.refusals[0].message
    )
    with pytest.raises(InvalidInput, match="A Weight of 12 kg is not possible"):
        counter.assess(observations={"weight": 12})
    light = counter.assess(observations={"weight": 55.5})
    assert light.accepted and light.weight_band_level == 0 and light.dose_level == 0
    assert [(p.product, p.tablets_needed) for p in light.products] == [(product, 56)]
    assert [k.number for k in light.proposed] == ["B0001"]  # one bottle of 60 for 56 tablets
    # Another level than the band's needs the investigator who ordered it.
    off = counter.assess(observations={"weight": 55.5}, dose_level=1)
    assert [w.code for w in off.warnings] == [DispenseCheck.WEIGHT_BAND]
    assert "in the band under 60 kg: dose level 0" in off.warnings[0].message

    first = counter.dispense(1, dose_level=None, observations={"weight": 55.5})
    assert first.dose_level == 0 and first.tablets == 60 and first.days == 28
    assert first.directions == (
        "Take 1 tablet by mouth twice daily, with food, starting 2026-01-05, for 28 days."
    )
    assert [(o.key, o.value, o.unit) for o in first.observations] == [("weight", 55.5, "kg")]

    counter.clock.set_date(date(2026, 2, 2))  # day 29: the next cycle's day 1
    counter.give_back(first, {"B0001": 4})
    [row] = counter.history()
    assert (row.taken, row.expected, row.adherence, row.flags) == (56, 56, 1.0, ())

    heavier = counter.assess(observations={"weight": 61})
    assert heavier.weight_band_level == 1 and heavier.dose_level == 1 and heavier.accepted
    assert [n.code for n in heavier.notices] == [DispenseCheck.DOSE_CHANGE]
    second = counter.dispense(2, dose_level=None, observations={"weight": 61})
    assert second.dose_level == 1 and second.tablets == 120  # 112 needed: two bottles
    assert "Take 2 tablets by mouth twice daily" in second.directions

    label, darf = counter.close_the_day()
    assert "Take 2 tablets by mouth twice daily, with food, starting" in label
    assert "demoxatinib (fictional)" in darf and "DSP000002" in darf


# -- (b) two drugs together, each with its days, directions, adherence and DARF -----------------


@pytest.mark.parametrize("counter", ["DEMO-28D-BID.toml"], indirect=True)
def test_a_study_without_an_irt_refuses_irt_numbers(counter: Counter) -> None:
    """The pharmacy takes the kits first expiry first out: an IRT kit typed would be ignored and
    an IRT confirmation recorded as if it meant something. Refused, saying what to leave out,
    and nothing written."""
    counter.receive("B0001-B0006", "demoxatinib-50mg", "LB1")
    counter.enroll()
    weight = {"weight": 55.5}
    for given in ({"irt_kit": "B0006"}, {"irt_confirmation": "X1"}):
        said = counter.assess(observations=weight, **given)
        assert [r.code for r in said.refusals] == [DispenseCheck.IRT] and not said.accepted
        assert "does not assign kits by IRT" in said.refusals[0].message
        with pytest.raises(RuleViolation, match="leave out the IRT confirmation number"):
            counter.dispense(1, observations=weight, irt_confirmation="X1", irt_kit="B0006")
    assert counter.assess(observations=weight).accepted
    done = counter.dispense(1, observations=weight)
    assert [k.kit for k in done.kits] == ["B0001"] and not done.irt_confirmation


@pytest.mark.parametrize("counter", ["DEMO-2DRUG.toml"], indirect=True)
def test_two_drugs_dispensed_together(counter: Counter) -> None:
    capsule, tablet = "democapib-100mg", "demotinib-25mg"
    counter.receive("C0001-C0004", capsule, "LC1")
    counter.receive("T0001-T0004", tablet, "LT1")
    counter.enroll()
    plan = counter.assess()
    assert plan.accepted
    needs = [(p.product, p.tablets_needed, p.tablets_in_kits) for p in plan.products]
    assert needs == [(capsule, 28, 28), (tablet, 21, 30)]  # capsules only on days 1-14

    first = counter.dispense(1)
    assert sorted(k.kit for k in first.kits) == ["C0001", "T0001"]
    assert first.product_directions == (
        "Take 1 capsule of democapib (fictional) 100 mg by mouth twice daily on days 1 to 14 of "
        "the cycle only, starting 2026-01-05, for 14 days.",
        "Take 1 tablet of demotinib (fictional) 25 mg by mouth once daily, starting 2026-01-05, "
        "for 21 days.",
    )
    assert first.directions == " ".join(first.product_directions)

    counter.clock.set_date(date(2026, 1, 26))  # day 22
    refused = counter.assess()
    assert DispenseCheck.PREVIOUS_RETURN_MISSING in [r.code for r in refused.refusals]
    # 22 of 28 capsules taken (79 %: under-use), 21 of 21 tablets: pooled the dose reads 88 %,
    # per drug the missed capsules are flagged.
    counter.give_back(first, {"C0001": 6, "T0001": 9})
    [row] = counter.history()
    assert (row.taken, row.expected) == (43, 49)
    assert row.flags == (Flag.UNDER_USE,)

    second = counter.dispense(2)
    assert sorted(k.kit for k in second.kits) == ["C0002", "T0002"]
    label, darf = counter.close_the_day()
    assert "on days 1 to 14 of the cycle only" in label
    leaflet = _text(participant_leaflet(counter.ctx.study, second))
    # The capsule only on days 1-14, twice daily: the diary's Take says the day's two (the
    # leaflet's own test: tests/reports/test_leaflet_two_drugs.py).
    assert "when you have taken all of that day's doses, as the directions say" in leaflet
    assert "100 mg: 2 capsules (2 doses of 1) + demotinib (fictional) 25 mg: 1 tablet" in leaflet
    assert "1 capsule + 1 tablet" not in leaflet
    assert "demotinib (fictional) 25 mg by mouth once daily" in label
    assert "democapib (fictional)" in darf and "demotinib (fictional)" in darf


def test_adherence_per_product_against_its_own_days() -> None:
    """The capsule is taken on days 1-14 only: a return on day 8 expects 7 days of capsules
    (14) and 7 days of tablets (7)."""
    study = load_study(STUDIES / "DEMO-2DRUG.toml")
    dose = study.dose_level(0)
    assert tablets_needed(dose, "democapib-100mg", 7) == 14
    assert tablets_needed(dose, "democapib-100mg", 21) == 28
    assert tablets_needed(dose, "democapib-100mg", 7, from_day=15) == 0
    assert tablets_needed(dose, "demotinib-25mg", 7, from_day=15) == 7


# -- (c) blinded, kits assigned by the IRT; the ethics approval's expiry ------------------------


@pytest.mark.parametrize("counter", ["DEMO-IRT-BLIND.toml"], indirect=True)
def test_blinded_study_dispenses_only_the_kit_the_irt_assigned(counter: Counter) -> None:
    product = "demoprazole-blinded"
    counter.receive("R0001-R0004", product, "LR1")
    counter.enroll()
    bare = counter.assess()
    assert [r.code for r in bare.refusals] == [DispenseCheck.IRT] and bare.irt
    assert bare.proposed == ()  # no first expiry first out: the IRT chooses
    with pytest.raises(RuleViolation, match="enter the IRT confirmation number"):
        counter.dispense(1)
    wrong = counter.assess(irt_confirmation="IRT-000123", irt_kit="R0003", kits=("R0002",))
    assert [r.code for r in wrong.refusals] == [DispenseCheck.IRT]
    said = wrong.refusals[0].message
    assert "The IRT assigned kit R0003, and the kit scanned is R0002: pick kit R0003" in said
    assert [(v.code, v.accepted) for v in wrong.kits] == [("R0002", False)]
    assert [k.number for k in wrong.to_scan] == ["R0003"]
    typed = counter.assess(irt_confirmation="IRT-000123", irt_kit="R0003")
    assert typed.kits == () and [k.number for k in typed.to_scan] == ["R0003"]
    assert [k.number for k in typed.kits_to_dispense] == ["R0003"]
    assert typed.accepted and typed.tablets_in_kits == 21
    # `check dispense --irt-kit R0003` says the kit the dispense would give, as before.
    from dispensary.cli.check import _assessment_lines

    said = "\n".join(_assessment_lines(typed, counter.ctx.study))
    assert "  Kit R0003   accepted: this kit would be dispensed" in said, said
    both = counter.assess(irt_confirmation="IRT-000123", irt_kit="R0003", kits=("R0003",))
    assert both.to_scan == () and [k.number for k in both.scanned] == ["R0003"]
    with pytest.raises(RuleViolation, match="pick kit R0003"):
        counter.dispense(1, irt_confirmation="IRT-000123", irt_kit="R0003", kits=["R0002"])

    first = counter.dispense(1, irt_confirmation="IRT-000123", irt_kit="r0003")
    assert [k.kit for k in first.kits] == ["R0003"] and first.irt_confirmation == "IRT-000123"

    counter.clock.set_date(date(2026, 1, 26))
    counter.give_back(first, {"R0003": 0})
    second = counter.dispense(2, irt_confirmation="IRT-000456", irt_kit="R0001")
    assert [k.kit for k in second.kits] == ["R0001"]
    _label, darf = counter.close_the_day()
    assert "IRT confirmation IRT-000123" in darf and "IRT confirmation IRT-000456" in darf


@pytest.mark.parametrize("counter", ["DEMO-IRT-BLIND.toml"], indirect=True)
def test_no_dispensing_after_the_ethics_approval_expires(counter: Counter) -> None:
    counter.receive("R0001-R0004", "demoprazole-blinded", "LR1")
    counter.enroll()
    irt = {"irt_confirmation": "IRT-1", "irt_kit": "R0001"}
    counter.clock.set_date(date(2026, 12, 1))  # 30 days before 2026-12-31: a notice
    soon = counter.assess(**irt)
    assert soon.accepted and soon.approval_expires == date(2026, 12, 31)
    assert [n.code for n in soon.notices] == [DispenseCheck.APPROVAL_EXPIRING]
    counter.clock.set_date(date(2026, 11, 30))  # 31 days before: nothing yet
    assert counter.assess(**irt).notices == ()
    counter.clock.set_date(date(2027, 1, 1))
    late = counter.assess(**irt)
    assert [r.code for r in late.refusals] == [DispenseCheck.APPROVAL_EXPIRED]
    assert "update the study (dispensary study update)" in late.refusals[0].message
    with pytest.raises(RuleViolation, match="expired on 2026-12-31"):
        counter.dispense(1, **irt)
    # The renewed approval, entered in the study file, lets dispensing go on.
    renewed = load_study(STUDIES / "DEMO-IRT-BLIND.toml")
    assert renewed.approval is not None
    counter.ctx = replace(
        counter.ctx,
        study=replace(
            renewed, approval=replace(renewed.approval, ethics_expires=date(2027, 12, 31))
        ),
    )
    assert counter.dispense(1, **irt).kits[0].kit == "R0001"


UNCONFIRMED = parse_study(
    (STUDIES / "DEMO-IRT-BLIND.toml")
    .read_text(encoding="utf-8")
    .replace('source = "protocol 12.1"', 'source = "site decision 2026-01"')
)


@pytest.mark.parametrize("counter", [UNCONFIRMED], indirect=True)
def test_an_unconfirmed_approval_only_warns(counter: Counter) -> None:
    """A site decision is a rule to confirm: an expired approval it gives asks a reason, and
    refuses once an administrator confirms it."""
    counter.receive("R0001-R0004", "demoprazole-blinded", "LR1")
    counter.enroll()
    irt = {"irt_confirmation": "IRT-1", "irt_kit": "R0001"}
    counter.clock.set_date(date(2027, 1, 1))
    late = counter.assess(**irt)
    assert late.refusals == () and [w.code for w in late.warnings] == [
        DispenseCheck.APPROVAL_EXPIRED
    ]
    assert late.warnings[0].message.startswith("Rule to confirm:")
    studies.confirm_rule(counter.ctx, counter.admin, "approval", "the ethics letter")
    assert [r.code for r in counter.assess(**irt).refusals] == [DispenseCheck.APPROVAL_EXPIRED]


WEIGHED = parse_study(
    (STUDIES / "DEMO-IRT-BLIND.toml").read_text(encoding="utf-8")
    + '\n[[observations]]\nkey = "weight"\nname = "Weight"\nunit = "kg"\nrequired = false\n'
    + "min = 25\nmax = 250\n"
)


@pytest.mark.parametrize("counter", [WEIGHED], indirect=True)
def test_the_participant_record_shows_what_was_recorded_at_dispense(counter: Counter) -> None:
    """The participant history (PDF, CSV) gives each dispense's observations and its IRT
    confirmation number."""
    from dispensary.reports import participant_csv, participant_pdf
    from dispensary.reports.csvfile import read_rows

    counter.receive("R0001-R0004", "demoprazole-blinded", "LR1")
    counter.enroll()
    first = counter.dispense(
        1, irt_confirmation="IRT-000123", irt_kit="R0003", observations={"weight": 72.5}
    )
    assert [(o.key, o.value) for o in first.observations] == [("weight", 72.5)]
    counter.clock.set_date(date(2026, 1, 26))
    counter.give_back(first, {"R0003": 0})
    counter.dispense(2, irt_confirmation="IRT-000456", irt_kit="R0001")
    [one, two] = counter.history()
    assert (one.irt_confirmation, two.irt_confirmation) == ("IRT-000123", "IRT-000456")
    assert [(o.name, o.value, o.unit) for o in one.observations] == [("Weight", 72.5, "kg")]
    assert two.observations == ()

    report = report_data.participant_report(counter.ctx, counter.pharm, "01-001")
    meta = report_data.report_meta(counter.ctx, counter.pharm)
    text = _text(participant_pdf(meta, counter.ctx.study, report))
    assert "Recorded at dispense" in text
    number = first.number
    assert f"Cycle 1 ({number}): Weight 72.5 kg; IRT confirmation IRT-000123." in text
    assert "IRT confirmation IRT-000456." in text
    rows = read_rows(participant_csv(meta, report))
    assert [(r["observations"], r["irt_confirmation"]) for r in rows] == [
        ("weight=72.5", "IRT-000123"),
        ("", "IRT-000456"),
    ]


TWO_CYCLES = parse_study(
    (STUDIES / "NCT07198672.toml")
    .read_text(encoding="utf-8")
    .replace("max_cycles = 0  # 0: no limit set by the protocol", "max_cycles = 2"),
    "two-cycles.toml",
)


@pytest.mark.parametrize("counter", [TWO_CYCLES], indirect=True)
def test_no_cycle_falls_due_after_the_protocols_last(counter: Counter) -> None:
    """The protocol's last cycle dispensed and counted back: the participant is still on
    treatment, but no next cycle is due (the counter would refuse it), so neither the register
    nor the Today screen says one is, nor that it is overdue."""
    counter.receive("K0001-K0004", "herombopag-7.5mg", "L1")
    counter.enroll()
    first = counter.dispense(1)
    counter.clock.set_date(date(2026, 1, 26))
    counter.give_back(first, {})
    row = queries.participant(counter.ctx, counter.pharm, "01-001")
    assert (row.next_cycle, row.next_due) == (2, date(2026, 1, 26))
    second = counter.dispense(2)
    counter.clock.set_date(date(2026, 2, 16))
    counter.give_back(second, {})
    counter.clock.set_date(date(2026, 3, 30))  # weeks after a third cycle would have been due
    row = queries.participant(counter.ctx, counter.pharm, "01-001")
    assert (row.last_cycle, row.next_cycle, row.next_due, row.overdue) == (2, None, None, False)
    today = dashboard.dashboard(counter.ctx, counter.pharm)
    assert today.due == ()
    assert [s.kits_needed for s in today.stock] == [0, 0]
    report = catalogue.make_report(
        catalogue.report("participant"), counter.ctx, counter.pharm, Values(participant="01-001")
    )
    text = " ".join(_text(report.data).split())
    assert "none: the protocol's last cycle (2) is dispensed" in text and "None" not in text
    with pytest.raises(RuleViolation, match="at most 2 cycles"):
        counter.dispense(3)
