"""The destruction log's CSV lists each line's kits in the order their numbers run, as its PDF
and the certificate do ("K1062 K1063 K1064 K1065", not "K1062 K1063 K1064 K1068 K1069 K1065":
the order the kits were recorded in)."""

from __future__ import annotations

from dataclasses import replace

from sample_study import SampleStudy

from dispensary.reports import destruction_csv
from dispensary.reports.base import kit_order
from dispensary.reports.csvfile import read_rows
from dispensary.services import queries, report_data


def test_the_csv_lists_kits_in_number_order(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    [row] = queries.destruction_log(sample.ctx, sample.monitor)
    shuffled = replace(
        row,
        kits=tuple(reversed(row.kits)),
        lines=tuple(replace(line, kits=tuple(reversed(line.kits))) for line in row.lines),
    )
    exported = read_rows(destruction_csv(meta, [shuffled]))
    listed = [line["kits"].split() for line in exported]
    assert any(len(kits) > 1 for kits in listed)
    for kits in listed:
        assert kits == sorted(kits, key=kit_order), kits
