"""A thermometer's reading entered by hand is said as such in the monitor pack: its excursion's
source "entered by hand" (手工记录), and the temperature log's coverage counts it apart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sample_study import build_sample_study

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import report_data, temperature

from .pdfread import pdf_pages_text


def test_the_monitor_pack_says_a_reading_entered_by_hand(tmp_path: Path) -> None:
    sample = build_sample_study(tmp_path / "sample.sqlite3")
    try:
        ctx = sample.ctx
        at = sample.clock.now() - timedelta(hours=1)
        high = ctx.study.temperature.max_celsius + 4
        done = temperature.record_manual_reading(
            ctx, sample.pharmacist, ctx.study.storage_area, at, None, f"{high:g}"
        )
        assert done.excursions
        meta = report_data.report_meta(ctx, sample.monitor)
        today = sample.clock.today()
        pack = report_data.monitor_pack(ctx, sample.monitor, today - timedelta(days=3), today)
        [row] = [c for c in pack.coverage if c.storage_area == ctx.study.storage_area]
        assert row.by_hand == 1
        english = " ".join(pdf_pages_text(reports.monitor_pack_pdf(meta, ctx.study, pack)))
        counted = f"{row.imports} (1 entered by hand)"
        assert counted in english
        assert "entered by hand" in english.replace(counted, "")  # the excursion's source
        with speaking(Language.ZH_CN):
            chinese = " ".join(pdf_pages_text(reports.monitor_pack_pdf(meta, ctx.study, pack)))
        counted = f"{row.imports}（其中手工记录 1）"
        assert counted in chinese and "entered by hand" not in chinese
        assert "手工记录" in chinese.replace(counted, "")
    finally:
        sample.ctx.engine.dispose()
