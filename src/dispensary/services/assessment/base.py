"""What every assessment shares: a refusal, with the code a script acts on and the message a
person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from dispensary.domain.errors import DispensaryError, RuleViolation

C = TypeVar("C", bound=StrEnum)


@dataclass(frozen=True)
class Refusal(Generic[C]):
    """Blocks the step; the message says what to do instead. `error` is the kind of refusal the
    writing service raises with the same message (a rule, malformed input, not permitted)."""

    code: C
    message: str
    error: type[DispensaryError] = field(default=RuleViolation, compare=False, repr=False)
