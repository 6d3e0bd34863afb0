"""A step is judged against the database as it is when the step runs, not as it was at the
sign-in or when the window opened the study: an access withdrawn, or a study closed, at another
workstation stops a session already open at its next step, read or write, nothing written."""

from __future__ import annotations

import ast
import inspect
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import dispensary.services as services_package
from dispensary.domain.errors import (
    DispensaryError,
    InOtherStudy,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
)
from dispensary.services import queries, receiving, reconciliation, studies, users
from dispensary.services.context import Actor, Context
from dispensary.study import Study
from signed import seen_now

from .helpers import LATE, P75, dispense, enroll, receive
from .test_several_studies import STUDY_FUNCTIONS

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
Snapshot = Callable[[Context], Any]
OTHER = "NCT99999999"
WITHDRAWN = "was withdrawn from"
CLOSED = f"Study {OTHER} is closed"


def signed_in(ctx: Context, actor: Actor, pw: Password) -> Actor:
    return users.sign_in(ctx, actor.username, pw(actor))


@pytest.fixture
def second(ctx: Context, study: Study, admin: Actor, pw: Password) -> Context:
    """A second study of the pharmacy, its context as a window opens it."""
    text = study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{OTHER}"')
    studies.add_study(ctx, admin, text, "other.toml", "second protocol opens")
    return studies.switch_study(ctx, signed_in(ctx, admin, pw), OTHER)


def test_a_withdrawn_access_stops_the_open_session(
    ctx: Context,
    stock: Any,
    enrolled: str,
    admin: Actor,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The pharmacist and the monitor signed in with the study; an administrator takes the
    access away: the dispense, the reading of the participants and the monitor's sign-off are
    refused with the reason, nothing written. Given back, the same session works again."""
    studies.set_access(ctx, admin, "pharm", "NCT07198672", False, "left the study team")
    studies.set_access(ctx, admin, "monitor", "NCT07198672", False, "CRA reassigned")
    assert ctx.study_id in pharmacist.studies  # as at the sign-in
    with refused(ctx, NotPermitted, WITHDRAWN) as found:
        dispense(ctx, pharmacist, pw(pharmacist))
    assert "NCT07198672" in found.value.message and "ask an administrator" in found.value.message
    with refused(ctx, NotPermitted, WITHDRAWN):
        queries.participants(ctx, pharmacist)
    with refused(ctx, NotPermitted, WITHDRAWN):
        reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 7", seen=seen_now(ctx))
    with refused(ctx, NotPermitted, WITHDRAWN):
        reconciliation.reconcile(ctx, monitor)
    studies.set_access(ctx, admin, "pharm", "NCT07198672", True, "back on the team")
    assert dispense(ctx, pharmacist, pw(pharmacist)).number
    assert [p.study_number for p in queries.participants(ctx, pharmacist)] == [enrolled]


def test_a_study_closed_elsewhere_takes_nothing_more(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The window opened the study while it was open; another workstation closes it. A
    receive and an enrolment with the window's context are refused as a context opened now
    is, so the closed study never holds stock that could no longer be destroyed. Reading and
    the monitor's sign-off (what a closed study still takes) go on."""
    for user in ("pharm", "monitor"):
        studies.set_access(ctx, admin, user, OTHER, True, "delegated")
    me, mon = signed_in(ctx, pharmacist, pw), signed_in(ctx, monitor, pw)
    window = studies.switch_study(ctx, me, OTHER)
    studies.close_study(ctx, admin, OTHER, "terminated by the sponsor")
    assert not window.closed  # as the window opened it
    with refused(window, NotPermitted, CLOSED):
        receive(window, me, "B0001-B0002", lot="LB")
    with refused(window, NotPermitted, CLOSED):
        enroll(window, me, "91-001")
    fresh = studies.switch_study(ctx, me, OTHER)
    with refused(fresh, NotPermitted, CLOSED):
        enroll(fresh, me, "91-001")
    assert queries.inventory(window, me) == []
    assert reconciliation.sign_off(
        window, mon, pw(mon), "close-out visit", seen=seen_now(window)
    ).signoffs


@pytest.mark.parametrize("name", sorted(STUDY_FUNCTIONS))
def test_every_study_step_refuses_a_session_whose_access_was_withdrawn(
    name: str,
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    snapshot: Snapshot,
) -> None:
    """Every service function working in a study refuses a user signed in with the study whose
    access was taken away since, nothing written. A read says why at once; a step that writes
    may first refuse its (here meaningless) input, and judges the access inside its
    transaction (test_a_withdrawn_access_stops_the_open_session, and the walk below)."""
    fn = STUDY_FUNCTIONS[name]
    studies.set_access(ctx, admin, "pharm", OTHER, True, "delegated")
    stale = signed_in(ctx, pharmacist, pw)
    window = studies.switch_study(ctx, stale, OTHER)
    studies.set_access(ctx, admin, "pharm", OTHER, False, "moved to another study")
    params = list(inspect.signature(fn).parameters.values())[2:]
    required = [p for p in params if p.default is inspect.Parameter.empty]
    named = {p.name: "1" for p in required if p.kind is inspect.Parameter.KEYWORD_ONLY}
    args = ["1" for p in required if p.name not in named]
    before = snapshot(ctx)
    with pytest.raises(DispensaryError) as found:
        fn(window, stale, *args, **named)
    assert snapshot(ctx) == before
    if name not in RECORDED:
        assert type(found.value) is NotPermitted and WITHDRAWN in found.value.message


def _functions() -> Iterator[tuple[str, ast.FunctionDef]]:
    for path in sorted(Path(services_package.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                yield f"{path.stem}.{node.name}", node


def _calls(fn: ast.FunctionDef, name: str) -> list[ast.Call]:
    return [
        c
        for c in ast.walk(fn)
        if isinstance(c, ast.Call)
        and (
            (isinstance(c.func, ast.Name) and c.func.id == name)
            or (isinstance(c.func, ast.Attribute) and c.func.attr == name)
        )
    ]


def _keywords(call: ast.Call) -> set[str]:
    return {k.arg for k in call.keywords if k.arg}


def _recorded() -> set[str]:
    """The functions that call `require(..., recorded=True)`, or call one that does."""
    functions = list(_functions())
    found = {
        n for n, fn in functions if any("recorded" in _keywords(c) for c in _calls(fn, "require"))
    }
    while True:
        bare = {n.split(".")[1] for n in found}
        more = {n for n, fn in functions if any(_calls(fn, b) for b in bare)} - found
        if not more:
            return found
        found |= more


RECORDED = _recorded()
"""The steps that write in a study: `require` judges them as the session knows, their
Recorder again in their transaction."""


def test_every_write_in_a_study_judges_the_study_in_its_transaction() -> None:
    """A step that takes a study (`require(..., ctx)`) and writes gives its Recorder the study
    and the action, which read the access and the closing inside the write; a step that
    defers to its Recorder (`recorded=True`) has one that does."""
    assert {"receiving.receive_shipment", "dispensing.dispense_cycle"} <= RECORDED
    unjudged = []
    for name, fn in _functions():
        in_study = [c for c in _calls(fn, "require") if len(c.args) >= 3]
        recorders = _calls(fn, "Recorder")
        if not in_study or not (recorders or _calls(fn, "write_transaction")):
            continue
        if not recorders and _calls(fn, "_signed_step"):
            continue  # the participants' one start of a signed step: its Recorder, below
        if not recorders or any(not {"study", "action"} <= _keywords(r) for r in recorders):
            unjudged.append(name)
    assert unjudged == []
    [start] = [fn for name, fn in _functions() if name == "participants._signed_step"]
    assert all({"study", "action"} <= _keywords(r) for r in _calls(start, "Recorder"))


@contextmanager
def _pausing_inside(
    ctx: Context, words: tuple[str, ...], inside: threading.Event
) -> Iterator[None]:
    """The first step to send a statement holding all of `words` (one inside its write, after
    the write lock) stops there a moment, so that the other step starts meanwhile and must
    wait for it."""

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if all(w in statement for w in words) and not inside.is_set():
            inside.set()
            time.sleep(0.5)

    event.listen(ctx.engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(ctx.engine, "before_cursor_execute", before)


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # the test looks at what it was
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("first", ["close", "receive"])
def test_a_close_and_a_receive_at_once_never_leave_stock_in_a_closed_study(
    first: str, ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """Two workstations: one closes the study while the other receives into it with a context
    opened before. Whichever takes the write lock first, the other step waits for it and then
    judges what it wrote: a receive after the close is refused (closed); a close after the
    receive is refused (kits held). Never a closed study holding kits."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "delegated")
    me = signed_in(ctx, pharmacist, pw)
    window = studies.switch_study(ctx, me, OTHER)
    kits = receiving.kits_from_range(window, "B0001-B0002", P75, "LB", LATE, None)

    def close() -> Any:
        return studies.close_study(ctx, admin, OTHER, "terminated by the sponsor")

    def take() -> Any:
        return receiving.receive_shipment(window, me, "SH-B", kits)

    inside = threading.Event()
    # The close's count of the kits held; the receive's read of its signer with the study.
    words = ("count", "FROM kits") if first == "close" else ("study_access", "closed_at", "users")
    step, other = (close, take) if first == "close" else (take, close)
    with _pausing_inside(ctx, words, inside):
        thread, outcome = _in_thread(step)
        assert inside.wait(30)
        try:
            later = other()
        except DispensaryError as exc:
            later = exc
        thread.join(60)
    [earlier] = outcome
    assert not isinstance(earlier, Exception), earlier
    if first == "close":
        assert isinstance(later, NotPermitted) and CLOSED in later.message
        assert queries.inventory(studies.switch_study(ctx, me, OTHER), me) == []
    else:
        assert isinstance(later, RuleViolation) and "still has 2 kits" in later.message
        listed = studies.list_studies(ctx, signed_in(ctx, admin, pw))
        [row] = [r for r in listed if r.protocol == OTHER]
        assert row.status == "open"


ENDED = "can no longer sign: the account is not active"
LOCKED = "has been locked: this session has ended"


@pytest.mark.parametrize("name", sorted(STUDY_FUNCTIONS))
def test_every_study_step_refuses_a_session_whose_account_was_deactivated(
    name: str,
    ctx: Context,
    admin: Actor,
    pharmacist: Actor,
    snapshot: Snapshot,
) -> None:
    """A read as well as a write: an account deactivated at another workstation reads nothing
    more from the session still open, refused in the words a write gets (nothing written)."""
    fn = STUDY_FUNCTIONS[name]
    users.set_active(ctx, admin, "pharm", False, "left the pharmacy")
    params = list(inspect.signature(fn).parameters.values())[2:]
    required = [p for p in params if p.default is inspect.Parameter.empty]
    named = {p.name: "1" for p in required if p.kind is inspect.Parameter.KEYWORD_ONLY}
    args = ["1" for p in required if p.name not in named]
    before = snapshot(ctx)
    with pytest.raises(DispensaryError) as found:
        fn(ctx, pharmacist, *args, **named)
    assert snapshot(ctx) == before
    if name not in RECORDED:
        assert type(found.value) is NotSignedIn and ENDED in found.value.message


def test_a_locked_or_deactivated_account_reads_no_more_and_reads_again_once_restored(
    ctx: Context,
    stock: Any,
    enrolled: str,
    admin: Actor,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The participant's history, the kit list and the lists of the site (studies, accounts,
    the shelves of every study): refused as a dispense is, once the account is locked or
    deactivated elsewhere; unlocked, the same session reads again."""
    assert queries.participant_history(ctx, pharmacist, enrolled)[0].study_number == enrolled
    for _attempt in range(users.MAX_FAILURES):  # someone guesses at another workstation
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "pharm", "a-wrong-guess-1")
    with refused(ctx, NotSignedIn, LOCKED):
        queries.participant_history(ctx, pharmacist, enrolled)
    with refused(ctx, NotSignedIn, LOCKED):
        dispense(ctx, pharmacist, pw(pharmacist))
    for site_read in (
        lambda: studies.list_studies(ctx, pharmacist),
        lambda: studies.own_protocols(ctx, pharmacist),
        lambda: users.list_users(ctx, pharmacist),
        lambda: queries.inventory(ctx, pharmacist, every_study=True),
    ):
        with refused(ctx, NotSignedIn, LOCKED):
            site_read()
    users.unlock(ctx, admin, "pharm", "identity checked in person")
    assert queries.participant_history(ctx, pharmacist, enrolled)[0].study_number == enrolled
    users.set_active(ctx, admin, "monitor", False, "CRA left the CRO")
    with refused(ctx, NotSignedIn, ENDED):
        queries.inventory(ctx, monitor)
    with refused(ctx, NotSignedIn, ENDED):
        studies.list_studies(ctx, monitor)


def test_the_lists_and_lookups_of_a_session_read_the_access_as_it_is_now(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A session signed in with two studies, one since taken away elsewhere: the study lists
    (list_studies, own_protocols, the shelves of every study, the accounts) no longer name it,
    nor does a lookup of one of its kits from the other study (services.common.other_study)."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "delegated")
    stale = signed_in(ctx, pharmacist, pw)
    window = studies.switch_study(ctx, stale, OTHER)
    receive(window, stale, "B0001-B0002", lot="LB")
    users.add_user(second, admin, "cra2", "monitor", "Carl Other", "CO", "cra2-pass-12")
    assert "cra2" in {u.username for u in users.list_users(ctx, stale)}
    with pytest.raises(InOtherStudy) as named:
        queries.kit_detail(ctx, stale, "B0001")
    assert named.value.protocol == OTHER  # while the access holds: "switch to study ..."
    studies.set_access(ctx, admin, "pharm", OTHER, False, "moved to another study")
    assert second.study_id in stale.studies  # as at the sign-in
    assert [r.protocol for r in studies.list_studies(ctx, stale)] == ["NCT07198672"]
    assert studies.own_protocols(ctx, stale) == ["NCT07198672"]
    assert all(k.study != OTHER for k in queries.inventory(ctx, stale, every_study=True))
    with pytest.raises(InOtherStudy) as hidden:
        queries.kit_detail(ctx, stale, "B0001")
    assert hidden.value.protocol == "" and OTHER not in hidden.value.message
    with refused(ctx, NotPermitted, "has no study NCT99999999"):
        studies.switch_study(ctx, stale, OTHER)
    with refused(ctx, NotPermitted, "has no study NCT99999999"):
        studies.check_study_named(ctx, stale, OTHER)
    assert "cra2" not in {u.username for u in users.list_users(ctx, stale)}


def test_a_withdrawn_sign_off_is_refused_before_the_full_check(
    ctx: Context,
    admin: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sign-off's full check of the trail and fresh reconciliation take most of a minute
    at a large site: an access withdrawn is refused before them, whether it was withdrawn
    before the step began or while it waited for the write (here: during the password's
    check), nothing written."""
    checked: list[Any] = []
    seen = seen_now(ctx)  # what the monitor was shown, before the check is taken away
    monkeypatch.setattr(reconciliation, "check_trail", lambda *a, **k: checked.append(a))
    studies.set_access(ctx, admin, "monitor", "NCT07198672", False, "CRA reassigned")
    with refused(ctx, NotPermitted, WITHDRAWN):
        reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 7", seen=seen)
    studies.set_access(ctx, admin, "monitor", "NCT07198672", True, "back")
    presign = reconciliation.presign

    def withdrawn_meanwhile(*args: Any) -> None:
        presign(*args)
        studies.set_access(ctx, admin, "monitor", "NCT07198672", False, "CRA reassigned")

    monkeypatch.setattr(reconciliation, "presign", withdrawn_meanwhile)
    with pytest.raises(NotPermitted, match=WITHDRAWN):
        reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 7", seen=seen)
    assert checked == []
