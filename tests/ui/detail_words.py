"""A window's fault message as the house writes it: the sentence in the reader's words (what
happened, what to do), then the system's own words once, last, after "Technical detail:"."""

from __future__ import annotations

from dispensary.i18n import Language

MARKER = {Language.EN: "Technical detail: ", Language.ZH_CN: "技术细节："}


def split_detail(text: str, lang: Language) -> tuple[str, str]:
    """The sentence and the technical detail of `text`, which must hold the marker once."""
    marker = MARKER[lang]
    assert text.count(marker) == 1, text
    said, _marker, detail = text.partition(marker)
    return said.rstrip(), detail
