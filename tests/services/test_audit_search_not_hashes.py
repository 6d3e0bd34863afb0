"""The audit trail's text search finds what a reader reads, not what the entry keeps for the
chain: "e3" found every entry one of whose ledger rows' hashes held it (144 of the demo's, none
showing "e3"), and any two hex characters the study file's SHA-256 recorded with each dispense.
A digest is found typed whole; the values read, the record and the reason are found as before.
A user name that names no account and no entry is refused, not answered with nothing."""

from __future__ import annotations

import json

import pytest

from dispensary.domain.audit_actions import searched_values
from dispensary.domain.errors import NotFound
from dispensary.i18n import Language, speaking
from dispensary.services import audit
from dispensary.services.context import Actor, Context
from dispensary.services.results import AuditRow


def ids(ctx: Context, actor: Actor, text: str, **filters: object) -> set[int]:
    return {e.id for e in audit.list_entries(ctx, actor, text=text, **filters)}  # type: ignore[arg-type]


def with_ledger(ctx: Context, actor: Actor) -> AuditRow:
    return next(e for e in audit.list_entries(ctx, actor, action="dispense") if '"ledger"' in e.new)


def test_a_ledger_rows_hash_is_not_searched(busy: Context, monitor: Actor) -> None:
    entry = with_ledger(busy, monitor)
    row_hash = json.loads(entry.new)["ledger"][0][1]
    assert entry.id not in ids(busy, monitor, row_hash)
    assert entry.id not in ids(busy, monitor, row_hash[10:14])
    # What it shows is found as before: its kit, its dispense's number.
    kit = json.loads(entry.new)["kits"][0]
    assert entry.id in ids(busy, monitor, kit)
    assert entry.id in ids(busy, monitor, entry.entity_id.lower())


def test_a_fragment_found_only_in_hashes_finds_no_entry(busy: Context, monitor: Actor) -> None:
    everything = audit.list_entries(busy, monitor)
    read = [
        " ".join([e.entity_id, e.reason, *searched_values(e.new), *searched_values(e.old)])
        for e in everything
    ]
    hashed = [e.new + e.old for e in everything]
    fragment = next(
        a + b
        for a in "0123456789abcdef"
        for b in "0123456789abcdef"
        if any(a + b in h for h in hashed) and not any(a + b in r.casefold() for r in read)
    )
    assert audit.list_entries(busy, monitor, text=fragment) == []
    assert audit.list_entries(busy, monitor, text=fragment, limit=5) == []


def test_a_digest_is_found_typed_whole_only(busy: Context, monitor: Actor) -> None:
    entry = with_ledger(busy, monitor)
    digest = json.loads(entry.new)["study_sha256"]
    assert entry.id in ids(busy, monitor, digest)
    assert entry.id in ids(busy, monitor, digest.upper())
    assert entry.id not in ids(busy, monitor, digest[:8])


def test_the_limit_counts_the_entries_found(busy: Context, monitor: Actor) -> None:
    entry = with_ledger(busy, monitor)
    kit = json.loads(entry.new)["kits"][0]
    found = audit.list_entries(busy, monitor, text=kit)
    assert len(found) > 2
    assert [e.id for e in audit.list_entries(busy, monitor, text=kit, limit=2)] == [
        e.id for e in found[-2:]
    ]


def test_an_unknown_user_is_refused(busy: Context, monitor: Actor, pharmacist: Actor) -> None:
    with pytest.raises(NotFound, match="There is no user 'pharmm'"):
        audit.list_entries(busy, monitor, username="pharmm")
    with speaking(Language.ZH_CN), pytest.raises(NotFound, match="pharmm"):
        audit.list_entries(busy, monitor, username="pharmm")
    # A user's name in another case, as a person types it, is the account's.
    typed = f" {pharmacist.username.capitalize()} "
    by_name = audit.list_entries(busy, monitor, username=typed)
    assert by_name and {e.username for e in by_name} == {pharmacist.username}
    # An account with no entry in the trail: nothing, and not refused.
    assert audit.list_entries(busy, monitor, username=monitor.username) == []
