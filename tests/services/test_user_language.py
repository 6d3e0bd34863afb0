"""Issue 13: each user's windows in their own language, kept with the user and audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dispensary.domain.errors import InvalidInput
from dispensary.services import audit, users
from dispensary.services.context import Actor, Context

from .helpers import scalar

Password = Callable[[Actor], str]


def test_the_language_is_kept_with_the_user_and_audited(
    ctx: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    assert pharmacist.language == ""
    chosen = users.set_language(ctx, pharmacist, "zh_CN")
    assert chosen.language == "zh_CN"
    again = users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    assert again.language == "zh_CN"
    assert scalar(ctx, "SELECT count(*) FROM audit_entries WHERE action = 'language_set'") == 1
    users.set_language(ctx, again, "zh-Hans")  # the same language: nothing new is written
    assert scalar(ctx, "SELECT count(*) FROM audit_entries WHERE action = 'language_set'") == 1
    users.set_language(ctx, again, "en")
    assert users.sign_in(ctx, pharmacist.username, pw(pharmacist)).language == "en"
    assert audit.verify(ctx, admin).ok


def test_a_language_the_program_does_not_speak_is_refused_and_nothing_written(
    ctx: Context, pharmacist: Actor, snapshot: Callable[[Context], object]
) -> None:
    before = snapshot(ctx)
    for wrong in ("fr", "zh_TW", "", "klingon"):
        with pytest.raises(InvalidInput, match="not a language the program speaks"):
            users.set_language(ctx, pharmacist, wrong)
    assert snapshot(ctx) == before
