"""The release dialog shows whole what the sponsor's decision is to cover: every line of "Held
for" it lists and the "… and N more kits" after them. Opened on many kits set aside by an
excursion, its wrapped lines were given the height of fewer lines, the last cut off: the
pharmacist did not see that the decision covered more kits than the few shown."""

from __future__ import annotations

import pytest
from counter_fixtures import Counter
from pytestqt.qtbot import QtBot

from dispensary.services import quarantine
from dispensary.ui.inventory_view import HELD_SHOWN, ReleaseDialog

KITS = [f"K{n:04d}" for n in (*range(1, 7), *range(101, 105), *range(2001, 2005))]


def release_dialog(qtbot: QtBot, counter: Counter) -> ReleaseDialog:
    """The dialog as Inventory's Release opens it on 14 kits in quarantine: the kits, and why
    each is held, as services.quarantine.assess_release says."""
    pharm = counter.actor("pharm")
    quarantine.quarantine(
        counter.ctx,
        pharm,
        KITS,
        "Temperature excursion in the pharmacy fridge overnight; logger alarm at 02:10, "
        "sponsor told by e-mail",
    )
    verdicts = quarantine.assess_release(counter.ctx, pharm, KITS)
    dialog = ReleaseDialog(None, KITS, [(v.kit, [c.text for c in v.held_for]) for v in verdicts])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_line_of_held_for_is_shown(
    qtbot: QtBot,
    counter: Counter,
    styled: None,
    lang: str,
    request: pytest.FixtureRequest,
) -> None:
    if lang == "zh_CN":
        request.getfixturevalue("chinese")
    dialog = release_dialog(qtbot, counter)
    held = dialog.held
    lines = held.text().split("\n")
    assert len(lines) == 1 + HELD_SHOWN + 1  # the heading, the kits shown, "… and 6 more"
    assert lines[-1] in ("… and 6 more kits", "……另有 6 个药盒"), lines[-1]
    # Tall enough for its text at the width it is given: no line cut off.
    assert held.height() >= held.heightForWidth(held.width()), (
        held.height(),
        held.heightForWidth(held.width()),
    )
    assert dialog.height() <= 768 - 40  # on a 1366x768 screen, with its title bar


def test_a_whole_excursions_kits_fit_a_1366x768_screen(qtbot: QtBot, styled: None) -> None:
    """A release of the 120 kits an excursion set aside: the first 40 named, the rest counted,
    the dialog no taller than the screen."""
    kits = [f"K{n}" for n in range(1101, 1221)]
    cause = "quarantined 2026-12-07 for temperature excursion 1 (31-31 °C)"
    dialog = ReleaseDialog(None, kits, [(k, [cause]) for k in kits])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.prompt.text().startswith("Kits K1101, K1102, ")
    assert "K1140, … and 80 more kits: a quarantined kit" in dialog.prompt.text()
    assert "K1141" not in dialog.prompt.text()
    for label in (dialog.prompt, dialog.held):
        assert label.height() >= label.heightForWidth(label.width())
    assert dialog.height() <= 768 - 40


def test_the_release_signature_names_the_first_kits_and_holds_them_all(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature after the Release dialog named every kit (16 lines at 120 kits, no
    bound): it names the first as the dialog does, counts the rest, and its tooltip holds
    every kit (KITS_NAMED made 5 here: 14 kits are more)."""
    from window_helpers import go_to, main_window

    from dispensary.ui import inventory_view
    from dispensary.ui.feedback import SignatureDialog
    from dispensary.ui.inventory_view import InventoryScreen

    quarantine.quarantine(counter.ctx, counter.actor("pharm"), KITS, "Temperature excursion")
    monkeypatch.setattr(inventory_view, "KITS_NAMED", 5)
    window = main_window(qtbot, counter.session("pharm"), (1366, 768))
    screen = go_to(window, InventoryScreen)
    for kit in KITS:
        assert screen.handle_scan(kit)
    assert sorted(screen._numbers()) == sorted(KITS)
    monkeypatch.setattr(
        ReleaseDialog, "ask", classmethod(lambda cls, *a: ("sponsor agreed", "TE-2026-014"))
    )
    seen: list[SignatureDialog] = []

    def ask(
        cls: type[SignatureDialog],
        parent: object,
        signer: str,
        meaning: str,
        summary: str,
        whole: str = "",
    ) -> None:
        dialog = SignatureDialog(None, signer, meaning, summary, whole=whole)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        seen.append(dialog)

    monkeypatch.setattr(SignatureDialog, "ask", classmethod(ask))
    screen.release_button.click()
    [dialog] = seen
    text = dialog.summary.text()
    assert ", … and 9 more kits from quarantine on the sponsor's decision TE-2026-014" in text
    assert sum(kit in text for kit in KITS) == 5, text
    assert sorted(dialog.summary.toolTip().split(", ")) == sorted(KITS)


def test_a_whole_excursions_release_signature_fits_a_1366x768_screen(
    qtbot: QtBot, styled: None
) -> None:
    from dispensary.ui.feedback import SignatureDialog
    from dispensary.ui.inventory_view import kits_named

    kits = [f"K{n}" for n in range(1101, 1221)]
    summary = f"Release of {kits_named(kits)} from quarantine on the sponsor's decision TE-1"
    dialog = SignatureDialog(None, "Pat Pharmacist", "released", summary, whole=", ".join(kits))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "K1140, … and 80 more kits" in dialog.summary.text()
    assert "K1220" in dialog.summary.toolTip()
    assert dialog.height() <= 768 - 40
