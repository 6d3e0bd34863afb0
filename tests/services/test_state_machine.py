"""Random days at the counter: whatever the sequence of receipts, dispenses, returns,
corrections, voids, destructions, counts, quarantines and mistakes, every tablet stays
accounted for, no stock goes negative, refusals write nothing, every kit status changes only by
a move of the lifecycle table (domain/lifecycle.py) that the step stands for, and the audit
chain verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import signed
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.lifecycle import TRANSITIONS, KitEvent
from dispensary.services import (
    audit,
    counts,
    destruction,
    dispensing,
    participants,
    quarantine,
    queries,
    receiving,
    reconciliation,
    returns,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.receiving import KitIn
from dispensary.services.results import BalanceRow, KitRow
from dispensary.study import Study

from .helpers import P25, P75, WITNESSED, read_then_dispense

T = TypeVar("T")
Snapshot = Callable[[Context], object]
PEOPLE = ("01-001", "01-002", "01-003")
PASSWORD = "pharm-pass-1"
FINDINGS_THAT_MUST_NOT_BE = {"unbalanced", "status_mismatch", "audit_chain"}
# The lifecycle events each step may make; a step not listed moves no kit.
STEP_EVENTS = {
    "receive": {KitEvent.RECEIVE, KitEvent.RECEIVE_QUARANTINED},
    "dispense": {KitEvent.DISPENSE},
    "return": {KitEvent.RETURN},
    "void": {KitEvent.VOID_DISPENSE},
    "destroy": {KitEvent.DESTROY},
    "quarantine": {KitEvent.QUARANTINE},
    "release": {KitEvent.RELEASE},
}


def identity(row: BalanceRow) -> bool:
    return row.received == (
        row.dispensed
        - row.returned
        + row.on_hand
        + row.held_returned
        + row.destroyed
        + row.adjusted
    )


class Counter(RuleBasedStateMachine):
    """One pharmacy; hypothesis chooses the day's steps, good and bad."""

    def __init__(
        self,
        make_context: Callable[[FixedClock], Context],
        release: Callable[[Context], None],
        people: dict[str, Actor],
        snapshot: Snapshot,
    ) -> None:
        super().__init__()
        self.clock = FixedClock()
        self.ctx = make_context(self.clock)
        self.release = release
        self.pharmacist = people["pharm"]
        self.monitor = people["monitor"]
        self.snapshot = snapshot
        self.next_kit = 1
        self.received = 0
        self.done: dict[str, int] = {}
        self.refused: dict[str, int] = {}

    def teardown(self) -> None:
        result = audit.verify(self.ctx, self.monitor)
        self.release(self.ctx)
        assert result.ok, result.message

    # -- helpers -------------------------------------------------------------------------

    def attempt(self, step: str, call: Callable[[], T]) -> T | None:
        """Runs one service call; a refusal must be a rule's, and must leave no trace; a step
        done changes kit statuses only by moves of the lifecycle table it stands for."""
        before = self.snapshot(self.ctx)
        statuses = self.statuses()
        try:
            result = call()
        except RuleViolation:
            assert self.snapshot(self.ctx) == before, f"refused {step} wrote to the database"
            self.refused[step] = self.refused.get(step, 0) + 1
            return None
        self.done[step] = self.done.get(step, 0) + 1
        for kit, now in self.statuses().items():
            was = statuses.get(kit)
            if was is not now:
                events = STEP_EVENTS.get(step, set())
                assert any(TRANSITIONS.get((was, e)) is now for e in events), (step, kit, was, now)
        return result

    def statuses(self) -> dict[str, KitStatus]:
        """Every kit's stored status."""
        with self.ctx.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT number, status FROM kits")
            return {number: KitStatus(status) for number, status in rows}

    def kits(self) -> list[KitRow]:
        return queries.inventory(self.ctx, self.pharmacist)

    def pick(self, rows: list[T], index: int) -> T | None:
        return rows[index % len(rows)] if rows else None

    def today(self) -> Any:
        return self.clock.today()

    # -- steps ---------------------------------------------------------------------------

    @initialize()
    def open_the_pharmacy(self) -> None:
        for number in PEOPLE:
            participants.enroll(
                self.ctx,
                self.pharmacist,
                number,
                "AB",
                1970,
                "F",
                "Dr Liu",
                criteria_confirmed=participants.eligibility_checklist(self.ctx.study),
            )
        self.receive(kits=3, small=False, lasts=400, cold_chain_ok=True)
        self.receive(kits=2, small=True, lasts=400, cold_chain_ok=True)

    @rule(days=st.integers(0, 12))
    def time_passes(self, days: int) -> None:
        self.clock.set_date(self.today() + timedelta(days=days))

    @rule(
        kits=st.integers(1, 3),
        small=st.booleans(),
        lasts=st.sampled_from([-3, 10, 30, 400, 400]),
        cold_chain_ok=st.sampled_from([True, True, False]),
    )
    def receive(self, kits: int, small: bool, lasts: int, cold_chain_ok: bool) -> None:
        product = P25 if small else P75
        expiry = self.today() + timedelta(days=lasts)
        per_kit = self.ctx.study.product(product).tablets_per_kit
        lot = f"L{expiry:%y%m%d}{'S' if small else 'B'}"  # a lot number is one product's
        listed = [
            KitIn(f"K{self.next_kit + n:04d}", product, lot, expiry, per_kit) for n in range(kits)
        ]
        done = self.attempt(
            "receive",
            lambda: receiving.receive_shipment(
                self.ctx,
                self.pharmacist,
                f"SH-{self.next_kit}",
                listed,
                temperature_ok=cold_chain_ok,
            ),
        )
        self.next_kit += kits
        if done is not None:
            self.received += done.tablets
        else:
            assert lasts < 0  # only expired stock is refused at the door

    @rule(
        who=st.sampled_from(PEOPLE),
        reduced=st.booleans(),
        scan=st.booleans(),
        index=st.integers(0, 99),
        cycle_offset=st.sampled_from([0, 0, 0, 0, -1, 1]),
    )
    def dispense(self, who: str, reduced: bool, scan: bool, index: int, cycle_offset: int) -> None:
        row = queries.participant(self.ctx, self.pharmacist, who)
        scanned: list[str] = []
        if scan:
            kit = self.pick(self.kits(), index)
            if kit is not None:
                scanned = [kit.number]
        self.attempt(
            "dispense",
            lambda: read_then_dispense(
                self.ctx,
                self.pharmacist,
                PASSWORD,
                who,
                row.next_cycle + cycle_offset,
                self.today(),
                dose_level=-1 if reduced else 0,
                kits=scanned,
                override_reason="investigator's instruction",
                dose_ordered_by="Dr Liu",
            ),
        )

    def open_dispenses(self) -> list[tuple[str, str]]:
        """(dispense number, kit) pairs handed out and not yet counted back."""
        found = []
        for who in PEOPLE:
            for row in queries.participant_history(self.ctx, self.pharmacist, who)[1]:
                found.extend((row.dispense_number, kit) for kit in row.kits)
        return found

    @rule(
        index=st.integers(0, 99),
        back=st.one_of(st.integers(0, 21), st.integers(0, 21), st.integers(22, 60)),
        held=st.integers(0, 5),
        wrong_kit=st.sampled_from([False, False, False, True]),
    )
    def give_back(self, index: int, back: int, held: int, wrong_kit: bool) -> None:
        target = self.pick(self.open_dispenses(), index)
        if target is None:
            return
        number, kit = target
        if wrong_kit:
            other = self.pick(self.kits(), index)
            kit = other.number if other is not None else kit
        self.attempt(
            "return",
            lambda: returns.record_return(
                self.ctx, self.pharmacist, kit, back, PASSWORD, dispense=number, held_days=held
            ),
        )

    @rule(index=st.integers(0, 99), recount=st.integers(0, 45))
    def correct(self, index: int, recount: int) -> None:
        ids = sorted(int(i) for i in self._return_ids())
        target = self.pick(ids, index)
        if target is None:
            return
        self.attempt(
            "correct",
            lambda: returns.correct_return(
                self.ctx, self.pharmacist, target, recount, "recounted", PASSWORD
            ),
        )

    def _return_ids(self) -> list[int]:
        with self.ctx.engine.connect() as conn:
            return [r[0] for r in conn.exec_driver_sql("SELECT id FROM returns")]

    @rule(index=st.integers(0, 99))
    def void(self, index: int) -> None:
        target = self.pick(self.open_dispenses(), index)
        if target is None:
            return
        self.attempt(
            "void",
            lambda: dispensing.void_dispense(
                self.ctx, self.pharmacist, target[0], "dispensed in error", PASSWORD
            ),
        )

    @rule(index=st.integers(0, 99), to_sponsor=st.booleans())
    def destroy(self, index: int, to_sponsor: bool) -> None:
        kit = self.pick(self.kits(), index)
        if kit is None:
            return
        self.attempt(
            "destroy",
            lambda: destruction.destroy(
                self.ctx,
                self.pharmacist,
                [kit.number],
                "tech",
                "incineration",
                PASSWORD,
                to_sponsor=to_sponsor,
                **WITNESSED,
            ),
        )

    @rule(index=st.integers(0, 99), difference=st.sampled_from([0, 0, -2, -1, 1]))
    def count(self, index: int, difference: int) -> None:
        kit = self.pick(self.kits(), index)
        if kit is None:
            return
        counted = max(0, kit.tablets + difference)
        self.attempt(
            "count",
            lambda: counts.record_count(
                self.ctx,
                self.pharmacist,
                kit.number,
                counted,
                PASSWORD,
                reason_code="miscount" if counted != kit.tablets else None,
                reason="recounted twice",
                verified_by="tech",
                verifier_password="tech-pass-1",
            ),
        )

    @rule(index=st.integers(0, 99), release=st.booleans())
    def quarantine_or_release(self, index: int, release: bool) -> None:
        kit = self.pick(self.kits(), index)
        if kit is None:
            return
        self.attempt(
            "release" if release else "quarantine",
            lambda: (
                signed.release(
                    self.ctx, self.pharmacist, [kit.number], "sponsor's decision", "TE-2026-014"
                )
                if release
                else quarantine.quarantine(
                    self.ctx, self.pharmacist, [kit.number], "sponsor's decision"
                )
            ),
        )

    @precondition(lambda self: self.received > 0)
    @rule(index=st.integers(0, 99), what=st.sampled_from(["dispense", "return", "count"]))
    def a_date_in_the_future(self, index: int, what: str) -> None:
        tomorrow = self.today() + timedelta(days=1)
        kit = self.pick(self.kits(), index)
        assert kit is not None
        calls: dict[str, Callable[[], object]] = {
            "dispense": lambda: dispensing.dispense_cycle(
                self.ctx, self.pharmacist, PEOPLE[0], 1, tomorrow, PASSWORD, dispensed_on=tomorrow
            ),
            "return": lambda: returns.record_return(
                self.ctx,
                self.pharmacist,
                kit.number,
                0,
                PASSWORD,
                "DSP000001",
                returned_on=tomorrow,
            ),
            "count": lambda: counts.record_count(
                self.ctx, self.pharmacist, kit.number, kit.tablets, PASSWORD, counted_on=tomorrow
            ),
        }
        before = self.snapshot(self.ctx)
        with pytest.raises(InvalidInput, match="is in the future"):
            calls[what]()
        assert self.snapshot(self.ctx) == before

    # -- what must always hold --------------------------------------------------------------

    @invariant()
    def every_tablet_is_accounted_for(self) -> None:
        """The reconciliation recomputes the audit chain too: a break is an audit_chain finding;
        the teardown runs `audit verify` itself once more."""
        result = reconciliation.reconcile(self.ctx, self.monitor)
        rows = result.products + result.lots + result.kits + result.participants
        for row in rows:
            assert identity(row), row
            assert row.on_hand >= 0 and row.held_returned >= 0, row
            assert row.balanced, row
        assert sum(p.received for p in result.products) == self.received
        found = {d.kind for d in result.discrepancies} & FINDINGS_THAT_MUST_NOT_BE
        assert not found, result.discrepancies


def test_random_days_at_the_counter(
    databases: Any,
    study: Study,
    _template: Any,
    snapshot: Snapshot,
) -> None:
    machines: list[Counter] = []

    def make() -> Counter:
        machine = Counter(
            lambda clock: databases.context(study, clock),
            databases.release,
            _template.actors,
            snapshot,
        )
        machines.append(machine)
        return machine

    run_state_machine_as_test(
        make,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=True,
            database=None,
        ),
    )
    # The runs did real work, not only refusals.
    done: dict[str, int] = {}
    for machine in machines:
        for step, times in machine.done.items():
            done[step] = done.get(step, 0) + times
    assert {"receive", "dispense", "return", "destroy", "count"} <= set(done), done
