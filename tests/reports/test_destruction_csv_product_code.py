"""The destruction log's CSV gave each line's product as its English name with strength
("Herombopag olamine 7.5 mg"), where the returns log's, the DARF's and the inventory's CSVs give
the product's code under the same column ("herombopag-7.5mg"): a monitor joining the files on
"product" found no destruction of any product. Now every one gives the code."""

from __future__ import annotations

from sample_study import SampleStudy

from dispensary import reports
from dispensary.reports.csvfile import read_rows
from dispensary.services import queries, report_data


def test_every_csv_gives_the_product_code_under_product(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    study = sample.ctx.study
    codes = {p.code for p in study.products}
    destroyed = read_rows(
        reports.destruction_csv(meta, queries.destruction_log(sample.ctx, sample.monitor))
    )
    returned = read_rows(
        reports.returns_csv(meta, report_data.returns_log(sample.ctx, sample.monitor), study)
    )
    darf = read_rows(reports.darf_csv(meta, report_data.darf_records(sample.ctx, sample.monitor)))
    inventory = read_rows(
        reports.inventory_csv(meta, queries.inventory(sample.ctx, sample.monitor))
    )
    for name, rows in (
        ("destruction", destroyed),
        ("returns", returned),
        ("darf", darf),
        ("inventory", inventory),
    ):
        assert rows, name
        assert {row["product"] for row in rows} <= codes, (name, rows[0])
