"""The fault suite through the user's path (tests/system/faults/user_path.py): each bad input or interruption, run the
way the README tells researchers to run the pipeline (`dvc repro` in a built copy), ends with a non-zero exit, one
clear message naming the file or key and what to do, no traceback, and every file of the previous build
byte-identical. The entry-point suite (tests/system/test_faults.py) pins the same messages stage by stage."""

from __future__ import annotations

import pytest
from system.faults import user_path

from pipeline import paths


@pytest.fixture(scope="session")
def built(rebuild):
    """The shared rebuild (tests/system/conftest.py), up to date, and its files."""
    assert rebuild.first.returncode == 0 and rebuild.second.returncode == 0, rebuild.second.stdout[-3000:] + rebuild.second.stderr[-3000:]
    return rebuild.copy, user_path.snapshot(rebuild.copy)


@pytest.mark.e2e
@pytest.mark.parametrize("case", user_path.CASES, ids=lambda case: case.id)
def test_a_failed_dvc_repro_says_why_and_keeps_every_previous_output(built, case):
    copy, baseline = built
    outcome = user_path.execute(case, copy, baseline)
    assert outcome.returncode != 0, outcome.output[-3000:]
    assert "Traceback" not in outcome.output, outcome.output[-3000:]
    assert len(outcome.messages) == 1, outcome.output[-3000:]
    message = outcome.messages[0]
    for fragment in case.expect:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert str(paths.ROOT) not in message and str(copy) not in message, "messages show project-relative paths"
    assert outcome.changed == [], f"the failed run changed {outcome.changed}"
    assert outcome.kept_exists, f"{case.kept} was not kept for the user to read"


@pytest.mark.e2e
def test_sneep_microdata_dropped_where_the_readme_says_builds_the_argentina_chapter(built, tmp_path):
    """Generated census files in three supported layouts go into data/manual/sneep/ (README, "Adding SNEEP
    microdata"); `dvc repro` rebuilds the Argentina chapter, the long table, the claims and the briefing from them;
    removing them and running `dvc repro` again gives back the previous build byte for byte."""
    import pandas as pd
    import sneep_generator
    from chapters.argentina.test_microdata import _no_small_number_and_nothing_recovered, _published

    copy, baseline = built
    manual = copy / user_path.MANUAL
    truth = pd.concat([
        sneep_generator.write(manual / "sneep-2018.csv", "unified_2002_2018", [2015, 2016, 2017, 2018], 2500, seed=1),
        sneep_generator.write(manual / "sneep-2021.csv", "current", [2019, 2020, 2021], 2500, seed=2),
        sneep_generator.write(manual / "SNEEP-2022.CSV", "query_export", [2022], 2500, seed=3),
    ], ignore_index=True)
    returncode, output = user_path.dvc(copy, "repro")
    assert returncode == 0, output[-3000:]
    assert "Running stage 'fetch_manual@sneep'" in output and "Running stage 'argentina'" in output

    # The chapter counts from the microdata: women (female and trans women) per census, as generated.
    women = truth[truth["gender"].isin(["female", "trans_women"])].groupby("census_year").size()
    drawn = pd.read_csv(copy / "figures" / "fig-10-argentina-women-held.csv")
    microdata = drawn[drawn["series"] == "SNEEP microdata"].set_index("year")["women_held"]
    assert microdata.astype(int).to_dict() == {int(year): int(n) for year, n in women.items()}
    # ... and fig-10's alt text, in each language, says so with the microdata's first and last count.
    first, last = (f"{int(women[year]):,}" for year in (2015, 2022))
    grouped = {"": (first, last), "es": (first.replace(",", "."), last.replace(",", "."))}
    grouped["pt"] = grouped["es"]
    for folder, ending in (("", "; SNEEP microdata, 2015 to 2022, from {} to {} women."),
                           ("es", "; microdatos del SNEEP, 2015 a 2022, de {} a {} mujeres."),
                           ("pt", "; microdados do SNEEP, 2015 a 2022, de {} a {} mulheres.")):
        ending = ending.format(*grouped[folder])
        caption = (copy / "figures" / folder / "fig-10-argentina-women-held.txt").read_text(encoding="utf-8")
        assert caption.splitlines()[2].endswith(ending), caption
    # ... and the executed notebook's text says which years each series has, the microdata's among them.
    executed = (copy / "reports" / "notebooks" / "argentina_sneep.ipynb").read_text(encoding="utf-8")
    assert ("Years drawn: UNODC CTS, 2005–2021; SNEEP as cited by the briefing, 2015 and 2022; SNEEP microdata, "
            "2015–2022.") in executed
    # ... into the long table, with every census year and gender the files recorded.
    table = pd.read_csv(copy / "data" / "processed" / "indicators.csv", dtype={"period": str})
    rows = table[(table["country"] == "ARG") & (table["source"] == "sneep")]
    assert sorted(rows.loc[rows["indicator"] == "women_held", "period"]) == [str(y) for y in range(2015, 2023)]
    # ... the tables only the microdata can give, with small cells and totals protected.
    for name, columns in (("tab-14-argentina-persons-by-province", {}),
                          ("tab-15-argentina-women-drugs-by-province",
                           {"columns": "legal_status", "all_columns": "all", "value": "women_held_for_drugs"})):
        published = pd.read_csv(copy / "reports" / "tables" / f"{name}.csv")
        assert len(published) > 50
        _no_small_number_and_nothing_recovered(*_published(published, **columns))
    # ... the claims recomputed from it (reported, not guarded: the registry was reviewed without it) ...
    claims = pd.read_csv(copy / "reports" / "tables" / "claims.csv").set_index("claim_id")
    assert claims.loc["arg-women-drug-share-2015", "check"].startswith("value ARG/sneep/")
    assert claims.loc["arg-women-held-2022", "computed"] == f"{int(women[2022]):,}"
    # ... and the briefing says which data it used.
    assert "SNEEP microdata" in (copy / "reports" / "briefing.html").read_text(encoding="utf-8")

    user_path.restore(copy, baseline, user_path.UserCase("microdata", "", lambda copy: None, ()))
