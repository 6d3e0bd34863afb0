"""Every code has its words: a new member without a label fails here, not on a user's screen."""

from __future__ import annotations

import pytest

from dispensary.domain.errors import InvalidInput
from dispensary.labels.catalogue import LABELS
from dispensary.services.labels import LabelKind, label_kind


def test_every_label_kind_has_its_words_and_a_catalogue_entry() -> None:
    for kind in LabelKind:
        assert kind.noun and kind.entity == f"{kind.value} label"
    printed = {entry.kind for entry in LABELS if entry.kind is not None}
    assert printed == set(LabelKind)


def test_an_unknown_label_kind_is_refused_with_the_kinds_there_are() -> None:
    assert label_kind("kit") is LabelKind.KIT
    with pytest.raises(InvalidInput, match="use kit, dispense, leaflet"):
        label_kind("bottle")


def test_every_permission_has_its_words_and_its_roles() -> None:
    from dispensary.services.permissions import ALLOWED, WHAT, Permission

    assert set(ALLOWED) == set(WHAT) == set(Permission)
    for action in Permission:
        assert action.what and ALLOWED[action]
