"""The Argentina chapter's statements about its data (pipeline/chapters/argentina/notes.py), written from the build's
tables: a new UNODC file, other published figures or a user's SNEEP microdata change them, where the notebook's
text once said "UNODC's series runs to 2021" and "the two sources agree on the national total" whatever the data."""

from __future__ import annotations

import pandas as pd

from pipeline.chapters import interim
from pipeline.chapters.argentina import notes
from pipeline.chapters.argentina.series import CITED_SERIES, MICRODATA_SERIES, UNODC_SERIES


def test_the_notes_on_the_pinned_sources():
    tables = interim.read_all("argentina")
    assert notes.series_years(tables["women_series"]) == (
        "Years drawn: UNODC CTS, 2005–2021; SNEEP as cited by the briefing, 2015 and 2022.")
    assert notes.share_bases(tables["women_series"]) == (
        "The two denominators where both series have a year: 2015, SNEEP's persons housed in penitentiary units "
        "71,464 against UNODC's persons held 72,693.")
    # tab-11 and tab-12: the totals agree in 2015, the women differ by 8, and female + male never equal the total.
    # The 8 are UNODC's 25 juveniles (Age=Juveniles) less SNEEP's 33 trans women (arg-012): 2,988 - 25 = 2,963 UNODC
    # adult women (its Age=Adult row) = 2,996 - 33 (a reviewer's recount from the raw file found the same).
    assert notes.reconciliation(tables["reconciliation"], tables["parts_versus_total"]) == (
        "In 2015, UNODC's total and SNEEP's national total are the same; UNODC counts 8 fewer women than SNEEP as the "
        "briefing cites it: UNODC's 2,988 include 25 juveniles (its Age=Juveniles row), and SNEEP's 2,996 include 33 "
        "trans women, whom UNODC does not count apart; without them both count 2,963 women; UNODC's female + male "
        "differ from its total in 17 of its 17 years (2005–2021), most in 2005: 11,734 below it (21.2% of the "
        "total).")
    adults = tables["reconciliation"][tables["reconciliation"]["figure_a"].str.startswith("UNODC CTS female adults")]
    assert adults[["value_a", "value_b", "difference"]].values.tolist() == [[2963, 2963, 0]]


def _women(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "series", "women_held", "persons_held"])


def test_the_notes_follow_other_data():
    """A UNODC file that runs to 2022 with a gap, SNEEP microdata, and totals that differ."""
    women = _women((2019, UNODC_SERIES, 4433, 101631), (2021, UNODC_SERIES, 4013, 102150),
                   (2022, UNODC_SERIES, 4300, 105000), (2022, CITED_SERIES, 4391, 105053),
                   (2021, MICRODATA_SERIES, 4100, 101000), (2022, MICRODATA_SERIES, 4400, 106000))
    assert notes.series_years(women) == ("Years drawn: UNODC CTS, 2019, 2021 and 2022; SNEEP as cited by the "
                                         "briefing, 2022; SNEEP microdata, 2021 and 2022.")
    assert notes.share_bases(women) == ("The two denominators where both series have a year: 2022, SNEEP's persons "
                                        "housed in penitentiary units 105,053 against UNODC's persons held 105,000.")
    assert notes.share_bases(women[women["series"] != CITED_SERIES]).startswith("No year has both")
    table = pd.DataFrame({"figure_a": ["UNODC CTS female", "UNODC CTS total"],
                          "figure_b": ["SNEEP women (incl. trans), as cited by the briefing", "SNEEP national total"],
                          "difference": [0, -40], "year": [2022, 2022]})
    parts = pd.DataFrame({"year": [2021, 2022], "total": [1000, 2000], "difference": [0, -30]})
    with_adults = pd.concat([table.assign(value_a=[100, 2000], value_b=[110, 2040]).assign(difference=[-10, -40]),
                             pd.DataFrame({"figure_a": ["UNODC CTS female adults (Age=Adult, without its juveniles)"],
                                           "figure_b": ["SNEEP women as cited by the briefing, less its trans women"],
                                           "value_a": [95], "value_b": [100], "difference": [-5], "year": [2022]})])
    assert ("UNODC counts 10 fewer women than SNEEP as the briefing cites it: UNODC's 100 include 5 juveniles (its "
            "Age=Juveniles row), and SNEEP's 110 include 10 trans women, whom UNODC does not count apart; without them "
            "UNODC counts 95 and SNEEP 100, still 5 apart;") in notes.reconciliation(with_adults, parts)
    assert notes.reconciliation(table, parts) == (
        "In 2022, UNODC's total and SNEEP's national total differ by 40 (UNODC fewer); UNODC counts as many women as "
        "SNEEP as the briefing cites it; UNODC's female + male differ from its total in 1 of its 2 years (2021–2022), "
        "most in 2022: 30 above it (1.5% of the total).")
