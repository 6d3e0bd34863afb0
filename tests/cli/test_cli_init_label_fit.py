"""`dispensary init` creates a database with its study as `study add` adds one, and now with the
same check that the study's dispensing label fits its default stock
(labels.dispensing.check_study_label_fits): it was skipped, and the label refused only at
print time, after the first dispense was saved."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from dispensary.study import default_study_path

START = 'directions = "Take {tablets} by mouth once daily in the evening, '


def test_init_refuses_a_study_whose_label_does_not_fit_before_creating_anything(
    tmp_path: Path,
) -> None:
    text = default_study_path().read_text(encoding="utf-8")
    assert text.count(START) == 1
    long = START + "with a full glass of water, never with grapefruit juice or antacids, " * 5
    study = tmp_path / "long.toml"
    study.write_text(text.replace(START, long), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    database = tmp_path / "new.sqlite3"
    cli = Cli(str(database), home)
    made = cli("init", "--study", str(study), "--admin", "boss", "--training", user=None)
    assert made.code == 3, (made.code, made.err)
    said = " ".join(made.err.split())
    assert "Study NCT07198672, its default stock checked with a sample dispense in en:" in said
    assert "([label] directions)" in said, said
    assert "Name a larger stock in the study file's [label] default_stock: it fits on" in said
    assert not database.exists()  # nothing created
    # The bundled study file's label fits: init creates the database with it.
    created = cli("init", "--admin", "boss", "--training", user=None)
    assert created.code == 0, created.err
    assert database.exists()


def test_init_says_which_study_it_used_and_that_it_was_the_default(tmp_path: Path) -> None:
    """`init` without --study takes the bundled NCT07198672 (the documented default): it says
    so, not only the study's name, so that an install for another study is not made silently
    with the first one; with --study, the file's study and no such note."""
    home = tmp_path / "home"
    home.mkdir()
    default = Cli(str(tmp_path / "a.sqlite3"), home)(
        "init", "--admin", "boss", "--training", user=None
    )
    assert default.code == 0, default.err
    said = " ".join(default.out.split())
    assert "Study NCT07198672: Herombopag T-DM1 prevention" in said, said
    assert "the bundled study file, as no --study FILE.toml was given" in said, said
    review = Path(__file__).parents[1] / "fixtures" / "REV-CAPS-28.toml"
    chosen = Cli(str(tmp_path / "b.sqlite3"), home)(
        "init", "--study", str(review), "--admin", "boss", "--training", user=None
    )
    assert chosen.code == 0, chosen.err
    said = " ".join(chosen.out.split())
    assert "Study REV-CAPS-28: Revicapib phase 2" in said and "--study" not in said, said
