"""The users screen, for administrators: accounts are added, locked out, unlocked, reset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, build_pharmacy
from PySide6.QtCore import Qt

from dispensary.domain.codes import Role
from dispensary.domain.errors import NotPermitted, NotSignedIn
from dispensary.services import users
from dispensary.ui.users_view import UsersScreen


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield place
    place.ctx.engine.dispose()


def make_screen(qtbot: Any, pharmacy: Pharmacy) -> UsersScreen:
    screen = UsersScreen(pharmacy.session("admin"))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    return screen


def click(qtbot: Any, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def account(pharmacy: Pharmacy, username: str) -> Any:
    rows = users.list_users(pharmacy.ctx, pharmacy.actor("admin"))
    return next(r for r in rows if r.username == username)


def test_add_user_with_the_password_typed_twice(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtmodeltester.check(screen.model)
    qtbot.keyClicks(screen.new_username, "jsmith")
    qtbot.keyClicks(screen.new_full_name, "Jane Smith")
    qtbot.keyClicks(screen.new_initials, "js")
    screen.new_role.setCurrentIndex(screen.new_role.findData("technician"))
    qtbot.keyClicks(screen.new_password, "firstpass1")
    qtbot.keyClicks(screen.new_password_again, "firstpass2")
    click(qtbot, screen.add_button)
    assert "differ" in screen.message.text()
    assert screen.new_full_name.text() == "Jane Smith"
    assert "jsmith" not in [r.username for r in screen.model.rows]

    qtbot.keyClicks(screen.new_password, "firstpass1")
    qtbot.keyClicks(screen.new_password_again, "firstpass1")
    with qtbot.waitSignal(screen.changed):
        click(qtbot, screen.add_button)
    assert screen.current() is not None and screen.current().username == "jsmith"
    actor = users.sign_in(pharmacy.ctx, "jsmith", "firstpass1")
    assert (actor.role, actor.initials) == (Role.TECHNICIAN, "JS")


def test_deactivate_needs_a_reason_and_reactivate(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.select("tech")
    click(qtbot, screen.deactivate_button)
    assert screen.message.kind == "error"
    assert account(pharmacy, "tech").active
    qtbot.keyClicks(screen.reason, "left the pharmacy")
    click(qtbot, screen.deactivate_button)
    assert not account(pharmacy, "tech").active
    with pytest.raises(NotSignedIn):
        users.sign_in(pharmacy.ctx, "tech", "techpass11")
    assert screen.reactivate_button.isEnabled()
    qtbot.keyClicks(screen.reason, "back from leave")
    click(qtbot, screen.reactivate_button)
    assert account(pharmacy, "tech").active


def test_own_account_cannot_be_deactivated(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.select("admin")
    qtbot.keyClicks(screen.reason, "testing")
    click(qtbot, screen.deactivate_button)
    assert "cannot deactivate your own account" in screen.message.text()
    assert account(pharmacy, "admin").active


def sign_in_column(screen: UsersScreen) -> dict[str, str]:
    """The Sign-in column as shown, by user name, for pharm2 and admin."""
    model = screen.table.model()
    column = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == "Sign-in"
    )
    shown = {
        str(model.index(r, 0).data()): str(model.index(r, column).data())
        for r in range(model.rowCount())
    }
    return {name: shown[name] for name in ("pharm2", "admin")}


def test_unlock_after_failed_sign_ins_and_reset_password(qtbot: Any, pharmacy: Pharmacy) -> None:
    for _attempt in range(users.MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            users.sign_in(pharmacy.ctx, "pharm2", "wrong password")
    screen = make_screen(qtbot, pharmacy)
    screen.select("pharm2")
    assert "locked" in screen.chosen.text()
    assert sign_in_column(screen) == {"pharm2": "locked (5 failures)", "admin": "ok"}
    qtbot.keyClicks(screen.reason, "forgot password, identity checked in person")
    click(qtbot, screen.unlock_button)
    assert not account(pharmacy, "pharm2").locked
    assert sign_in_column(screen)["pharm2"] == "ok"

    qtbot.keyClicks(screen.reset_password, "brandnew123")
    qtbot.keyClicks(screen.reset_password_again, "brandnew123")
    click(qtbot, screen.reset_button)
    assert screen.message.kind == "ok"
    assert users.sign_in(pharmacy.ctx, "pharm2", "brandnew123").username == "pharm2"


def test_only_administrators_see_the_screen_and_the_service_agrees(pharmacy: Pharmacy) -> None:
    assert UsersScreen.visible_to(Role.ADMINISTRATOR)
    assert not UsersScreen.visible_to(Role.PHARMACIST)
    with pytest.raises(NotPermitted):
        users.add_user(
            pharmacy.ctx, pharmacy.actor("pharm"), "x1", "monitor", "X", "XX", "password12"
        )
