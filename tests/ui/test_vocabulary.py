"""Issue 13: every label the layers below ui give the windows is listed for translation."""

from __future__ import annotations

from enum import StrEnum

import pytest

from dispensary.domain.codes import (
    DestructionReason,
    DiscrepancyKind,
    ExpiryStanding,
    Flag,
    KitStatus,
    MovementKind,
    ParticipantStatus,
    ReasonCode,
    Role,
)
from dispensary.domain.lifecycle import KitEvent
from dispensary.services.assessment.counts import CountNeeds
from dispensary.services.assessment.dispense import OverrideNeeds
from dispensary.ui.vocabulary import TERMS

LABELLED: tuple[type[StrEnum], ...] = (
    KitStatus,
    MovementKind,
    DiscrepancyKind,
    ExpiryStanding,
    Role,
    ReasonCode,
    ParticipantStatus,
    Flag,
    DestructionReason,
    KitEvent,
    CountNeeds,
    OverrideNeeds,
)


@pytest.mark.parametrize("enum", LABELLED, ids=lambda e: e.__name__)
def test_every_label_is_in_the_vocabulary(enum: type[StrEnum]) -> None:
    missing = [m.label for m in enum if m.label not in TERMS]  # type: ignore[attr-defined]
    assert missing == []
