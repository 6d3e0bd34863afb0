"""Who may do what. Checked by every service, whatever screen or script called it."""

from __future__ import annotations

from dispensary.domain.codes import Role
from dispensary.domain.errors import NotPermitted
from dispensary.services.context import Actor

P, T, M, A = Role.PHARMACIST, Role.TECHNICIAN, Role.MONITOR, Role.ADMINISTRATOR

ALLOWED: dict[str, frozenset[Role]] = {
    "receive": frozenset({P, T}),
    "quarantine": frozenset({P, T}),
    "release": frozenset({P}),
    "enroll": frozenset({P}),
    "participant_status": frozenset({P}),
    "dispense": frozenset({P}),
    "check_dispense": frozenset({P, T}),
    "return": frozenset({P, T}),
    "correct_return": frozenset({P}),
    "destroy": frozenset({P}),
    "count": frozenset({P, T}),
    "verify_count": frozenset({P, T}),
    "temperature": frozenset({P, T}),
    "print_label": frozenset({P, T}),
    "view": frozenset({P, T, M, A}),
    "reconcile": frozenset({P, T, M, A}),
    "sign_off": frozenset({P, M}),
    "audit": frozenset({P, T, M, A}),
    "users": frozenset({A}),
    "study": frozenset({A}),
    "settings": frozenset({A, P}),
    "backup": frozenset({A, P}),
    "restore": frozenset({A}),
}

WHAT = {
    "receive": "receive stock",
    "quarantine": "quarantine kits",
    "release": "release kits from quarantine",
    "enroll": "enrol participants",
    "participant_status": "change a participant's status",
    "dispense": "dispense (a pharmacist signs each dispense)",
    "check_dispense": "check a dispense as the second person",
    "return": "record returns",
    "correct_return": "correct a recorded return",
    "destroy": "destroy stock",
    "count": "record physical counts",
    "verify_count": "countersign a count",
    "temperature": "import temperature records",
    "print_label": "print labels",
    "view": "view records",
    "reconcile": "reconcile",
    "sign_off": "sign off a reconciliation",
    "audit": "read the audit trail",
    "users": "manage users",
    "study": "change the study set-up",
    "settings": "change settings",
    "backup": "back up the database",
    "restore": "restore a backup",
}


def require(actor: Actor, action: str) -> None:
    roles = ALLOWED[action]
    if actor.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise NotPermitted(
            f"{actor.username} ({actor.role.value}) may not {WHAT[action]}. "
            f"Ask a user with the role: {allowed}."
        )


def may(actor: Actor, action: str) -> bool:
    return actor.role in ALLOWED[action]
