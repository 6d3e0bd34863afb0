"""The first-expiring kit scanned after the warning replaces the later kit (KitVerdict.replaces):
when it alone covers the cycle the signature is asked at once, so the instruction to put the
later kit back is said in the signature's summary and on the screen after, never lost under
the dialog (the pharmacist would hand over both bottles, or leave the later one out)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import Counter, Signatures, study_pharmacy
from pytestqt.qtbot import QtBot
from window_helpers import refreshed, scan

from dispensary.services import queries, receiving
from dispensary.study import bundled_studies, load_study
from dispensary.ui.dispense_view import DispenseScreen

pytestmark = pytest.mark.usefixtures("printer")
PRODUCT = "demoxatinib-50mg"
PUT_BACK = "Kit B0012 replaces kit B0001: put B0001 back."


@pytest.fixture
def pharmacy(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-28D-BID: B0001-B0004 expiring mid-2028 (L1), B0011-B0012 a year sooner (L0)."""
    study = load_study(bundled_studies() / "DEMO-28D-BID.toml")
    counter = study_pharmacy(study, [("B0001-B0004", PRODUCT)], tmp_path / "p.sqlite3")
    pharm = counter.actor("pharm")
    kits = receiving.kits_from_range(
        counter.ctx, "B0011-B0012", PRODUCT, "L0", date(2027, 6, 30), None
    )
    receiving.receive_shipment(counter.ctx, pharm, "SH-EARLY", kits)
    yield counter
    counter.ctx.engine.dispose()


@pytest.fixture
def screen(qtbot: QtBot, pharmacy: Counter) -> DispenseScreen:
    widget = refreshed(qtbot, DispenseScreen(pharmacy.session("pharm")), (1166, 700))
    scan(qtbot, widget.participant_field, "01-001")
    widget.observation_fields["weight"].setText("70")  # the study asks it at every dispense
    return widget


def text_of(screen: DispenseScreen) -> str:
    return " ".join(screen.message.text().split())


@pytest.mark.parametrize("signs", [True, False])
def test_the_kit_to_put_back_is_said_with_the_signature_and_after(
    qtbot: QtBot, screen: DispenseScreen, pharmacy: Counter, signatures: Signatures, signs: bool
) -> None:
    signatures.refuse = not signs
    scan(qtbot, screen.kit_field, "B0011")  # a cycle takes two kits
    scan(qtbot, screen.kit_field, "B0001")  # a later kit: the warning names the first expiry
    assert "take kit B0012 instead" in text_of(screen)
    assert signatures.asked == []
    scan(qtbot, screen.kit_field, "B0012")  # it replaces B0001: the kits cover the cycle
    [(_signer, _meaning, summary)] = signatures.asked  # asked at once
    assert PUT_BACK in summary, summary
    said = text_of(screen)
    assert PUT_BACK in said, said
    pharm = pharmacy.actor("pharm")
    if signs:
        assert "Dispensed DSP" in said, said
        assert queries.kit_detail(pharmacy.ctx, pharm, "B0012").status == "dispensed"
    else:
        assert "Not signed: nothing was saved." in said, said
        assert queries.kit_detail(pharmacy.ctx, pharm, "B0012").status == "available"
    assert queries.kit_detail(pharmacy.ctx, pharm, "B0001").status == "available"


def test_a_wrong_password_keeps_the_kit_to_put_back_said(
    qtbot: QtBot, screen: DispenseScreen, pharmacy: Counter, signatures: Signatures
) -> None:
    """The refusal of a wrong signature password is said with the put-back instruction, not
    instead of it: the later kit is off the list and still on the counter."""
    signatures.wrong = True
    scan(qtbot, screen.kit_field, "B0011")
    scan(qtbot, screen.kit_field, "B0001")
    scan(qtbot, screen.kit_field, "B0012")  # replaces B0001: the signature is asked at once
    [(_signer, _meaning, summary)] = signatures.asked
    assert PUT_BACK in summary, summary
    said = text_of(screen)
    assert PUT_BACK in said, said
    assert "password" in said.lower(), said  # the refusal is said too
    assert screen.message.kind == "error"
    pharm = pharmacy.actor("pharm")
    assert queries.kit_detail(pharmacy.ctx, pharm, "B0012").status == "available"
    assert queries.kit_detail(pharmacy.ctx, pharm, "B0001").status == "available"


def test_warnings_changed_while_signing_keep_the_kit_to_put_back_said(
    qtbot: QtBot,
    screen: DispenseScreen,
    pharmacy: Counter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kits expiring sooner still are received at another workstation while the signature is
    asked: B0011 and B0012 are no longer the first expiry, the save is refused for the warning
    met since, and the screen shows it. B0001 is still off the list and on the counter: the
    instruction to put it back is said with that refusal too."""
    from dispensary.ui.feedback import SignatureDialog

    pharm = pharmacy.actor("pharm")
    asked: list[str] = []

    def received_meanwhile(_cls: object, *args: object) -> str:
        asked.append(str(args[-1]))
        sooner = receiving.kits_from_range(
            pharmacy.ctx, "B0021-B0022", PRODUCT, "LS", date(2027, 3, 31), None
        )
        receiving.receive_shipment(pharmacy.ctx, pharm, "SH-SOONER", sooner)
        return "pharmpass1"

    monkeypatch.setattr(SignatureDialog, "ask", classmethod(received_meanwhile))
    scan(qtbot, screen.kit_field, "B0011")
    scan(qtbot, screen.kit_field, "B0001")
    scan(qtbot, screen.kit_field, "B0012")  # replaces B0001: the signature is asked at once
    [summary] = asked
    assert PUT_BACK in summary, summary
    said = text_of(screen)
    assert "The warnings changed since they were shown: nothing was saved." in said, said
    assert PUT_BACK in said, said
    assert said.count(PUT_BACK) == 1, said
    for kit in ("B0011", "B0012"):  # each warning met since said once
        assert said.count(f"Kit {kit} (lot L0) expires 2027-06-30, after kit B0021") == 1, said
    assert queries.kit_detail(pharmacy.ctx, pharm, "B0012").status == "available"
    assert queries.kit_detail(pharmacy.ctx, pharm, "B0001").status == "available"
