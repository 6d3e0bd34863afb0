"""The training demo built in Chinese (`dispensary --lang zh_CN demo`) prints the labels and
leaflets of every one of its studies in Chinese: the fictional DEMO studies' files give their
Chinese text as NCT07198672's does, and the demo confirms it in each. Read back from the PDF:
no English word but what must stay as it is (protocol, kit, lot and dispense numbers, initials,
units), the Chinese font embedded, and a telephone number or an expiry never broken over two
lines of the leaflet."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import pytest
from pypdf import PdfReader

from dispensary.domain.codes import KitStatus, ParticipantStatus
from dispensary.i18n import Language, speaking
from dispensary.labels import (
    NO_CALIBRATION,
    LabelDoesNotFit,
    dispensing_label,
    expiry_text,
    get_stock,
    kit_labels,
    participant_leaflet,
)
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.dispensing import (
    SAMPLE_DAY,
    ParticularsDoNotFit,
    check_particulars_fit,
    dispensing_layout,
    sample_dispense,
)
from dispensary.services import demo, queries, setup, studies, users
from dispensary.services.context import Actor, Context
from dispensary.services.documents import Values
from dispensary.services.pharmacy import Particulars
from dispensary.services.report_data import KitLabelRow
from dispensary.services.results import DispensedKit
from dispensary.study import Study, bundled_studies, load_study

from .pdfread import pdf_fonts, pdf_text

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.'\-]*")
UNITS = frozenset({"mg", "kg"})
"""Latin words a Chinese label writes as they are: the units after a number."""


@dataclass(frozen=True)
class Printed:
    """A study's labels and leaflet drawn as the demo pharmacist prints them."""

    protocol: str
    allowed: frozenset[str]  # the participant's, the pharmacist's and the checker's initials
    dispensing: bytes
    leaflet: bytes
    kit: bytes
    expiry: str  # the dispensed kit's expiry as the Chinese label writes it
    units: str  # the kit label's count in its dosage form's word ("28粒" of capsules)
    contents: tuple[str, ...]  # each product dispensed with its count ("德莫替尼片…：30片")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, Actor]]:
    path = tmp_path_factory.mktemp("demo-zh") / "demo.sqlite3"
    with speaking(Language.ZH_CN):
        info = demo.build_demo(str(path), date(2026, 7, 1))
    assert len(info.studies) == 3, info.studies
    ctx = setup.open_database(str(path)).context
    yield ctx, users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    ctx.engine.dispose()


def _draw(ctx: Context, actor: Actor, key: str, values: Values, stock: str = "") -> bytes:
    """Planned by the services (which decide the languages), then drawn."""
    entry = label_catalogue.label(key)
    chosen = get_stock(stock or ctx.study.label.default_stock) if entry.on_stock else None
    calibration = NO_CALIBRATION if chosen is not None else None
    sheet = label_catalogue.plan_label(
        entry, ctx, actor, values, chosen, calibration, reprint=False
    )
    return sheet.draw()


def _print(ctx: Context, actor: Actor) -> Printed:
    """A participant's dispense still out (its bottles not back: a label may print for it),
    on the study's own label stock, its leaflet and the label of a kit on the shelf."""
    people = queries.participants(ctx, actor)
    person = next(
        p for p in people if p.status is ParticipantStatus.ON_TREATMENT and p.return_pending
    )
    _row, history = queries.participant_history(ctx, actor, person.study_number)
    dispense = queries.get_dispense_detail(ctx, actor, history[-1].dispense_number)
    kit = next(r for r in queries.inventory(ctx, actor) if r.status is KitStatus.AVAILABLE)
    form = ctx.study.product(kit.product).form
    with speaking(Language.ZH_CN):
        return Printed(
            protocol=ctx.study.protocol,
            allowed=frozenset(
                {dispense.initials, dispense.pharmacist_initials, dispense.checked_by_initials}
            ),
            dispensing=_draw(ctx, actor, "dispense", Values(dispense=dispense.number)),
            leaflet=_draw(ctx, actor, "leaflet", Values(dispense=dispense.number)),
            kit=_draw(ctx, actor, "kit", Values(kits=[kit.number])),
            expiry=expiry_text(dispense.kits[0].expiry, Language.ZH_CN),
            units=ctx.study.text("zh_CN").counted(kit.tablets, form),
            contents=_contents(ctx.study, dispense.kits),
        )


def _contents(study: Study, kits: Sequence[DispensedKit]) -> tuple[str, ...]:
    """Each product of a dispense with its kits' units added up, as the Chinese label says it
    (its name from the study file, its count in its form's word)."""
    zh = study.text("zh_CN")
    counts: dict[str, int] = {}
    for kit in kits:
        counts[kit.product] = counts.get(kit.product, 0) + kit.tablets
    return tuple(
        f"{zh.products[code]}：{zh.counted(count, study.product(code).form)}"
        for code, count in counts.items()
    )


@pytest.fixture(scope="module")
def printed(site: tuple[Context, Actor]) -> dict[str, Printed]:
    ctx, actor = site
    made = {}
    for row in studies.list_studies(ctx, actor):
        made[row.protocol] = _print(studies.switch_study(ctx, actor, row.protocol), actor)
    return made


def english_words(text: str, allowed: frozenset[str]) -> list[str]:
    """The Latin words of a text that are not numbers of a record (those hold a digit: K0001,
    DSP000012, DEMO-2DRUG), units or the initials allowed."""
    words = LATIN_WORD.findall(text.replace("°C", ""))
    return sorted(
        {w for w in words if not any(c.isdigit() for c in w) and w not in UNITS | allowed}
    )


PROTOCOLS = ["NCT07198672", "DEMO-28D-BID", "DEMO-2DRUG"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_study_of_the_chinese_demo_prints_its_labels_in_chinese(
    printed: dict[str, Printed], site: tuple[Context, Actor], protocol: str
) -> None:
    ctx, actor = site
    study = studies.switch_study(ctx, actor, protocol).study
    zh = study.text("zh_CN")
    made = printed[protocol]
    for name, pdf in (
        ("dispensing label", made.dispensing),
        ("leaflet", made.leaflet),
        ("kit label", made.kit),
    ):
        text = pdf_text(pdf)
        flat = "".join(text.split())
        assert english_words(text, made.allowed) == [], (protocol, name, text)
        for chinese in (zh.caution, zh.storage, zh.keep_out_of_reach):
            assert "".join(chinese.split()) in flat, (protocol, name, chinese)
        assert any("WenQuanYiMicroHei" in f.name and f.embedded for f in pdf_fonts(pdf)), name
    assert "".join(zh.title.split()) in "".join(pdf_text(made.leaflet).split())
    assert f"{made.units}，口服" in "".join(pdf_text(made.kit).split())


def test_the_two_drug_diary_counts_a_capsule_and_a_tablet_each_in_its_word(
    printed: dict[str, Printed],
) -> None:
    """Days 1-14: 2粒（分2次，每次1粒）+ 1片 (a capsule twice daily and a tablet), each named,
    never 片 for the capsules, nor one capsule for the day (half of it)."""
    made = printed["DEMO-2DRUG"]
    diary = "".join(pdf_text(made.leaflet).split())
    assert "德莫卡匹布胶囊（虚构）100mg：2粒（分2次，每次1粒）+德莫替尼片（虚构）25mg：1片" in diary
    assert "1粒+1片" not in diary and "片（分2次" not in diary
    assert made.units.endswith("粒")  # the first kit on the shelf: a capsule kit


def test_the_two_drug_dispense_of_the_demo_names_each_drug_with_its_count(
    printed: dict[str, Printed],
) -> None:
    """A dispense the demo's services made of a capsule kit and a tablet kit: the leaflet
    names each drug with its own count (28粒, 30片), not the first drug with the total counted
    in capsules; each kit carries its own label, its drug with its own count."""
    made = printed["DEMO-2DRUG"]
    assert len(made.contents) == 2, made.contents
    leaflet = "".join(pdf_text(made.leaflet).split())
    for content in made.contents:
        assert "".join(content.split()) in leaflet, (content, leaflet)
    assert "数量：" not in leaflet, leaflet  # the one-product wording of a total
    labels = "".join(pdf_text(made.dispensing).split())
    for number, content in enumerate(made.contents, start=1):
        drug, units = "".join(content.split()).rsplit("：", 1)
        assert f"{drug}数量：{units}，口服" in labels, (content, labels)
        assert f"第{number}个药盒，共2个" in labels, labels


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_leaflet_never_breaks_a_telephone_number_or_an_expiry(
    printed: dict[str, Printed], site: tuple[Context, Actor], protocol: str
) -> None:
    ctx, actor = site
    phone = studies.switch_study(ctx, actor, protocol).study.contact_phone
    made = printed[protocol]
    first = PdfReader(io.BytesIO(made.leaflet)).pages[0].extract_text().replace("\u00a0", " ")
    lines = first.splitlines()
    assert any(phone in line for line in lines), lines
    assert any(made.expiry.replace("\u00a0", " ") in line for line in lines), lines


ZHENGZHOU = Particulars(
    "Zhengzhou Trial Pharmacy", "127 Dongming Road, Zhengzhou", "+86 371 6558 7000"
)
"""A pharmacy's own name, address and telephone, as the set-up wizard's tests give them."""


def test_a_study_whose_english_label_overfills_the_roll_does_not_refuse_the_pharmacys_name() -> (
    None
):
    """The two-drug study's label never fits the 4 x 2 inch roll (a larger stock is its
    matter): in English, and in Chinese too now that it names both drugs, each with its own
    count. An ordinary address is not refused for it. A study whose labels fit the roll in
    every language is still guarded."""
    two = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    roll, sample = get_stock("thermal-4x2"), sample_dispense(two)
    for language in ("en", "zh_CN"):
        with pytest.raises(LabelDoesNotFit, match="it fits on a4-sheet"):
            dispensing_layout(two, sample, roll, False, None, (language,))
    check_particulars_fit(two, ZHENGZHOU)
    first = load_study(bundled_studies() / "NCT07198672.toml")
    check_particulars_fit(first, ZHENGZHOU)
    longer = dataclasses.replace(ZHENGZHOU, address="No. 127 Dongming Road, " * 4 + "Zhengzhou")
    with pytest.raises(ParticularsDoNotFit, match="NCT07198672 would not fit on thermal-4x2"):
        check_particulars_fit(first, longer)


DEMO_STUDY_FILES = ["DEMO-28D-BID", "DEMO-2DRUG", "DEMO-IRT-BLIND"]
"""Every fictional study file bundled, the demo's and DEMO-IRT-BLIND the tests open."""


@pytest.mark.parametrize("protocol", DEMO_STUDY_FILES)
def test_every_demo_study_file_gives_its_labels_and_leaflet_in_chinese(protocol: str) -> None:
    """Read from the study file alone: Chinese first (printed once confirmed), and its
    dispensing label, leaflet and kit label in Chinese with no English word but what stays as
    it is (the protocol number; IRT, as the program's own Chinese writes it)."""
    study = load_study(bundled_studies() / f"{protocol}.toml")
    assert study.label_languages == ("zh_CN", "en")
    zh = study.text("zh_CN")
    sample = sample_dispense(study)
    kit = sample.kits[0]
    row = KitLabelRow(kit.kit, kit.product, kit.lot, kit.expiry, kit.tablets, "SH-1", SAMPLE_DAY)
    stock = get_stock(study.label.default_stock)
    allowed = frozenset({sample.initials, "IRT", study.protocol})
    for name, pdf in (
        ("dispensing label", dispensing_label(study, sample, stock, languages=("zh_CN",))),
        ("leaflet", participant_leaflet(study, sample, languages=("zh_CN",))),
        ("kit label", kit_labels(study, [row], stock, languages=("zh_CN",))),
    ):
        text = pdf_text(pdf)
        flat = "".join(text.split())
        assert english_words(text, allowed) == [], (protocol, name, text)
        for chinese in (zh.caution, zh.storage, zh.keep_out_of_reach):
            assert "".join(chinese.split()) in flat, (protocol, name, chinese)
        assert any("WenQuanYiMicroHei" in f.name and f.embedded for f in pdf_fonts(pdf)), name
    leaflet = "".join(pdf_text(participant_leaflet(study, sample, languages=("zh_CN",))).split())
    assert "".join(zh.title.split()) in leaflet


def test_the_blinded_study_says_the_morning_in_chinese() -> None:
    """DEMO-IRT-BLIND's morning dose, in the words NCT07198672's file uses for its evening."""
    study = load_study(bundled_studies() / "DEMO-IRT-BLIND.toml")
    sample = sample_dispense(study)
    leaflet = "".join(pdf_text(participant_leaflet(study, sample, languages=("zh_CN",))).split())
    assert "每日早晨口服一次，每次1片" in leaflet
    assert "日期（早晨）" in leaflet and "每日早晨服用1片后，请在方框内打勾" in leaflet
    assert "晚" not in leaflet
    label = "".join(
        pdf_text(
            dispensing_label(study, sample, get_stock("thermal-4x2"), languages=("zh_CN",))
        ).split()
    )
    assert "德莫拉唑片20mg或安慰剂（盲态，虚构）" in label and "王五医生" in label
