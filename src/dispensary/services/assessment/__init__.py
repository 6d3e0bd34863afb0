"""What a counter step would meet before it is taken: the refusals, the warnings to override and
what it would do, as the writing service itself sees them ("assess, then act").

A screen or a `dispensary check` command shows an assessment and holds no rule of its own; the
writing service computes the same assessment inside its transaction and refuses exactly what it
refused, so the two can never disagree. One module per workflow: dispense, returns, counts,
receiving, destruction, the correction of an enrolment; `Refusal` is shared (`base`).
"""

from __future__ import annotations

from dispensary.services.assessment.base import Refusal
from dispensary.services.assessment.counts import (
    CountAssessment,
    CountCheck,
    CountNeed,
    CountNeeds,
    CountRequest,
)
from dispensary.services.assessment.destruction import (
    DestroyAssessment,
    DestroyCheck,
    DestroyKitVerdict,
    DestroyRequest,
)
from dispensary.services.assessment.dispense import (
    REASON_OVERRIDES,
    Caution,
    DispenseAssessment,
    DispenseCheck,
    DispenseRequest,
    KitVerdict,
    Notice,
    OverrideMissing,
    OverrideNeeds,
    OverrideUnmatched,
    ProductNeed,
    StudyFileChanged,
)
from dispensary.services.assessment.enrolment import (
    EnrolmentCheck,
    EnrolmentCorrection,
)
from dispensary.services.assessment.receiving import (
    KitIn,
    ReceiveAssessment,
    ReceiveCheck,
    ReceiveLine,
    ReceiveRequest,
)
from dispensary.services.assessment.returns import (
    TO_COUNT,
    AdherencePreview,
    ReturnAssessment,
    ReturnCheck,
    ReturnKitLine,
    ReturnRequest,
)

__all__ = [
    "REASON_OVERRIDES",
    "TO_COUNT",
    "AdherencePreview",
    "Caution",
    "CountAssessment",
    "CountCheck",
    "CountNeed",
    "CountNeeds",
    "CountRequest",
    "DestroyAssessment",
    "DestroyCheck",
    "DestroyKitVerdict",
    "DestroyRequest",
    "DispenseAssessment",
    "DispenseCheck",
    "DispenseRequest",
    "EnrolmentCheck",
    "EnrolmentCorrection",
    "KitIn",
    "KitVerdict",
    "Notice",
    "OverrideMissing",
    "OverrideNeeds",
    "OverrideUnmatched",
    "ProductNeed",
    "ReceiveAssessment",
    "ReceiveCheck",
    "ReceiveLine",
    "ReceiveRequest",
    "Refusal",
    "ReturnAssessment",
    "ReturnCheck",
    "ReturnKitLine",
    "ReturnRequest",
    "StudyFileChanged",
]
