"""Signed steps: a wrong signature password counts against its signer, whoever called.

Every front end runs a signed service call through `run_signed` (or `run_counted` when the
signer is only known once the step has signed in, as on the command line), so none of them has
to remember to count a failure towards the lockout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dispensary.domain.errors import DispensaryError, SignatureFailed
from dispensary.services import users
from dispensary.services.context import Actor, Context

T = TypeVar("T")

Signer = Callable[[], "tuple[Context, Actor] | None"]
"""Who was signed in when the step failed (the database and the user), or None if no one."""


def count_failure(ctx: Context, actor: Actor, failed: SignatureFailed) -> None:
    """Counts one failed signature in a transaction of its own (the step itself was rolled
    back), once per failure however often it is relayed. A failure that cannot be counted
    (a busy or full database) keeps the reason in `failed.uncounted`, for the front end to
    say; the refusal itself is what the caller reports."""
    if failed.counted:
        return
    try:
        users.record_failed_signature(ctx, actor, failed.meaning, failed.signer)
    except DispensaryError as exc:
        failed.uncounted = exc.message
        return
    failed.counted = True
    failed.uncounted = ""


def run_counted(signer: Signer, step: Callable[[], T]) -> T:
    """Runs a step that may carry a signature; a SignatureFailed is counted against its signer,
    then raised again."""
    try:
        return step()
    except SignatureFailed as failed:
        who = signer()
        if who is not None:
            count_failure(who[0], who[1], failed)
        raise


def run_signed(ctx: Context, actor: Actor, step: Callable[[], T]) -> T:
    """Runs a signed service call for the signed-in `actor`; a wrong signature password
    (theirs, or a second person's) is counted, then the refusal is raised again."""
    return run_counted(lambda: (ctx, actor), step)
