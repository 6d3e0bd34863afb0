"""DEMO-2DRUG's study file with its contact address as long as a hospital's can be, for the
tests of a pharmacy's particulars that one open study's dispensing label cannot hold.

Each kit of a dispense has a label of its own (labels.dispensing.containers): one drug's texts,
roomier than the one label of both drugs was (and without the dose level's name, which named
both drugs). With this longer contact address a label of DEMO-2DRUG no longer holds the pharmacy's long address (LONG_ADDRESS) on the 4 x 2 inch roll,
while NCT07198672's does, and both hold its short one."""

from __future__ import annotations

from dispensary.services import first_run

LONG_ADDRESS = ("No. 127 Dongming Road, Jinshui District " * 2)[:80]

LONGER_CONTACT = {
    "Demo Hospital, 1 Example Road, Exampletown": (
        ", Outpatient Building 3, Floor 2, Clinical Trial Unit, Room 402, West Wing, Gate 5"
    ),
    "演示医院，示例市示例路1号": (
        "，门诊楼三号楼二层临床试验中心四零二室（西翼），医院西门对面药物临床试验机构办公室"
        "，七号楼一层东侧走廊尽头药学部临床试验药房窗口旁边的资料室内"
    ),
}
"""Added to DEMO-2DRUG's contact address, in English and in Chinese."""


def two_drug_text() -> str:
    """DEMO-2DRUG's study file with the longer contact address."""
    text = (first_run.bundled_study_files()[0].parent / "DEMO-2DRUG.toml").read_text("utf-8")
    for address, longer in LONGER_CONTACT.items():
        line = f'contact_address = "{address}"'
        assert line in text, line
        text = text.replace(line, f'contact_address = "{address}{longer}"', 1)
    return text
