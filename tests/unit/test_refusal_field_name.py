"""One name for the field a refusal is about: DispensaryError.field_name, the parameter of the
service that took it. The first administrator's refusals name theirs so (the set-up wizard puts
the cursor there; it had its own `AdministratorRefused.field`), as the enrolment's do; the
refusal keeps its kind and words."""

from __future__ import annotations

import pytest

from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.services import first_run
from dispensary.services.first_run import AdministratorField

GOOD = {
    "username": "ada",
    "full_name": "Ada Admin",
    "initials": "AA",
    "password": "admin-pass-1",
    "again": "admin-pass-1",
}


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"username": ""}, AdministratorField.USERNAME),
        ({"username": "Ada Admin!"}, AdministratorField.USERNAME),
        ({"full_name": ""}, AdministratorField.FULL_NAME),
        ({"initials": "A1"}, AdministratorField.INITIALS),
        ({"again": "admin-pass-2"}, AdministratorField.PASSWORD),
        ({"password": "short", "again": "short"}, AdministratorField.PASSWORD),
    ],
)
def test_each_refusal_of_the_first_administrator_names_its_field(
    typed: dict[str, str], field: AdministratorField
) -> None:
    with pytest.raises(InvalidInput) as refused:
        first_run.check_administrator(**{**GOOD, **typed})
    assert refused.value.field_name == field == field.value  # the parameter's name
    assert refused.value.message and str(refused.value) == refused.value.message


def test_a_refusal_s_field_has_one_name() -> None:
    """No refusal of its own for the field: `field_name` on every refusal."""
    assert DispensaryError("x", field_name="sex").field_name == "sex"
    assert InvalidInput("x").field_name == ""
    assert not hasattr(first_run, "AdministratorRefused")
